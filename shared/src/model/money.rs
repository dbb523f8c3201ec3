//! Money: ISO 4217 currencies with their minor-unit exponent, and exact amounts in minor units.
//!
//! Amounts are integers (`i64` minor units: centavos, cents), never floats, so balances add up
//! exactly. This module must not parse locale-formatted text (`13.030.965,51`): that is the
//! importer's job, which knows the sheet's locale; here only the canonical form `13030965.51`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

use crate::ValidationError;

/// Active ISO 4217 codes with their minor-unit exponent (ISO's "minor unit" column), sorted by
/// code. Fund codes are kept (`COU`, `CLF`, `UYI`...) because creditors index debts in them;
/// precious metals and test codes (`XAU`, `XTS`) have no minor unit and are left out.
#[rustfmt::skip] // one row per line of codes reads as the ISO table does
const ISO_4217: &[(&str, u8)] = &[
    ("AED", 2), ("AFN", 2), ("ALL", 2), ("AMD", 2), ("ANG", 2), ("AOA", 2), ("ARS", 2),
    ("AUD", 2), ("AWG", 2), ("AZN", 2), ("BAM", 2), ("BBD", 2), ("BDT", 2), ("BGN", 2),
    ("BHD", 3), ("BIF", 0), ("BMD", 2), ("BND", 2), ("BOB", 2), ("BOV", 2), ("BRL", 2),
    ("BSD", 2), ("BTN", 2), ("BWP", 2), ("BYN", 2), ("BZD", 2), ("CAD", 2), ("CDF", 2),
    ("CHE", 2), ("CHF", 2), ("CHW", 2), ("CLF", 4), ("CLP", 0), ("CNY", 2), ("COP", 2),
    ("COU", 2), ("CRC", 2), ("CUC", 2), ("CUP", 2), ("CVE", 2), ("CZK", 2), ("DJF", 0),
    ("DKK", 2), ("DOP", 2), ("DZD", 2), ("EGP", 2), ("ERN", 2), ("ETB", 2), ("EUR", 2),
    ("FJD", 2), ("FKP", 2), ("GBP", 2), ("GEL", 2), ("GHS", 2), ("GIP", 2), ("GMD", 2),
    ("GNF", 0), ("GTQ", 2), ("GYD", 2), ("HKD", 2), ("HNL", 2), ("HTG", 2), ("HUF", 2),
    ("IDR", 2), ("ILS", 2), ("INR", 2), ("IQD", 3), ("IRR", 2), ("ISK", 0), ("JMD", 2),
    ("JOD", 3), ("JPY", 0), ("KES", 2), ("KGS", 2), ("KHR", 2), ("KMF", 0), ("KPW", 2),
    ("KRW", 0), ("KWD", 3), ("KYD", 2), ("KZT", 2), ("LAK", 2), ("LBP", 2), ("LKR", 2),
    ("LRD", 2), ("LSL", 2), ("LYD", 3), ("MAD", 2), ("MDL", 2), ("MGA", 2), ("MKD", 2),
    ("MMK", 2), ("MNT", 2), ("MOP", 2), ("MRU", 2), ("MUR", 2), ("MVR", 2), ("MWK", 2),
    ("MXN", 2), ("MXV", 2), ("MYR", 2), ("MZN", 2), ("NAD", 2), ("NGN", 2), ("NIO", 2),
    ("NOK", 2), ("NPR", 2), ("NZD", 2), ("OMR", 3), ("PAB", 2), ("PEN", 2), ("PGK", 2),
    ("PHP", 2), ("PKR", 2), ("PLN", 2), ("PYG", 0), ("QAR", 2), ("RON", 2), ("RSD", 2),
    ("RUB", 2), ("RWF", 0), ("SAR", 2), ("SBD", 2), ("SCR", 2), ("SDG", 2), ("SEK", 2),
    ("SGD", 2), ("SHP", 2), ("SLE", 2), ("SOS", 2), ("SRD", 2), ("SSP", 2), ("STN", 2),
    ("SVC", 2), ("SYP", 2), ("SZL", 2), ("THB", 2), ("TJS", 2), ("TMT", 2), ("TND", 3),
    ("TOP", 2), ("TRY", 2), ("TTD", 2), ("TWD", 2), ("TZS", 2), ("UAH", 2), ("UGX", 0),
    ("USD", 2), ("USN", 2), ("UYI", 0), ("UYU", 2), ("UYW", 4), ("UZS", 2), ("VED", 2),
    ("VES", 2), ("VND", 0), ("VUV", 0), ("WST", 2), ("XAF", 0), ("XCD", 2), ("XCG", 2),
    ("XOF", 0), ("XPF", 0), ("YER", 2), ("ZAR", 2), ("ZMW", 2), ("ZWG", 2),
];

/// An active ISO 4217 currency. Only codes in the embedded table can be built, so the exponent
/// is always known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u8,
}

