//! A stop's priority for the route and the reason shown on it ("promesa incumplida el 26/11:
//! $250.000"), from the account's [`Assessment`]: [`priority`].
//!
//! Owns [`StopPriority`] and [`PriorityTier`]. Must not plan routes or apply contact rules: the
//! planner (`crate::plan`) orders stops by this number, the contact rules say when a visit may
//! happen. The order is on [`priority`].

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::derive::Assessment;
use super::followup::{AgreementState, CommitmentFollowUp};
use super::state::{AccountState, Lang};
use super::text::{format_day, format_money};
use crate::model::delinquency::DelinquencyBucket;

/// How many days before a pending promise or instalment's due date it becomes a reminder ("due"):
/// the day before and the day itself.
pub const REMINDER_DAYS: u64 = 1;

/// The band a stop's priority falls in, lowest first (the derived order is the priority's).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorityTier {
    /// Paid or closed: leaves the route.
    Settled,
    /// A promise or agreement is in force and nothing is due before tomorrow: the debtor has
    /// committed, a visit now would only press.
    Waiting,
    /// No commitment in force: ordered by lateness, balance and days since contact.
    Regular,
    /// A pending promise or instalment is due by tomorrow or is in its grace days: a reminder.
    Due,
    /// A promise or agreement is broken: first in line.
    Broken,
}

/// A stop's place in the route's order and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StopPriority {
    /// The band.
    pub tier: PriorityTier,
    /// The whole order in one number, higher first (see the module documentation).
    pub rank: u64,
    /// Why, in the language asked for.
    pub reason: String,
}

const BALANCE_BITS: u32 = 42;
const DAYS_BITS: u32 = 16;

/// The priority of an account's stop on `today` (local), with the account's delinquency bucket.
///
/// # Order
///
/// Lexicographic, higher first: the tier ([`PriorityTier`]: broken, then due, then regular, then
/// waiting, then settled), then the delinquency bucket (later first), then the balance due
/// (larger first), then the days since the last contact (more first; never contacted is most).
/// [`StopPriority::rank`] packs the four into one `u64` with that order: tier in the top 3 bits,
/// bucket in the next 3, the balance in minor units (capped at 2⁴² − 1, about 44 billion pesos)
/// in the next 42, the days (capped at 65 535) in the last 16.
pub fn priority(
    assessment: &Assessment,
    bucket: DelinquencyBucket,
    today: NaiveDate,
    lang: Lang,
) -> StopPriority {
    let due_soon = next_pending(assessment).filter(|c| {
        c.due
            <= today
                .checked_add_days(Days::new(REMINDER_DAYS))
                .unwrap_or(today)
    });
    let state = assessment.state;
    let (tier, reason) = if state.is_settled() {
        (PriorityTier::Settled, state.label(lang).to_owned())
    } else if let Some(c) = assessment.because.as_ref().filter(|_| state.is_broken()) {
        (PriorityTier::Broken, broken(c, lang))
    } else if let Some(c) = due_soon {
        (PriorityTier::Due, due(c, today, lang))
    } else if let Some(c) = assessment.because.as_ref().filter(|_| {
        matches!(
            state,
            AccountState::PromiseActive | AccountState::AgreementActive
        )
    }) {
        (PriorityTier::Waiting, waiting(c, lang))
    } else {
        (
            PriorityTier::Regular,
            regular(assessment, bucket, today, lang),
        )
    };
    StopPriority {
        tier,
        rank: rank(tier, bucket, assessment, today),
        reason,
    }
}

/// The pending promise or instalment due first. A broken agreement's later instalments are no
/// reminders: the agreement fell, and the stop is there for that.
fn next_pending(assessment: &Assessment) -> Option<&CommitmentFollowUp> {
    let follow_up = &assessment.follow_up;
    let fallen: Vec<_> = follow_up
        .agreements
        .iter()
        .filter(|a| a.state != AgreementState::Active)
        .map(|a| a.visit)
        .collect();
    follow_up
        .commitments()
        .filter(|c| c.is_pending())
        .filter(|c| c.installment.is_none() || !fallen.contains(&c.visit))
        .min_by_key(|c| (c.due, c.made_at, c.installment))
}

