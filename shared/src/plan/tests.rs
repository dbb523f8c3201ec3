//! Tests of the route planner: a table of small hand-made plans (order, windows, unknown
//! locations, parameters) and properties over random days around Bogotá (a permutation, etas in
//! their windows and reachable, 2-opt never longer than nearest neighbour, determinism).

use super::*;
use chrono::{Duration, TimeZone};
use proptest::prelude::*;

/// 08:00 in Bogotá.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 13, 0, 0).unwrap()
}

fn mins(m: i64) -> DateTime<Utc> {
    now() + Duration::minutes(m)
}

/// A point `east_km` and `north_km` from 4.6° N, 74.1° W (planar is close enough at 10 km).
fn p(east_km: f64, north_km: f64) -> GeoPoint {
    GeoPoint::parse(4.6 + north_km / 110.58, -74.1 + east_km / 110.96).unwrap()
}

fn window(from_min: i64, to_min: i64) -> Option<AllowedInterval> {
    Some(AllowedInterval {
        start: mins(from_min),
        end: mins(to_min),
    })
}

/// A located stop open all day (from an hour ago to twelve hours from now).
fn open_stop(key: usize, point: GeoPoint) -> PlanStop {
    PlanStop {
        key,
        point: Some(point),
        allowed: window(-60, 720),
        next_allowed: None,
    }
}

fn keys(plan: &[PlannedStop]) -> Vec<usize> {
    plan.iter().map(|s| s.key).collect()
}

/// Travel metres along the plan's visiting sequence (keys are indices into `stops`).
fn route_m(start: Option<GeoPoint>, stops: &[PlanStop], plan: &[PlannedStop]) -> f64 {
    let mut prev = start;
    let mut total = 0.0;
    for s in plan.iter().filter(|s| s.eta().is_some()) {
        let here = stops[s.key].point.expect("visited stops are located");
        total += prev.map_or(0.0, |prev| prev.distance_m(&here));
        prev = Some(here);
    }
    total
}

/// Whether segments `ab` and `cd` (planar km) properly cross.
fn cross(a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64)) -> bool {
    let side = |p: (f64, f64), q: (f64, f64), r: (f64, f64)| {
        ((q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0)).signum()
    };
    side(a, b, c) != side(a, b, d) && side(c, d, a) != side(c, d, b)
}

/// Whether any two non-adjacent legs of the path through `pts` cross.
fn has_crossing(pts: &[(f64, f64)]) -> bool {
    (0..pts.len() - 1)
        .any(|i| (i + 2..pts.len() - 1).any(|j| cross(pts[i], pts[i + 1], pts[j], pts[j + 1])))
}

#[test]
fn an_empty_day_gives_an_empty_plan() {
    let plan = plan_route(Some(p(0.0, 0.0)), now(), &[], &PlanParams::default());
    assert!(plan.is_empty());
}

#[test]
fn one_stop_is_reached_after_the_travel_time() {
    // 1 km straight, 1.3 km of road at 6 m/s: 216.667 s, rounded to the millisecond.
    let stops = [open_stop(7, p(1.0, 0.0))];
    let plan = plan_route(Some(p(0.0, 0.0)), now(), &stops, &PlanParams::default());
    assert_eq!(keys(&plan), [7]);
    let travel = (plan[0].eta().unwrap() - now()).num_milliseconds();
    let expected = p(0.0, 0.0).distance_m(&p(1.0, 0.0)) * 1.3 / 6.0 * 1000.0;
    assert!(
        (travel as f64 - expected).abs() <= 1.0,
        "{travel} vs {expected}"
    );
}

#[test]
fn stops_on_a_line_are_visited_in_line_order_from_one_end() {
    let stops: Vec<_> = [3.0, 1.0, 4.0, 2.0]
        .iter()
        .enumerate()
        .map(|(key, &km)| open_stop(key, p(km, 0.0)))
        .collect();
    let plan = plan_route(Some(p(0.0, 0.0)), now(), &stops, &PlanParams::default());
    assert_eq!(keys(&plan), [1, 3, 0, 2]);
    let etas: Vec<_> = plan.iter().map(|s| s.eta().unwrap()).collect();
    assert!(etas.windows(2).all(|w| w[0] < w[1]), "{etas:?}");
}

