//! The agreement schedule: amounts, dates moved off Sundays and holidays, refusals.

use super::*;

fn dues(total: Money, n: u32, first: NaiveDate, frequency: Frequency) -> Vec<(NaiveDate, i64)> {
    schedule(total, n, first, frequency, holidays())
        .expect("valid schedule")
        .into_iter()
        .map(|i| (i.due, i.amount.minor_units()))
        .collect()
}

/// Name, total, instalments, first date, frequency, expected (due, minor units).
type Case = (
    &'static str,
    Money,
    u32,
    NaiveDate,
    Frequency,
    Vec<(NaiveDate, i64)>,
);

// Long: one table of schedules with their expected dates, read row by row.
#[test]
fn schedules_split_whole_pesos_and_move_off_sundays_and_holidays() {
    let cases: [Case; 6] = [
        (
            "monthly; the 15ths of February and March are Sundays",
            cop(1_000_000),
            3,
            d(2026, 1, 15),
            Frequency::Monthly,
            vec![
                (d(2026, 1, 15), 33_333_300),
                (d(2026, 2, 16), 33_333_300),
                (d(2026, 3, 16), 33_333_400),
            ],
        ),
        (
            "monthly from the 31st clamps to month end and keeps the anchor",
            cop(600),
            6,
            d(2026, 1, 31),
            Frequency::Monthly,
            vec![
                (d(2026, 1, 31), 10_000),
                (d(2026, 2, 28), 10_000),
                (d(2026, 3, 31), 10_000),
                (d(2026, 4, 30), 10_000),
                (d(2026, 6, 1), 10_000),
                (d(2026, 6, 30), 10_000),
            ],
        ),
        (
            "weekly over San José (Monday 23 March 2026)",
            cop(300_000),
            3,
            d(2026, 3, 16),
            Frequency::Weekly,
            vec![
                (d(2026, 3, 16), 10_000_000),
                (d(2026, 3, 24), 10_000_000),
                (d(2026, 3, 30), 10_000_000),
            ],
        ),
        (
            "weekly into Holy Thursday and Good Friday lands on Saturday",
            cop(200_000),
            2,
            d(2026, 3, 26),
            Frequency::Weekly,
            vec![(d(2026, 3, 26), 10_000_000), (d(2026, 4, 4), 10_000_000)],
        ),
        (
            "fortnightly over Christmas",
            cop(100_000),
            3,
            d(2026, 12, 11),
            Frequency::Fortnightly,
            vec![
                (d(2026, 12, 11), 3_333_300),
                (d(2026, 12, 26), 3_333_300),
                (d(2027, 1, 8), 3_333_400),
            ],
        ),
        (
            "a first date on a Sunday moves too",
            cop(50_000),
            1,
            d(2026, 12, 20),
            Frequency::Monthly,
            vec![(d(2026, 12, 21), 5_000_000)],
        ),
    ];
    for (name, total, n, first, frequency, want) in cases {
        assert_eq!(dues(total, n, first, frequency), want, "{name}");
    }
}

#[test]
fn centavos_and_small_totals_go_on_the_last_instalment() {
    let first = d(2026, 1, 15);
    let with_centavos = Money::from_minor(10_000_050, Currency::COP);
    let amounts = |total, n| -> Vec<i64> {
        dues(total, n, first, Frequency::Weekly)
            .into_iter()
            .map(|(_, a)| a)
            .collect()
    };
    assert_eq!(amounts(with_centavos, 3), [3_333_300, 3_333_300, 3_333_450]);
    // 2.50 pesos cannot give each of 3 instalments a whole peso: centavos then.
    assert_eq!(
        amounts(Money::from_minor(250, Currency::COP), 3),
        [83, 83, 84]
    );
    let clp = Currency::parse("CLP").expect("known currency");
    assert_eq!(amounts(Money::from_minor(1000, clp), 3), [333, 333, 334]);
    assert_eq!(amounts(Money::from_minor(3, Currency::COP), 3), [1, 1, 1]);
}

#[test]
fn nonsense_schedules_are_refused_with_what_was_wrong() {
    let first = d(2026, 1, 15);
    let monthly = |total, n| schedule(total, n, first, Frequency::Monthly, holidays());
    assert_eq!(monthly(cop(100), 0), Err(ScheduleError::NoInstallments));
    assert_eq!(
        monthly(cop(1_000_000), 121),
        Err(ScheduleError::TooManyInstallments {
            asked: 121,
            max: MAX_INSTALLMENTS
        })
    );
    assert!(monthly(cop(1_000_000), MAX_INSTALLMENTS).is_ok());
    for total in [Money::from_minor(2, Currency::COP), cop(0), cop(-500)] {
        assert_eq!(
            monthly(total, 3),
            Err(ScheduleError::TotalTooSmall {
                total,
                installments: 3
            })
        );
    }
    let late = schedule(cop(100), 2, NaiveDate::MAX, Frequency::Monthly, holidays());
    assert_eq!(late, Err(ScheduleError::DateOutOfRange { n: 2 }));
    let message = monthly(cop(1_000_000), 121).unwrap_err().to_string();
    assert_eq!(
        message,
        "121 instalments is more than the 120 an agreement may have"
    );
}

#[test]
fn a_calendar_closing_weeks_in_a_row_is_refused() {
    let closed: HolidayCalendar = (0..30)
        .map(|i| d(2026, 6, 1) + chrono::Days::new(i))
        .collect();
    assert_eq!(
        schedule(cop(100), 1, d(2026, 6, 2), Frequency::Weekly, &closed),
        Err(ScheduleError::NoWorkingDay(d(2026, 6, 2)))
    );
    assert_eq!(next_working_day(d(2026, 7, 1), &closed), Ok(d(2026, 7, 1)));
    assert!(!is_working_day(d(2026, 6, 7), &HolidayCalendar::new()));
    assert!(is_working_day(d(2026, 6, 6), &HolidayCalendar::new()));
}

#[test]
fn frequencies_and_instalments_read_and_write_their_wire_form() {
    for f in Frequency::ALL {
        assert_eq!(Frequency::parse(f.as_str()), Ok(f));
        let json = serde_json::to_string(&f).expect("serializes");
        assert_eq!(json, format!("\"{}\"", f.as_str()));
    }
    assert_eq!(
        Frequency::parse("quincenal"),
        Err(ScheduleError::UnknownFrequency("quincenal".to_owned()))
    );
    let inst =
        schedule(cop(100), 1, d(2026, 1, 15), Frequency::Monthly, holidays()).expect("valid")[0];
    let json = serde_json::to_value(inst).expect("serializes");
    assert_eq!(
        json,
        serde_json::json!({"n": 1, "due": "2026-01-15",
            "amount": {"minor_units": 10000, "currency": "COP"}})
    );
}
