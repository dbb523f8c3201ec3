//! Contact policies: which weekdays and local hours are open, whether holidays close, and how
//! often one person may be contacted. Owns the presets (Ley 2300 de 2023, the company default)
//! and the validated JSON form organizations store.
//!
//! A policy is data only: it knows no time zone, no holiday list and no history, and decides
//! nothing by itself (see `decide`).

use std::num::NonZeroU32;

use chrono::Weekday;
use serde::{Deserialize, Serialize};

use super::window::LocalWindow;
use crate::ValidationError;

/// Days between visits to the same debtor in [`ContactPolicy::default_company`].
pub const DEFAULT_COMPANY_MIN_DAYS_BETWEEN: u32 = 8;

/// How, when and how often an organization may contact one person.
///
/// Built from a preset and composed with the `with_*` methods, e.g.
/// `ContactPolicy::colombia_ley_2300().with_min_days_between(8)`, or read from the JSON an
/// organization stores (validated on the way in). Limits count contacts per **person**, across
/// all of their accounts and portfolios.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawPolicy", into = "RawPolicy")]
pub struct ContactPolicy {
    /// Open hours per weekday, indexed from Monday; `None` closes the day.
    hours: [Option<LocalWindow>; 7],
    closed_on_holidays: bool,
    max_per_day: Option<NonZeroU32>,
    max_per_week: Option<NonZeroU32>,
    min_days_between: u32,
}

impl ContactPolicy {
    /// No restriction at all: every day 00:00-24:00, holidays open, no limits. A base for
    /// composing custom policies and for tests; never a legal policy by itself.
    pub fn unrestricted() -> Self {
        Self {
            hours: [Some(LocalWindow::ALL_DAY); 7],
            closed_on_holidays: false,
            max_per_day: None,
            max_per_week: None,
            min_days_between: 0,
        }
    }

    /// Colombia's legal minimum, Ley 2300 de 2023 ("dejen de fregar"), art. 3: contacts Monday to
    /// Friday 07:00-19:00 and Saturday 08:00-15:00 local time, never on Sundays or holidays, and at
    /// most one contact per person per day. The law's "one channel per week" rule is about
    /// channels, not a count, and is out of this module's scope.
    pub fn colombia_ley_2300() -> Self {
        const WEEKDAYS: LocalWindow = LocalWindow::from_const_minutes(7 * 60, 19 * 60);
        const SATURDAY: LocalWindow = LocalWindow::from_const_minutes(8 * 60, 15 * 60);
        let (weekdays, saturday) = (WEEKDAYS, SATURDAY);
        Self {
            hours: [
                Some(weekdays),
                Some(weekdays),
                Some(weekdays),
                Some(weekdays),
                Some(weekdays),
                Some(saturday),
                None,
            ],
            closed_on_holidays: true,
            max_per_day: Some(NonZeroU32::MIN),
            max_per_week: None,
            min_days_between: 0,
        }
    }

    /// Terreno's default for a Colombian agency: the law ([`Self::colombia_ley_2300`]) plus the
    /// company rule of at least [`DEFAULT_COMPANY_MIN_DAYS_BETWEEN`] days between two visits to
    /// the same person, so field visits do not pile up on one debtor.
    pub fn default_company() -> Self {
        Self::colombia_ley_2300().with_min_days_between(DEFAULT_COMPANY_MIN_DAYS_BETWEEN)
    }

    /// Sets a weekday's open hours; `None` closes that weekday.
    pub fn with_hours(mut self, weekday: Weekday, hours: Option<LocalWindow>) -> Self {
        self.hours[weekday.num_days_from_monday() as usize] = hours;
        self
    }

    /// Whether holidays of the calendar passed to the decision are closed.
    pub fn with_holidays_closed(mut self, closed: bool) -> Self {
        self.closed_on_holidays = closed;
        self
    }

    /// At most `max` contacts per person per local calendar day; `None` removes the limit.
    pub fn with_max_per_day(mut self, max: Option<NonZeroU32>) -> Self {
        self.max_per_day = max;
        self
    }

    /// At most `max` contacts per person per local ISO week (Monday to Sunday); `None` removes
    /// the limit.
    pub fn with_max_per_week(mut self, max: Option<NonZeroU32>) -> Self {
        self.max_per_week = max;
        self
    }

    /// At least `days` local calendar days between two contacts with the same person (a visit on
    /// the 2nd with `days = 8` allows the next one from the 10th); 0 removes the rule.
    pub fn with_min_days_between(mut self, days: u32) -> Self {
        self.min_days_between = days;
        self
    }

    /// A weekday's open hours, or `None` if that weekday is closed.
    pub fn hours_on(&self, weekday: Weekday) -> Option<LocalWindow> {
        self.hours[weekday.num_days_from_monday() as usize]
    }

    /// Whether holidays are closed.
    pub fn is_closed_on_holidays(&self) -> bool {
        self.closed_on_holidays
    }

    /// The daily limit per person, if any.
    pub fn max_per_day(&self) -> Option<u32> {
        self.max_per_day.map(NonZeroU32::get)
    }

    /// The weekly limit per person, if any.
    pub fn max_per_week(&self) -> Option<u32> {
        self.max_per_week.map(NonZeroU32::get)
    }

    /// Minimum local calendar days between two contacts; 0 when there is no such rule.
    pub fn min_days_between(&self) -> u32 {
        self.min_days_between
    }
}

/// The stored JSON form. Weekdays left out are closed; `closed_on_holidays` must be explicit
/// because silently opening holidays would break the law.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    hours: RawHours,
    closed_on_holidays: bool,
    #[serde(default)]
    max_per_day: Option<u32>,
    #[serde(default)]
    max_per_week: Option<u32>,
    #[serde(default)]
    min_days_between: u32,
}

