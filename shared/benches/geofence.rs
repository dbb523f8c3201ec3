//! Benchmarks of the check-in verdict and the track filter, included by `benches/core.rs`.
//!
//! Inputs are synthetic but shaped like `track_day.jsonl` (a fix every 5 s, ~6 m of noise,
//! riding between 10-minute stops, an imprecise 300 m outlier now and then) and generated here,
//! so the benchmark needs no fixtures folder. The noise is a fixed hash, not a random draw, so
//! every run measures the same input.

use std::hint::black_box;

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{Criterion, Throughput};
use terreno_shared::geofence::{GeofencePolicy, verdict};
use terreno_shared::model::{Fix, GeoPoint};
use terreno_shared::track::{TrackPolicy, flag};

/// Metres per degree of latitude (and of longitude, near the equator, where Bogotá is).
const M_PER_DEG: f64 = 110_600.0;

/// Deterministic noise in [-1, 1] for sample `i` (the classic shader hash).
fn noise(i: usize, salt: f64) -> f64 {
    ((i as f64 * 12.9898 + salt).sin() * 43_758.545_3).fract()
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 13, 0, 0)
        .single()
        .expect("a valid instant")
}

/// A fix `i` steps (5 s each) after 13:00 UTC, `north_m`/`east_m` from the debtor, with noise.
fn fix(i: usize, north_m: f64, east_m: f64, accuracy_m: f64) -> Fix {
    let north = north_m + 6.0 * noise(i, 1.0);
    let east = east_m + 6.0 * noise(i, 2.0);
    let point = GeoPoint::parse(4.6 + north / M_PER_DEG, -74.1 + east / M_PER_DEG)
        .expect("Bogotá is on the map");
    Fix::new(start() + Duration::seconds(5 * i as i64), point, accuracy_m).expect("a valid fix")
}

/// `n` fixes: 10 minutes still, then 25 minutes riding east at 8 m/s, and again; every 97th
/// fix is a 300 m outlier with 150 m accuracy.
fn track(n: usize) -> Vec<Fix> {
    let mut east = 0.0;
    (0..n)
        .map(|i| {
            if i % 420 >= 120 {
                east += 40.0;
            }
            let accuracy = 10.0 + 8.0 * noise(i, 3.0).abs();
            if i % 97 == 96 {
                fix(i, 300.0, east, 150.0)
            } else {
                fix(i, 0.0, east, accuracy)
            }
        })
        .collect()
}

/// Verdicts per second for a check-in at the end of a 30-fix (2.5 minute) dwell at the door.
pub fn bench_verdict(c: &mut Criterion) {
    let fixes = track(30);
    let target = GeoPoint::parse(4.6, -74.1).expect("a valid point");
    let policy = GeofencePolicy::default();
    let now = fixes.last().map(Fix::time).expect("30 fixes");
    assert!(verdict(Some(target), &policy, &fixes, now).is_accepted());

    let mut group = c.benchmark_group("geofence");
    group.throughput(Throughput::Elements(1));
    group.bench_function("verdict_30_fixes", |b| {
        b.iter(|| verdict(black_box(Some(target)), &policy, black_box(&fixes), now))
    });
    group.bench_function("location_capture_30_fixes", |b| {
        b.iter(|| verdict(black_box(None), &policy, black_box(&fixes), now))
    });
    group.finish();
}

/// Fixes per second through the track filter, on a day-sized track of 2,240 fixes.
pub fn bench_track_filter(c: &mut Criterion) {
    let fixes = track(2_240);
    let policy = TrackPolicy::default();
    let mut group = c.benchmark_group("track");
    group.throughput(Throughput::Elements(fixes.len() as u64));
    group.bench_function("flag_2240_fixes", |b| {
        b.iter(|| flag(black_box(&fixes), &policy))
    });
    group.finish();
}
