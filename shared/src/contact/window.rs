//! Local time-of-day windows such as `08:00-12:00`: the parser for what debtors and supervisors
//! type, and the half-open containment test the rules use.
//!
//! A window is wall-clock time in the organization's zone, with minute precision. It owns no
//! dates and no zone: turning a window into instants on a given day is `decide`'s job.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// Minutes in a day; the largest end a window may have (`24:00`).
const DAY_MINUTES: u16 = 24 * 60;

/// Dashes accepted between the two times: the ASCII hyphen a keyboard types, and the en and em
/// dashes that spreadsheets and phones substitute for it.
const SEPARATORS: [char; 3] = ['-', '\u{2013}', '\u{2014}'];

/// A non-empty local time-of-day window `[start, end)`, e.g. `08:00-12:00`.
///
/// The end is excluded: with `08:00-12:00`, 11:59:59 is inside and 12:00:00 is not, so
/// adjacent windows never overlap. `24:00` is accepted as an end (the window runs to midnight).
/// A window never crosses midnight: `20:00-06:00` is refused, because a contact night belongs
/// to two calendar days and the daily limits would count it twice; no collection policy needs it.
/// Serialized as its text form, `"08:00-12:00"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LocalWindow {
    start: u16,
    end: u16,
}

impl LocalWindow {
    /// The whole day, `00:00-24:00`.
    pub const ALL_DAY: LocalWindow = LocalWindow {
        start: 0,
        end: DAY_MINUTES,
    };

    /// Builds a window from minutes after midnight in a constant; an invalid pair fails the build
    /// (the assertion runs at compile time when the result is a `const`).
    pub(super) const fn from_const_minutes(start: u16, end: u16) -> Self {
        assert!(start < end && end <= DAY_MINUTES, "invalid constant window");
        Self { start, end }
    }

    /// Builds a window from `(hour, minute)` pairs; the end may be `(24, 0)`.
    pub fn from_hm(start: (u32, u32), end: (u32, u32)) -> Result<Self, ValidationError> {
        let text = || format!("{:02}:{:02}-{:02}:{:02}", start.0, start.1, end.0, end.1);
        let to_minutes = |(h, m): (u32, u32)| {
            (h <= 24 && m <= 59 && (h < 24 || m == 0)).then(|| (h * 60 + m) as u16)
        };
        match (to_minutes(start), to_minutes(end)) {
            (Some(s), Some(e)) => Self::from_minutes(s, e, &text()),
            _ => Err(ValidationError::new(
                "time window",
                format!("{:?} holds a time that is not HH:MM", text()),
            )),
        }
    }

    /// Parses `"08:00-12:00"`; also `"8:00 - 12:00"` and en/em dashes (`"08:00–12:00"`).
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let shape_error = || {
            ValidationError::new(
                "time window",
                format!("{text:?} is not a time range like 08:00-12:00"),
            )
        };
        let mut parts = text.split(SEPARATORS);
        let (Some(start), Some(end), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(shape_error());
        };
        let start = parse_clock(start.trim()).ok_or_else(shape_error)?;
        let end = parse_clock(end.trim()).ok_or_else(shape_error)?;
        Self::from_minutes(start, end, text)
    }

    fn from_minutes(start: u16, end: u16, text: &str) -> Result<Self, ValidationError> {
        if start == DAY_MINUTES {
            return Err(ValidationError::new(
                "time window",
                format!("{text:?} starts at 24:00; a window starts before midnight"),
            ));
        }
        if start == end {
            return Err(ValidationError::new(
                "time window",
                format!("{text:?} is empty: the start must be before the end"),
            ));
        }
        if start > end {
            return Err(ValidationError::new(
                "time window",
                format!("{text:?} crosses midnight; a window must end on the day it starts"),
            ));
        }
        Ok(Self { start, end })
    }

    /// Start, in minutes after local midnight (0..1440).
    pub fn start_minute(&self) -> u16 {
        self.start
    }

    /// End (excluded), in minutes after local midnight (1..=1440; 1440 is midnight).
    pub fn end_minute(&self) -> u16 {
        self.end
    }

    /// Whether a local time of day falls inside `[start, end)`.
    pub fn contains(&self, time: NaiveTime) -> bool {
        let seconds = time.num_seconds_from_midnight();
        u32::from(self.start) * 60 <= seconds && seconds < u32::from(self.end) * 60
    }

    /// The overlap of two windows, or `None` if they do not meet.
    pub fn intersect(&self, other: &LocalWindow) -> Option<LocalWindow> {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        (start < end).then_some(LocalWindow { start, end })
    }
}

