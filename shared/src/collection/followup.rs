//! The follow-up decision: which promises and instalments are kept, broken or still pending on a
//! local day, and which payment counts towards which.
//!
//! Owns [`follow_up`] and its output ([`FollowUp`], [`CommitmentFollowUp`], [`AgreementFollowUp`],
//! [`CommitmentState`], [`AgreementState`]). Must not read a clock: `as_of` is the day the daily
//! follow-up decides, an argument. The rules are in the module documentation of
//! [`crate::collection`] ("Follow-up").

use std::cmp::Reverse;
use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::facts::{Agreement, Promise, ReceivedPayment};
use super::rules::{CollectionError, CollectionRules};
use crate::ids::VisitId;
use crate::model::money::{Currency, Money};

/// Where a promise or an instalment stands.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentState {
    /// Not covered yet, and its deadline (due date plus grace) has not passed as of the day.
    Pending,
    /// Covered by payments dated by its deadline.
    Kept,
    /// Not covered, and the day decided is after its deadline.
    Broken,
    /// Replaced, while still open, by a newer commitment (renegotiated): no longer followed.
    Superseded,
}

/// Where an agreement stands, from its instalments.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgreementState {
    /// No instalment broken or superseded, some still pending.
    Active,
    /// An instalment is broken.
    Broken,
    /// Every instalment kept.
    Completed,
    /// A newer agreement replaced its open instalments.
    Superseded,
}

/// A promise or one instalment, followed up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CommitmentFollowUp {
    /// The visit that recorded the promise or agreement.
    pub visit: VisitId,
    /// The instalment's number; `None` for a promise.
    pub installment: Option<u32>,
    /// When the promise or agreement was made.
    pub made_at: DateTime<Utc>,
    /// Its local date: payments dated earlier do not count towards it.
    pub made_on: NaiveDate,
    /// The due date.
    pub due: NaiveDate,
    /// The last day a payment keeps it: the due date plus the grace days.
    pub deadline: NaiveDate,
    /// What is due.
    pub amount: Money,
    /// What payments contributed to it (at most `amount`).
    pub paid: Money,
    /// Its state as of the day decided.
    pub state: CommitmentState,
    /// The date of the payment that completed it, when kept.
    pub settled_on: Option<NaiveDate>,
    /// The day a newer commitment replaced it, when superseded.
    pub superseded_on: Option<NaiveDate>,
}

impl CommitmentFollowUp {
    /// What is still unpaid of it.
    pub fn outstanding(&self) -> Money {
        Money::from_minor(
            self.amount.minor_units() - self.paid.minor_units(),
            self.amount.currency(),
        )
    }

    /// The first day it counts as broken (the day after its deadline), when broken.
    pub fn broken_on(&self) -> Option<NaiveDate> {
        (self.state == CommitmentState::Broken)
            .then(|| self.deadline.succ_opt())
            .flatten()
    }

    /// Whether it is still followed and unpaid (pending).
    pub fn is_pending(&self) -> bool {
        self.state == CommitmentState::Pending
    }
}

/// An agreement, followed up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgreementFollowUp {
    /// The visit that recorded it.
    pub visit: VisitId,
    /// When it was made.
    pub made_at: DateTime<Utc>,
    /// Its state from its instalments.
    pub state: AgreementState,
    /// Its instalments, in order.
    pub installments: Vec<CommitmentFollowUp>,
}

impl AgreementFollowUp {
    /// The first broken instalment, if any.
    pub fn first_broken(&self) -> Option<&CommitmentFollowUp> {
        self.installments
            .iter()
            .find(|i| i.state == CommitmentState::Broken)
    }
}

/// What the follow-up decided for one account on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    /// The day decided.
    pub as_of: NaiveDate,
    /// Promises, oldest made first.
    pub promises: Vec<CommitmentFollowUp>,
    /// Agreements, oldest made first.
    pub agreements: Vec<AgreementFollowUp>,
    /// The payments counted, each once (duplicates by reference dropped), by date.
    pub payments: Vec<ReceivedPayment>,
    /// What the payments paid beyond the commitments they could count towards (`None` when there
    /// are no payments).
    pub unallocated: Option<Money>,
}

/// Decides every promise and instalment of one account as of the local day `as_of` (see the
/// module documentation of [`crate::collection`] for the rules). Inputs may come in any order.
pub fn follow_up(
    promises: &[Promise],
    agreements: &[Agreement],
    payments: &[ReceivedPayment],
    rules: &CollectionRules,
    as_of: NaiveDate,
) -> Result<FollowUp, CollectionError> {
    rules.validate()?;
    check_currencies(None, promises, agreements, payments)?;
    let payments = dedup_payments(payments);
    let mut book = Book::new(promises, agreements, rules)?;
    let mut unallocated = 0i64;
    for event in book.events(&payments) {
        match event {
            Event::Made {
                at,
                day,
                is_agreement,
            } => book.supersede(at, day, is_agreement),
            Event::Paid(p) => unallocated = unallocated.saturating_add(book.allocate(p)),
        }
    }
    let unallocated = payments
        .first()
        .map(|p| Money::from_minor(unallocated, p.amount().currency()));
    Ok(book.decide(as_of, payments, unallocated))
}

