//! Holidays: the [`HolidayCalendar`] the caller passes to a decision, and Colombia's official
//! holidays computed for any year (Ley 51 de 1983, "Ley Emiliani").
//!
//! Dates here are local calendar dates in the organization's zone. This module fetches nothing:
//! a calendar is built from computed or stored dates, and a decree that adds a one-off holiday
//! is added by the caller with [`HolidayCalendar::insert`].

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// A set of local dates on which a policy with closed holidays allows no contact.
///
/// It must cover the dates a decision may look at: the asked day and, for the next allowed
/// moment, up to a year ahead (see `SEARCH_HORIZON_DAYS`); build it for this year and the next.
/// Serialized as a sorted list of ISO dates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HolidayCalendar {
    dates: BTreeSet<NaiveDate>,
}

impl HolidayCalendar {
    /// An empty calendar: no day is a holiday.
    pub fn new() -> Self {
        Self::default()
    }

    /// Colombia's official holidays for every year in `years` (see [`colombia_holidays`]).
    pub fn colombia(
        years: std::ops::RangeInclusive<i32>,
    ) -> Result<HolidayCalendar, ValidationError> {
        let mut calendar = Self::new();
        for year in years {
            calendar.dates.extend(colombia_holidays(year)?);
        }
        Ok(calendar)
    }

    /// Adds a date (e.g. a holiday decreed for one year); returns whether it was new.
    pub fn insert(&mut self, date: NaiveDate) -> bool {
        self.dates.insert(date)
    }

    /// Whether `date` is a holiday.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.dates.contains(&date)
    }

    /// The holidays in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.dates.iter().copied()
    }
}

impl FromIterator<NaiveDate> for HolidayCalendar {
    fn from_iter<I: IntoIterator<Item = NaiveDate>>(iter: I) -> Self {
        Self {
            dates: iter.into_iter().collect(),
        }
    }
}

/// First year the Ley Emiliani calendar applies (the law is of December 1983).
pub const COLOMBIA_FIRST_YEAR: i32 = 1984;
/// Last year computed; the Gregorian Easter formula holds far beyond, but 9999 keeps dates
/// four-digit and is enough for any debt.
pub const COLOMBIA_LAST_YEAR: i32 = 9999;

/// Colombia's official holidays of `year` (Ley 51 de 1983), ascending, without duplicates.
///
/// - Fixed, never moved: 1 January, 1 May, 20 July, 7 August, 8 December, 25 December.
/// - Moved to the following Monday unless already a Monday ("Ley Emiliani"): 6 January,
///   19 March, 29 June, 15 August, 12 October, 1 November, 11 November.
/// - From Easter Sunday: Holy Thursday and Good Friday (not moved), and Ascension (+39 days),
///   Corpus Christi (+60) and Sacred Heart (+68), each moved to the following Monday
///   (+43, +64, +71).
///
/// Two holidays can fall on the same Monday (2025: Sacred Heart and Saints Peter and Paul on
/// 30 June); the date appears once. Years outside 1984..=9999 are refused.
pub fn colombia_holidays(year: i32) -> Result<Vec<NaiveDate>, ValidationError> {
    if !(COLOMBIA_FIRST_YEAR..=COLOMBIA_LAST_YEAR).contains(&year) {
        return Err(ValidationError::new(
            "holiday year",
            format!("{year} is outside {COLOMBIA_FIRST_YEAR}..={COLOMBIA_LAST_YEAR}"),
        ));
    }
    let date = |month, day| ymd(year, month, day);
    let mut dates = Vec::with_capacity(18);
    for (month, day) in [(1, 1), (5, 1), (7, 20), (8, 7), (12, 8), (12, 25)] {
        dates.push(date(month, day)?);
    }
    for (month, day) in [
        (1, 6),
        (3, 19),
        (6, 29),
        (8, 15),
        (10, 12),
        (11, 1),
        (11, 11),
    ] {
        dates.push(next_monday_from(date(month, day)?)?);
    }
    let easter = easter_sunday(year)?;
    let shifted = |days: i64| {
        easter
            .checked_add_signed(chrono::TimeDelta::days(days))
            .ok_or_else(|| ValidationError::new("holiday year", format!("{year} overflows")))
    };
    for offset in [-3, -2, 43, 64, 71] {
        dates.push(shifted(offset)?);
    }
    dates.sort_unstable();
    dates.dedup();
    Ok(dates)
}

