//! The organization's collection settings ([`CollectionRules`]) and the errors of the collection
//! decisions ([`CollectionError`]). Must not hold defaults anywhere else: the device and the
//! server read the same numbers from here.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use thiserror::Error;

use crate::model::money::Currency;

/// Days after a promise's or instalment's due date during which a payment still keeps it.
pub const DEFAULT_GRACE_DAYS: u32 = 1;
/// Visits in a row without contact (nobody home, wrong address) that make an account unreachable.
pub const DEFAULT_UNREACHABLE_AFTER: u32 = 3;
/// The most grace days accepted: a month. More defeats the follow-up.
pub const MAX_GRACE_DAYS: u32 = 31;

/// An organization's settings for the collection loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CollectionRules {
    /// The organization's zone: instants (a promise's `made_at`, a visit) become local dates here.
    pub zone: Tz,
    /// Grace days after a due date (default [`DEFAULT_GRACE_DAYS`], at most [`MAX_GRACE_DAYS`]).
    pub grace_days: u32,
    /// Visits in a row without contact that make an account `unreachable` (default
    /// [`DEFAULT_UNREACHABLE_AFTER`], at least 1).
    pub unreachable_after: u32,
}

impl CollectionRules {
    /// The defaults in `zone`.
    pub fn new(zone: Tz) -> Self {
        Self {
            zone,
            grace_days: DEFAULT_GRACE_DAYS,
            unreachable_after: DEFAULT_UNREACHABLE_AFTER,
        }
    }

    /// Checks the numbers: grace days at most [`MAX_GRACE_DAYS`], `unreachable_after` at least 1.
    pub fn validate(&self) -> Result<(), CollectionError> {
        if self.grace_days > MAX_GRACE_DAYS {
            return Err(CollectionError::Rules(format!(
                "grace days {} is more than {MAX_GRACE_DAYS}",
                self.grace_days
            )));
        }
        if self.unreachable_after == 0 {
            return Err(CollectionError::Rules(
                "unreachable_after must be at least 1 visit".to_owned(),
            ));
        }
        Ok(())
    }

    /// The local date of an instant in the organization's zone.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.zone).date_naive()
    }
}

/// Why a collection decision could not be made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CollectionError {
    /// Amounts of one account in two currencies: converting needs a rate, which is not ours.
    #[error("{what} is in {found}, but the account's amounts are in {expected}")]
    MixedCurrencies {
        /// What carried the odd currency (`payment 2026-11-26 ref 123`, `promise of visit ...`).
        what: String,
        /// The account's currency (its balance's, or the first amount seen).
        expected: Currency,
        /// The odd currency.
        found: Currency,
    },
    /// A due date plus the grace days falls beyond the calendar.
    #[error("{0} plus the grace days is beyond the last representable date")]
    DateOutOfRange(NaiveDate),
    /// The settings are out of range.
    #[error("invalid collection rules: {0}")]
    Rules(String),
}
