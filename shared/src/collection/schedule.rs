//! A payment agreement's schedule (plan de pagos): how a total splits into instalments and on
//! which working days they fall.
//!
//! Owns [`schedule`], its input [`Frequency`], its output [`Installment`] and [`ScheduleError`].
//! Must not read a clock or fetch holidays: the first date and the organization's
//! [`HolidayCalendar`] are arguments, so the phone that records the agreement and the server
//! that follows it compute the same dates. The rules are on [`schedule`].

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::contact::HolidayCalendar;
use crate::model::money::{Currency, Money};

/// The most instalments an agreement may have: ten years of monthly payments. More is a typing
/// error (`120` meant as an amount), not a plan anyone follows.
pub const MAX_INSTALLMENTS: u32 = 120;

/// How far ahead a date off a Sunday or holiday may move. Colombia never closes more than two days
/// in a row (Holy Thursday and Good Friday; a Sunday and a Monday holiday).
pub const MAX_DAYS_MOVED: u64 = 14;

/// How often instalments fall due.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// Every 7 days (semanal).
    Weekly,
    /// Every 14 days (quincenal).
    Fortnightly,
    /// The same day every month (mensual).
    Monthly,
}

impl Frequency {
    /// All frequencies.
    pub const ALL: [Frequency; 3] = [
        Frequency::Weekly,
        Frequency::Fortnightly,
        Frequency::Monthly,
    ];

    /// The snake_case name used on the wire and in the form's choices.
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Weekly => "weekly",
            Frequency::Fortnightly => "fortnightly",
            Frequency::Monthly => "monthly",
        }
    }

    /// Parses the wire name (`weekly`, `fortnightly`, `monthly`).
    pub fn parse(text: &str) -> Result<Self, ScheduleError> {
        Frequency::ALL
            .into_iter()
            .find(|f| f.as_str() == text.trim())
            .ok_or_else(|| ScheduleError::UnknownFrequency(text.to_owned()))
    }
}

/// One instalment (cuota) of an agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Installment {
    /// Its number, from 1.
    pub n: u32,
    /// The working day it is due (local date in the organization's zone).
    pub due: NaiveDate,
    /// What is due.
    pub amount: Money,
}

/// Why a schedule was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScheduleError {
    /// Zero instalments.
    #[error("an agreement needs at least one instalment")]
    NoInstallments,
    /// More than [`MAX_INSTALLMENTS`].
    #[error("{asked} instalments is more than the {max} an agreement may have")]
    TooManyInstallments {
        /// The number asked for.
        asked: u32,
        /// [`MAX_INSTALLMENTS`].
        max: u32,
    },
    /// The total cannot give every instalment one minor unit (this includes a total of zero or
    /// less).
    #[error("a total of {total} cannot be split into {installments} instalments")]
    TotalTooSmall {
        /// The total asked for.
        total: Money,
        /// The number of instalments asked for.
        installments: u32,
    },
    /// A date falls outside the calendar's range.
    #[error("instalment {n} falls beyond the last representable date")]
    DateOutOfRange {
        /// The instalment whose date overflowed.
        n: u32,
    },
    /// The holiday calendar closes more than [`MAX_DAYS_MOVED`] days in a row.
    #[error("no working day within {MAX_DAYS_MOVED} days after {0}")]
    NoWorkingDay(NaiveDate),
    /// A frequency name that is not `weekly`, `fortnightly` or `monthly`.
    #[error("{0:?} is not one of weekly, fortnightly, monthly")]
    UnknownFrequency(String),
}

