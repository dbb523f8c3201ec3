//! Tests of [`super`]: currencies and money.

use super::*;
use proptest::prelude::*;

fn cur(code: &str) -> Currency {
    Currency::parse(code).unwrap()
}

#[test]
fn the_currency_table_is_sorted_and_unique_so_lookup_finds_every_code() {
    assert!(ISO_4217.windows(2).all(|w| w[0].0 < w[1].0));
    for c in Currency::all() {
        assert_eq!(Currency::parse(c.code()).unwrap(), c);
    }
}

#[test]
fn currency_exponents_follow_iso_4217() {
    for (code, exp) in [
        ("COP", 2),
        ("CLP", 0),
        ("JPY", 0),
        ("KWD", 3),
        ("USD", 2),
        ("EUR", 2),
        ("PYG", 0),
        ("CLF", 4),
        ("MXN", 2),
        ("BRL", 2),
        ("VES", 2),
    ] {
        assert_eq!(cur(code).exponent(), exp, "{code}");
    }
    assert_eq!(Currency::COP, cur("COP"));
    assert_eq!(Currency::USD, cur("usd"));
    assert_eq!(Currency::EUR, cur(" EUR "));
}

#[test]
fn all_latin_american_currencies_are_known() {
    for code in [
        "ARS", "BOB", "BRL", "CLP", "COP", "CRC", "CUP", "DOP", "GTQ", "HNL", "HTG", "MXN", "NIO",
        "PAB", "PEN", "PYG", "SVC", "UYU", "VES", "BZD", "GYD", "SRD", "TTD", "JMD", "GBP", "JPY",
        "CHF", "CNY", "CAD",
    ] {
        assert!(Currency::parse(code).is_ok(), "{code}");
    }
}

#[test]
fn unknown_or_withdrawn_codes_are_refused_with_the_field_named() {
    for code in ["", "CO", "COPS", "XXX", "VEF", "HRK", "peso", "XAU"] {
        assert_eq!(
            Currency::parse(code).unwrap_err().field,
            "currency",
            "{code:?}"
        );
    }
    assert!(serde_json::from_str::<Currency>("\"ABC\"").is_err());
}

#[test]
fn money_displays_in_a_neutral_form() {
    for (units, code, want) in [
        (123_456_789, "COP", "1234567.89 COP"),
        (-500, "USD", "-5.00 USD"),
        (5, "USD", "0.05 USD"),
        (1500, "CLP", "1500 CLP"),
        (1, "KWD", "0.001 KWD"),
        (i64::MIN, "JPY", "-9223372036854775808 JPY"),
    ] {
        assert_eq!(Money::from_minor(units, cur(code)).to_string(), want);
    }
}

#[test]
fn canonical_decimals_parse_exactly() {
    for (text, code, units) in [
        ("13030965.51", "COP", 1_303_096_551),
        ("1885907", "COP", 188_590_700),
        ("0.5", "COP", 50),
        ("-12.3", "USD", -1230),
        ("1500", "CLP", 1500),
        ("1.234", "KWD", 1234),
    ] {
        let m = Money::from_decimal_str(text, cur(code)).unwrap();
        assert_eq!(m.minor_units(), units, "{text}");
    }
}

#[test]
fn non_canonical_decimals_are_refused_with_the_field_named() {
    for (text, code) in [
        ("13.030.965,51", "COP"),
        ("doce mil", "COP"),
        ("1,5", "COP"),
        ("1.234", "COP"),
        ("1.5", "CLP"),
        ("", "COP"),
        ("-", "COP"),
        ("1.", "COP"),
        (".5", "COP"),
        ("+5", "COP"),
        ("1e3", "COP"),
        (" 5", "COP"),
        ("99999999999999999999", "COP"),
    ] {
        let err = Money::from_decimal_str(text, cur(code)).unwrap_err();
        assert_eq!(err.field, "amount", "{text:?}");
    }
}

#[test]
fn arithmetic_refuses_mixed_currencies_and_overflow() {
    let cop = Money::from_minor(100, Currency::COP);
    let usd = Money::from_minor(100, Currency::USD);
    assert_eq!(
        cop.checked_add(usd),
        Err(MoneyError::CurrencyMismatch {
            left: Currency::COP,
            right: Currency::USD
        })
    );
    assert!(cop.checked_sub(usd).is_err());
    let max = Money::from_minor(i64::MAX, Currency::COP);
    assert_eq!(
        cop.checked_add(max),
        Err(MoneyError::Overflow(Currency::COP))
    );
    let min = Money::from_minor(i64::MIN, Currency::COP);
    assert_eq!(
        min.checked_sub(cop),
        Err(MoneyError::Overflow(Currency::COP))
    );
    assert_eq!(
        cop.checked_sub(Money::from_minor(250, Currency::COP)),
        Ok(Money::from_minor(-150, Currency::COP))
    );
}

#[test]
fn money_round_trips_through_json_and_refuses_bad_shapes() {
    let m = Money::from_minor(188_590_728, Currency::COP);
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(json, r#"{"minor_units":188590728,"currency":"COP"}"#);
    assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
    for bad in [
        r#"{"minor_units":1,"currency":"XYZ"}"#,
        r#"{"minor_units":1.5,"currency":"COP"}"#,
        r#"{"minor_units":1,"currency":"COP","rate":2}"#,
        r#"{"minor_units":1}"#,
    ] {
        assert!(serde_json::from_str::<Money>(bad).is_err(), "{bad}");
    }
}

proptest! {
    #[test]
    fn display_and_decimal_parsing_are_inverse(units in (i64::MIN + 1)..=i64::MAX, i in 0usize..160) {
        let currency = Currency::all().nth(i % Currency::all().count()).unwrap();
        let m = Money::from_minor(units, currency);
        let shown = m.to_string();
        let (number, code) = shown.rsplit_once(' ').unwrap();
        prop_assert_eq!(code, currency.code());
        prop_assert_eq!(Money::from_decimal_str(number, currency).unwrap(), m);
    }
}
