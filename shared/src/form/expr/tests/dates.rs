//! Dates: the context's clock, day arithmetic, comparisons, conversions and formatting.
//! The test clock reads 2024-03-15T10:30:00-05:00 (day 19797 since 1970-01-01).

use chrono::NaiveDate;

use super::*;

fn date(text: &str) -> Value {
    Value::Date(text.parse::<NaiveDate>().expect("valid test date"))
}

fn promise() -> TestContext {
    TestContext::new()
        .with_value("promised", date("2024-03-25"))
        .with("promised_text", "2024-03-25")
        .with_value(
            "visited",
            Value::DateTime(
                DateTime::parse_from_rfc3339("2024-03-14T18:00:00-05:00").expect("valid instant"),
            ),
        )
        .with("empty", "")
}

#[test]
fn today_and_now_come_from_the_context() {
    check_table(
        &TestContext::new(),
        &[
            ("today()", "2024-03-15"),
            ("now()", "2024-03-15T10:30:00.000-05:00"),
            ("number(today())", "19797"),
            ("decimal-date-time(now())", "19797.4375"),
        ],
    );
}

#[test]
fn date_arithmetic_counts_days() {
    check_table(
        &promise(),
        &[
            ("today() + 30", "19827"),
            ("date(today() + 30)", "2024-04-14"),
            ("format-date(today() + 30, '%Y-%m-%d')", "2024-04-14"),
            ("${promised} - today()", "10"),
            ("${promised_text} - today()", "10"),
            ("today() - ${visited}", "0.25"),
            ("(now() - date('2024-03-15')) * 24", "10.5"),
            ("int((today() - date('1990-06-01')) div 365.25)", "33"),
            ("${empty} - today()", "NaN"),
            ("date(${empty} + 1)", ""),
        ],
    );
}

#[test]
fn dates_compare_with_dates_and_date_text() {
    check_table(
        &promise(),
        &[
            ("${promised} > today()", "true"),
            ("${promised} <= today() + 10", "true"),
            ("${promised} > '2024-03-20'", "true"),
            ("'2024-03-30' > ${promised}", "true"),
            ("${promised} = '2024-03-25'", "true"),
            ("${promised} = date('2024-03-25')", "true"),
            ("today() = date('2024-03-15')", "true"),
            ("${visited} < today()", "true"),
            ("${empty} < today()", "false"),
            ("${empty} >= today()", "false"),
        ],
    );
}

#[test]
fn conversions_between_text_numbers_and_dates() {
    check_table(
        &TestContext::new(),
        &[
            ("date('2024-02-29')", "2024-02-29"),
            ("date(0)", "1970-01-01"),
            ("date(19797.9)", "2024-03-15"),
            ("date('')", ""),
            (
                "date('2024-03-15T08:00:00-05:00')",
                "2024-03-15T08:00:00.000-05:00",
            ),
            ("date-time(0)", "1970-01-01T00:00:00.000+00:00"),
            ("date-time(0.5)", "1970-01-01T12:00:00.000+00:00"),
            ("date-time('2024-03-15')", "2024-03-15T00:00:00.000+00:00"),
            (
                "date-time('2024-03-15T10:30')",
                "2024-03-15T10:30:00.000+00:00",
            ),
            ("decimal-date-time('2024-01-01T12:00:00.000Z')", "19723.5"),
            ("decimal-date-time('2024-01-01')", "19723"),
            ("decimal-date-time('x')", "NaN"),
            ("decimal-time('12:00:00.000-05:00')", "0.5"),
            ("decimal-time('06:00')", "0.25"),
            ("decimal-time('x')", "NaN"),
            ("date(99999999999)", ""),
        ],
    );
    for bad in ["date('2024-02-30')", "date('next monday')"] {
        let result = parse(bad).expect("valid syntax").eval(&TestContext::new());
        assert!(
            matches!(
                result,
                Err(EvalError::InvalidArgument {
                    function: "date",
                    ..
                })
            ),
            "{bad}: {result:?}"
        );
    }
}

#[test]
fn format_date_writes_odk_codes() {
    check_table(
        &promise(),
        &[
            (
                "format-date('2024-03-05', '%e/%n/%y %b %a')",
                "5/3/24 Mar Tue",
            ),
            ("format-date(${promised}, '%d/%m/%Y')", "25/03/2024"),
            ("format-date(${promised}, '%H:%M')", "00:00"),
            (
                "format-date-time(now(), '%Y-%m-%d %H:%M:%S.%3')",
                "2024-03-15 10:30:00.000",
            ),
            ("format-date-time(${visited}, '%h%%')", "18%"),
            ("format-date(${empty}, '%Y')", ""),
            ("format-date('garbage', '%Y')", ""),
            ("format-date(today(), 'day %q, 100%')", "day %q, 100%"),
        ],
    );
}
