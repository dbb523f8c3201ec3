//! Date and time functions: `date`, `date-time`, `decimal-date-time`, `decimal-time`,
//! `format-date`, `format-date-time` (`today()` and `now()` read the context, in `eval`).
//!
//! Numbers are days since 1970-01-01, so `date(today() + 30)` and `format-date(today() + 30,
//! ...)` work as in ODK. Month and weekday names are English: the engine has no locale data.

use chrono::{Datelike, Timelike};

use super::error::{EvalError, check_len};
use super::functions::Func;
use super::value::{
    Value, date_of_days, date_time_of_days, day_fraction, parse_date_like, parse_number, parse_time,
};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The date and time functions, or `None` for other functions.
pub(super) fn apply(func: Func, values: &[Value]) -> Option<Result<Value, EvalError>> {
    let v = values.first().cloned().unwrap_or(Value::Empty);
    Some(match func {
        Func::Date => date(&v),
        Func::DateTime => Ok(match to_date_like(&v) {
            Some(Value::Date(d)) => {
                date_time_of_days(Value::Date(d).to_number()).map_or(Value::Empty, Value::DateTime)
            }
            Some(Value::Number(n)) => date_time_of_days(n).map_or(Value::Empty, Value::DateTime),
            Some(other) => other,
            None => Value::Empty,
        }),
        Func::DecimalDateTime => Ok(Value::Number(
            to_date_like(&v).map_or(f64::NAN, |d| d.to_number()),
        )),
        Func::DecimalTime => Ok(Value::Number(decimal_time(&v))),
        Func::FormatDate | Func::FormatDateTime => {
            let format = values.get(1).map(Value::to_string).unwrap_or_default();
            format_date(&v, &format)
        }
        _ => return None,
    })
}

/// A value as a date, a date-time or a day count; `None` when it is none of them.
fn to_date_like(v: &Value) -> Option<Value> {
    match v {
        Value::Date(_) | Value::DateTime(_) => Some(v.clone()),
        Value::Number(n) if n.is_finite() => Some(v.clone()),
        Value::String(s) => parse_date_like(s).or_else(|| {
            let n = parse_number(s);
            n.is_finite().then_some(Value::Number(n))
        }),
        Value::NodeSet(nodes) => nodes
            .first()
            .and_then(|n| to_date_like(&Value::String(n.clone()))),
        _ => None,
    }
}

/// `date(x)`: a date from text or a day count; an empty or non-finite input is empty, text that
/// is not a date is an error (as in JavaRosa), so a bad default is caught at once.
fn date(v: &Value) -> Result<Value, EvalError> {
    match to_date_like(v) {
        Some(Value::Number(n)) => Ok(date_of_days(n).map_or(Value::Empty, Value::Date)),
        Some(d) => Ok(d),
        None if matches!(v, Value::String(s) if !s.trim().is_empty()) => {
            Err(EvalError::InvalidArgument {
                function: "date",
                message: format!("'{v}' is not a date (expected YYYY-MM-DD)"),
            })
        }
        None => Ok(Value::Empty),
    }
}

/// `decimal-time(t)`: the fraction of the day of a time (or date-time) answer.
fn decimal_time(v: &Value) -> f64 {
    match v {
        Value::DateTime(t) => day_fraction(t.time()),
        other => parse_time(&other.to_string()).map_or(f64::NAN, day_fraction),
    }
}

/// `format-date(d, format)`: `%Y %y %m %n %b %d %e %a %H %h %M %S %3` (and `%%`); other text is
/// copied. An input that is not a date formats as `""`, as in ODK.
fn format_date(v: &Value, format: &str) -> Result<Value, EvalError> {
    let (date, time) = match to_date_like(v) {
        Some(Value::Date(d)) => (d, None),
        Some(Value::DateTime(t)) => (t.date_naive(), Some(t.time())),
        Some(Value::Number(n)) => match date_time_of_days(n) {
            Some(t) => (t.date_naive(), Some(t.time())),
            None => return Ok(Value::Empty),
        },
        _ => return Ok(Value::Empty),
    };
    let (hour, minute, second, millis) = time.map_or((0, 0, 0, 0), |t| {
        (
            t.hour(),
            t.minute(),
            t.second(),
            t.nanosecond() / 1_000_000 % 1000,
        )
    });
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(code) = chars.next() else {
            out.push('%');
            break;
        };
        let piece = match code {
            'Y' => format!("{:04}", date.year()),
            'y' => format!("{:02}", date.year().rem_euclid(100)),
            'm' => format!("{:02}", date.month()),
            'n' => date.month().to_string(),
            'b' => MONTHS[date.month0() as usize].to_owned(),
            'd' => format!("{:02}", date.day()),
            'e' => date.day().to_string(),
            'a' => WEEKDAYS[date.weekday().num_days_from_monday() as usize].to_owned(),
            'H' => format!("{hour:02}"),
            'h' => hour.to_string(),
            'M' => format!("{minute:02}"),
            'S' => format!("{second:02}"),
            '3' => format!("{millis:03}"),
            '%' => "%".to_owned(),
            other => format!("%{other}"),
        };
        check_len(out.len().saturating_add(piece.len()))?;
        out.push_str(&piece);
    }
    check_len(out.len())?;
    Ok(Value::String(out))
}
