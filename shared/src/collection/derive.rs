//! The account's state from its facts on a day: [`assess`] and its output [`Assessment`].
//!
//! Owns the precedence between states (documented on [`crate::collection`], "Account state").
//! Must not read a clock or storage: the facts and the day decided are arguments.

use chrono::NaiveDate;
use serde::Serialize;

use super::facts::{AccountFacts, VisitFact};
use super::followup::{
    AgreementState, CommitmentFollowUp, CommitmentState, FollowUp, check_currencies, follow_up,
};
use super::rules::{CollectionError, CollectionRules};
use super::state::AccountState;
use crate::model::money::Money;
use crate::model::visit::Outcome;

/// An account's state on a day, with what it was derived from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// The state.
    pub state: AccountState,
    /// The promise or instalment behind a promise or agreement state: the broken one for a broken
    /// state, the next pending one for an active state.
    pub because: Option<CommitmentFollowUp>,
    /// Every promise and instalment followed up.
    pub follow_up: FollowUp,
    /// The creditor's balance less the payments dated after it (never below zero); `None` before a
    /// balance is known.
    pub balance_due: Option<Money>,
    /// The local date of the last contact (a visit reaching someone, or a promise or agreement
    /// made).
    pub last_contact_on: Option<NaiveDate>,
    /// Visits in a row without contact since the last contact.
    pub visits_without_contact: u32,
}

/// The account's state as of the local day `as_of` (the last day the follow-up decided: time
/// only breaks commitments up to it), from facts in any order.
pub fn assess(
    facts: &AccountFacts,
    as_of: NaiveDate,
    rules: &CollectionRules,
) -> Result<Assessment, CollectionError> {
    let expected = facts.balance.map(|b| b.amount.currency());
    check_currencies(
        expected,
        &facts.promises,
        &facts.agreements,
        &facts.payments,
    )?;
    let follow_up = follow_up(
        &facts.promises,
        &facts.agreements,
        &facts.payments,
        rules,
        as_of,
    )?;
    let balance_due = facts.balance.map(|b| {
        let later: i64 = follow_up
            .payments
            .iter()
            .filter(|p| p.date() > b.as_of)
            .fold(0i64, |sum, p| sum.saturating_add(p.amount().minor_units()));
        let due = b.amount.minor_units().saturating_sub(later).max(0);
        Money::from_minor(due, b.amount.currency())
    });
    let mut visits = facts.visits.clone();
    visits.sort_by_key(|v| (v.at, v.outcome.as_str()));
    let visits_without_contact = trailing_without_contact(&visits);
    let committed = !facts.promises.is_empty() || !facts.agreements.is_empty();
    let (state, because) = if facts.closed {
        (AccountState::Closed, None)
    } else if balance_due.is_some_and(|b| b.is_zero()) {
        (AccountState::Paid, None)
    } else if let Some((state, because)) = commitment_state(&follow_up) {
        (state, Some(because))
    } else {
        (
            visit_state(&visits, visits_without_contact, committed, rules),
            None,
        )
    };
    let contacts = visits
        .iter()
        .filter(|v| v.outcome.is_contact())
        .map(|v| v.at)
        .chain(facts.promises.iter().map(|p| p.made_at))
        .chain(facts.agreements.iter().map(|a| a.made_at()));
    let last_contact_on = contacts.max().map(|at| rules.local_date(at));
    Ok(Assessment {
        state,
        because,
        follow_up,
        balance_due,
        last_contact_on,
        visits_without_contact,
    })
}

/// The state from the latest promise and the latest agreement, if one is in force.
///
/// The newer of the two leads. An agreement made after the promise: its state alone (the promise
/// was replaced or settled before it). A promise made after the agreement: the agreement still
/// runs, unless it had already broken when the promise was made (the promise renegotiated it);
/// then `agreement_broken` > `promise_broken` > `promise_active` > `agreement_active`.
fn commitment_state(follow_up: &FollowUp) -> Option<(AccountState, CommitmentFollowUp)> {
    let promise = follow_up.promises.last();
    let agreement = follow_up.agreements.last();
    let agreement_broken = agreement.and_then(|a| a.first_broken()).copied();
    let agreement_next = agreement
        .filter(|a| a.state == AgreementState::Active)
        .and_then(|a| a.installments.iter().find(|i| i.is_pending()))
        .copied();
    let promise_newer = match (promise, agreement) {
        (Some(p), Some(a)) => p.made_at > a.made_at,
        (Some(_), None) => true,
        (None, _) => false,
    };
    if !promise_newer {
        return agreement_broken
            .map(|i| (AccountState::AgreementBroken, i))
            .or(agreement_next.map(|i| (AccountState::AgreementActive, i)));
    }
    let promise = *promise?;
    let renegotiated = |i: &CommitmentFollowUp| i.broken_on().is_some_and(|d| d <= promise.made_on);
    if let Some(i) = agreement_broken.filter(|i| !renegotiated(i)) {
        return Some((AccountState::AgreementBroken, i));
    }
    match promise.state {
        CommitmentState::Broken => Some((AccountState::PromiseBroken, promise)),
        CommitmentState::Pending => Some((AccountState::PromiseActive, promise)),
        CommitmentState::Kept | CommitmentState::Superseded => {
            agreement_next.map(|i| (AccountState::AgreementActive, i))
        }
    }
}

/// The state from the visits alone: `unreachable` after too many visits in a row without contact,
/// else the last contact's (`refused`, or `contacted`), else `new` (`contacted` when a promise or
/// agreement exists without its visit).
fn visit_state(
    visits: &[VisitFact],
    without_contact: u32,
    committed: bool,
    rules: &CollectionRules,
) -> AccountState {
    if without_contact >= rules.unreachable_after {
        return AccountState::Unreachable;
    }
    match visits.iter().rev().find(|v| v.outcome.is_contact()) {
        Some(v) if v.outcome == Outcome::Refused => AccountState::Refused,
        Some(_) => AccountState::Contacted,
        None if committed => AccountState::Contacted,
        None => AccountState::New,
    }
}

/// Visits at the end of the (sorted) list that reached nobody.
fn trailing_without_contact(visits: &[VisitFact]) -> u32 {
    let count = visits
        .iter()
        .rev()
        .take_while(|v| !v.outcome.is_contact())
        .count();
    u32::try_from(count).unwrap_or(u32::MAX)
}