fn rank(
    tier: PriorityTier,
    bucket: DelinquencyBucket,
    assessment: &Assessment,
    today: NaiveDate,
) -> u64 {
    let tier_bits = tier as u64;
    let bucket_bits = DelinquencyBucket::ALL
        .iter()
        .position(|b| *b == bucket)
        .unwrap_or(0) as u64;
    let balance_cap = (1u64 << BALANCE_BITS) - 1;
    let balance = assessment
        .balance_due
        .map_or(0, |b| u64::try_from(b.minor_units()).unwrap_or(0))
        .min(balance_cap);
    let days_cap = (1u64 << DAYS_BITS) - 1;
    let days = assessment.last_contact_on.map_or(days_cap, |last| {
        u64::try_from((today - last).num_days())
            .unwrap_or(0)
            .min(days_cap)
    });
    (tier_bits << 61) | (bucket_bits << 58) | (balance << DAYS_BITS) | days
}

/// What a promise or instalment is called in a reason: `promesa`, `cuota 2`.
fn what(c: &CommitmentFollowUp, lang: Lang) -> String {
    match (c.installment, lang) {
        (None, Lang::Es) => "promesa".to_owned(),
        (None, Lang::En) => "promise".to_owned(),
        (Some(n), Lang::Es) => format!("cuota {n}"),
        (Some(n), Lang::En) => format!("instalment {n}"),
    }
}

fn broken(c: &CommitmentFollowUp, lang: Lang) -> String {
    let (day, amount) = (format_day(c.due), format_money(c.amount, lang));
    let mut text = match (c.installment, lang) {
        (None, Lang::Es) => format!("promesa incumplida el {day}: {amount}"),
        (None, Lang::En) => format!("promise broken on {day}: {amount}"),
        (Some(n), Lang::Es) => format!("acuerdo incumplido, cuota {n} del {day}: {amount}"),
        (Some(n), Lang::En) => format!("agreement broken, instalment {n} due {day}: {amount}"),
    };
    if !c.paid.is_zero() {
        let paid = format_money(c.paid, lang);
        text.push_str(&match lang {
            Lang::Es => format!(" (abonó {paid})"),
            Lang::En => format!(" ({paid} paid)"),
        });
    }
    text
}

fn due(c: &CommitmentFollowUp, today: NaiveDate, lang: Lang) -> String {
    let (what, day) = (what(c, lang), format_day(c.due));
    let amount = format_money(c.outstanding(), lang);
    match (c.due < today, lang) {
        (false, Lang::Es) => format!("{what} vence el {day}: {amount}"),
        (false, Lang::En) => format!("{what} due {day}: {amount}"),
        (true, Lang::Es) => format!("{what} venció el {day}, en gracia: {amount}"),
        (true, Lang::En) => format!("{what} was due {day}, in grace: {amount}"),
    }
}

fn waiting(c: &CommitmentFollowUp, lang: Lang) -> String {
    let (what, day) = (what(c, lang), format_day(c.due));
    let amount = format_money(c.outstanding(), lang);
    match (c.installment, lang) {
        (None, Lang::Es) => format!("promesa vigente, vence el {day}: {amount}"),
        (None, Lang::En) => format!("promise active, due {day}: {amount}"),
        (Some(_), Lang::Es) => format!("acuerdo vigente, {what} vence el {day}: {amount}"),
        (Some(_), Lang::En) => format!("agreement active, {what} due {day}: {amount}"),
    }
}

fn regular(
    assessment: &Assessment,
    bucket: DelinquencyBucket,
    today: NaiveDate,
    lang: Lang,
) -> String {
    let label = assessment.state.label(lang);
    let balance = assessment.balance_due.map(|b| format_money(b, lang));
    let days = assessment
        .last_contact_on
        .map(|last| (today - last).num_days().max(0));
    let mut parts = vec![label.to_owned()];
    match lang {
        Lang::Es => parts.push(format!("mora {} días", bucket.label())),
        Lang::En => parts.push(format!("{} days past due", bucket.label())),
    }
    if let Some(balance) = balance {
        parts.push(match lang {
            Lang::Es => format!("saldo {balance}"),
            Lang::En => format!("balance {balance}"),
        });
    }
    parts.push(match (days, lang) {
        (Some(d), Lang::Es) => format!("último contacto hace {d} días"),
        (Some(d), Lang::En) => format!("last contact {d} days ago"),
        (None, Lang::Es) => "sin contacto".to_owned(),
        (None, Lang::En) => "never contacted".to_owned(),
    });
    parts.join("; ")
}
