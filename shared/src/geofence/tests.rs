//! Tests of the check-in verdict: one table of refusals, the inside/outside rule at its edges,
//! the evidence window, location capture, the policy's validation and the wire format.

use super::*;
use chrono::{Duration, TimeZone};
use proptest::prelude::*;

/// Metres per degree of latitude at the debtor's 4.6° N (the meridian arc, WGS84).
const M_PER_DEG: f64 = 110_580.0;

fn at(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 13, 0, 0).unwrap() + Duration::seconds(secs)
}

fn debtor() -> GeoPoint {
    GeoPoint::parse(4.6, -74.1).unwrap()
}

/// A fix at `secs`, `north_m` metres north of the debtor.
fn fix(secs: i64, north_m: f64, accuracy_m: f64) -> Fix {
    let p = GeoPoint::parse(4.6 + north_m / M_PER_DEG, -74.1).unwrap();
    Fix::new(at(secs), p, accuracy_m).unwrap()
}

/// Fixes every 5 s from `from` to `to` (inclusive), `north_m` from the debtor, 10 m accuracy.
fn dwell(from: i64, to: i64, north_m: f64) -> Vec<Fix> {
    (from..=to)
        .step_by(5)
        .map(|s| fix(s, north_m, 10.0))
        .collect()
}

fn judge(fixes: &[Fix], now: i64) -> Verdict {
    verdict(Some(debtor()), &GeofencePolicy::default(), fixes, at(now))
}

