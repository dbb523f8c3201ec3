//! Device-side benchmarks (a bench binary: figures, not pass/fail timing in unit tests):
//!
//! 1. **Durable visit step**: one answer recorded on the encrypted on-disk store (`synchronous =
//!    FULL`, so each step is an fsync'd transaction writing its row and its signed event);
//!    p50/p99 over 1,000 steps. Goal p99 ≤ 10 ms.
//! 2. **Fixes stored per second**: 100,000 fixes through the recorder in batches of 5,000 (a
//!    replay or a backlog), and in batches of 10 (what ~10 s of live 1 Hz tracking gives).
//!    Goal ≥ 50,000/s batched.
//! 3. **Sync of a 100,000-event backlog** to a real server over loopback (SQLite, release
//!    build): wall time of `Core::sync` from the first request to the last acknowledgement.
//!    Goal ≤ 10 s.
//!
//! `cargo bench -p terreno-tests --bench device`

use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use terreno_app::{Clock, Core, CoreConfig};
use terreno_shared::model::{Fix, GeoPoint};
use terreno_tests::{TempDir, TestDevice, TestServer};

fn fixes(start: DateTime<Utc>, n: usize) -> Vec<Fix> {
    (0..n)
        .map(|i| {
            let p = GeoPoint::parse(
                4.60 + (i % 1000) as f64 * 1e-5,
                -74.10 + (i / 1000) as f64 * 1e-5,
            )
            .expect("a point");
            Fix::new(
                start + TimeDelta::milliseconds(i as i64 * 1000 + 1000),
                p,
                8.0,
            )
            .expect("a fix")
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

// Long: a benchmark run read top to bottom: measure, then report.
fn main() {
    let route_dir = TempDir::new("bench-route");
    let route = route_dir.0.join("route.csv");
    std::fs::write(
        &route,
        "external_id,debtor_name,address,latitude,longitude,balance,days_past_due,collector,visit_date,contact_window\n\
         B-1,Ana Pérez,Calle 1 # 2-3,4.60,-74.10,100000,40,gestor.bench,2026-11-24,\n",
    )
    .expect("a route file");
    let server = TestServer::spawn(terreno_tests::Backend::Sqlite).expect("a server");
    server.seed(
        &route,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date"),
    );
    let start: DateTime<Utc> = "2026-11-24T13:00:00Z".parse().expect("a time");

    // 1. Durable visit step.
    let phone = TestDevice::login(&server.url(), "gestor.bench", start);
    phone.sync();
    phone.core.shift_start().expect("a shift");
    let door: Vec<Fix> = (0..30)
        .map(|i| {
            Fix::new(
                start + TimeDelta::seconds(i * 5),
                GeoPoint::parse(4.60, -74.10).expect("p"),
                5.0,
            )
            .expect("fix")
        })
        .collect();
    phone
        .at(start + TimeDelta::seconds(150))
        .record_fixes(&door)
        .expect("fixes");
    phone.core.check_in("B-1").expect("a check-in");
    let mut steps = Vec::with_capacity(1000);
    for i in 0..1000 {
        let answer = [format!("comment=note {i}")];
        let t0 = Instant::now();
        phone.core.answer("B-1", &answer).expect("an answer");
        steps.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    steps.sort_by(f64::total_cmp);
    println!(
        "durable visit step (answer, encrypted store, synchronous=FULL): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} steps (goal p99 <= 10 ms)",
        percentile(&steps, 0.5),
        percentile(&steps, 0.99),
        steps[steps.len() - 1],
        steps.len()
    );

    // 2. Fixes stored per second.
    for (batch, n) in [(5_000usize, 100_000usize), (10, 20_000)] {
        let dir = TempDir::new("bench-fixes");
        let mut config = CoreConfig::new(dir.0.join("data"));
        config.clock = Clock::Fixed(start);
        let core = Core::open(config).expect("a core");
        core.login(
            &server.url(),
            "gestor.bench",
            terreno_tests::server::PASSWORD,
            "bench",
        )
        .expect("login");
        core.shift_start().expect("a shift");
        let all = fixes(start, n);
        let t0 = Instant::now();
        for chunk in all.chunks(batch) {
            core.record_fixes(chunk).expect("recording");
        }
        let secs = t0.elapsed().as_secs_f64();
        println!(
            "fixes stored, batches of {batch}: {n} in {secs:.2} s = {:.0} fixes/s{}",
            n as f64 / secs,
            if batch >= 1000 {
                " (goal >= 50,000/s)"
            } else {
                ""
            }
        );
    }

    // 3. Sync of a 100,000-event backlog.
    let backlog = TestDevice::login(&server.url(), "gestor.bench", start);
    backlog.core.shift_start().expect("a shift");
    for chunk in fixes(start, 100_000).chunks(5_000) {
        backlog
            .at(start + TimeDelta::days(2))
            .record_fixes(chunk)
            .expect("recording");
    }
    let t0 = Instant::now();
    let report = backlog.sync();
    let secs = t0.elapsed().as_secs_f64();
    assert_eq!(report.pushed, 100_000);
    println!(
        "sync of a 100,000-event backlog over loopback (SQLite server): {secs:.2} s = {:.0} events/s (goal <= 10 s)",
        100_000.0 / secs
    );
}
