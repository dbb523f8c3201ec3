//! `/api/v1/live` over a real TCP listener with a WebSocket client: who may connect, the
//! snapshot first, then a collector's position, check-in and completion as they commit; a
//! supervisor sees only their team; and two `terreno-server serve` processes on one PostgreSQL
//! database deliver each other's events through LISTEN/NOTIFY.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;
use terreno_server::AppState;
use terreno_server::db::users::NewUser;
use terreno_shared::model::Role;
use tokio_tungstenite::tungstenite::Message;

use crate::both;
use crate::harness::{Backend, TestApp};
use crate::push::helpers::{World, complete_visit, fix, push};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Serves `state` on a free loopback port; returns its address.
async fn serve(state: AppState) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(terreno_server::serve(
        listener,
        state,
        std::future::pending(),
    ));
    addr
}

/// A supervisor (or admin) of the world's organization with a token.
async fn watcher(
    app: &TestApp,
    world: &World,
    name: &str,
    role: Role,
    team: Option<&str>,
) -> String {
    let new = NewUser {
        username: name,
        role,
        team,
        display_name: None,
    };
    let user = app
        .db()
        .users()
        .insert(world.org, &new)
        .await
        .expect("user");
    let token = terreno_server::auth::new_token().expect("token");
    let expires = chrono::Utc::now().timestamp_millis() + 3_600_000;
    app.db()
        .users()
        .insert_token(user.id, &terreno_server::auth::token_hash(&token), expires)
        .await
        .expect("token");
    token
}

async fn connect(addr: std::net::SocketAddr, token: &str) -> Socket {
    let (socket, _) =
        tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/live?token={token}"))
            .await
            .expect("connecting");
    socket
}

/// The next JSON frame (5 s at most).
async fn next(socket: &mut Socket) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a frame within 5 s")
            .expect("an open socket")
            .expect("a frame");
        if let Message::Text(t) = msg {
            return serde_json::from_str(&t).expect("JSON");
        }
    }
}

/// No frame arrives within `ms`.
async fn quiet(socket: &mut Socket, ms: u64) -> bool {
    tokio::time::timeout(Duration::from_millis(ms), socket.next())
        .await
        .is_err()
}

both!(
    anonymous_and_collector_connections_are_refused,
    |app: TestApp| async move {
        let world = World::new(&app).await;

        let anonymous = app.get("/api/v1/live", None).await;
        let collector = app.get("/api/v1/live", Some(&world.ana.token)).await;

        assert_eq!(anonymous.status, 401, "{}", anonymous.text);
        assert_eq!(collector.status, 403, "{}", collector.text);
    }
);

both!(
    a_supervisor_gets_a_snapshot_then_each_committed_position_check_in_and_completion,
    |app: TestApp| async move {
        let mut world = World::new(&app).await;
        let sofia = watcher(&app, &world, "sofia", Role::Supervisor, None).await;
        let addr = serve(app.state.clone()).await;
        let mut socket = connect(addr, &sofia).await;

        let snapshot = next(&mut socket).await;
        assert_eq!(snapshot["type"], "snapshot");
        assert_eq!(snapshot["positions"], serde_json::json!([]));

        world.ana.phone.add(fix(chrono::Utc::now(), 1));
        let (visit, _) =
            complete_visit(&mut world.ana, world.form, world.ana_account, "nobody_home");
        let r = push(&app, &world.ana, &world.ana.phone.batch(1..=3)).await;
        assert_eq!(r.status, 200, "{}", r.text);

        let position = next(&mut socket).await;
        assert_eq!(position["type"], "position", "{position}");
        assert_eq!(position["username"], "ana");
        assert_eq!(position["device"], world.ana.phone.id.to_string());
        let checkin = next(&mut socket).await;
        assert_eq!(checkin["type"], "check_in", "{checkin}");
        assert_eq!(checkin["server_verdict"]["verdict"], "allowed", "{checkin}");
        let done = next(&mut socket).await;
        assert_eq!(done["type"], "visit_completed", "{done}");
        assert_eq!(done["visit"], visit.to_string());
        assert_eq!(done["outcome"], "nobody_home");
        assert_eq!(
            done["display_name"], "ana",
            "named for notifications off the map"
        );

        let mut again = connect(addr, &sofia).await;
        let snapshot = next(&mut again).await;
        assert_eq!(snapshot["positions"][0]["username"], "ana", "{snapshot}");
    }
);

both!(
    a_supervisor_of_another_team_sees_nothing_of_this_one,
    |app: TestApp| async move {
        let mut world = World::new(&app).await;
        let other = watcher(&app, &world, "luz", Role::Supervisor, Some("sur")).await;
        let addr = serve(app.state.clone()).await;
        let mut socket = connect(addr, &other).await;
        assert_eq!(next(&mut socket).await["type"], "snapshot");

        world.ana.phone.add(fix(chrono::Utc::now(), 1));
        let r = push(&app, &world.ana, &world.ana.phone.batch(1..=1)).await;
        assert_eq!(r.status, 200, "{}", r.text);

        assert!(
            quiet(&mut socket, 500).await,
            "another team's position leaked"
        );
    }
);