#[cfg(feature = "openapi")]
crate::openapi::schema_via!(ContactPolicy, RawPolicy);

#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ContactHours))]
#[serde(deny_unknown_fields)]
struct RawHours {
    #[serde(default)]
    mon: Option<LocalWindow>,
    #[serde(default)]
    tue: Option<LocalWindow>,
    #[serde(default)]
    wed: Option<LocalWindow>,
    #[serde(default)]
    thu: Option<LocalWindow>,
    #[serde(default)]
    fri: Option<LocalWindow>,
    #[serde(default)]
    sat: Option<LocalWindow>,
    #[serde(default)]
    sun: Option<LocalWindow>,
}

fn positive_limit(
    field: &'static str,
    value: Option<u32>,
) -> Result<Option<NonZeroU32>, ValidationError> {
    match value {
        None => Ok(None),
        Some(v) => NonZeroU32::new(v).map(Some).ok_or_else(|| {
            ValidationError::new(field, "must be at least 1; use null for no limit")
        }),
    }
}

impl TryFrom<RawPolicy> for ContactPolicy {
    type Error = ValidationError;
    fn try_from(raw: RawPolicy) -> Result<Self, ValidationError> {
        let h = raw.hours;
        Ok(Self {
            hours: [h.mon, h.tue, h.wed, h.thu, h.fri, h.sat, h.sun],
            closed_on_holidays: raw.closed_on_holidays,
            max_per_day: positive_limit("max_per_day", raw.max_per_day)?,
            max_per_week: positive_limit("max_per_week", raw.max_per_week)?,
            min_days_between: raw.min_days_between,
        })
    }
}

impl From<ContactPolicy> for RawPolicy {
    fn from(p: ContactPolicy) -> Self {
        let [mon, tue, wed, thu, fri, sat, sun] = p.hours;
        RawPolicy {
            hours: RawHours {
                mon,
                tue,
                wed,
                thu,
                fri,
                sat,
                sun,
            },
            closed_on_holidays: p.closed_on_holidays,
            max_per_day: p.max_per_day.map(NonZeroU32::get),
            max_per_week: p.max_per_week.map(NonZeroU32::get),
            min_days_between: p.min_days_between,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ley_2300_preset_opens_weekdays_and_saturday_morning_only() {
        let p = ContactPolicy::colombia_ley_2300();
        let hours = |d| p.hours_on(d).map(|w| w.to_string());
        assert_eq!(hours(Weekday::Mon).as_deref(), Some("07:00-19:00"));
        assert_eq!(hours(Weekday::Fri).as_deref(), Some("07:00-19:00"));
        assert_eq!(hours(Weekday::Sat).as_deref(), Some("08:00-15:00"));
        assert_eq!(hours(Weekday::Sun), None);
        assert!(p.is_closed_on_holidays());
        assert_eq!(p.max_per_day(), Some(1));
        assert_eq!((p.max_per_week(), p.min_days_between()), (None, 0));
    }

    #[test]
    fn the_company_default_is_the_law_plus_eight_days_between_visits() {
        let expected = ContactPolicy::colombia_ley_2300().with_min_days_between(8);
        assert_eq!(ContactPolicy::default_company(), expected);
        assert_eq!(expected.min_days_between(), 8);
    }

    #[test]
    fn presets_compose_with_the_builder_methods() {
        let p = ContactPolicy::colombia_ley_2300()
            .with_hours(Weekday::Sat, None)
            .with_max_per_week(NonZeroU32::new(2))
            .with_max_per_day(None);
        assert_eq!(p.hours_on(Weekday::Sat), None);
        assert_eq!((p.max_per_day(), p.max_per_week()), (None, Some(2)));
    }

    #[test]
    fn a_policy_round_trips_through_its_stored_json() {
        let p = ContactPolicy::default_company();
        let json = serde_json::to_value(&p).expect("serializes");
        assert_eq!(json["hours"]["sat"], "08:00-15:00");
        assert_eq!(json["hours"]["sun"], serde_json::Value::Null);
        assert_eq!(json["min_days_between"], 8);
        let back: ContactPolicy = serde_json::from_value(json).expect("deserializes");
        assert_eq!(back, p);
    }

    #[test]
    fn stored_policies_with_zero_limits_or_bad_windows_are_refused() {
        let cases = [
            (
                r#"{"hours":{"mon":"07:00-19:00"},"closed_on_holidays":true,"max_per_day":0}"#,
                "max_per_day",
            ),
            (
                r#"{"hours":{"mon":"07:00-19:00"},"closed_on_holidays":true,"max_per_week":0}"#,
                "max_per_week",
            ),
            (
                r#"{"hours":{"mon":"19:00-07:00"},"closed_on_holidays":true}"#,
                "crosses midnight",
            ),
            (r#"{"hours":{"mon":"07:00-19:00"}}"#, "closed_on_holidays"),
            (
                r#"{"hours":{"monday":"07:00-19:00"},"closed_on_holidays":true}"#,
                "monday",
            ),
        ];
        for (json, expected) in cases {
            let err = serde_json::from_str::<ContactPolicy>(json).expect_err(json);
            assert!(err.to_string().contains(expected), "{json}: {err}");
        }
    }

    #[test]
    fn weekdays_left_out_of_the_stored_json_are_closed() {
        let json = r#"{"hours":{"mon":"09:00-17:00"},"closed_on_holidays":false}"#;
        let p: ContactPolicy = serde_json::from_str(json).expect("valid policy");
        assert!(p.hours_on(Weekday::Mon).is_some());
        assert!(p.hours_on(Weekday::Tue).is_none());
        assert_eq!((p.max_per_day(), p.min_days_between()), (None, 0));
    }
}
