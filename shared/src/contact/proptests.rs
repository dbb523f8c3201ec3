//! Property tests of the decision: it never panics, a refusal's next allowed moment is allowed
//! and is the earliest one, and an allowed contact breaks no rule (checked here independently).

use std::num::NonZeroU32;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, TimeDelta, Utc, Weekday};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;

const ZONES: [Tz; 5] = [
    Tz::America__Bogota,
    Tz::America__Santiago,
    Tz::Europe__Madrid,
    Tz::America__Sao_Paulo,
    Tz::Pacific__Auckland,
];

/// 2024-01-01T00:00:00Z and 2029-01-01T00:00:00Z, the span asked about.
const FROM: i64 = 1_704_067_200;
const TO: i64 = 1_861_920_000;

fn holidays() -> &'static HolidayCalendar {
    static CALENDAR: OnceLock<HolidayCalendar> = OnceLock::new();
    CALENDAR.get_or_init(|| HolidayCalendar::colombia(2023..=2030).expect("years in range"))
}

fn instant(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).expect("test instant in range")
}

fn any_window() -> impl Strategy<Value = LocalWindow> {
    (0u16..1440, 1u16..=1440).prop_map(|(start, len)| {
        let end = (start + len).min(1440);
        LocalWindow::parse(&format!(
            "{:02}:{:02}-{:02}:{:02}",
            start / 60,
            start % 60,
            end / 60,
            end % 60
        ))
        .expect("generated window is valid")
    })
}

fn any_policy() -> impl Strategy<Value = ContactPolicy> {
    let limit = proptest::option::of(1u32..4).prop_map(|m| m.and_then(NonZeroU32::new));
    (
        proptest::array::uniform7(proptest::option::weighted(0.8, any_window())),
        any::<bool>(),
        limit.clone(),
        limit,
        0u32..12,
    )
        .prop_map(|(hours, closed, per_day, per_week, min_days)| {
            let days = [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Sat,
                Weekday::Sun,
            ];
            days.into_iter()
                .zip(hours)
                .fold(ContactPolicy::unrestricted(), |p, (d, h)| {
                    p.with_hours(d, h)
                })
                .with_holidays_closed(closed)
                .with_max_per_day(per_day)
                .with_max_per_week(per_week)
                .with_min_days_between(min_days)
        })
}

/// A zone, a policy, a debtor window, a history within three weeks of the instant, the instant.
fn any_case() -> impl Strategy<
    Value = (
        Tz,
        ContactPolicy,
        Option<LocalWindow>,
        Vec<DateTime<Utc>>,
        DateTime<Utc>,
    ),
> {
    (
        0..ZONES.len(),
        any_policy(),
        proptest::option::of(any_window()),
        FROM..TO,
        proptest::collection::vec(-21 * 86_400i64..21 * 86_400, 0..6),
    )
        .prop_map(|(zone, policy, window, at, offsets)| {
            let history = offsets.iter().map(|o| instant(at + o)).collect();
            (ZONES[zone], policy, window, history, instant(at))
        })
}

/// Instants where the zone at the same index changes offset (2026), to aim cases at DST.
const TRANSITIONS: [(Tz, i64); 6] = [
    (Tz::Europe__Madrid, 1_774_746_000), // 2026-03-29T01:00:00Z, forward
    (Tz::Europe__Madrid, 1_792_890_000), // 2026-10-25T01:00:00Z, back
    (Tz::America__Santiago, 1_775_358_000), // 2026-04-05T03:00:00Z, back at local midnight
    (Tz::America__Santiago, 1_788_667_200), // 2026-09-06T04:00:00Z, forward at local midnight
    (Tz::Pacific__Auckland, 1_775_311_200), // 2026-04-04T14:00:00Z, back
    (Tz::Pacific__Auckland, 1_790_431_200), // 2026-09-26T14:00:00Z, forward
];

/// Like [`any_case`], within two days of a daylight-saving change.
fn any_case_near_dst() -> impl Strategy<
    Value = (
        Tz,
        ContactPolicy,
        Option<LocalWindow>,
        Vec<DateTime<Utc>>,
        DateTime<Utc>,
    ),
> {
    (
        0..TRANSITIONS.len(),
        any_policy(),
        proptest::option::of(any_window()),
        -2 * 86_400i64..2 * 86_400,
        proptest::collection::vec(-3 * 86_400i64..3 * 86_400, 0..4),
    )
        .prop_map(|(i, policy, window, delta, offsets)| {
            let (tz, change) = TRANSITIONS[i];
            let at = change + delta;
            let history = offsets.iter().map(|o| instant(at + o)).collect();
            (tz, policy, window, history, instant(at))
        })
}

