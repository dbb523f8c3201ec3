//! Benchmarks of the pure core: events folded per second, batch verification (hash chain and
//! one signature) and geofence verdicts per second. Run with `cargo bench -p terreno-shared`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;
use std::hint::black_box;
use terreno_shared::ids::{DeviceId, VisitId};
use terreno_shared::model::VisitStatus;
use terreno_shared::sync::payload::{FieldValue, Payload, StatusChange, encode};
use terreno_shared::sync::{DeviceKey, Event, LogHead, PushBatch, State};
use uuid::Uuid;

#[path = "geofence.rs"]
mod geofence;

/// A realistic mix: answers and fields (70 %), status moves (20 %), GPS fixes (10 %), written by
/// four devices over 2,000 visits.
fn events(n: usize) -> Vec<Event> {
    let mut heads: Vec<LogHead> = (0..4u128)
        .map(|d| LogHead::new(DeviceId::from_uuid(Uuid::from_u128(0xd0 + d))))
        .collect();
    let fix = Payload::Fix(
        serde_json::from_value(json!({
            "t": "2026-11-24T13:00:00Z", "lat": 4.6076527, "lon": -74.1218349,
            "accuracy_m": 8.9, "speed_ms": 1.2, "battery": 0.97, "mock": false
        }))
        .expect("valid fix"),
    );
    (0..n)
        .map(|i| {
            let visit = VisitId::from_uuid(Uuid::from_u128(0x1_0000 + (i % 2_000) as u128));
            let p = match i % 10 {
                0 => fix.clone(),
                1 | 2 => Payload::StatusSet(
                    visit,
                    StatusChange {
                        status: VisitStatus::ALL[i % 5],
                        epoch: 0,
                    },
                ),
                k => Payload::FieldSet(
                    *visit.as_uuid(),
                    format!("q{k}"),
                    FieldValue { value: json!(i) },
                ),
            };
            let draft = encode(&p).expect("current payload");
            heads[i % 4]
                .append(draft, 1_764_000_000_000 + i as i64)
                .expect("valid event")
        })
        .collect()
}

fn fold(c: &mut Criterion) {
    let mut g = c.benchmark_group("fold");
    for n in [10_000usize, 100_000] {
        let evs = events(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &evs, |b, evs| {
            b.iter(|| black_box(State::fold(evs)))
        });
    }
    g.finish();
}

fn verify_batch(c: &mut Criterion) {
    let key = DeviceKey::from_seed(&[7; 32]).expect("seed");
    let mut head = LogHead::new(DeviceId::from_uuid(Uuid::from_u128(1)));
    let evs: Vec<Event> = events(1_000)
        .into_iter()
        .enumerate()
        .map(|(i, e)| head.append(e.draft().clone(), i as i64).expect("valid"))
        .collect();
    let batch = PushBatch::seal(&evs, &key).expect("sealed");
    let pk = key.public_key();
    let mut g = c.benchmark_group("verify_batch");
    g.throughput(Throughput::Elements(evs.len() as u64));
    g.bench_function("1000_events", |b| {
        b.iter(|| black_box(batch.verify(&pk, 5_000, None).expect("valid batch")))
    });
    g.finish();
}

criterion_group!(
    benches,
    fold,
    verify_batch,
    geofence::bench_verdict,
    geofence::bench_track_filter
);
criterion_main!(benches);