/// Easter Sunday of the Gregorian calendar (the anonymous algorithm of Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> Result<NaiveDate, ValidationError> {
    let a = year.rem_euclid(19);
    let (b, c) = (year.div_euclid(100), year.rem_euclid(100));
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, month as u32, day as u32)
}

fn ymd(year: i32, month: u32, day: u32) -> Result<NaiveDate, ValidationError> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        ValidationError::new("date", format!("{year}-{month:02}-{day:02} does not exist"))
    })
}

/// `date` itself if it is a Monday, else the Monday after it (a Sunday moves one day).
fn next_monday_from(date: NaiveDate) -> Result<NaiveDate, ValidationError> {
    let ahead = (7 - date.weekday().num_days_from_monday()) % 7;
    date.checked_add_days(Days::new(u64::from(ahead)))
        .filter(|d| d.weekday() == Weekday::Mon)
        .ok_or_else(|| ValidationError::new("date", format!("no Monday after {date}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(year: i32, month_days: &[(u32, u32)]) -> Vec<NaiveDate> {
        month_days
            .iter()
            .map(|&(m, d)| NaiveDate::from_ymd_opt(year, m, d).expect("valid test date"))
            .collect()
    }

    #[test]
    fn easter_sunday_matches_known_years() {
        let known = [
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
        ];
        for (year, month, day) in known {
            let expected = NaiveDate::from_ymd_opt(year, month, day).expect("valid date");
            assert_eq!(easter_sunday(year), Ok(expected), "{year}");
        }
    }

    #[test]
    fn colombia_2026_has_the_eighteen_official_holidays() {
        let expected = dates(
            2026,
            &[
                (1, 1),
                (1, 12),
                (3, 23),
                (4, 2),
                (4, 3),
                (5, 1),
                (5, 18),
                (6, 8),
                (6, 15),
                (6, 29),
                (7, 20),
                (8, 7),
                (8, 17),
                (10, 12),
                (11, 2),
                (11, 16),
                (12, 8),
                (12, 25),
            ],
        );
        assert_eq!(colombia_holidays(2026), Ok(expected));
    }

    #[test]
    fn colombia_2025_merges_two_holidays_falling_on_the_same_monday() {
        let expected = dates(
            2025,
            &[
                (1, 1),
                (1, 6),
                (3, 24),
                (4, 17),
                (4, 18),
                (5, 1),
                (6, 2),
                (6, 23),
                (6, 30),
                (7, 20),
                (8, 7),
                (8, 18),
                (10, 13),
                (11, 3),
                (11, 17),
                (12, 8),
                (12, 25),
            ],
        );
        assert_eq!(colombia_holidays(2025), Ok(expected));
    }

    #[test]
    fn moved_holidays_always_land_on_a_monday() {
        for year in [1984, 2000, 2025, 2026, 2031, 2100] {
            let holidays = colombia_holidays(year).expect("year in range");
            let easter = easter_sunday(year).expect("year in range");
            for date in holidays {
                let fixed = [(1, 1), (5, 1), (7, 20), (8, 7), (12, 8), (12, 25)];
                let is_fixed = fixed.contains(&(date.month(), date.day()));
                let is_holy_week =
                    (easter - date).num_days() == 2 || (easter - date).num_days() == 3;
                assert!(
                    is_fixed || is_holy_week || date.weekday() == Weekday::Mon,
                    "{date}"
                );
            }
        }
    }

    #[test]
    fn years_outside_the_law_are_refused() {
        assert!(colombia_holidays(1983).is_err());
        assert!(colombia_holidays(10_000).is_err());
    }

    #[test]
    fn a_calendar_spans_several_years_and_takes_decreed_extra_days() {
        let mut calendar = HolidayCalendar::colombia(2025..=2026).expect("years in range");
        assert_eq!(calendar.iter().count(), 35);
        let extra = NaiveDate::from_ymd_opt(2026, 11, 24).expect("valid date");
        assert!(!calendar.contains(extra));
        assert!(calendar.insert(extra));
        assert!(calendar.contains(extra));
        let json = serde_json::to_string(&calendar).expect("serializes");
        assert!(json.starts_with("[\"2025-01-01\","), "{json}");
        let back: HolidayCalendar = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, calendar);
    }
}