/// Checks that every amount is in one currency (`expected`, else the first seen); returns it.
pub(crate) fn check_currencies(
    expected: Option<Currency>,
    promises: &[Promise],
    agreements: &[Agreement],
    payments: &[ReceivedPayment],
) -> Result<Option<Currency>, CollectionError> {
    let promised = promises
        .iter()
        .map(|p| (p.terms.amount(), format!("promise of visit {}", p.visit)));
    let agreed = agreements.iter().flat_map(|a| {
        let visit = a.visit();
        a.installments().iter().map(move |i| {
            let what = format!("instalment {} of the agreement of visit {visit}", i.n);
            (i.amount, what)
        })
    });
    let paid = payments.iter().map(|p| {
        let what = format!("payment of {} ref {:?}", p.date(), p.reference());
        (p.amount(), what)
    });
    let mut currency = expected;
    for (amount, what) in promised.chain(agreed).chain(paid) {
        match currency {
            Some(c) if c != amount.currency() => {
                return Err(CollectionError::MixedCurrencies {
                    what,
                    expected: c,
                    found: amount.currency(),
                });
            }
            Some(_) => {}
            None => currency = Some(amount.currency()),
        }
    }
    Ok(currency)
}

/// The payments counted: one per reference, the earliest dated (then the largest) of those sharing
/// it, since a visit's receipt is dated when the debtor paid and the bank books it later; payments
/// without reference all count. Sorted by date, then amount, reference and channel.
pub(crate) fn dedup_payments(payments: &[ReceivedPayment]) -> Vec<ReceivedPayment> {
    let canonical = |p: &ReceivedPayment| {
        (
            p.date(),
            Reverse(p.amount().minor_units()),
            p.reference().map(str::to_owned),
            p.channel().map(str::to_owned),
        )
    };
    let mut by_reference: BTreeMap<String, &ReceivedPayment> = BTreeMap::new();
    let mut counted: Vec<ReceivedPayment> = Vec::new();
    for p in payments {
        match p.dedup_key() {
            None => counted.push(p.clone()),
            Some(key) => {
                let kept = by_reference.entry(key).or_insert(p);
                if canonical(p) < canonical(kept) {
                    *kept = p;
                }
            }
        }
    }
    counted.extend(by_reference.into_values().cloned());
    counted.sort_by_key(|p| {
        (
            p.date(),
            p.amount().minor_units(),
            p.reference().map(str::to_owned),
            p.channel().map(str::to_owned),
        )
    });
    counted
}

/// Something that happens on a day, in the order [`Book::events`] replays them.
enum Event<'a> {
    /// A promise (or agreement) was made.
    Made {
        at: DateTime<Utc>,
        day: NaiveDate,
        is_agreement: bool,
    },
    /// A payment was made.
    Paid(&'a ReceivedPayment),
}

/// The commitments being followed, flat: promises first, then each agreement's instalments.
struct Book {
    items: Vec<CommitmentFollowUp>,
    /// Which agreement (index in `agreements`) an item belongs to; `None` for a promise.
    owner: Vec<Option<usize>>,
    agreements: Vec<(VisitId, DateTime<Utc>)>,
}

impl Book {
    fn new(
        promises: &[Promise],
        agreements: &[Agreement],
        rules: &CollectionRules,
    ) -> Result<Self, CollectionError> {
        let mut promises: Vec<&Promise> = promises.iter().collect();
        promises.sort_by_key(|p| {
            (
                p.made_at,
                p.visit,
                p.terms.due(),
                p.terms.amount().minor_units(),
            )
        });
        let mut agreements: Vec<&Agreement> = agreements.iter().collect();
        agreements.sort_by_key(|a| {
            let schedule: Vec<_> = a
                .installments()
                .iter()
                .map(|i| (i.due, i.amount.minor_units()))
                .collect();
            (a.made_at(), a.visit(), schedule)
        });
        let mut book = Book {
            items: Vec::new(),
            owner: Vec::new(),
            agreements: Vec::new(),
        };
        for p in promises {
            let item = commitment(
                p.visit,
                None,
                p.made_at,
                p.terms.due(),
                p.terms.amount(),
                rules,
            )?;
            book.items.push(item);
            book.owner.push(None);
        }
        for (index, a) in agreements.into_iter().enumerate() {
            book.agreements.push((a.visit(), a.made_at()));
            for i in a.installments() {
                let item = commitment(a.visit(), Some(i.n), a.made_at(), i.due, i.amount, rules)?;
                book.items.push(item);
                book.owner.push(Some(index));
            }
        }
        Ok(book)
    }