#[test]
fn two_opt_uncrosses_the_nearest_neighbour_tour() {
    let start = (0.0, 0.0);
    let pts = [(7.0, 7.3), (2.4, 1.5), (5.2, 6.1), (7.8, 0.6), (1.8, 8.8)];
    let stops: Vec<_> = pts
        .iter()
        .enumerate()
        .map(|(key, &(e, n))| open_stop(key, p(e, n)))
        .collect();
    let from = Some(p(start.0, start.1));
    let params = PlanParams::default();
    let nn = nearest_neighbour_route(from, now(), &stops, &params);
    let improved = plan_route(from, now(), &stops, &params);
    let path = |plan: &[PlannedStop]| {
        let mut path = vec![start];
        path.extend(plan.iter().map(|s| pts[s.key]));
        path
    };
    assert_eq!(keys(&nn), [1, 2, 0, 4, 3]);
    assert!(has_crossing(&path(&nn)));
    assert!(!has_crossing(&path(&improved)), "{:?}", keys(&improved));
    assert!(route_m(from, &stops, &improved) < route_m(from, &stops, &nn) - 1000.0);
}

#[test]
fn a_closed_window_puts_the_stop_in_not_now_with_its_next_allowed() {
    let tomorrow = mins(24 * 60);
    let stops = [
        PlanStop {
            allowed: window(-120, -1),
            next_allowed: Some(tomorrow),
            ..open_stop(0, p(1.0, 0.0))
        },
        open_stop(1, p(2.0, 0.0)),
    ];
    let plan = plan_route(Some(p(0.0, 0.0)), now(), &stops, &PlanParams::default());
    assert_eq!(keys(&plan), [1, 0]);
    let expected = Placement::NotNow {
        next_allowed: Some(tomorrow),
    };
    assert_eq!(plan[1].placement, expected);
}

#[test]
fn a_window_the_route_cannot_reach_in_time_is_not_now() {
    // 20 km is over an hour away at 6 m/s; the window closes in 30 minutes.
    let stops = [PlanStop {
        allowed: window(0, 30),
        ..open_stop(0, p(20.0, 0.0))
    }];
    let plan = plan_route(Some(p(0.0, 0.0)), now(), &stops, &PlanParams::default());
    assert!(!plan[0].is_doable());
}

#[test]
fn a_stop_opening_later_is_visited_when_it_opens() {
    let stops = [
        PlanStop {
            allowed: window(180, 240),
            ..open_stop(0, p(0.5, 0.0))
        },
        open_stop(1, p(3.0, 0.0)),
    ];
    let plan = plan_route(Some(p(0.0, 0.0)), now(), &stops, &PlanParams::default());
    // The far open stop first (it can start sooner), then wait for the near one to open.
    assert_eq!(keys(&plan), [1, 0]);
    assert_eq!(plan[1].eta(), Some(mins(180)));
}

#[test]
fn without_a_start_the_first_stop_is_the_one_opening_first() {
    let stops = [
        open_stop(0, p(0.0, 0.0)),
        PlanStop {
            allowed: window(-120, 720),
            ..open_stop(1, p(5.0, 0.0))
        },
        open_stop(2, p(4.9, 0.0)),
    ];
    let plan = plan_route(None, now(), &stops, &PlanParams::default());
    assert_eq!(keys(&plan), [1, 2, 0]);
    assert_eq!(plan[0].eta(), Some(now()), "no travel to the first stop");
}

