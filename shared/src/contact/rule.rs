//! The verdict types: [`Decision`] and the [`Rule`] that refused a contact, serializable for the
//! wire and displayable for the collector.
//!
//! This module only describes outcomes; it evaluates nothing (see `decide`).

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

use super::window::LocalWindow;

/// A rule that refuses a contact, with the facts that made it refuse. Times and dates are local
/// to the organization's zone unless typed `DateTime<Utc>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// The day is in the holiday calendar and the policy closes holidays.
    Holiday {
        /// The local date.
        date: NaiveDate,
    },
    /// The policy opens no hours on this weekday (Sunday under Ley 2300).
    ClosedDay {
        /// The local weekday.
        weekday: Weekday,
    },
    /// Another contact with the person is fewer than `min_days` local calendar days away.
    TooSoon {
        /// The nearest such contact (usually the last one before).
        contact: DateTime<Utc>,
        /// Its local date.
        contact_date: NaiveDate,
        /// The policy's minimum days between contacts.
        min_days: u32,
    },
    /// The person's local ISO week (Monday to Sunday) already holds `max` contacts.
    WeeklyLimit {
        /// The Monday starting that week.
        week_start: NaiveDate,
        /// Contacts already in that week.
        count: u32,
        /// The policy's weekly maximum.
        max: u32,
    },
    /// The person's local day already holds `max` contacts.
    DailyLimit {
        /// The local date.
        date: NaiveDate,
        /// Contacts already on that day.
        count: u32,
        /// The policy's daily maximum.
        max: u32,
    },
    /// The local time is outside the policy's hours for that weekday.
    OutsideHours {
        /// The local time asked about.
        local_time: NaiveTime,
        /// The open hours that day.
        allowed: LocalWindow,
    },
    /// The local time is outside the hours the debtor asked to be contacted in.
    OutsideDebtorWindow {
        /// The local time asked about.
        local_time: NaiveTime,
        /// The debtor's window.
        window: LocalWindow,
    },
}

/// Whether a person may be contacted at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Every rule allows the contact.
    Allowed,
    /// At least one rule refuses it.
    Refused {
        /// The most relevant refusing rule (the first in the documented order).
        rule: Rule,
        /// The other refusing rules, in the same order; often empty.
        also: Vec<Rule>,
        /// The earliest instant at or after the asked one at which every rule allows a contact,
        /// or `None` if there is none within the search horizon.
        next_allowed: Option<DateTime<Utc>>,
    },
}

impl Decision {
    /// Whether the contact is allowed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed)
    }

    /// The main refusing rule, if refused.
    pub fn rule(&self) -> Option<&Rule> {
        match self {
            Decision::Allowed => None,
            Decision::Refused { rule, .. } => Some(rule),
        }
    }

    /// Every refusing rule, most relevant first; empty when allowed.
    pub fn rules(&self) -> Vec<&Rule> {
        match self {
            Decision::Allowed => Vec::new(),
            Decision::Refused { rule, also, .. } => std::iter::once(rule).chain(also).collect(),
        }
    }
}

fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Holiday { date } => write!(f, "{date} is a holiday"),
            Rule::ClosedDay { weekday } => {
                write!(f, "no contact is allowed on {}", weekday_name(*weekday))
            }
            Rule::TooSoon {
                contact_date,
                min_days,
                ..
            } => write!(
                f,
                "the person was contacted on {contact_date}; contacts must be at least \
                 {min_days} days apart"
            ),
            Rule::WeeklyLimit {
                week_start,
                count,
                max,
            } => write!(
                f,
                "the person already has {count} contact(s) in the week of {week_start} \
                 (at most {max} per week)"
            ),
            Rule::DailyLimit { date, count, max } => write!(
                f,
                "the person already has {count} contact(s) on {date} (at most {max} per day)"
            ),
            Rule::OutsideHours {
                local_time,
                allowed,
            } => write!(
                f,
                "{} is outside the allowed hours {allowed}",
                local_time.format("%H:%M")
            ),
            Rule::OutsideDebtorWindow { local_time, window } => write!(
                f,
                "{} is outside the debtor's contact window {window}",
                local_time.format("%H:%M")
            ),
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Allowed => f.write_str("allowed"),
            Decision::Refused {
                rule, next_allowed, ..
            } => match next_allowed {
                Some(t) => write!(f, "refused: {rule}; next allowed at {}", t.to_rfc3339()),
                None => write!(f, "refused: {rule}; no allowed moment within a year"),
            },
        }
    }
}