    /// Commitments made and payments in day order; within a day, what was made comes first (a
    /// payment the same day counts towards it), in the order it was made, then the payments.
    fn events<'a>(&self, payments: &'a [ReceivedPayment]) -> Vec<Event<'a>> {
        let mut made: Vec<(NaiveDate, DateTime<Utc>, bool)> = self
            .items
            .iter()
            .zip(&self.owner)
            .filter(|(item, _)| item.installment.is_none_or(|n| n == 1))
            .map(|(item, owner)| (item.made_on, item.made_at, owner.is_some()))
            .collect();
        made.sort();
        let mut events: Vec<(NaiveDate, u8, usize, Event<'a>)> = Vec::new();
        for (i, (day, at, is_agreement)) in made.into_iter().enumerate() {
            let event = Event::Made {
                at,
                day,
                is_agreement,
            };
            events.push((day, 0, i, event));
        }
        for (i, p) in payments.iter().enumerate() {
            events.push((p.date(), 1, i, Event::Paid(p)));
        }
        events.sort_by_key(|(day, phase, i, _)| (*day, *phase, *i));
        events.into_iter().map(|(.., e)| e).collect()
    }

    /// A commitment made at `at` on `day` replaces every older one still open that could still be
    /// met that day: an agreement replaces promises and older agreements' instalments; a promise
    /// replaces promises only (one made while an agreement runs is about an instalment).
    fn supersede(&mut self, at: DateTime<Utc>, day: NaiveDate, is_agreement: bool) {
        for (item, owner) in self.items.iter_mut().zip(&self.owner) {
            let open = item.settled_on.is_none() && item.superseded_on.is_none();
            let replaced_kind = is_agreement || owner.is_none();
            if open && replaced_kind && item.made_at < at && item.deadline >= day {
                item.superseded_on = Some(day);
            }
        }
    }

    /// Pours a payment into the open commitments it can count towards (made on or before its
    /// date, deadline on or after it), earliest deadline first; returns what is left over.
    fn allocate(&mut self, payment: &ReceivedPayment) -> i64 {
        let day = payment.date();
        let mut eligible: Vec<usize> = (0..self.items.len())
            .filter(|&i| {
                let item = &self.items[i];
                item.settled_on.is_none()
                    && item.superseded_on.is_none()
                    && item.made_on <= day
                    && day <= item.deadline
            })
            .collect();
        eligible.sort_by_key(|&i| {
            let item = &self.items[i];
            (
                item.deadline,
                item.due,
                item.made_at,
                item.visit,
                item.installment,
            )
        });
        let mut left = payment.amount().minor_units();
        for i in eligible {
            let item = &mut self.items[i];
            let take = left.min(item.amount.minor_units() - item.paid.minor_units());
            item.paid = Money::from_minor(item.paid.minor_units() + take, item.amount.currency());
            left -= take;
            if item.paid == item.amount {
                item.settled_on = Some(day);
            }
            if left == 0 {
                break;
            }
        }
        left
    }

    /// Every item's state as of `as_of`, grouped back into promises and agreements.
    fn decide(
        self,
        as_of: NaiveDate,
        payments: Vec<ReceivedPayment>,
        unallocated: Option<Money>,
    ) -> FollowUp {
        let mut promises = Vec::new();
        let mut agreements: Vec<AgreementFollowUp> = self
            .agreements
            .iter()
            .map(|&(visit, made_at)| AgreementFollowUp {
                visit,
                made_at,
                state: AgreementState::Active,
                installments: Vec::new(),
            })
            .collect();
        for (mut item, owner) in self.items.into_iter().zip(self.owner) {
            item.state = if item.settled_on.is_some() {
                CommitmentState::Kept
            } else if item.superseded_on.is_some() {
                CommitmentState::Superseded
            } else if as_of > item.deadline {
                CommitmentState::Broken
            } else {
                CommitmentState::Pending
            };
            match owner {
                None => promises.push(item),
                Some(a) => agreements[a].installments.push(item),
            }
        }
        for a in &mut agreements {
            a.state = agreement_state(&a.installments);
        }
        FollowUp {
            as_of,
            promises,
            agreements,
            payments,
            unallocated,
        }
    }
}

/// An agreement's state: broken if an instalment is, else superseded if one is, else completed
/// when every one is kept, else active.
fn agreement_state(installments: &[CommitmentFollowUp]) -> AgreementState {
    let any = |s| installments.iter().any(|i| i.state == s);
    if any(CommitmentState::Broken) {
        AgreementState::Broken
    } else if any(CommitmentState::Superseded) {
        AgreementState::Superseded
    } else if installments
        .iter()
        .all(|i| i.state == CommitmentState::Kept)
    {
        AgreementState::Completed
    } else {
        AgreementState::Active
    }
}

/// A commitment as made, before any payment or decision.
fn commitment(
    visit: VisitId,
    installment: Option<u32>,
    made_at: DateTime<Utc>,
    due: NaiveDate,
    amount: Money,
    rules: &CollectionRules,
) -> Result<CommitmentFollowUp, CollectionError> {
    let deadline = due
        .checked_add_days(Days::new(u64::from(rules.grace_days)))
        .ok_or(CollectionError::DateOutOfRange(due))?;
    Ok(CommitmentFollowUp {
        visit,
        installment,
        made_at,
        made_on: rules.local_date(made_at),
        due,
        deadline,
        amount,
        paid: Money::zero(amount.currency()),
        state: CommitmentState::Pending,
        settled_on: None,
        superseded_on: None,
    })
}
