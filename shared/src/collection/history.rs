//! The history of an account's state: every change with its cause and time, replayed from the
//! account's facts in the order they became known ([`state_history`]).
//!
//! Owns [`StateChange`], [`Cause`] and [`History`]. Must not store anything: the caller keeps the
//! facts and may replay them whenever it needs the history (it is a pure fold).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::derive::{Assessment, assess};
use super::facts::{AccountFacts, Fact, FactKind};
use super::rules::{CollectionError, CollectionRules};
use super::state::AccountState;
use crate::ids::VisitId;
use crate::model::money::Money;
use crate::model::visit::Outcome;

/// What moved an account from one state to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cause {
    /// A visit ended with this outcome.
    Visit {
        /// The outcome.
        outcome: Outcome,
    },
    /// A promise to pay was recorded.
    PromiseMade {
        /// The visit that recorded it.
        visit: VisitId,
    },
    /// An agreement was recorded.
    AgreementMade {
        /// The visit that recorded it.
        visit: VisitId,
    },
    /// A payment became known.
    Payment {
        /// Its amount.
        amount: Money,
        /// Its local date.
        date: NaiveDate,
        /// Its reference, if any.
        reference: Option<String>,
    },
    /// A route file set the creditor's balance.
    Balance {
        /// The balance.
        amount: Money,
    },
    /// The daily follow-up decided this local day (a promise or instalment came due unpaid).
    FollowUp {
        /// The day decided.
        as_of: NaiveDate,
    },
    /// The account left the portfolio.
    Closed,
    /// The account came back to the portfolio.
    Reopened,
}

impl Cause {
    /// The cause of a change made by `kind`.
    pub fn of(kind: &FactKind) -> Cause {
        match kind {
            FactKind::Visit(outcome) => Cause::Visit { outcome: *outcome },
            FactKind::Promise(p) => Cause::PromiseMade { visit: p.visit },
            FactKind::Agreement(a) => Cause::AgreementMade { visit: a.visit() },
            FactKind::Payment(p) => Cause::Payment {
                amount: p.amount(),
                date: p.date(),
                reference: p.reference().map(str::to_owned),
            },
            FactKind::Balance(b) => Cause::Balance { amount: b.amount },
            FactKind::FollowUp(as_of) => Cause::FollowUp { as_of: *as_of },
            FactKind::Closed => Cause::Closed,
            FactKind::Reopened => Cause::Reopened,
        }
    }
}

/// One change of an account's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateChange {
    /// The state before.
    pub from: AccountState,
    /// The state after.
    pub to: AccountState,
    /// The fact that moved it.
    pub cause: Cause,
    /// When that fact became known.
    pub at: DateTime<Utc>,
}

/// The replayed history: the changes, and where the account stands after the last fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct History {
    /// Every change, oldest first. An account starts `new`; facts that change nothing leave no
    /// entry.
    pub changes: Vec<StateChange>,
    /// The assessment after every fact, as of `decided` (`None` when there are no facts; before
    /// any follow-up its `as_of` is `NaiveDate::MIN`: nothing can be broken yet).
    pub current: Option<Assessment>,
    /// The latest day a follow-up decided, if any ran.
    pub decided: Option<NaiveDate>,
}

/// Replays `facts` (stably sorted by `at`, so facts known at the same instant keep the given order)
/// and records each change of state.
///
/// Time breaks commitments only through [`FactKind::FollowUp`] facts: before the first one no
/// promise can be broken, and afterwards the day decided is the latest one seen (re-running an
/// earlier day does not undo what a later one decided). Running the same day twice adds nothing.
pub fn state_history(facts: &[Fact], rules: &CollectionRules) -> Result<History, CollectionError> {
    let mut ordered: Vec<&Fact> = facts.iter().collect();
    ordered.sort_by_key(|f| f.at);
    let mut known = AccountFacts::default();
    let mut decided: Option<NaiveDate> = None;
    let mut state = AccountState::New;
    let mut changes = Vec::new();
    let mut current = None;
    for fact in ordered {
        known.apply(fact.at, &fact.kind);
        if let FactKind::FollowUp(as_of) = fact.kind {
            decided = decided.max(Some(as_of));
        }
        let now = assess(&known, decided.unwrap_or(NaiveDate::MIN), rules)?;
        if now.state != state {
            changes.push(StateChange {
                from: state,
                to: now.state,
                cause: Cause::of(&fact.kind),
                at: fact.at,
            });
            state = now.state;
        }
        current = Some(now);
    }
    Ok(History {
        changes,
        current,
        decided,
    })
}
