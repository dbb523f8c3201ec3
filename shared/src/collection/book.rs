//! The follow-up's bookkeeping: commitments made and payments replayed day by day, renegotiated
//! commitments superseded, payments poured earliest deadline first, states decided.
//!
//! Owns the private `Book` behind [`super::follow_up`]. Must not count or deduplicate payments:
//! it is handed the counted ones, sorted.

use chrono::{DateTime, Days, NaiveDate, Utc};

use super::facts::{Agreement, Promise, ReceivedPayment};
use super::followup::{
    AgreementFollowUp, AgreementState, CommitmentFollowUp, CommitmentState, FollowUp,
};
use super::rules::{CollectionError, CollectionRules};
use crate::ids::VisitId;
use crate::model::money::Money;

/// Something that happens on a day, in the order [`Book::events`] replays them.
pub(super) enum Event<'a> {
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
pub(super) struct Book {
    items: Vec<CommitmentFollowUp>,
    /// Which agreement (index in `agreements`) an item belongs to; `None` for a promise.
    owner: Vec<Option<usize>>,
    agreements: Vec<(VisitId, DateTime<Utc>)>,
}

impl Book {
    pub(super) fn new(
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
                p.known_at,
            )
        });
        let mut agreements: Vec<&Agreement> = agreements.iter().collect();
        agreements.sort_by_key(|a| {
            let schedule: Vec<_> = a
                .installments()
                .iter()
                .map(|i| (i.due, i.amount.minor_units()))
                .collect();
            (a.made_at(), a.visit(), schedule, a.known_at())
        });
        let mut book = Book {
            items: Vec::new(),
            owner: Vec::new(),
            agreements: Vec::new(),
        };
        for p in promises {
            let when = (p.made_at, p.known_at);
            let item = commitment(p.visit, None, when, p.terms.due(), p.terms.amount(), rules)?;
            book.items.push(item);
            book.owner.push(None);
        }
        for (index, a) in agreements.into_iter().enumerate() {
            book.agreements.push((a.visit(), a.made_at()));
            for i in a.installments() {
                let when = (a.made_at(), a.known_at());
                let item = commitment(a.visit(), Some(i.n), when, i.due, i.amount, rules)?;
                book.items.push(item);
                book.owner.push(Some(index));
            }
        }
        Ok(book)
    }

    /// Commitments made and payments in day order; within a day, what was made comes first (a
    /// payment the same day counts towards it), in the order it was made, then the payments.
    pub(super) fn events<'a>(&self, payments: &'a [ReceivedPayment]) -> Vec<Event<'a>> {
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
    pub(super) fn supersede(&mut self, at: DateTime<Utc>, day: NaiveDate, is_agreement: bool) {
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
    pub(super) fn allocate(&mut self, payment: &ReceivedPayment) -> i64 {
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
    pub(super) fn decide(
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
            } else if as_of > item.deadline && as_of > item.known_on {
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

/// A commitment as made, before any payment or decision; `when` is when it was made and when it
/// was learned of.
fn commitment(
    visit: VisitId,
    installment: Option<u32>,
    (made_at, known_at): (DateTime<Utc>, DateTime<Utc>),
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
        known_on: rules.local_date(known_at.max(made_at)),
        due,
        deadline,
        amount,
        paid: Money::zero(amount.currency()),
        state: CommitmentState::Pending,
        settled_on: None,
        superseded_on: None,
    })
}