#[test]
fn unknown_locations_follow_the_route_in_input_order_without_an_eta() {
    let unlocated = |key| PlanStop {
        point: None,
        ..open_stop(key, p(0.0, 0.0))
    };
    let stops = [
        unlocated(0),
        open_stop(1, p(1.0, 0.0)),
        PlanStop {
            allowed: None,
            ..unlocated(2)
        },
        unlocated(3),
    ];
    let plan = plan_route(Some(p(0.0, 0.0)), now(), &stops, &PlanParams::default());
    assert_eq!(keys(&plan), [1, 0, 3, 2]);
    assert_eq!(plan[1].placement, Placement::Unlocated);
    assert_eq!(plan[1].eta(), None);
    assert!(plan[1].is_doable());
    assert!(!plan[3].is_doable(), "no window today");
}

#[test]
fn not_now_stops_are_ordered_by_next_allowed_with_unknown_last() {
    let later = |key, next: Option<i64>| PlanStop {
        allowed: None,
        next_allowed: next.map(mins),
        ..open_stop(key, p(1.0, 0.0))
    };
    let stops = [
        later(0, None),
        later(1, Some(3000)),
        later(2, Some(2000)),
        later(3, None),
        later(4, Some(2000)),
    ];
    let plan = plan_route(None, now(), &stops, &PlanParams::default());
    assert_eq!(keys(&plan), [2, 4, 1, 0, 3]);
}

#[test]
fn plan_params_refuse_impossible_values_naming_the_field() {
    for (speed, factor, service, field) in [
        (0.0, 1.3, 900.0, "travel_speed_ms"),
        (f64::NAN, 1.3, 900.0, "travel_speed_ms"),
        (6.0, 0.9, 900.0, "road_factor"),
        (6.0, f64::INFINITY, 900.0, "road_factor"),
        (6.0, 1.3, -1.0, "service_secs"),
    ] {
        let err = PlanParams::new(speed, factor, service).unwrap_err();
        assert_eq!(err.field, field);
    }
    assert_eq!(
        PlanParams::new(6.0, 1.3, 900.0).unwrap(),
        PlanParams::default()
    );
}

#[test]
fn a_few_hundred_stops_are_planned_quickly() {
    // A fixed pseudo-random scatter (an LCG, so the test is reproducible without a RNG crate).
    let mut seed: u64 = 42;
    let mut next_km = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 40) as f64 / (1u64 << 24) as f64 * 20.0 - 10.0
    };
    let stops: Vec<_> = (0..300)
        .map(|key| PlanStop {
            allowed: window(0, 7 * 24 * 60),
            ..open_stop(key, p(next_km(), next_km()))
        })
        .collect();
    let params = PlanParams::new(6.0, 1.3, 0.0).expect("valid params");
    let started = std::time::Instant::now();
    let plan = plan_route(Some(p(0.0, 0.0)), now(), &stops, &params);
    let elapsed = started.elapsed();
    assert!(plan.iter().all(PlannedStop::is_doable));
    let nn = nearest_neighbour_route(Some(p(0.0, 0.0)), now(), &stops, &params);
    eprintln!(
        "300 stops: {elapsed:?}, nn {:.0} m, 2-opt {:.0} m",
        route_m(Some(p(0.0, 0.0)), &stops, &nn),
        route_m(Some(p(0.0, 0.0)), &stops, &plan)
    );
}

/// A generated stop: (east, north) km, (opening, length) minutes from now, days to next allowed.
type RawStop = (Option<(f64, f64)>, Option<(i64, i64)>, Option<i64>);

/// A random stop: about 10 % without location, 15 % without a window today; windows open from
/// two hours ago to eight hours ahead, for ten minutes to six hours; `next_allowed` on whole days
/// so that ties happen.
fn any_stop() -> impl Strategy<Value = RawStop> {
    (
        prop::option::weighted(0.9, (-10.0..10.0f64, -10.0..10.0f64)),
        prop::option::weighted(0.85, (-120i64..480, 10i64..360)),
        prop::option::of(1i64..5),
    )
}

