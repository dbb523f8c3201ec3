//! Decision tests: each rule, the Bogotá fixture day, boundaries, daylight saving, and the wire
//! shape of a refusal. Shared helpers live here; the rule table and the DST cases have their own
//! files.

use chrono::{DateTime, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use super::*;

const BOGOTA: Tz = Tz::America__Bogota;

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("valid RFC 3339 test instant")
}

/// A local wall-clock reading `"2026-11-24 13:30"` in `tz`, as an instant (must exist once).
fn at_local(tz: Tz, text: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .expect("valid local test datetime");
    tz.from_local_datetime(&naive)
        .single()
        .expect("unambiguous local test time")
        .to_utc()
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("valid test date")
}

fn window(text: &str) -> LocalWindow {
    LocalWindow::parse(text).expect("valid test window")
}

fn colombia() -> HolidayCalendar {
    HolidayCalendar::colombia(2025..=2027).expect("years in range")
}

fn rule_name(rule: &Rule) -> String {
    let json = serde_json::to_value(rule).expect("rule serializes");
    json["rule"].as_str().expect("tagged rule").to_owned()
}

mod dst;
mod table;

#[test]
fn a_visit_at_1330_in_bogota_is_refused_until_1300z_of_the_next_day() {
    let (policy, holidays) = (ContactPolicy::default_company(), colombia());
    let ctx = ContactContext {
        time_zone: BOGOTA,
        policy: &policy,
        holidays: &holidays,
        debtor_window: Some(window("08:00-12:00")),
        history: &[],
    };
    let decision = ctx.decide(utc("2026-11-24T18:30:00Z"));
    let json = serde_json::to_value(&decision).expect("decision serializes");
    assert_eq!(
        json,
        serde_json::json!({
            "decision": "refused",
            "rule": {"rule": "outside_debtor_window", "local_time": "13:30:00", "window": "08:00-12:00"},
            "also": [],
            "next_allowed": "2026-11-25T13:00:00Z",
        })
    );
    let back: Decision = serde_json::from_value(json).expect("decision deserializes");
    assert_eq!(back, decision);
    assert_eq!(
        decision.to_string(),
        "refused: 13:30 is outside the debtor's contact window 08:00-12:00; \
         next allowed at 2026-11-25T13:00:00+00:00"
    );
}

#[test]
fn the_fixture_track_hours_are_all_allowed_for_each_debtor_visited_once() {
    let (policy, holidays) = (ContactPolicy::default_company(), colombia());
    let ctx = ContactContext {
        time_zone: BOGOTA,
        policy: &policy,
        holidays: &holidays,
        debtor_window: Some(window("08:00-12:00")),
        history: &[],
    };
    let first = utc("2026-11-24T13:00:00Z");
    for minute in (0..=186).step_by(6) {
        let at = first + chrono::TimeDelta::minutes(minute);
        assert_eq!(ctx.decide(at), Decision::Allowed, "{at}");
    }
    let interval = ctx.allowed_interval_on(date("2026-11-24"));
    let expected = AllowedInterval {
        start: utc("2026-11-24T13:00:00Z"),
        end: utc("2026-11-24T17:00:00Z"),
    };
    assert_eq!(interval, Some(expected));
}

#[test]
fn a_visit_on_a_colombian_holiday_is_refused_until_the_next_working_morning() {
    let (policy, holidays) = (ContactPolicy::colombia_ley_2300(), colombia());
    let ctx = ContactContext {
        time_zone: BOGOTA,
        policy: &policy,
        holidays: &holidays,
        debtor_window: None,
        history: &[],
    };
    let decision = ctx.decide(at_local(BOGOTA, "2026-11-16 10:00"));
    assert_eq!(
        decision.rule(),
        Some(&Rule::Holiday {
            date: date("2026-11-16")
        })
    );
    assert_eq!(
        ctx.next_allowed(at_local(BOGOTA, "2026-11-16 10:00")),
        Some(utc("2026-11-17T12:00:00Z"))
    );
    assert_eq!(ctx.allowed_interval_on(date("2026-11-16")), None);
    assert_eq!(
        decision.rule().map(ToString::to_string).as_deref(),
        Some("2026-11-16 is a holiday")
    );
}

#[test]
fn a_holiday_is_open_when_the_policy_does_not_close_holidays() {
    let policy = ContactPolicy::colombia_ley_2300().with_holidays_closed(false);
    let holidays = colombia();
    let ctx = ContactContext {
        time_zone: BOGOTA,
        policy: &policy,
        holidays: &holidays,
        debtor_window: None,
        history: &[],
    };
    assert!(
        ctx.decide(at_local(BOGOTA, "2026-11-16 10:00"))
            .is_allowed()
    );
}

#[test]
fn the_eight_day_rule_counts_visits_to_every_account_of_the_same_person() {
    // Account A was visited on the 2nd, account B of the same person on the 5th; the caller
    // merges both into the person's history.
    let history = [
        at_local(BOGOTA, "2026-11-02 09:00"),
        at_local(BOGOTA, "2026-11-05 11:00"),
    ];
    let (policy, holidays) = (ContactPolicy::default_company(), colombia());
    let ctx = ContactContext {
        time_zone: BOGOTA,
        policy: &policy,
        holidays: &holidays,
        debtor_window: None,
        history: &history,
    };
    let decision = ctx.decide(at_local(BOGOTA, "2026-11-11 10:00"));
    let expected = Rule::TooSoon {
        contact: history[1],
        contact_date: date("2026-11-05"),
        min_days: 8,
    };
    assert_eq!(decision.rule(), Some(&expected));
    assert_eq!(
        ctx.next_allowed(at_local(BOGOTA, "2026-11-11 10:00")),
        Some(at_local(BOGOTA, "2026-11-13 07:00"))
    );
    assert!(
        ctx.decide(at_local(BOGOTA, "2026-11-13 07:00"))
            .is_allowed()
    );
}

#[test]
fn a_policy_with_no_open_day_or_an_unreachable_gap_gives_no_next_moment() {
    let closed = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
    ]
    .into_iter()
    .fold(ContactPolicy::colombia_ley_2300(), |p, d| {
        p.with_hours(d, None)
    });
    let far = ContactPolicy::default_company().with_min_days_between(400);
    let holidays = colombia();
    let history = [at_local(BOGOTA, "2026-11-23 09:00")];
    for policy in [closed, far] {
        let ctx = ContactContext {
            time_zone: BOGOTA,
            policy: &policy,
            holidays: &holidays,
            debtor_window: None,
            history: &history,
        };
        let decision = ctx.decide(at_local(BOGOTA, "2026-11-24 09:00"));
        assert!(
            matches!(
                decision,
                Decision::Refused {
                    next_allowed: None,
                    ..
                }
            ),
            "{decision}"
        );
    }
}

#[test]
fn rule_messages_say_what_refused_in_plain_words() {
    let cases = [
        (
            Rule::ClosedDay {
                weekday: Weekday::Sun,
            },
            "no contact is allowed on Sunday",
        ),
        (
            Rule::DailyLimit {
                date: date("2026-11-24"),
                count: 1,
                max: 1,
            },
            "the person already has 1 contact(s) on 2026-11-24 (at most 1 per day)",
        ),
        (
            Rule::OutsideHours {
                local_time: chrono::NaiveTime::from_hms_opt(15, 0, 0).expect("valid time"),
                allowed: window("08:00-15:00"),
            },
            "15:00 is outside the allowed hours 08:00-15:00",
        ),
    ];
    for (rule, message) in cases {
        assert_eq!(rule.to_string(), message);
    }
}
