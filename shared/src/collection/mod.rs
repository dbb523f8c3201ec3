//! The collection loop's rules: agreement schedules, the follow-up of promises and instalments,
//! each account's state with its history, and a stop's priority and reason for the route.
//!
//! Owns [`schedule`], [`follow_up`], [`assess`], [`state_history`] and [`priority`], with their
//! inputs and outputs. Must not read a clock, draw random numbers or touch storage: the day
//! decided (`as_of`), the organization's zone and holidays and every fact are arguments, so the
//! phone and the server derive the same state. Dates are local dates in the organization's
//! zone; amounts are [`Money`](crate::model::money::Money) in minor units, one currency per
//! account.
//!
//! # Follow-up
//!
//! A promise and each instalment of an agreement are *commitments*: an amount due on a date,
//! made on a day (the local date of the visit that recorded it). Its *deadline* is the due date
//! plus the organization's grace days ([`CollectionRules::grace_days`], default 1).
//!
//! - **Counted payments.** Records sharing a reference (trimmed, case-insensitive) are one
//!   payment: a visit's receipt and the bank file's row are counted once, the earliest dated
//!   (then the largest) kept. A payment without reference is never taken for another.
//! - **Allocation.** Payments are taken in date order. A payment counts towards a commitment
//!   made on or before its date whose deadline is on or after it; it goes to the open ones
//!   earliest deadline first, partially when it does not cover one (partial payments count),
//!   and what no open commitment can take is left over (it still lowers the balance).
//! - **Renegotiation.** A commitment made on day `d` *supersedes* every older one still open
//!   and not past its deadline on `d`: an agreement supersedes promises and older agreements'
//!   instalments; a promise supersedes older promises only (a promise made while an agreement
//!   runs is about an instalment). Within a day, what is made comes first, then that day's
//!   payments, which therefore count towards the new commitment.
//! - **States** on the day `as_of`: *kept* once allocated payments cover the amount (a fact, known
//!   as soon as the payment is); *superseded* as above; *broken* when `as_of` is after the
//!   deadline and it is neither; *pending* otherwise. An agreement is broken when an instalment
//!   is, completed when all are kept.
//! - **Late arrivals.** Only the follow-up of a day after the one the commitment was learned of
//!   (its `known_at`: when made on the phone, when uploaded on the server) can break it: a
//!   promise reaching the server days late stays pending until the next daily run, even if its
//!   deadline has long passed. `as_of` is the day a run decides, starting at its local midnight.
//!
//! What holds (property-tested): the states do not depend on the order of the inputs; deciding
//! the same `as_of` twice gives the same result; with the same facts, a later `as_of` only moves
//! commitments from pending to broken (kept and superseded never change with time, broken never
//! goes back). A payment that becomes known late (a bank file days after) can still turn a broken
//! commitment into a kept one: that is new knowledge, not time.
//!
//! # Account state
//!
//! [`assess`] applies, first match wins:
//! 1. `closed` when the account left the portfolio;
//! 2. `paid` when the creditor's balance, less the payments dated after the file's date, is zero;
//! 3. the commitment in force: the newer of the latest promise and the latest agreement leads.
//!    A newer agreement gives `agreement_broken` or `agreement_active` (nothing when completed).
//!    A newer promise gives, in this order: `agreement_broken` if the agreement broke after the
//!    promise was made, `promise_broken`, `promise_active`, `agreement_active`. So a broken promise
//!    followed by a new one is `promise_active`, and a kept latest promise falls through;
//! 4. from the visits: `unreachable` after [`CollectionRules::unreachable_after`] visits in a row
//!    (default 3) with nobody home or a wrong address; else the last contact's outcome, `refused`
//!    or `contacted`; else `new` (never contacted; `contacted` if a promise exists without its
//!    visit).
//!
//! With the same facts, time only breaks an account (property-tested): a broken state stays
//! broken (`promise_broken` may become `agreement_broken` when an instalment falls later), and a
//! state other than the active and broken ones never changes with `as_of`.
//!
//! [`state_history`] replays facts in the order they became known and keeps each change with
//! its cause and time ([`StateChange`]); [`FollowUp::changes_since`] lists what a day's run
//! changed. [`priority`] turns an assessment into a stop's rank and reason (see its module).

mod book;
mod derive;
mod facts;
mod followup;
mod history;
mod priority;
mod rules;
mod schedule;
mod state;
mod text;

#[cfg(test)]
mod tests;

pub use derive::{Assessment, assess};
pub use facts::{
    AccountFacts, Agreement, Balance, Fact, FactKind, Promise, ReceivedPayment, VisitFact,
};
pub use followup::{
    AgreementFollowUp, AgreementState, CommitmentChange, CommitmentFollowUp, CommitmentState,
    FollowUp, follow_up,
};
pub use history::{Cause, History, StateChange, state_history};
pub use priority::{PriorityTier, REMINDER_DAYS, StopPriority, priority};
pub use rules::{
    CollectionError, CollectionRules, DEFAULT_GRACE_DAYS, DEFAULT_UNREACHABLE_AFTER, MAX_GRACE_DAYS,
};
pub use schedule::{
    Frequency, Installment, MAX_DAYS_MOVED, MAX_INSTALLMENTS, ScheduleError, is_working_day,
    next_working_day, schedule,
};
pub use state::{AccountState, Lang};
pub use text::{format_day, format_money};
