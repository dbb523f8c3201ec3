//! Live feed: N supervisors connected to `/api/v1/live` while a collector completes visits
//! through the real push API; for every completion, the time from sending the push to the
//! `visit_completed` frame at each supervisor (HDR histogram, p50/p99/max), and the memory of
//! an idle connection (the process's RSS growth over N connections, divided by N).
//!
//! `cargo bench -p terreno-server --bench live` (200 and 1,000 connections; `-- --sizes 50,500`
//! for others). Server and clients share this process and the machine's 2 cores, so the
//! latency includes the push request, its commit (`synchronous=FULL` on SQLite), the feed's
//! read-back and the fan-out to every client, and the memory figure counts both ends of each
//! connection (an upper bound for the server's share). Needs `ulimit -n` above 2 × N + 100.
//!
//! Goals (issue 5): p99 ≤ 25 ms at 200 connections, ≤ 50 ms at 1,000; ≤ 64 KiB per idle
//! connection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use terreno_server::db::users::NewUser;
use terreno_server::db::{Db, DbUrl};
use terreno_server::{AppState, Config, on_write};
use terreno_shared::ids::{AccountId, DeviceId, FormId, VisitId};
use terreno_shared::model::Role;
use terreno_shared::sync::{DeviceKey, Draft, EventKind, LogHead, PushBatch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use uuid::Uuid;

/// Completions per size.
const COMPLETIONS: usize = 40;

type Arrivals = Arc<Mutex<HashMap<String, Vec<Instant>>>>;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sizes: Vec<usize> = args
        .iter()
        .position(|a| a == "--sizes")
        .and_then(|i| args.get(i + 1))
        .map_or(vec![200, 1000], |s| {
            s.split(',')
                .map(|n| n.parse().expect("--sizes N,M"))
                .collect()
        });
    println!("| connections | p50 | p99 | max | memory per idle connection |");
    println!("|---|---|---|---|---|");
    for n in sizes {
        run(n).await;
    }
}

struct Setup {
    addr: std::net::SocketAddr,
    token: String,
    collector_token: String,
    account: AccountId,
    /// The organization's visit form, which completions name.
    form: FormId,
    key: DeviceKey,
    log: LogHead,
    dir: std::path::PathBuf,
}