impl Currency {
    /// Colombian peso. ISO gives it 2 decimals even though cash has no centavos.
    pub const COP: Currency = Currency::known("COP", 2);
    /// US dollar.
    pub const USD: Currency = Currency::known("USD", 2);
    /// Euro.
    pub const EUR: Currency = Currency::known("EUR", 2);

    const fn known(code: &'static str, exponent: u8) -> Self {
        Currency { code, exponent }
    }

    /// Looks up a code (`COP`, ` cop `: trimmed, case-insensitive) in the ISO 4217 table.
    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        let wanted = code.trim().to_ascii_uppercase();
        ISO_4217
            .binary_search_by(|(c, _)| (*c).cmp(wanted.as_str()))
            .map(|i| Currency::known(ISO_4217[i].0, ISO_4217[i].1))
            .map_err(|_| {
                ValidationError::new(
                    "currency",
                    format!("{code:?} is not an active ISO 4217 currency code"),
                )
            })
    }

    /// The three-letter code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// How many decimal digits the minor unit has: 2 for COP and USD, 0 for CLP and JPY, 3 for
    /// KWD.
    pub fn exponent(&self) -> u8 {
        self.exponent
    }

    /// Every currency in the table, sorted by code.
    pub fn all() -> impl Iterator<Item = Currency> {
        ISO_4217.iter().map(|&(c, e)| Currency::known(c, e))
    }
}

impl FromStr for Currency {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

// Written by hand: a derived `Deserialize` would tie `'de` to the `&'static str` field.
impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

/// Why an arithmetic operation on [`Money`] was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MoneyError {
    /// The two amounts are in different currencies; converting needs a rate, which is not ours.
    #[error("cannot combine {left} with {right}")]
    CurrencyMismatch {
        /// Currency of the left operand.
        left: Currency,
        /// Currency of the right operand.
        right: Currency,
    },
    /// The result does not fit in an `i64` of minor units.
    #[error("amount overflow in {0}")]
    Overflow(Currency),
}

/// An exact amount: integer minor units of one currency (`1234567.89 COP` is 123456789).
///
/// Any sign is representable (payments and adjustments go negative); types that need a
/// non-negative amount, such as a balance, check it themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Money {
    minor_units: i64,
    currency: Currency,
}

impl Money {
    /// An amount of `minor_units` of `currency`.
    pub const fn from_minor(minor_units: i64, currency: Currency) -> Self {
        Money {
            minor_units,
            currency,
        }
    }

    /// Zero in `currency`.
    pub const fn zero(currency: Currency) -> Self {
        Money::from_minor(0, currency)
    }

    /// Parses the canonical decimal form (`-?digits(.digits)?`, as [`Money`]'s `Display`
    /// writes it, without the code): `"13030965.51"`, `"1885907"`. At most as many decimals as
    /// the currency has; no grouping, no decimal comma, no exponent.
    pub fn from_decimal_str(text: &str, currency: Currency) -> Result<Self, ValidationError> {
        let refuse = |why: &str| Err(ValidationError::new("amount", format!("{text:?} {why}")));
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(frac) || body.ends_with('.') {
            return refuse("is not a plain decimal number like 1234.56");
        }
        let exp = usize::from(currency.exponent);
        if frac.len() > exp {
            return refuse(&format!("has more than {exp} decimals for {currency}"));
        }
        let scaled = format!("{whole}{frac:0<exp$}");
        let Ok(units) = scaled.parse::<i64>() else {
            return refuse("is too large");
        };
        Ok(Money::from_minor(
            if negative { -units } else { units },
            currency,
        ))
    }

    /// The amount in minor units.
    pub fn minor_units(&self) -> i64 {
        self.minor_units
    }
    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }
    /// Whether the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.minor_units < 0
    }
    /// Whether the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.minor_units == 0
    }

    /// `self + other`, refusing mixed currencies and overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.combine(other, i64::checked_add)
    }

    /// `self - other`, refusing mixed currencies and overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.combine(other, i64::checked_sub)
    }

    fn combine(self, other: Money, op: fn(i64, i64) -> Option<i64>) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            });
        }
        op(self.minor_units, other.minor_units)
            .map(|units| Money::from_minor(units, self.currency))
            .ok_or(MoneyError::Overflow(self.currency))
    }
}

/// Neutral, locale-free form: `1234567.89 COP`, `-5.00 USD`, `1500 CLP`. Locale formatting
/// (`$ 1.234.567,89`) belongs to the user interface.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor_units < 0 { "-" } else { "" };
        let units = self.minor_units.unsigned_abs();
        let exp = u32::from(self.currency.exponent);
        let scale = 10u64.pow(exp);
        if exp == 0 {
            write!(f, "{sign}{units} {}", self.currency)
        } else {
            let (whole, frac) = (units / scale, units % scale);
            let width = exp as usize;
            write!(f, "{sign}{whole}.{frac:0width$} {}", self.currency)
        }
    }
}

#[cfg(test)]
mod tests;