/// The serialized tags of a verdict's reasons, e.g. `["mock_provider"]`.
fn tags(v: &Verdict) -> Vec<String> {
    v.reasons()
        .iter()
        .map(|r| {
            serde_json::to_value(r).unwrap()["reason"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn a_collector_who_dwelt_at_the_door_is_allowed() {
    let v = judge(&dwell(0, 60, 5.0), 60);
    let Verdict::Allowed {
        distance_m,
        accuracy_m,
        fixes_used,
        dwell_secs,
    } = v
    else {
        panic!("{v:?}");
    };
    assert!((distance_m - 5.0).abs() < 0.1);
    assert_eq!((accuracy_m, fixes_used, dwell_secs), (10.0, 13, 60.0));
}

#[test]
fn each_kind_of_bad_evidence_is_refused_with_its_reason() {
    let with = |mut base: Vec<Fix>, extra: Fix| {
        base.push(extra);
        base
    };
    let cases: Vec<(&str, Vec<Fix>, i64, Vec<&str>)> = vec![
        ("no fixes at all", vec![], 60, vec!["no_fixes"]),
        (
            "only fixes after the check-in",
            dwell(100, 160, 5.0),
            60,
            vec!["no_fixes"],
        ),
        (
            "last fix 150 s ago",
            dwell(0, 60, 5.0),
            210,
            vec!["stale_fix"],
        ),
        (
            "a mock fix among good ones",
            with(dwell(0, 60, 5.0), fix(62, 5.0, 3.0).with_mock(true)),
            65,
            vec!["mock_provider"],
        ),
        (
            "only imprecise fixes",
            (0..=60).step_by(5).map(|s| fix(s, 5.0, 80.0)).collect(),
            60,
            vec!["poor_accuracy"],
        ),
        (
            "a precise fix 2 km away",
            with(dwell(0, 60, 5.0), fix(62, 2000.0, 5.0)),
            62,
            vec!["teleport"],
        ),
        (
            "standing 300 m away",
            dwell(0, 60, 300.0),
            60,
            vec!["outside_radius"],
        ),
        (
            "just arrived",
            with(dwell(0, 30, 300.0), fix(55, 5.0, 10.0)),
            55,
            vec!["insufficient_dwell"],
        ),
    ];
    for (name, fixes, now, want) in cases {
        let v = judge(&fixes, now);
        let want: Vec<String> = want.into_iter().map(String::from).collect();
        assert_eq!(tags(&v), want, "{name}: {v:?}");
        assert!(!v.is_accepted(), "{name}");
    }
}

#[test]
fn a_fix_from_a_mock_provider_is_refused() {
    let mut fixes = dwell(0, 60, 5.0);
    fixes[6] = fixes[6].clone().with_mock(true);
    assert_eq!(tags(&judge(&fixes, 60)), ["mock_provider"]);
}

#[test]
fn the_whole_accuracy_circle_must_be_inside_the_fence() {
    // (distance, accuracy, allowed, reported distance when refused)
    for (north_m, accuracy_m, allowed) in [
        (80.0, 15.0, true),   // 95 <= 100: inside
        (90.0, 15.0, false),  // straddles: no proof of presence
        (120.0, 15.0, false), // straddles: no proof of absence either
        (130.0, 15.0, false), // outside
        (0.0, 49.0, true),    // imprecise but centred
    ] {
        let fixes: Vec<Fix> = (0..=60)
            .step_by(5)
            .map(|s| fix(s, north_m, accuracy_m))
            .collect();
        let v = judge(&fixes, 60);
        assert_eq!(v.is_accepted(), allowed, "{north_m} m ±{accuracy_m}: {v:?}");
        if let [
            Reason::OutsideRadius {
                distance_m,
                radius_m,
            },
        ] = v.reasons()
        {
            assert!((distance_m - north_m).abs() < 0.1 && *radius_m == 100.0);
        } else {
            assert!(allowed, "{v:?}");
        }
    }
}

#[test]
fn straddling_fixes_do_not_end_the_stay_but_outside_ones_do() {
    let mut fixes = dwell(0, 40, 5.0);
    fixes.extend(dwell(45, 60, 95.0)); // straddling at the end: the dwell before still counts
    assert!(judge(&fixes, 60).is_accepted());

    let mut drive_by = dwell(0, 20, 5.0);
    drive_by.extend(dwell(45, 60, 300.0)); // was inside, now clearly gone
    assert_eq!(tags(&judge(&drive_by, 60)), ["outside_radius"]);
}

#[test]
fn an_imprecise_outlier_minutes_earlier_does_not_refuse_the_check_in() {
    let mut fixes = dwell(0, 170, 5.0);
    fixes[10] = fix(50, 400.0, 150.0); // 400 m jump, 150 m accuracy
    fixes[20] = fix(100, 400.0, 10.0); // a precise-claiming 400 m jump: no noise explains it
    let v = judge(&fixes, 170);
    assert_eq!(tags(&v), ["teleport"], "a precise jump is still a teleport");
    fixes[20] = fix(100, 5.0, 10.0);
    assert!(judge(&fixes, 170).is_accepted());
}

#[test]
fn fixes_after_the_check_in_and_input_order_do_not_matter() {
    let mut fixes = dwell(0, 60, 5.0);
    fixes.extend(
        dwell(65, 120, 3000.0)
            .into_iter()
            .map(|f| f.with_mock(true)),
    );
    let forward = judge(&fixes, 60);
    fixes.reverse();
    assert_eq!(judge(&fixes, 60), forward);
    assert!(forward.is_accepted());
}

#[test]
fn a_debtor_without_a_location_gets_a_proposed_one_from_the_dwell() {
    // Alternating precise fixes on the debtor and imprecise ones 20 m north.
    let fixes: Vec<Fix> = (0..=60)
        .step_by(5)
        .map(|s| {
            if s % 10 == 0 {
                fix(s, 0.0, 5.0)
            } else {
                fix(s, 20.0, 20.0)
            }
        })
        .collect();
    let v = verdict(None, &GeofencePolicy::default(), &fixes, at(60));
    let Verdict::LocationCapture {
        proposed,
        accuracy_m,
        fixes_used,
        dwell_secs,
    } = v
    else {
        panic!("{v:?}");
    };
    // Seven fixes weigh 1/25, six weigh 1/400: the mean sits 20 * (6/400) / (7/25 + 6/400)
    // = 1.02 m north.
    assert!(
        (proposed.distance_m(&debtor()) - 1.02).abs() < 0.02,
        "{proposed:?}"
    );
    assert!(accuracy_m > 5.0 && accuracy_m < 20.0);
    assert_eq!((fixes_used, dwell_secs), (13, 60.0));

    let riding: Vec<Fix> = (0..=60)
        .step_by(5)
        .map(|s| fix(s, s as f64 * 10.0, 5.0))
        .collect();
    let v = verdict(None, &GeofencePolicy::default(), &riding, at(60));
    assert_eq!(tags(&v), ["insufficient_dwell"], "no capture while moving");
    let v = verdict(None, &GeofencePolicy::default(), &[], at(60));
    assert_eq!(tags(&v), ["no_fixes"]);
}

#[test]
fn the_policy_takes_defaults_from_json_and_refuses_impossible_settings() {
    let p: GeofencePolicy = serde_json::from_str(r#"{"radius_m": 150}"#).unwrap();
    assert_eq!(
        (p.radius_m(), p.max_accuracy_m(), p.window_secs()),
        (150.0, 50.0, 180.0)
    );
    assert_eq!(
        GeofencePolicy::parse(RawGeofencePolicy::default()),
        Ok(GeofencePolicy::default())
    );
    for (json, field) in [
        (r#"{"radius_m": 0}"#, "radius_m"),
        (r#"{"max_speed_ms": -3}"#, "max_speed_ms"),
        (r#"{"max_accuracy_m": 100}"#, "max_accuracy_m"),
        (r#"{"min_dwell_fixes": 0}"#, "min_dwell_fixes"),
        (r#"{"min_dwell_secs": 200}"#, "min_dwell_secs"),
        (r#"{"max_fix_age_secs": 300}"#, "max_fix_age_secs"),
        (r#"{"radius": 100}"#, "radius"),
    ] {
        let err = serde_json::from_str::<GeofencePolicy>(json)
            .unwrap_err()
            .to_string();
        assert!(err.contains(field), "{json}: {err}");
    }
    let raw = RawGeofencePolicy {
        window_secs: f64::NAN,
        ..RawGeofencePolicy::default()
    };
    assert!(GeofencePolicy::parse(raw).is_err());
}

#[test]
fn verdicts_serialize_as_tagged_snake_case_and_read_well() {
    let v = Verdict::Refused {
        reasons: vec![
            Reason::MockProvider,
            Reason::OutsideRadius {
                distance_m: 240.4,
                radius_m: 100.0,
            },
        ],
    };
    let json = serde_json::to_string(&v).unwrap();
    let expected = concat!(
        r#"{"verdict":"refused","reasons":[{"reason":"mock_provider"},"#,
        r#"{"reason":"outside_radius","distance_m":240.4,"radius_m":100.0}]}"#
    );
    assert_eq!(json, expected);
    assert_eq!(serde_json::from_str::<Verdict>(&json).unwrap(), v);
    assert_eq!(
        v.reasons()[1].to_string(),
        "too far: 240 m from the address (limit 100 m)"
    );
    let dwell = Reason::InsufficientDwell {
        fixes: 1,
        secs: 0.0,
        min_fixes: 2,
        min_secs: 20.0,
    };
    assert_eq!(
        dwell.to_string(),
        "not long enough at the address: 1 precise fixes over 0 s (need 2 over 20 s)"
    );
}

proptest! {
    #[test]
    fn verdict_never_panics_and_a_refusal_always_says_why(
        raw in prop::collection::vec(
            (-600i64..600, -2000.0f64..2000.0, 0.0f64..300.0, prop::bool::weighted(0.1)),
            0..40,
        ),
        has_target in any::<bool>(),
        now in -700i64..700,
    ) {
        let fixes: Vec<Fix> = raw.iter().map(|&(s, n, a, m)| fix(s, n, a).with_mock(m)).collect();
        let target = has_target.then(debtor);
        let v = verdict(target, &GeofencePolicy::default(), &fixes, at(now));
        prop_assert!(v.is_accepted() || !v.reasons().is_empty());
        let captured = matches!(v, Verdict::LocationCapture { .. });
        prop_assert_eq!(captured, !has_target && v.is_accepted());
    }
}