// Long: benchmark setup written out step by step.
async fn setup() -> Setup {
    let dir = std::env::temp_dir().join(format!("terreno-live-bench-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("a directory");
    let url = DbUrl::Sqlite(dir.join("live.db"));
    let db = Db::connect(&url).await.expect("a database");
    let org = db
        .orgs()
        .insert("bench", chrono_tz::America::Bogota)
        .await
        .expect("org")
        .id;
    let user = |name: &'static str, role| NewUser {
        username: name,
        role,
        team: None,
        display_name: None,
    };
    let sup = db
        .users()
        .insert(org, &user("sofia", Role::Supervisor))
        .await
        .expect("sup");
    let ana = db
        .users()
        .insert(org, &user("ana", Role::Collector))
        .await
        .expect("ana");
    let token = |db: Db, id| async move {
        let t = terreno_server::auth::new_token().expect("token");
        db.users()
            .insert_token(id, &terreno_server::auth::token_hash(&t), i64::MAX / 2)
            .await
            .expect("token");
        t
    };
    let sup_token = token(db.clone(), sup.id).await;
    let ana_token = token(db.clone(), ana.id).await;
    let account = AccountId::from_uuid(Uuid::now_v7());
    let portfolio = Uuid::now_v7().to_string();
    on_write!(&db, |pool| {
        sqlx::query(
            "insert into portfolios (id, org_id, name, currency) values ($1, $2, 'p', 'COP')",
        )
        .bind(&portfolio)
        .bind(org.to_string())
        .execute(pool)
        .await
        .expect("portfolio");
        sqlx::query(
            "insert into accounts (id, portfolio_id, external_id, debtor_name, address, lat, lon,
                balance_minor, currency, days_past_due, collector_id, updated_ms)
             values ($1, $2, 'A-1', 'Debtor', 'Calle 1', 4.6, -74.1, 100000, 'COP', 40, $3, 0)",
        )
        .bind(account.to_string())
        .bind(&portfolio)
        .bind(ana.id.to_string())
        .execute(pool)
        .await
        .expect("account");
    });
    let device = DeviceId::from_uuid(Uuid::now_v7());
    let key = DeviceKey::from_seed(&[7; 32]).expect("a key");
    db.devices()
        .enroll(ana.id, device, key.public_key(), "phone")
        .await
        .expect("enrolled");
    let form = db
        .visits()
        .find_form(org)
        .await
        .expect("the visit form")
        .expect("every organization has one");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let addr = listener.local_addr().expect("an address");
    let state = AppState::new(db, Config::new(url, addr));
    terreno_server::live::start(&state);
    tokio::spawn(terreno_server::serve(
        listener,
        state,
        std::future::pending(),
    ));
    Setup {
        addr,
        token: sup_token,
        collector_token: ana_token,
        account,
        form,
        key,
        log: LogHead::new(device),
        dir,
    }
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

// Long: a benchmark run read top to bottom: measure, then report.
async fn run(n: usize) {
    let mut s = setup().await;
    let url = format!("ws://{}/api/v1/live?token={}", s.addr, s.token);
    // Warm up allocators and the first connection's one-off costs.
    let (warm, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("connecting");
    drop(warm);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = rss_kb();
    let mut sockets = Vec::with_capacity(n);
    for _ in 0..n {
        // Small client buffers too, so the figure is mostly the server's share.
        let config = WebSocketConfig::default()
            .read_buffer_size(4096)
            .write_buffer_size(0);
        let (mut socket, _) =
            tokio_tungstenite::connect_async_with_config(&url, Some(config), false)
                .await
                .expect("connecting");
        let first = socket.next().await.expect("a frame").expect("a frame");
        assert!(matches!(first, Message::Text(_)), "a snapshot first");
        sockets.push(socket);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let per_conn_kb = rss_kb().saturating_sub(before) as f64 / n as f64;

    let arrivals: Arrivals = Arc::new(Mutex::new(HashMap::new()));
    for mut socket in sockets {
        let arrivals = arrivals.clone();
        tokio::spawn(async move {
            while let Some(Ok(msg)) = socket.next().await {
                if let Message::Text(t) = msg {
                    let at = Instant::now();
                    let v: Value = serde_json::from_str(&t).unwrap_or_default();
                    if v["type"] == "visit_completed" {
                        let visit = v["visit"].as_str().unwrap_or_default().to_owned();
                        arrivals
                            .lock()
                            .expect("lock")
                            .entry(visit)
                            .or_default()
                            .push(at);
                    }
                }
            }
        });
    }
    let client = reqwest::Client::new();
    let mut sent: Vec<(String, Instant)> = Vec::new();
    for _ in 0..COMPLETIONS {
        let visit = VisitId::from_uuid(Uuid::now_v7());
        let payload = json!({"account": s.account, "outcome": "nobody_home",
            "completed_at": chrono::Utc::now().to_rfc3339(),
            "form": {"id": s.form, "version": "2026120601"},
            "answers": {"contact_result": "nobody_home", "photo": {"attachment_id": visit}}});
        let draft = Draft::new(EventKind::VisitSubmitted, 1, payload).entity(*visit.as_uuid());
        let event = s
            .log
            .append(draft, chrono::Utc::now().timestamp_millis())
            .expect("an event");
        let batch = PushBatch::seal(&[event], &s.key).expect("a batch");
        let t0 = Instant::now();
        let r = client
            .post(format!("http://{}/api/v1/sync/push", s.addr))
            .bearer_auth(&s.collector_token)
            .json(&batch)
            .send()
            .await
            .expect("a push");
        assert!(r.status().is_success(), "push: {}", r.status());
        sent.push((visit.to_string(), t0));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let done = {
            let a = arrivals.lock().expect("lock");
            sent.iter()
                .all(|(v, _)| a.get(v).is_some_and(|x| x.len() == n))
        };
        if done || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut h = Histogram::<u64>::new(3).expect("a histogram");
    let mut missing = 0;
    {
        let a = arrivals.lock().expect("lock");
        for (v, t0) in &sent {
            let got = a.get(v).map(Vec::as_slice).unwrap_or_default();
            missing += n - got.len().min(n);
            for at in got {
                h.record(at.duration_since(*t0).as_micros() as u64)
                    .expect("a sample");
            }
        }
    }
    let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "| {n} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} KiB |{}",
        ms(0.5),
        ms(0.99),
        h.max() as f64 / 1000.0,
        per_conn_kb,
        if missing > 0 {
            format!(" ({missing} frames missing)")
        } else {
            String::new()
        }
    );
    let _ = std::fs::remove_dir_all(&s.dir);
}
