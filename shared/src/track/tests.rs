//! Tests of the track filter: one table of bad-fix kinds, the anchor and recovery rules,
//! simplification, and a property test over arbitrary tracks.

use super::*;
use crate::model::GeoPoint;
use chrono::TimeZone;
use proptest::prelude::*;

const M_PER_DEG: f64 = 111_195.0;

/// A fix `secs` after 13:00 UTC, `north_m`/`east_m` metres from a Bogotá point.
fn fix(secs: i64, north_m: f64, east_m: f64, accuracy_m: f64) -> Fix {
    let t = Utc.with_ymd_and_hms(2026, 11, 24, 13, 0, 0).unwrap() + chrono::Duration::seconds(secs);
    let lat = 4.6 + north_m / M_PER_DEG;
    let lon = -74.1 + east_m / (M_PER_DEG * 4.6_f64.to_radians().cos());
    Fix::new(t, GeoPoint::parse(lat, lon).unwrap(), accuracy_m).unwrap()
}

fn dirty(flags: &[FixFlags]) -> Vec<usize> {
    (0..flags.len()).filter(|&i| !flags[i].is_clean()).collect()
}

#[test]
fn each_kind_of_bad_fix_gets_its_own_flag_and_only_it() {
    let walk = |i: i64| fix(i * 5, 0.0, i as f64 * 7.0, 10.0);
    let cases: Vec<(&str, Fix, FixFlags)> = vec![
        ("good", walk(3), FixFlags::default()),
        (
            "imprecise",
            fix(15, 0.0, 21.0, 80.0),
            FixFlags {
                poor_accuracy: true,
                ..FixFlags::default()
            },
        ),
        (
            "mock",
            walk(3).with_mock(true),
            FixFlags {
                mock: true,
                ..FixFlags::default()
            },
        ),
        (
            "jump",
            fix(15, 400.0, 21.0, 5.0),
            FixFlags {
                speed_outlier: true,
                ..FixFlags::default()
            },
        ),
        (
            "backwards",
            fix(5, 0.0, 14.0, 10.0),
            FixFlags {
                time_disorder: true,
                ..FixFlags::default()
            },
        ),
        (
            "duplicate time",
            fix(10, 0.0, 14.0, 10.0),
            FixFlags {
                time_disorder: true,
                ..FixFlags::default()
            },
        ),
    ];
    for (name, probe, want) in cases {
        let track = [walk(0), walk(1), walk(2), probe, walk(4)];
        let flags = flag(&track, &TrackPolicy::default());
        assert_eq!(flags.len(), track.len(), "{name}");
        assert_eq!(flags[3], want, "{name}");
        let expected = if want.is_clean() { vec![] } else { vec![3] };
        assert_eq!(dirty(&flags), expected, "{name}: only the probe is flagged");
    }
}

#[test]
fn the_good_fix_after_an_outlier_is_compared_with_the_last_clean_fix() {
    // The outlier claims 5 m accuracy, so only its speed gives it away; the fix after it is
    // as far from the outlier as the outlier was from the track, yet it is clean.
    let track = [
        fix(0, 0.0, 0.0, 5.0),
        fix(5, 300.0, 0.0, 5.0),
        fix(10, 0.0, 20.0, 5.0),
    ];
    assert_eq!(dirty(&flag(&track, &TrackPolicy::default())), vec![1]);
}

#[test]
fn a_track_that_really_moved_recovers_once_the_jump_is_plausible() {
    // Signal lost, then found 1 km away: 1000 m needs 20 s at 50 m/s (plus 10 m of accuracy).
    let track = [
        fix(0, 0.0, 0.0, 5.0),
        fix(5, 1000.0, 0.0, 5.0),
        fix(10, 1000.0, 0.0, 5.0),
        fix(25, 1000.0, 0.0, 5.0),
    ];
    assert_eq!(dirty(&flag(&track, &TrackPolicy::default())), vec![1, 2]);
}

#[test]
fn implied_speed_forgives_what_the_accuracy_radii_explain() {
    let (a, b) = (fix(0, 0.0, 0.0, 20.0), fix(1, 0.0, 60.0, 20.0));
    assert!((implied_speed_ms(&a, &b).unwrap() - 20.0).abs() < 0.5);
    assert_eq!(implied_speed_ms(&a, &fix(1, 0.0, 30.0, 20.0)), Some(0.0));
    assert_eq!(implied_speed_ms(&b, &a), None, "no speed backwards in time");
    assert_eq!(implied_speed_ms(&a, &a), None, "no speed over zero seconds");
}

#[test]
fn the_policy_takes_defaults_from_json_and_refuses_nonsense() {
    let p: TrackPolicy = serde_json::from_str(r#"{"max_speed_ms": 30}"#).unwrap();
    assert_eq!((p.max_accuracy_m(), p.max_speed_ms()), (50.0, 30.0));
    assert_eq!(
        serde_json::from_str::<TrackPolicy>("{}").unwrap(),
        TrackPolicy::default()
    );
    for bad in [
        r#"{"max_speed_ms": 0}"#,
        r#"{"max_accuracy_m": -1}"#,
        r#"{"max_speed": 1}"#,
    ] {
        assert!(serde_json::from_str::<TrackPolicy>(bad).is_err(), "{bad}");
    }
}

#[test]
fn simplify_keeps_the_corners_of_clean_fixes_only() {
    // An L: east 100 m in 10 m steps, then north 100 m; fix 3 is an imprecise outlier.
    let mut track: Vec<Fix> = (0..=10)
        .map(|i| fix(i * 5, 0.0, i as f64 * 10.0, 5.0))
        .collect();
    track.extend((1..=10).map(|i| fix(50 + i * 5, i as f64 * 10.0, 100.0, 5.0)));
    track[3] = fix(15, 60.0, 30.0, 90.0);
    let flags = flag(&track, &TrackPolicy::default());
    assert_eq!(simplify(&track, &flags, 2.0), vec![0, 10, 20]);
    let all_clean: Vec<usize> = (0..track.len()).filter(|&i| i != 3).collect();
    assert_eq!(simplify(&track, &flags, 0.0), all_clean);
    assert_eq!(simplify(&track, &flags, f64::NAN), all_clean);
    assert_eq!(simplify(&[], &[], 5.0), Vec::<usize>::new());
}

proptest! {
    #[test]
    fn flag_returns_one_flag_per_fix_and_never_panics(
        // A narrow time range, so repeated and backwards timestamps are common.
        raw in prop::collection::vec(
            (-60i64..60, -90.0f64..90.0, -180.0f64..180.0, 0.0f64..500.0, any::<bool>()),
            0..40,
        )
    ) {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 24, 13, 0, 0).unwrap();
        let fixes: Vec<Fix> = raw
            .iter()
            .map(|&(s, lat, lon, acc, mock)| {
                let p = GeoPoint::parse(lat, lon).unwrap();
                let t = t0 + chrono::Duration::seconds(s);
                Fix::new(t, p, acc).unwrap().with_mock(mock)
            })
            .collect();
        let flags = flag(&fixes, &TrackPolicy::default());
        prop_assert_eq!(flags.len(), fixes.len());
        let kept = simplify(&fixes, &flags, 10.0);
        prop_assert!(kept.windows(2).all(|w| w[0] < w[1]));
        prop_assert!(kept.iter().all(|&i| flags[i].is_clean()));
    }
}
