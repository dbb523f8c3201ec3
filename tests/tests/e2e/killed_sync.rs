//! Scenario 3: the `terreno` process is killed (SIGKILL) at random moments during the sync of a
//! 20,000-event backlog, 20 times, restarting each time. At the end the server holds every event
//! exactly once and the device database is intact.

use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::TimeDelta;
use terreno_shared::model::{Fix, GeoPoint};
use terreno_tests::device::t;
use terreno_tests::{TestDevice, TestServer};

use crate::both;

const BACKLOG: usize = 20_000;
const KILLS: usize = 20;

both!(
    a_sync_killed_twenty_times_delivers_every_event_exactly_once,
    |backend| {
        let Some(fixture_free) = TestServer::spawn(backend) else {
            return;
        };
        let mut server = fixture_free;
        let csv = terreno_tests::TempDir::new("route");
        let route = csv.0.join("route.csv");
        std::fs::write(&route, "external_id,debtor_name,address,latitude,longitude,balance,days_past_due,collector,visit_date\n\
        K-1,Ana Pérez,Calle 1 # 2-3,4.60,-74.10,100000,40,gestor.kill,2026-11-24\n").expect("writing a route");
        server.seed(
            &route,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date"),
        );
        let start = t("2026-11-24T13:00:00Z");
        let phone = TestDevice::login(&server.url(), "gestor.kill", start);
        phone.core.shift_start().expect("a shift");
        let fixes: Vec<Fix> = (0..BACKLOG)
            .map(|i| {
                let p = GeoPoint::parse(4.60 + i as f64 * 1e-6, -74.10).expect("a point");
                Fix::new(start + TimeDelta::seconds(i as i64 + 1), p, 8.0).expect("a fix")
            })
            .collect();
        let recorded = phone
            .at(start + TimeDelta::hours(6))
            .record_fixes(&fixes)
            .expect("recording");
        assert_eq!(recorded.stored, BACKLOG);
        let device_id = phone.core.status().expect("status").device_id;
        let data = phone.core.data_dir().to_owned();
        let TestDevice { core, dir } = phone;
        drop(core);

        let cli = env!("CARGO_BIN_EXE_terreno-e2e-cli");
        let sync = || {
            let mut c = Command::new(cli);
            c.args([
                "--data",
                data.to_str().expect("utf-8 path"),
                "--json",
                "--now",
                "2026-11-24T19:00:00Z",
                "sync",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
            c
        };
        let mut seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(7, |d| d.as_nanos() as u64);
        eprintln!("kill schedule seed: {seed}");
        let mut completed_before_kill = 0;
        for _ in 0..KILLS {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let delay = Duration::from_millis(30 + (seed >> 33) % 700);
            let mut child = sync().spawn().expect("starting terreno sync");
            std::thread::sleep(delay);
            if child.try_wait().expect("polling the child").is_some() {
                completed_before_kill += 1;
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        eprintln!("{completed_before_kill} of {KILLS} syncs finished before their kill");
        let status = sync().status().expect("running the final sync");
        assert!(status.success(), "the final sync succeeds: {status}");

        let rows = server.query(
        "select cast(count(*) as text), cast(count(distinct seq) as text), cast(min(seq) as text), cast(max(seq) as text) \
         from events where device_id = $1",
        &device_id,
    );
        let n = BACKLOG.to_string();
        assert_eq!(
            rows[0],
            [Some(n.clone()), Some(n.clone()), Some("1".into()), Some(n)],
            "every event exactly once"
        );
        let core = TestDevice::open_core(&dir, t("2026-11-24T19:00:00Z"));
        assert_eq!(
            core.integrity_problems().expect("integrity check"),
            Vec::<String>::new()
        );
        let status = core.status().expect("status");
        assert_eq!(
            (status.pending_events, status.server_head),
            (0, BACKLOG as u64)
        );
        server.stop();
    }
);
