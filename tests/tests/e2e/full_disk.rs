//! The server's disk full under a sync: the device gets a retryable "the server is out of
//! space", never a refusal, and the next sync after space is freed pushes everything.
//!
//! The full disk is SQLite's `max_page_count` on the server's single write connection, which
//! fails writes that need space with `SQLITE_FULL`, as a full disk does.

use chrono::{DateTime, TimeDelta, Utc};
use terreno_app::Error;
use terreno_server::{on_read_pool, on_write};
use terreno_shared::model::{Fix, GeoPoint};
use terreno_tests::{Backend, TempDir, TestDevice, TestServer};

const ROUTE: &str = "external_id,debtor_name,address,latitude,longitude,balance,days_past_due,collector,visit_date\n\
    L-1,Ana Pérez,Calle 1 # 2-3,4.60,-74.10,100000,40,gestor.uno,2026-11-24\n";

fn server() -> (TestServer, TempDir) {
    let server = TestServer::spawn(Backend::Sqlite).expect("SQLite is always available");
    let dir = TempDir::new("route");
    let route = dir.0.join("route.csv");
    std::fs::write(&route, ROUTE).expect("writing a route");
    server.seed(
        &route,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date"),
    );
    (server, dir)
}

/// A shift and `n` fixes, five seconds apart up to `now`, walking north: events waiting to be
/// pushed.
fn walk(phone: &TestDevice, now: DateTime<Utc>, n: i32) {
    phone
        .at(now - TimeDelta::seconds(i64::from(5 * n + 60)))
        .shift_start()
        .expect("a shift");
    let fixes: Vec<Fix> = (0..n)
        .map(|i| {
            let at = now - TimeDelta::seconds(i64::from(5 * (n - i)));
            let point = GeoPoint::parse(4.60 + f64::from(i) * 1e-4, -74.10).expect("a point");
            Fix::new(at, point, 5.0).expect("a fix")
        })
        .collect();
    phone.at(now).record_fixes(&fixes).expect("recording fixes");
}

/// The server's head of a device's log.
fn server_head(server: &TestServer, device_id: &str) -> u64 {
    let head: i64 = server.rt.block_on(async {
        on_read_pool!(&server.db, |pool| {
            sqlx::query_scalar("select head_seq from devices where id = $1")
                .bind(device_id)
                .fetch_one(pool)
                .await
                .expect("the device's head")
        })
    });
    u64::try_from(head).expect("a head")
}

fn set_server_page_limit(server: &TestServer, pages: u32) {
    server.rt.block_on(async {
        on_write!(&server.db, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "pragma max_page_count = {pages}"
            )))
            .execute(pool)
            .await
            .expect("setting the page limit");
        })
    });
}

#[test]
fn a_server_whose_disk_is_full_is_a_retryable_error_that_says_so() {
    let (server, _route) = server();
    let now = Utc::now();
    let phone = TestDevice::login(&server.url(), "gestor.uno", now);
    phone.sync();
    walk(&phone, now, 300);
    let pending = phone.core.status().expect("status");
    set_server_page_limit(&server, 1);

    let full = phone.core.sync(&mut |_| {});
    let head_while_full = server_head(&server, &pending.device_id);
    set_server_page_limit(&server, 2_147_483_646);
    let freed = phone.core.sync(&mut |_| {});

    let e = full.expect_err("a sync while the server's disk is full fails");
    assert!(matches!(e, Error::ServerOutOfSpace { .. }), "{e:?}");
    let message = e.to_string();
    assert!(
        message.contains("the server is out of space") && !message.contains("refused"),
        "{message}"
    );
    assert!(
        head_while_full < pending.last_seq,
        "nothing more was stored"
    );
    freed.expect("the sync after space is freed");
    assert_eq!(
        server_head(&server, &pending.device_id),
        pending.last_seq,
        "every pending event reached the server once space was back"
    );
}
