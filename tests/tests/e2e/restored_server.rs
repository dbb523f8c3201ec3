//! Scenario 4: the server is restored from an older copy of its database; the device re-sends
//! what the server lost, because pushes resume from the server's head, never from a local flag.

use chrono::TimeDelta;
use terreno_shared::model::{Fix, GeoPoint};
use terreno_tests::device::t;
use terreno_tests::{Backend, TempDir, TestDevice, TestServer};

#[test]
fn a_server_restored_from_an_older_copy_gets_back_what_it_lost() {
    let mut server = TestServer::spawn(Backend::Sqlite).expect("SQLite is always available");
    let csv = TempDir::new("route");
    let route = csv.0.join("route.csv");
    std::fs::write(&route, "external_id,debtor_name,address,latitude,longitude,balance,days_past_due,collector,visit_date\n\
        R-1,Ana Pérez,Calle 1 # 2-3,4.60,-74.10,100000,40,gestor.restore,2026-11-24\n").expect("writing a route");
    server.seed(
        &route,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date"),
    );
    let start = t("2026-11-24T13:00:00Z");
    let phone = TestDevice::login(&server.url(), "gestor.restore", start);
    phone.core.shift_start().expect("a shift");
    let fixes = |from: i64, n: i64| -> Vec<Fix> {
        (from..from + n)
            .map(|i| {
                Fix::new(
                    start + TimeDelta::seconds(i),
                    GeoPoint::parse(4.6, -74.1).expect("a point"),
                    5.0,
                )
                .expect("a fix")
            })
            .collect()
    };
    phone
        .at(start + TimeDelta::minutes(10))
        .record_fixes(&fixes(1, 100))
        .expect("recording");
    phone.sync();
    let backup = csv.0.join("backup.db");
    server.backup_sqlite(&backup);

    phone
        .at(start + TimeDelta::minutes(20))
        .record_fixes(&fixes(101, 150))
        .expect("recording");
    assert_eq!(phone.sync().server_head, 250);
    server.restore_sqlite(&backup);

    let report = phone.sync();
    assert_eq!(
        (report.pushed, report.server_head),
        (150, 250),
        "the lost events are sent again"
    );
    let device_id = phone.core.status().expect("status").device_id;
    let rows = server.query(
        "select cast(count(*) as text) from events where device_id = $1",
        &device_id,
    );
    assert_eq!(rows[0][0].as_deref(), Some("250"));
}
