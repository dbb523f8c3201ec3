//! The geofence and the track filter against `track_day.jsonl`: one collector's afternoon with
//! five 10-minute stops, 18 imprecise outliers and 12 mock fixes (fixtures/README.md). Skips
//! (or fails under CI) when the fixtures folder is absent.

mod common;

use terreno_shared::geofence::{GeofencePolicy, Reason, Verdict, verdict};
use terreno_shared::model::{Fix, GeoPoint};
use terreno_shared::track::{self, TrackPolicy};

/// `gestor.ramirez`'s five stops, in visiting order, as in `route_basic.csv`.
const STOPS: [(&str, f64, f64); 5] = [
    ("CL-100000", 4.60772, -74.121898),
    ("CL-100004", 4.740033, -74.052467),
    ("CL-100008", 4.566221, -74.118854),
    ("CL-100012", 4.564588, -74.050039),
    ("CL-100016", 4.730316, -74.125612),
];

fn point(lat: f64, lon: f64) -> GeoPoint {
    GeoPoint::parse(lat, lon).expect("stop coordinates are valid")
}

/// Ground truth of the fixture: an outlier is imprecise (over 50 m) or mock.
fn is_bad(f: &Fix) -> bool {
    f.accuracy_m() > 50.0 || f.is_mock()
}

fn load(test: &str) -> Option<Vec<Fix>> {
    let dir = common::fixtures_dir(test)?;
    let fixes = common::read_track(&dir.join("track_day.jsonl"));
    assert_eq!(fixes.len(), 2240, "the fixture's documented size");
    Some(fixes)
}

/// Dwells found from the ground-truth-good fixes alone: runs staying within 40 m of their first
/// fix, without a 30 s gap, for at least 5 minutes. Returns (first, last) fix indices.
fn dwells(fixes: &[Fix]) -> Vec<(usize, usize)> {
    let good: Vec<usize> = (0..fixes.len()).filter(|&i| !is_bad(&fixes[i])).collect();
    let mut found = Vec::new();
    let mut k = 0;
    while k < good.len() {
        let start = &fixes[good[k]];
        let mut end = k;
        while end + 1 < good.len() {
            let next = &fixes[good[end + 1]];
            let gap = (next.time() - fixes[good[end]].time()).num_seconds();
            if gap > 30 || next.point().distance_m(&start.point()) > 40.0 {
                break;
            }
            end += 1;
        }
        if (fixes[good[end]].time() - start.time()).num_seconds() >= 300 {
            found.push((good[k], good[end]));
        }
        k = end + 1;
    }
    found
}

/// Each dwell with the stop it happened at (the nearest stop, asserted within 30 m).
fn stops_visited(fixes: &[Fix]) -> Vec<(usize, usize, usize)> {
    dwells(fixes)
        .into_iter()
        .map(|(a, b)| {
            let here = fixes[(a + b) / 2].point();
            let (stop, d) = STOPS
                .iter()
                .map(|&(_, lat, lon)| here.distance_m(&point(lat, lon)))
                .enumerate()
                .min_by(|x, y| x.1.total_cmp(&y.1))
                .expect("five stops");
            assert!(d < 30.0, "dwell {a}..{b} is {d:.0} m from the nearest stop");
            (stop, a, b)
        })
        .collect()
}

#[test]
fn the_collector_dwells_at_the_five_stops_in_order() {
    let Some(fixes) = load("the_collector_dwells_at_the_five_stops_in_order") else {
        return;
    };
    let order: Vec<usize> = stops_visited(&fixes).iter().map(|s| s.0).collect();
    assert_eq!(order, [0, 1, 2, 3, 4]);
}

#[test]
fn a_check_in_during_each_dwell_is_allowed() {
    let Some(fixes) = load("a_check_in_during_each_dwell_is_allowed") else {
        return;
    };
    let policy = GeofencePolicy::default();
    for (stop, first, last) in stops_visited(&fixes) {
        let (id, lat, lon) = STOPS[stop];
        // Every instant from 30 s after arriving to the last fix there: the whole fixture goes
        // in, as a caller holding the day's track would pass it.
        for f in &fixes[first + 6..=last] {
            let v = verdict(Some(point(lat, lon)), &policy, &fixes, f.time());
            assert!(
                matches!(v, Verdict::Allowed { .. }),
                "{id} at {}: {v:?}",
                f.time()
            );
        }
    }
}

#[test]
fn a_check_in_claimed_among_the_mock_fixes_is_refused() {
    let Some(fixes) = load("a_check_in_claimed_among_the_mock_fixes_is_refused") else {
        return;
    };
    let mocks: Vec<&Fix> = fixes.iter().filter(|f| f.is_mock()).collect();
    assert_eq!(mocks.len(), 12);
    let (_, lat, lon) = STOPS[2];
    for m in mocks {
        for target in [point(lat, lon), m.point()] {
            let v = verdict(Some(target), &GeofencePolicy::default(), &fixes, m.time());
            assert!(v.reasons().contains(&Reason::MockProvider), "{v:?}");
        }
    }
}

#[test]
fn a_check_in_300_m_from_the_collector_is_refused_as_too_far() {
    let Some(fixes) = load("a_check_in_300_m_from_the_collector_is_refused_as_too_far") else {
        return;
    };
    for (stop, first, last) in stops_visited(&fixes) {
        let (id, lat, lon) = STOPS[stop];
        let elsewhere = point(lat + 300.0 / 110_580.0, lon); // 300 m north at Bogotá's latitude
        assert!((elsewhere.distance_m(&point(lat, lon)) - 300.0).abs() < 1.0);
        let now = fixes[(first + last) / 2].time();
        let v = verdict(Some(elsewhere), &GeofencePolicy::default(), &fixes, now);
        match v.reasons() {
            [Reason::OutsideRadius { distance_m, .. }] => {
                assert!((distance_m - 300.0).abs() < 25.0, "{id}: {distance_m}")
            }
            _ => panic!("{id}: {v:?}"),
        }
    }
}

#[test]
fn the_track_filter_flags_exactly_the_outliers_and_the_mock_fixes() {
    let Some(fixes) = load("the_track_filter_flags_exactly_the_outliers_and_the_mock_fixes") else {
        return;
    };
    let flags = track::flag(&fixes, &TrackPolicy::default());
    assert_eq!(flags.len(), fixes.len());

    let (mut tp, mut fp, mut fn_, mut tn) = (0, 0, 0, 0);
    for (f, fl) in fixes.iter().zip(&flags) {
        match (is_bad(f), !fl.is_clean()) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fn_ += 1,
            (false, false) => tn += 1,
        }
    }
    eprintln!("track filter on track_day.jsonl: TP {tp}, FP {fp}, FN {fn_}, TN {tn}");
    assert_eq!((fp, fn_), (0, 0));
    assert_eq!(tp, 30, "18 imprecise outliers and 12 mock fixes");
    let mock_flags = flags.iter().filter(|f| f.mock).count();
    let imprecise = flags.iter().filter(|f| f.poor_accuracy).count();
    assert_eq!((mock_flags, imprecise), (12, 18));

    let kept = track::simplify(&fixes, &flags, 10.0);
    eprintln!(
        "simplified at 10 m: {} of {} fixes kept",
        kept.len(),
        fixes.len()
    );
    assert!(kept.iter().all(|&i| flags[i].is_clean()));
    assert!(kept.len() > 10 && kept.len() < fixes.len() / 2);
}