fn any_day() -> impl Strategy<Value = (Option<GeoPoint>, Vec<PlanStop>, PlanParams)> {
    let start = prop::option::weighted(0.8, (-10.0..10.0f64, -10.0..10.0f64));
    let params = (2.0..15.0f64, 0.0..1800.0f64);
    (start, prop::collection::vec(any_stop(), 0..30), params).prop_map(|(start, raw, params)| {
        let stops = raw
            .into_iter()
            .enumerate()
            .map(|(key, (point, win, next))| PlanStop {
                key,
                point: point.map(|(e, n)| p(e, n)),
                allowed: win.and_then(|(from, len)| window(from, from + len)),
                next_allowed: next.map(|days| mins(days * 24 * 60)),
            })
            .collect();
        let params = PlanParams::new(params.0, 1.3, params.1).expect("valid params");
        (start.map(|(e, n)| p(e, n)), stops, params)
    })
}

/// Which output group a stop is in, in output order.
fn group(s: &PlannedStop) -> u8 {
    match s.placement {
        Placement::Visit { .. } => 0,
        Placement::Unlocated => 1,
        Placement::NotNow { .. } => 2,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_plan_lists_every_stop_once_in_its_groups((start, stops, params) in any_day()) {
        let plan = plan_route(start, now(), &stops, &params);
        let mut seen = keys(&plan);
        seen.sort_unstable();
        prop_assert_eq!(seen, (0..stops.len()).collect::<Vec<_>>());
        prop_assert!(plan.windows(2).all(|w| group(&w[0]) <= group(&w[1])));
        let later: Vec<_> = plan
            .iter()
            .filter_map(|s| match s.placement {
                Placement::NotNow { next_allowed } => Some((next_allowed.is_none(), next_allowed, s.key)),
                _ => None,
            })
            .collect();
        prop_assert!(later.windows(2).all(|w| w[0] < w[1]), "{:?}", later);
    }

    #[test]
    fn every_eta_is_in_its_window_and_reachable_from_the_previous_stop(
        (start, stops, params) in any_day()
    ) {
        let plan = plan_route(start, now(), &stops, &params);
        let service = Duration::milliseconds((params.service_secs() * 1000.0).round() as i64);
        let mut prev: Option<(GeoPoint, DateTime<Utc>)> = start.map(|s| (s, now() - service));
        let mut last_eta = now();
        for s in plan.iter().filter(|s| s.eta().is_some()) {
            let eta = s.eta().unwrap();
            let stop = &stops[s.key];
            let w = stop.allowed.expect("a visited stop has a window");
            prop_assert!(w.start <= eta && eta < w.end, "{} not in {:?}", eta, w);
            prop_assert!(eta >= last_eta);
            let here = stop.point.expect("a visited stop is located");
            if let Some((from, from_eta)) = prev {
                let travel_s = from.distance_m(&here) * params.road_factor() / params.travel_speed_ms();
                let earliest = from_eta + service + Duration::milliseconds((travel_s * 1000.0) as i64);
                prop_assert!(eta >= earliest, "{} before {}", eta, earliest);
            }
            prev = Some((here, eta));
            last_eta = eta;
        }
    }

    #[test]
    fn two_opt_never_lengthens_the_route_nor_delays_the_last_visit(
        (start, stops, params) in any_day()
    ) {
        let nn = nearest_neighbour_route(start, now(), &stops, &params);
        let plan = plan_route(start, now(), &stops, &params);
        prop_assert!(route_m(start, &stops, &plan) <= route_m(start, &stops, &nn));
        let last = |plan: &[PlannedStop]| plan.iter().filter_map(PlannedStop::eta).next_back();
        prop_assert!(last(&plan) <= last(&nn));
        let visited = |plan: &[PlannedStop]| {
            let mut k: Vec<_> = plan.iter().filter(|s| s.eta().is_some()).map(|s| s.key).collect();
            k.sort_unstable();
            k
        };
        prop_assert_eq!(visited(&plan), visited(&nn));
    }

    #[test]
    fn planning_twice_gives_the_same_plan((start, stops, params) in any_day()) {
        prop_assert_eq!(
            plan_route(start, now(), &stops, &params),
            plan_route(start, now(), &stops, &params)
        );
    }
}
