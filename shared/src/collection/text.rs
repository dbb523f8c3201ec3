//! How amounts and dates read in the collection loop's reasons: `$250.000` and `26/11` in
//! Spanish, `$250,000` in English. Must not hold any rule: only the written form.
//!
//! The web UIs write money with `Intl.NumberFormat` (`es-CO`), which shows pesos without
//! centavos; this writes the same, and the centavos only when there are some.

use chrono::{Datelike, NaiveDate};

use super::state::Lang;
use crate::model::money::{Currency, Money};

/// `$250.000` (Spanish) or `$250,000` (English) for COP; `$` stands for pesos as on Colombian
/// receipts, other currencies lead with their code (`USD 1.234,50`). Decimals appear only when
/// the amount has a fraction.
pub fn format_money(amount: Money, lang: Lang) -> String {
    let (group, decimal) = match lang {
        Lang::Es => ('.', ','),
        Lang::En => (',', '.'),
    };
    let currency = amount.currency();
    let prefix = if currency == Currency::COP {
        "$".to_owned()
    } else {
        format!("{} ", currency.code())
    };
    let exp = u32::from(currency.exponent());
    let units = amount.minor_units().unsigned_abs();
    let scale = 10u64.pow(exp);
    let (whole, frac) = (units / scale, units % scale);
    let sign = if amount.is_negative() { "-" } else { "" };
    let mut text = format!("{sign}{prefix}{}", grouped(whole, group));
    if frac != 0 {
        let width = exp as usize;
        text.push_str(&format!("{decimal}{frac:0width$}"));
    }
    text
}

/// `1234567` → `1.234.567` with `.` as the group separator.
fn grouped(n: u64, separator: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(separator);
        }
        out.push(d);
    }
    out
}

/// `26/11`: day and month, as collectors write a due date (the year is near and understood).
pub fn format_day(date: NaiveDate) -> String {
    format!("{:02}/{:02}", date.day(), date.month())
}