/// Checks every rule from scratch, the plain way, without the evaluator's shortcuts.
fn breaks_no_rule(ctx: &ContactContext<'_>, at: DateTime<Utc>) -> Result<(), String> {
    let tz = ctx.time_zone;
    let local = at.with_timezone(&tz).naive_local();
    let (date, time) = (local.date(), local.time());
    let dates: Vec<_> = ctx
        .history
        .iter()
        .map(|t| t.with_timezone(&tz).date_naive())
        .collect();
    let policy = ctx.policy;
    let hours = policy.hours_on(date.weekday()).ok_or("closed day")?;
    if !hours.contains(time) {
        return Err(format!("{time} outside {hours}"));
    }
    if ctx.debtor_window.is_some_and(|w| !w.contains(time)) {
        return Err(format!("{time} outside the debtor window"));
    }
    if policy.is_closed_on_holidays() && ctx.holidays.contains(date) {
        return Err(format!("{date} is a holiday"));
    }
    let same_day = dates.iter().filter(|d| **d == date).count() as u32;
    if policy.max_per_day().is_some_and(|max| same_day >= max) {
        return Err(format!("{same_day} contacts on {date}"));
    }
    let same_week = dates
        .iter()
        .filter(|d| d.iso_week() == date.iso_week())
        .count() as u32;
    if policy.max_per_week().is_some_and(|max| same_week >= max) {
        return Err(format!("{same_week} contacts in the week of {date}"));
    }
    let min = i64::from(policy.min_days_between());
    if let Some(d) = dates.iter().find(|d| (**d - date).num_days().abs() < min) {
        return Err(format!(
            "contact on {d} is fewer than {min} days from {date}"
        ));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn an_allowed_contact_breaks_no_rule_and_a_refused_one_breaks_one(
        (tz, policy, window, history, at) in prop_oneof![any_case(), any_case_near_dst()]
    ) {
        let ctx = ContactContext { time_zone: tz, policy: &policy, holidays: holidays(), debtor_window: window, history: &history };
        let decision = ctx.decide(at);
        prop_assert_eq!(decision.is_allowed(), breaks_no_rule(&ctx, at).is_ok(), "{}", decision);
    }

    #[test]
    fn deciding_at_the_next_allowed_moment_is_allowed_and_nothing_earlier_is(
        (tz, policy, window, history, at) in prop_oneof![any_case(), any_case_near_dst()],
        fractions in proptest::collection::vec(0.0f64..1.0, 4),
    ) {
        let ctx = ContactContext { time_zone: tz, policy: &policy, holidays: holidays(), debtor_window: window, history: &history };
        let decision = ctx.decide(at);
        let next = ctx.next_allowed(at);
        match &decision {
            Decision::Allowed => prop_assert_eq!(next, Some(at)),
            Decision::Refused { next_allowed, .. } => prop_assert_eq!(*next_allowed, next),
        }
        if let Some(t) = next {
            prop_assert!(t >= at);
            prop_assert!(ctx.decide(t).is_allowed(), "at {} next {} is refused: {}", at, t, ctx.decide(t));
            prop_assert!(breaks_no_rule(&ctx, t).is_ok());
            let span = (t - at).num_seconds();
            let earlier = fractions.iter().map(|f| at + TimeDelta::seconds((span as f64 * f) as i64));
            for u in earlier.chain((span > 0).then(|| t - TimeDelta::seconds(1))) {
                prop_assert!(u >= t || !ctx.decide(u).is_allowed(), "{} is allowed before {}", u, t);
            }
        }
    }

    #[test]
    fn a_decision_never_panics_for_any_representable_instant(
        (tz, policy, window, _, _) in any_case(),
        at in DateTime::<Utc>::MIN_UTC.timestamp()..=DateTime::<Utc>::MAX_UTC.timestamp(),
        offsets in proptest::collection::vec(any::<i64>(), 0..4),
    ) {
        let at = instant(at);
        let history: Vec<_> = offsets
            .iter()
            .filter_map(|o| at.timestamp().checked_add(o % (400 * 86_400)))
            .filter_map(|s| DateTime::from_timestamp(s, 0))
            .collect();
        let ctx = ContactContext { time_zone: tz, policy: &policy, holidays: holidays(), debtor_window: window, history: &history };
        let decision = ctx.decide(at);
        let json = serde_json::to_string(&decision).expect("decision serializes");
        let back: Decision = serde_json::from_str(&json).expect("decision deserializes");
        prop_assert_eq!(back, decision);
    }
}
