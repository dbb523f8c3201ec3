//! Numbers and dates as sheets write them, turned into canonical text: `13.030.965,51` into
//! `13030965.51`, `26/11/2026` into a date. Everything is string manipulation, so money stays
//! exact (it becomes integer minor units later, in `Money::from_decimal_str`); coordinates are
//! parsed to `f64` only from the canonical text.
//!
//! This module owns the locale rule; it must not know columns or rows.
//!
//! # The locale rule
//!
//! A value with both `.` and `,` uses the last one as its decimal separator and the other for
//! grouping (`1,234.56`, `13.030.965,51`). A separator that appears more than once is grouping
//! (`1.885.907`). A separator that appears once is the decimal separator unless exactly three
//! digits follow it: `1.885` is 1885 or 1.885 depending on the file's locale. That case is
//! settled by [`Decimal`], the file's evidence: Excel writes `;` separated files exactly when its
//! locale uses a decimal comma, so a `;` file is [`Decimal::Comma`], a `,` file
//! [`Decimal::Point`], and a tab file or a text cell of a spreadsheet [`Decimal::Unknown`],
//! read the Spanish way (Terreno's users are in Spanish-speaking countries). Coordinates never
//! carry grouping, so for them a single separator is always the decimal one.

use chrono::NaiveDate;

/// Which decimal separator a file's own format suggests; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decimal {
    /// `1.234,56`: decimal comma, dots group thousands (`;` files).
    Comma,
    /// `1,234.56`: decimal point, commas group thousands (`,` files, numeric spreadsheet cells).
    Point,
    /// No evidence (tab files, spreadsheet text): read as [`Decimal::Comma`].
    Unknown,
}

/// What a number is for, which decides whether grouping is possible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberKind {
    /// An amount or a count: may carry currency symbols and thousands grouping.
    Amount,
    /// A coordinate in degrees: never grouped.
    Coordinate,
}

/// Turns a sheet's number into `-?digits(.digits)?`, or says why it is not a number.
pub fn canonical(raw: &str, kind: NumberKind, decimal: Decimal) -> Result<String, String> {
    let not_a_number = || format!("{raw:?} is not a number");
    let mut text: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    let mut negative = false;
    if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        // Accounting notation: (1.234,56) is negative.
        negative = true;
        text = inner.to_owned();
    }
    if let Some(rest) = text.strip_prefix('-') {
        negative = !negative;
        text = rest.to_owned();
    } else if let Some(rest) = text.strip_prefix('+') {
        text = rest.to_owned();
    }
    if kind == NumberKind::Amount {
        let bare = strip_currency_symbol(&text);
        let had_symbol = bare.len() != text.len();
        text = bare;
        if let Some(rest) = text.strip_prefix('-').filter(|_| had_symbol) {
            // `$ -1.234` and `-$ 1.234` are both written.
            negative = !negative;
            text = rest.to_owned();
        }
    }
    if text.is_empty()
        || !text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return Err(not_a_number());
    }
    let (whole, frac) = split_decimal(&text, kind, decimal).ok_or_else(not_a_number)?;
    let whole = if whole.is_empty() {
        "0"
    } else {
        whole.as_str()
    };
    let sign = if negative { "-" } else { "" };
    Ok(if frac.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac}")
    })
}

/// An integer count (days past due): a number without a fractional part (`1.200` groups).
pub fn integer(raw: &str, decimal: Decimal) -> Result<i64, String> {
    let text = canonical(raw, NumberKind::Amount, decimal)?;
    let whole = match text.split_once('.') {
        Some((w, f)) if f.bytes().all(|b| b == b'0') => w,
        Some(_) => return Err(format!("{raw:?} is not a whole number")),
        None => text.as_str(),
    };
    whole
        .parse()
        .map_err(|_| format!("{raw:?} is too large a number"))
}

/// A coordinate in degrees, from its canonical text.
pub fn coordinate(raw: &str, decimal: Decimal) -> Result<f64, String> {
    let text = canonical(raw, NumberKind::Coordinate, decimal)?;
    text.parse()
        .map_err(|_| format!("{raw:?} is not a coordinate"))
}

