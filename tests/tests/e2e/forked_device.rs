//! A data folder copied to other phones: every copy writes under the same device id. The server
//! refuses the copies' diverging events (a fork); each copy moves to a new id by itself and
//! re-sends what the server lacks, so every event of every phone arrives once.

use chrono::{DateTime, TimeDelta, Utc};
use terreno_shared::model::{Fix, GeoPoint};
use terreno_tests::device::t;
use terreno_tests::{TempDir, TestDevice, TestServer};

use crate::both;

fn fixes(from: DateTime<Utc>, n: i64, lat: f64) -> Vec<Fix> {
    (0..n)
        .map(|i| {
            Fix::new(
                from + TimeDelta::seconds(i),
                GeoPoint::parse(lat, -74.1).expect("p"),
                5.0,
            )
            .expect("fix")
        })
        .collect()
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("a directory");
    for entry in std::fs::read_dir(from).expect("reading a directory") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copying a file");
        }
    }
}

both!(
    copies_of_a_data_folder_fork_and_every_event_still_arrives_once,
    |backend| {
        let Some(server) = TestServer::spawn(backend) else {
            return;
        };
        let csv = TempDir::new("route");
        let route = csv.0.join("route.csv");
        std::fs::write(&route, "external_id,debtor_name,address,latitude,longitude,balance,days_past_due,collector,visit_date\n\
        F-1,Ana Pérez,Calle 1 # 2-3,4.60,-74.10,100000,40,gestor.fork,2026-11-24\n").expect("writing a route");
        server.seed(
            &route,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date"),
        );
        let start = t("2026-11-24T13:00:00Z");
        let a = TestDevice::login(&server.url(), "gestor.fork", start);
        a.core.shift_start().expect("a shift");
        a.at(start + TimeDelta::minutes(1))
            .record_fixes(&fixes(start, 10, 4.60))
            .expect("fixes");
        a.sync();
        let original = a.core.status().expect("status").device_id;

        // Two copies of the folder, taken while the phone is off.
        let TestDevice { core, dir } = a;
        drop(core);
        let (copy_b, copy_c) = (TempDir::new("copy-b"), TempDir::new("copy-c"));
        copy_dir(&dir.0, &copy_b.0);
        copy_dir(&dir.0, &copy_c.0);
        let a = TestDevice::open_core(&dir, start + TimeDelta::minutes(2));
        let b = TestDevice::open_core(&copy_b, start + TimeDelta::minutes(2));
        let c = TestDevice::open_core(&copy_c, start + TimeDelta::minutes(2));

        a.record_fixes(&fixes(start + TimeDelta::seconds(100), 5, 4.61))
            .expect("fixes");
        a.sync(&mut |_| {}).expect("the original syncs");
        // B wrote more than the server holds from A: its chain breaks at A's events.
        b.record_fixes(&fixes(start + TimeDelta::seconds(200), 8, 4.62))
            .expect("fixes");
        let rb = b.sync(&mut |_| {}).expect("the copy rotates and syncs");
        // C wrote less than the server holds: the server's head is beyond C's log.
        c.record_fixes(&fixes(start + TimeDelta::seconds(300), 3, 4.63))
            .expect("fixes");
        let rc = c
            .sync(&mut |_| {})
            .expect("the other copy rotates and syncs");
        assert_eq!(
            (rb.pushed, rc.pushed),
            (8, 3),
            "each copy re-sent exactly what it wrote after the copy"
        );

        let ids: Vec<String> = [&a, &b, &c]
            .iter()
            .map(|d| d.status().expect("status").device_id)
            .collect();
        assert_eq!(ids[0], original);
        assert!(
            ids[1] != original && ids[2] != original && ids[1] != ids[2],
            "{ids:?}"
        );
        for (id, n) in ids.iter().zip(["15", "8", "3"]) {
            let rows = server.query(
                "select cast(count(*) as text) from events where device_id = $1",
                id,
            );
            assert_eq!(rows[0][0].as_deref(), Some(n), "events of {id}");
        }
        for d in [&b, &c] {
            assert_eq!(d.status().expect("status").pending_events, 0);
            d.sync(&mut |_| {}).expect("later syncs are ordinary");
        }
    }
);
