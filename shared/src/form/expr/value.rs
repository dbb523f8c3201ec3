//! The values expressions compute and XPath 1.0's conversions between them (`string()`,
//! `number()`, `boolean()`), with JavaRosa's extensions for dates.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};

const MILLIS_PER_DAY: f64 = 86_400_000.0;

/// A value: an answer read from the context or the result of an expression.
///
/// Conversions follow XPath 1.0 as ODK Collect applies them: [`Value::to_number`],
/// [`Value::to_bool`] and `to_string()` (through [`fmt::Display`], which is XPath's `string()`).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No answer (an unanswered question, a failed lookup): `""`, NaN, false.
    Empty,
    /// A boolean: `"true"`/`"false"`, 1/0.
    Bool(bool),
    /// A number (IEEE double, as XPath).
    Number(f64),
    /// A string; numeric strings convert to numbers, anything else to NaN.
    String(String),
    /// A calendar date (date questions, `today()`): `2024-03-01`, a number of days since
    /// 1970-01-01.
    Date(NaiveDate),
    /// An instant with its offset (datetime questions, `now()`): ISO 8601 with milliseconds,
    /// a fractional number of days since 1970-01-01 on its own wall clock.
    DateTime(DateTime<FixedOffset>),
    /// The answers of one question across repeat instances, as text (a reference used where a
    /// single value is expected reads as its first node, as XPath does).
    NodeSet(Vec<String>),
}

impl Value {
    /// Text answers as ODK stores them: `""` is [`Value::Empty`], anything else a string.
    pub fn from_answer(text: &str) -> Self {
        if text.is_empty() {
            Self::Empty
        } else {
            Self::String(text.to_owned())
        }
    }

    /// XPath `number()`: booleans are 1/0, strings must be a plain decimal (`-12.5`, surrounding
    /// whitespace allowed) or are NaN, dates are days since the epoch, node-sets use their first
    /// node.
    pub fn to_number(&self) -> f64 {
        match self {
            Self::Empty => f64::NAN,
            Self::Bool(b) => f64::from(u8::from(*b)),
            Self::Number(n) => *n,
            Self::String(s) => parse_number(s),
            Self::Date(d) => days_of_date(*d),
            Self::DateTime(t) => days_of_date_time(t),
            Self::NodeSet(nodes) => nodes.first().map_or(f64::NAN, |n| node_number(n)),
        }
    }

    /// XPath `boolean()`: non-zero, non-NaN numbers, non-empty strings and node-sets are true.
    pub fn to_bool(&self) -> bool {
        match self {
            Self::Empty => false,
            Self::Bool(b) => *b,
            Self::Number(n) => *n != 0.0 && !n.is_nan(),
            Self::String(s) => !s.is_empty(),
            Self::Date(_) | Self::DateTime(_) => true,
            Self::NodeSet(nodes) => !nodes.is_empty(),
        }
    }

    /// Whether the string value is empty (an unanswered question, `""`, an empty node-set).
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Empty => true,
            Self::String(s) => s.is_empty(),
            Self::NodeSet(nodes) => nodes.first().is_none_or(|n| n.is_empty()),
            _ => false,
        }
    }
}

impl fmt::Display for Value {
    /// XPath `string()`: numbers without a trailing `.0` (`NaN`, `Infinity` spelled out), dates
    /// as ISO 8601, node-sets as their first node.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => Ok(()),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Number(n) => f.write_str(&format_number(*n)),
            Self::String(s) => f.write_str(s),
            Self::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Self::DateTime(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%S%.3f%:z")),
            Self::NodeSet(nodes) => f.write_str(nodes.first().map_or("", String::as_str)),
        }
    }
}

/// XPath's number syntax: optional `-`, digits with an optional `.`, nothing else (no exponent,
/// no `+`), so `"1e5"` and `"0x10"` are NaN as in JavaRosa.
pub(super) fn parse_number(text: &str) -> f64 {
    let t = text.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    let valid = digits.chars().any(|c| c.is_ascii_digit())
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|&c| c == '.').count() <= 1;
    if valid {
        t.parse().unwrap_or(f64::NAN)
    } else {
        f64::NAN
    }
}

/// A repeat answer as a number: numeric text, or a date's day count (JavaRosa aggregates typed
/// answers, so `max()` of dates is the latest day).
pub(super) fn node_number(text: &str) -> f64 {
    let n = parse_number(text);
    if n.is_nan() {
        parse_date_like(text).map_or(f64::NAN, |v| v.to_number())
    } else {
        n
    }
}

/// XPath's number-to-string: integers without a fraction, `-0` as `0`, never an exponent.
pub(super) fn format_number(n: f64) -> String {
    if n.is_nan() {
        "NaN".to_owned()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else if n == 0.0 {
        "0".to_owned()
    } else {
        // Rust's Display is the shortest text that reads back as the same double, without an
        // exponent, which is what XPath asks for.
        format!("{n}")
    }
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// Days since 1970-01-01.
pub(super) fn days_of_date(d: NaiveDate) -> f64 {
    (d - epoch()).num_days() as f64
}

/// Fractional days since 1970-01-01 on the instant's own wall clock, so its integer part is its
/// local date.
pub(super) fn days_of_date_time(t: &DateTime<FixedOffset>) -> f64 {
    t.naive_local().and_utc().timestamp_millis() as f64 / MILLIS_PER_DAY
}

/// The date `days` (floored) after 1970-01-01, if representable.
pub(super) fn date_of_days(days: f64) -> Option<NaiveDate> {
    if !days.is_finite() || days.abs() > 3.0e6 {
        return None;
    }
    epoch().checked_add_signed(TimeDelta::try_days(days.floor() as i64)?)
}

/// The UTC instant `days` (fractional) after the epoch, if representable.
pub(super) fn date_time_of_days(days: f64) -> Option<DateTime<FixedOffset>> {
    if !days.is_finite() || days.abs() > 3.0e6 {
        return None;
    }
    let millis = (days * MILLIS_PER_DAY).round() as i64;
    DateTime::from_timestamp_millis(millis).map(|t| t.fixed_offset())
}

/// Parses ISO 8601 text: `2024-03-01` as a date; `2024-03-01T10:30`, with seconds, fraction and
/// offset optional, as a date-time (no offset reads as UTC).
pub(super) fn parse_date_like(text: &str) -> Option<Value> {
    let t = text.trim();
    if !t.contains('T') {
        return NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .map(Value::Date);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(Value::DateTime(dt));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(dt) = DateTime::parse_from_str(t, format) {
            return Some(Value::DateTime(dt));
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, format) {
            return Some(Value::DateTime(naive.and_utc().fixed_offset()));
        }
    }
    None
}

/// The wall-clock time of a time answer (`14:30`, `14:30:15.250-05:00`): any offset is ignored,
/// a time question means the time the collector saw.
pub(super) fn parse_time(text: &str) -> Option<NaiveTime> {
    let t = text.trim();
    let end = t
        .char_indices()
        .skip(5)
        .find(|&(_, c)| c == 'Z' || c == '+' || c == '-')
        .map_or(t.len(), |(i, _)| i);
    let clock = &t[..end];
    ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .find_map(|format| NaiveTime::parse_from_str(clock, format).ok())
}

/// Fraction of the day elapsed at `time` (0 at midnight).
pub(super) fn day_fraction(time: NaiveTime) -> f64 {
    (f64::from(time.num_seconds_from_midnight()) + f64::from(time.nanosecond()) / 1e9) / 86_400.0
}
