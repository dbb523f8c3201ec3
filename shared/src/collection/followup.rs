//! The follow-up decision: which promises and instalments are kept, broken or still pending on a
//! local day, and which payment counts towards which.
//!
//! Owns [`follow_up`] and its output ([`FollowUp`], [`CommitmentFollowUp`], [`AgreementFollowUp`],
//! [`CommitmentState`], [`AgreementState`]). Must not read a clock: `as_of` is the day the daily
//! follow-up decides, an argument. The rules are in the module documentation of
//! [`crate::collection`] ("Follow-up").

use std::cmp::Reverse;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::book::{Book, Event};
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
    /// Not covered, and the day decided is after its deadline and after the day it was learned of.
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
    /// The local date it was learned of: only the follow-up of a later day can break it.
    pub known_on: NaiveDate,
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

    /// The first day it counts as broken, when broken: the day after its deadline, or after the
    /// day it was learned of when that is later.
    pub fn broken_on(&self) -> Option<NaiveDate> {
        (self.state == CommitmentState::Broken)
            .then(|| self.deadline.max(self.known_on).succ_opt())
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

impl FollowUp {
    /// Every promise, then every agreement's instalments.
    pub fn commitments(&self) -> impl Iterator<Item = &CommitmentFollowUp> {
        let installments = self.agreements.iter().flat_map(|a| &a.installments);
        self.promises.iter().chain(installments)
    }

    /// What changed since `earlier` (the same account decided before, e.g. the day before): what
    /// a run reports and the digest lists (broken, kept, superseded). A commitment `earlier` did
    /// not know is compared with `pending`.
    pub fn changes_since(&self, earlier: &FollowUp) -> Vec<CommitmentChange> {
        let before: BTreeMap<_, _> = earlier
            .commitments()
            .map(|c| ((c.visit, c.installment), c.state))
            .collect();
        self.commitments()
            .filter_map(|c| {
                let from = before
                    .get(&(c.visit, c.installment))
                    .copied()
                    .unwrap_or(CommitmentState::Pending);
                (from != c.state).then_some(CommitmentChange {
                    from,
                    commitment: *c,
                })
            })
            .collect()
    }
}

/// A promise or instalment whose state changed between two follow-ups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CommitmentChange {
    /// Its state before.
    pub from: CommitmentState,
    /// The commitment now (its `state` is the new one).
    pub commitment: CommitmentFollowUp,
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