/// The instalments of an agreement of `total` in `installments` parts, the first due on
/// `first_date`, then every `frequency`, each moved off Sundays and `holidays`.
///
/// # Rules
///
/// - **Amounts.** The total is split in whole currency units (pesos, not centavos) when it holds
///   at least one whole unit per instalment: each instalment is `total / n` rounded down to a
///   whole unit, and the last one takes what remains (the centavos and the rounding), so it is
///   never smaller than the others. A total smaller than that is split in minor units the same
///   way. Every instalment is at least one minor unit, and the amounts add up to the total.
/// - **Nominal dates.** Weekly: the first date plus 7 days per instalment; fortnightly: plus 14
///   days. Monthly: the first date's day of the month is the anchor of every month; a month
///   without it takes its last day (31 January → 28/29 February → 31 March → 30 April), so a
///   short month never drags the later ones back.
/// - **Working days.** A nominal date falling on a Sunday or a holiday of the calendar moves to
///   the next day that is neither (Saturday is a working day in Colombian commerce). Moves look
///   at most [`MAX_DAYS_MOVED`] days ahead; a calendar closing more is refused as nonsense.
pub fn schedule(
    total: Money,
    installments: u32,
    first_date: NaiveDate,
    frequency: Frequency,
    holidays: &HolidayCalendar,
) -> Result<Vec<Installment>, ScheduleError> {
    let amounts = split(total, installments)?;
    let mut out = Vec::with_capacity(amounts.len());
    for (n, minor) in (1..).zip(amounts) {
        let nominal =
            nominal_due(first_date, frequency, n - 1).ok_or(ScheduleError::DateOutOfRange { n })?;
        out.push(Installment {
            n,
            due: next_working_day(nominal, holidays)?,
            amount: Money::from_minor(minor, total.currency()),
        });
    }
    Ok(out)
}

/// The amounts in minor units: equal whole-unit parts, the remainder on the last.
fn split(total: Money, installments: u32) -> Result<Vec<i64>, ScheduleError> {
    if installments == 0 {
        return Err(ScheduleError::NoInstallments);
    }
    if installments > MAX_INSTALLMENTS {
        return Err(ScheduleError::TooManyInstallments {
            asked: installments,
            max: MAX_INSTALLMENTS,
        });
    }
    let (minor, n) = (total.minor_units(), i64::from(installments));
    if minor < n {
        return Err(ScheduleError::TotalTooSmall {
            total,
            installments,
        });
    }
    let unit = whole_unit(total.currency());
    let step = if minor / n >= unit { unit } else { 1 };
    let base = minor / n / step * step;
    let mut amounts = vec![base; installments as usize];
    // `base * (n - 1) <= minor` since `base <= minor / n`: no overflow, last >= base.
    amounts[installments as usize - 1] = minor - base * (n - 1);
    Ok(amounts)
}

/// Minor units in one whole unit of the currency (100 for COP, 1 for CLP).
fn whole_unit(currency: Currency) -> i64 {
    10i64.pow(u32::from(currency.exponent()))
}

/// The date instalment `index` (from 0) would fall on before moving off closed days.
fn nominal_due(first: NaiveDate, frequency: Frequency, index: u32) -> Option<NaiveDate> {
    match frequency {
        Frequency::Weekly => first.checked_add_days(Days::new(7 * u64::from(index))),
        Frequency::Fortnightly => first.checked_add_days(Days::new(14 * u64::from(index))),
        // chrono clamps to the month's last day, and counting from `first` (not from the
        // previous instalment) keeps the anchor day after a short month.
        Frequency::Monthly => first.checked_add_months(Months::new(index)),
    }
}

/// `date` itself when it is a working day, else the next one: not a Sunday, not a holiday.
pub fn next_working_day(
    date: NaiveDate,
    holidays: &HolidayCalendar,
) -> Result<NaiveDate, ScheduleError> {
    (0..=MAX_DAYS_MOVED)
        .map_while(|ahead| date.checked_add_days(Days::new(ahead)))
        .find(|d| is_working_day(*d, holidays))
        .ok_or(ScheduleError::NoWorkingDay(date))
}

/// Whether payments fall due on `date`: any day but Sunday and the calendar's holidays.
pub fn is_working_day(date: NaiveDate, holidays: &HolidayCalendar) -> bool {
    date.weekday() != Weekday::Sun && !holidays.contains(date)
}