fn strip_currency_symbol(text: &str) -> String {
    const SYMBOLS: [&str; 7] = ["COP$", "US$", "COP", "USD", "$", "€", "EUR"];
    let mut t = text;
    for s in SYMBOLS {
        if let Some(rest) = t.strip_prefix(s) {
            t = rest;
            break;
        }
    }
    for s in SYMBOLS {
        if let Some(rest) = t.strip_suffix(s) {
            t = rest;
            break;
        }
    }
    t.to_owned()
}

/// Splits digits-and-separators text into whole and fractional digits by the locale rule.
fn split_decimal(text: &str, kind: NumberKind, decimal: Decimal) -> Option<(String, String)> {
    let dots = text.matches('.').count();
    let commas = text.matches(',').count();
    let (group, point) = match (dots, commas) {
        (0, 0) => return Some((text.to_owned(), String::new())),
        (_, _) if kind == NumberKind::Coordinate => {
            // Degrees are never grouped: exactly one separator, whichever it is.
            if dots + commas != 1 {
                return None;
            }
            (None, if dots == 1 { '.' } else { ',' })
        }
        (d, c) if d > 0 && c > 0 => {
            let last_dot = text.rfind('.')?;
            let last_comma = text.rfind(',')?;
            if last_dot > last_comma {
                (Some(','), '.')
            } else {
                (Some('.'), ',')
            }
        }
        (d, 0) if d > 1 => (Some('.'), ','),
        (0, c) if c > 1 => (Some(','), '.'),
        _ => {
            let sep = if dots == 1 { '.' } else { ',' };
            let after = text.len() - text.find(sep)? - 1;
            let lead_is_zero = text
                .split(sep)
                .next()
                .is_some_and(|w| w.is_empty() || w == "0");
            if after == 3 && !lead_is_zero && groups_thousands(sep, decimal) {
                (Some(sep), if sep == '.' { ',' } else { '.' })
            } else {
                (None, sep)
            }
        }
    };
    let (whole, frac) = match text.split_once(point) {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    if frac.contains(['.', ',']) {
        return None;
    }
    let whole = match group {
        Some(g) => ungroup(whole, g)?,
        None if whole.contains(['.', ',']) => return None,
        None => whole.to_owned(),
    };
    if text.ends_with(point) && frac.is_empty() && text.contains(point) {
        return None;
    }
    Some((whole, frac.to_owned()))
}

/// Whether a lone separator followed by three digits groups thousands in this locale.
fn groups_thousands(sep: char, decimal: Decimal) -> bool {
    match decimal {
        Decimal::Point => sep == ',',
        Decimal::Comma | Decimal::Unknown => sep == '.',
    }
}

/// `1.885.907` → `1885907`; the first group has 1 to 3 digits and the others exactly 3.
fn ungroup(whole: &str, group: char) -> Option<String> {
    let mut parts = whole.split(group);
    let first = parts.next()?;
    if first.is_empty() || first.len() > 3 || first.contains(['.', ',']) {
        return None;
    }
    let mut out = first.to_owned();
    for p in parts {
        if p.len() != 3 || p.contains(['.', ',']) {
            return None;
        }
        out.push_str(p);
    }
    Some(out)
}

/// A date written `dd/mm/yyyy`, `d/m/yyyy`, `dd-mm-yyyy`, `yyyy-mm-dd` or `yyyy/mm/dd`,
/// optionally followed by a time of day (spreadsheets add `00:00:00`), which is ignored.
pub fn date(raw: &str) -> Result<NaiveDate, String> {
    let text = raw.trim();
    let day_part = text.split([' ', 'T']).next().unwrap_or(text);
    let parts: Vec<&str> = day_part.split(['/', '-', '.']).collect();
    let num = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let ymd = match parts.as_slice() {
        [y, m, d] if y.len() == 4 => (num(y), num(m), num(d)),
        [d, m, y] if y.len() == 4 && d.len() <= 2 && m.len() <= 2 => (num(y), num(m), num(d)),
        _ => (None, None, None),
    };
    match ymd {
        (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y as i32, m, d)
            .ok_or_else(|| format!("{raw:?} is not a calendar date (day/month/year)")),
        _ => Err(format!(
            "{raw:?} is not a date like 26/11/2026 or 2026-11-26"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(raw: &str, d: Decimal) -> Result<String, String> {
        canonical(raw, NumberKind::Amount, d)
    }

    #[test]
    fn spanish_and_plain_amounts_become_canonical_text() {
        for (raw, d, want) in [
            ("13.030.965,51", Decimal::Comma, "13030965.51"),
            ("13.030.965,51", Decimal::Point, "13030965.51"),
            ("$ 1.234,56", Decimal::Comma, "1234.56"),
            ("1234.56", Decimal::Point, "1234.56"),
            ("1234.56", Decimal::Comma, "1234.56"),
            ("1,234.56", Decimal::Comma, "1234.56"),
            ("1885907.28", Decimal::Point, "1885907.28"),
            ("1.885.907", Decimal::Point, "1885907"),
            ("1,885,907", Decimal::Comma, "1885907"),
            ("1885907,2", Decimal::Point, "1885907.2"),
            ("-74,046819", Decimal::Point, "-74.046819"),
            ("(1.234,56)", Decimal::Comma, "-1234.56"),
            ("$-1.234,56", Decimal::Comma, "-1234.56"),
            ("1 234 567,80", Decimal::Unknown, "1234567.80"),
            (",5", Decimal::Comma, "0.5"),
            ("0,500", Decimal::Point, "0.500"),
            ("COP 2.000", Decimal::Unknown, "2000"),
        ] {
            assert_eq!(money(raw, d).as_deref(), Ok(want), "{raw:?} in {d:?}");
        }
    }

    #[test]
    fn a_lone_separator_before_three_digits_follows_the_files_locale() {
        assert_eq!(money("1.885", Decimal::Comma).unwrap(), "1885");
        assert_eq!(money("1.885", Decimal::Unknown).unwrap(), "1885");
        assert_eq!(money("1.885", Decimal::Point).unwrap(), "1.885");
        assert_eq!(money("1,885", Decimal::Point).unwrap(), "1885");
        assert_eq!(money("1,885", Decimal::Comma).unwrap(), "1.885");
        // Coordinates are never grouped.
        assert_eq!(coordinate("4.607", Decimal::Comma).unwrap(), 4.607);
        assert_eq!(coordinate("4,739473", Decimal::Point).unwrap(), 4.739473);
    }

    #[test]
    fn malformed_numbers_are_refused_with_the_value() {
        for raw in [
            "doce mil",
            "",
            "1.23.456",
            "1,2,3",
            "12..5",
            "1.234,5,6",
            "1,234.5.6",
            "12.",
            "--3",
            "3-",
            "1e5",
            "0x10",
        ] {
            let err = money(raw, Decimal::Comma).unwrap_err();
            assert!(err.contains("not a number"), "{raw:?}: {err}");
        }
        assert!(coordinate("4.739.473", Decimal::Comma).is_err());
    }

    #[test]
    fn counts_are_whole_numbers() {
        assert_eq!(integer("175", Decimal::Point), Ok(175));
        assert_eq!(integer("-4", Decimal::Point), Ok(-4));
        assert_eq!(integer("1.200", Decimal::Comma), Ok(1200));
        assert_eq!(integer("12.0", Decimal::Point), Ok(12));
        assert!(integer("12.5", Decimal::Point).is_err());
    }

    #[test]
    fn dates_are_read_day_first_or_iso() {
        let nov26 = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        for raw in [
            "26/11/2026",
            "2026-11-26",
            "26-11-2026",
            "2026/11/26",
            "26/11/2026 00:00",
        ] {
            assert_eq!(date(raw), Ok(nov26), "{raw:?}");
        }
        assert_eq!(
            date("4/3/2026"),
            Ok(NaiveDate::from_ymd_opt(2026, 3, 4).unwrap())
        );
        for raw in ["11/26/2026", "31/02/2026", "mañana", "2026-11", "26/11/26"] {
            assert!(date(raw).is_err(), "{raw:?}");
        }
    }
}