/// `H:MM` or `HH:MM`, hours 0..=24 (24 only as `24:00`), minutes two digits.
fn parse_clock(text: &str) -> Option<u16> {
    let (hours, minutes) = text.split_once(':')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(hours) || hours.len() > 2 || !digits(minutes) || minutes.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
    (m <= 59 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

impl fmt::Display for LocalWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (s, e) = (self.start, self.end);
        write!(f, "{:02}:{:02}-{:02}:{:02}", s / 60, s % 60, e / 60, e % 60)
    }
}

impl FromStr for LocalWindow {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for LocalWindow {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<LocalWindow> for String {
    fn from(w: LocalWindow) -> Self {
        w.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32, s: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, s).expect("valid test time")
    }

    #[test]
    fn the_usual_spellings_of_a_window_all_parse_to_the_same_window() {
        let expected = LocalWindow::from_hm((8, 0), (12, 0)).expect("valid window");
        for text in [
            "08:00-12:00",
            "8:00 - 12:00",
            "08:00–12:00",
            "08:00 — 12:00",
            "  08:00-12:00  ",
        ] {
            assert_eq!(LocalWindow::parse(text), Ok(expected), "{text:?}");
        }
    }

    #[test]
    fn malformed_windows_are_refused_with_a_reason_naming_the_input() {
        let cases = [
            ("", "not a time range"),
            ("08:00", "not a time range"),
            ("08:00-12:00-14:00", "not a time range"),
            ("8-12", "not a time range"),
            ("08h00-12h00", "not a time range"),
            ("25:00-26:00", "not a time range"),
            ("08:60-12:00", "not a time range"),
            ("08:0-12:00", "not a time range"),
            ("-08:00-12:00", "not a time range"),
            ("08:00-08:00", "is empty"),
            ("20:00-06:00", "crosses midnight"),
            ("24:00-24:00", "starts at 24:00"),
        ];
        for (text, reason) in cases {
            let err = LocalWindow::parse(text).expect_err(text);
            assert_eq!(err.field, "time window");
            assert!(err.reason.contains(reason), "{text:?}: {}", err.reason);
            assert!(err.reason.contains(&format!("{text:?}")), "{}", err.reason);
        }
    }

    #[test]
    fn a_window_includes_its_start_and_excludes_its_end() {
        let w = LocalWindow::parse("08:00-12:00").expect("valid window");
        assert!(!w.contains(t(7, 59, 59)));
        assert!(w.contains(t(8, 0, 0)));
        assert!(w.contains(t(11, 59, 59)));
        assert!(!w.contains(t(12, 0, 0)));
    }

    #[test]
    fn a_window_ending_at_midnight_includes_the_last_second_of_the_day() {
        let w = LocalWindow::parse("18:00-24:00").expect("valid window");
        assert!(w.contains(t(23, 59, 59)));
        assert_eq!(w.to_string(), "18:00-24:00");
        assert!(LocalWindow::ALL_DAY.contains(t(0, 0, 0)));
    }

    #[test]
    fn windows_serialize_as_their_text_and_refuse_bad_text_on_the_way_in() {
        let w = LocalWindow::parse("7:00-19:00").expect("valid window");
        assert_eq!(
            serde_json::to_string(&w).expect("serializes"),
            "\"07:00-19:00\""
        );
        let back: LocalWindow = serde_json::from_str("\"07:00-19:00\"").expect("parses");
        assert_eq!(back, w);
        let err = serde_json::from_str::<LocalWindow>("\"19:00-07:00\"").expect_err("refused");
        assert!(err.to_string().contains("crosses midnight"), "{err}");
    }

    #[test]
    fn intersecting_windows_keeps_the_overlap_or_nothing() {
        let a = LocalWindow::parse("07:00-19:00").expect("valid window");
        let b = LocalWindow::parse("08:00-12:00").expect("valid window");
        let c = LocalWindow::parse("19:00-21:00").expect("valid window");
        assert_eq!(a.intersect(&b), Some(b));
        assert_eq!(a.intersect(&c), None);
    }
}