/// A `terreno-server serve` process on `db_url`, killed when dropped.
struct ServerProcess(std::process::Child, std::net::SocketAddr);

impl ServerProcess {
    fn start(db_url: &str) -> ServerProcess {
        // A free port: bound, then released for the server.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port");
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_terreno-server"))
            .args(["--db", db_url, "serve", "--listen", &port.to_string()])
            .env_remove("TERRENO_SMTP_URL")
            .env_remove("TERRENO_MAIL_DIR")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("starting terreno-server serve");
        ServerProcess(child, port)
    }

    /// Waits until it answers its health check.
    async fn ready(&self) {
        // Up to 30 s: a busy CI machine starts a debug build slowly.
        for _ in 0..600 {
            if tokio::net::TcpStream::connect(self.1).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server on {} did not start", self.1);
    }
}

/// Waits (up to 30 s) until `n` sessions on the test database have issued `LISTEN
/// terreno_live` (PostgreSQL shows an idle session's last statement in `pg_stat_activity`).
async fn listening(app: &TestApp, n: i64) {
    for _ in 0..600 {
        let listeners: i64 = terreno_server::on_read_pool!(app.db(), |pool| {
            sqlx::query_scalar(
                "select count(*) from pg_stat_activity
                 where datname = current_database() and query ilike 'listen %terreno_live%'",
            )
            .fetch_one(pool)
            .await
            .expect("reading pg_stat_activity")
        });
        if listeners >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the two servers did not both LISTEN within 30 s");
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_on_one_postgres_deliver_each_others_completions() {
    let Some(app) = TestApp::new(Backend::Postgres).await else {
        eprintln!("skipped: DATABASE_URL is not set");
        return;
    };
    let mut world = World::new(&app).await;
    let sofia = watcher(&app, &world, "sofia", Role::Supervisor, None).await;
    let terreno_server::db::DbUrl::Postgres(url) = &app.test_db.url else {
        unreachable!("a PostgreSQL test database")
    };
    let (a, b) = (ServerProcess::start(url), ServerProcess::start(url));
    a.ready().await;
    b.ready().await;
    let mut socket = connect(b.1, &sofia).await;
    assert_eq!(next(&mut socket).await["type"], "snapshot");
    // A NOTIFY reaches only the sessions already listening: wait for both servers' LISTEN.
    listening(&app, 2).await;

    let (visit, seqs) =
        complete_visit(&mut world.ana, world.form, world.ana_account, "nobody_home");
    let r = reqwest::Client::new()
        .post(format!("http://{}/api/v1/sync/push", a.1))
        .bearer_auth(&world.ana.token)
        .json(&world.ana.phone.batch(seqs))
        .send()
        .await
        .expect("a push to server A");
    assert!(r.status().is_success(), "{}", r.status());

    let checkin = next(&mut socket).await;
    assert_eq!(checkin["type"], "check_in", "{checkin}");
    let done = next(&mut socket).await;
    assert_eq!(done["type"], "visit_completed", "{done}");
    assert_eq!(done["visit"], visit.to_string());
}

both!(
    a_battery_falling_below_the_level_is_reported_once_and_a_silent_device_as_offline,
    |app: TestApp| async move {
        let mut world = World::new(&app).await;
        let sofia = watcher(&app, &world, "sofia", Role::Supervisor, None).await;
        let addr = serve(app.state.clone()).await;
        let mut socket = connect(addr, &sofia).await;
        assert_eq!(next(&mut socket).await["type"], "snapshot");
        let low_fix = |secs_ago| {
            let mut f = crate::push::helpers::fix_json(chrono::Utc::now(), secs_ago, 0.0);
            f["battery"] = serde_json::json!(0.09);
            terreno_shared::sync::Draft::new(terreno_shared::sync::EventKind::Fix, 1, f)
        };

        world.ana.phone.add(low_fix(2));
        let r = push(&app, &world.ana, &world.ana.phone.batch(1..=1)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let low = next(&mut socket).await;
        assert_eq!(
            (low["type"].as_str(), low["battery"].as_f64()),
            (Some("low_battery"), Some(0.09))
        );
        assert_eq!(next(&mut socket).await["type"], "position");
        world.ana.phone.add(low_fix(1));
        let r = push(&app, &world.ana, &world.ana.phone.batch(2..=2)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            next(&mut socket).await["type"],
            "position",
            "still low: no new event"
        );

        let mut reported = std::collections::HashSet::new();
        terreno_server::live::watch::scan(&app.state, Duration::ZERO, &mut reported)
            .await
            .expect("a scan");
        terreno_server::live::watch::scan(&app.state, Duration::ZERO, &mut reported)
            .await
            .expect("a second scan");
        let offline = next(&mut socket).await;
        assert_eq!(offline["type"], "device_offline", "{offline}");
        assert_eq!(offline["username"], "ana");
        assert_eq!(offline["display_name"], "ana");
        assert!(quiet(&mut socket, 300).await, "reported once");
    }
);
