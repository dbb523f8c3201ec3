//! Daylight-saving cases: local boundaries keep their wall-clock meaning across offset changes,
//! in Madrid (02:00/03:00 changes) and Santiago (changes at local midnight).

use std::num::NonZeroU32;

use super::*;

#[test]
fn local_seven_oclock_stays_seven_oclock_across_madrid_spring_forward() {
    let (policy, holidays) = (ContactPolicy::colombia_ley_2300(), HolidayCalendar::new());
    let ctx = ContactContext {
        time_zone: Tz::Europe__Madrid,
        policy: &policy,
        holidays: &holidays,
        debtor_window: None,
        history: &[],
    };
    // Saturday 28 March 2026 15:00 CET; clocks go forward on Sunday; Monday opens at 07:00 CEST.
    let next = ctx.next_allowed(utc("2026-03-28T14:00:00Z"));
    assert_eq!(next, Some(utc("2026-03-30T05:00:00Z")));
}

#[test]
fn a_window_starting_in_the_skipped_hour_opens_when_clocks_jump() {
    // Santiago skips 00:00-01:00 local on Sunday 6 September 2026 (04:00Z).
    let policy = ContactPolicy::unrestricted()
        .with_hours(Weekday::Sun, Some(window("00:00-06:00")))
        .with_max_per_day(NonZeroU32::new(1));
    let holidays = HolidayCalendar::new();
    let history = [utc("2026-09-05T20:00:00Z")];
    let ctx = ContactContext {
        time_zone: Tz::America__Santiago,
        policy: &policy,
        holidays: &holidays,
        debtor_window: None,
        history: &history,
    };
    let next = ctx.next_allowed(utc("2026-09-06T03:30:00Z"));
    assert_eq!(next, Some(utc("2026-09-06T04:00:00Z")));
}

#[test]
fn the_repeated_hour_when_santiago_falls_back_belongs_to_one_local_day() {
    // Saturday 4 April 2026: at 24:00 (03:00Z) clocks go back to 23:00, so 23:30 happens twice.
    let policy = ContactPolicy::unrestricted().with_max_per_day(NonZeroU32::new(1));
    let holidays = HolidayCalendar::new();
    let first_pass = utc("2026-04-05T02:30:00Z");
    let second_pass = utc("2026-04-05T03:30:00Z");
    let history = [first_pass];
    let ctx = ContactContext {
        time_zone: Tz::America__Santiago,
        policy: &policy,
        holidays: &holidays,
        debtor_window: None,
        history: &history,
    };
    let decision = ctx.decide(second_pass);
    assert_eq!(
        decision.rule().map(rule_name).as_deref(),
        Some("daily_limit")
    );
    // Sunday starts at 24:00 of the second pass: 04:00Z.
    assert_eq!(
        ctx.next_allowed(second_pass),
        Some(utc("2026-04-05T04:00:00Z"))
    );
}

#[test]
fn the_hour_repeated_by_falling_back_reopens_a_window_that_had_closed() {
    // Santiago, Saturday 4 April 2026: at 24:00 (03:00Z) clocks go back to 23:00, so a Saturday
    // window 22:00-23:30 is open again from the jump until 23:30 of the second pass.
    let policy =
        ContactPolicy::unrestricted().with_hours(Weekday::Sat, Some(window("22:00-23:30")));
    let holidays = HolidayCalendar::new();
    let ctx = ContactContext {
        time_zone: Tz::America__Santiago,
        policy: &policy,
        holidays: &holidays,
        debtor_window: None,
        history: &[],
    };
    let first_pass_2345 = utc("2026-04-05T02:45:00Z");
    assert!(!ctx.decide(first_pass_2345).is_allowed());
    assert_eq!(
        ctx.next_allowed(first_pass_2345),
        Some(utc("2026-04-05T03:00:00Z"))
    );
}
