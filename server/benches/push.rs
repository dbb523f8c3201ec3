//! Push throughput through the real HTTP API, beside the raw insert ceiling of the same
//! database, on SQLite (always) and PostgreSQL (when `DATABASE_URL` is set; a fresh database is
//! created and dropped). Not a timed test: it prints a table.
//!
//! `cargo bench -p terreno-server --bench push`
//!
//! - batched: signed batches of 1,000 GPS fixes, one client per device, `CLIENTS` at once;
//! - single: one event per request (an old-style client), `SINGLE_CLIENTS` at once;
//! - raw: the same event rows inserted directly (a prepared statement in one transaction on
//!   SQLite; `unnest` inserts of 1,000 rows in one transaction on PostgreSQL).
//!
//! Every acknowledgement is durable: SQLite runs with `synchronous=FULL`, PostgreSQL with its
//! default `synchronous_commit=on`.

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use serde_json::json;
use terreno_server::db::DbUrl;
use terreno_server::db::users::NewUser;
use terreno_server::{AppState, Config, Db};
use terreno_shared::ids::{DeviceId, UserId};
use terreno_shared::model::Role;
use terreno_shared::sync::{DeviceKey, Draft, EventKind, LogHead, PushBatch};
use uuid::Uuid;

const CLIENTS: usize = 4;
const BATCH: usize = 1_000;
const BATCHES_PER_CLIENT: usize = 25;
const SINGLE_CLIENTS: usize = 32;
const SINGLE_PER_CLIENT: usize = 150;

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut rows = Vec::new();
    let dir = std::env::temp_dir().join(format!("terreno-bench-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir)?;
    let sqlite = DbUrl::Sqlite(dir.join("bench.db"));
    let result = rt.block_on(run("sqlite", sqlite, &mut rows));
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    match std::env::var("DATABASE_URL") {
        Ok(admin) => rt.block_on(postgres(&admin, &mut rows))?,
        Err(_) => println!("skipped: PostgreSQL (set DATABASE_URL to measure it)"),
    }
    print_table(&rows);
    Ok(())
}

struct Row {
    backend: &'static str,
    mode: &'static str,
    count: usize,
    secs: f64,
    unit: &'static str,
}

impl Row {
    fn rate(&self) -> f64 {
        self.count as f64 / self.secs
    }
}

fn print_table(rows: &[Row]) {
    println!(
        "\n{:<9} {:<34} {:>9} {:>8} {:>14} {:>8}",
        "backend", "mode", "count", "secs", "rate", "of best raw"
    );
    for r in rows {
        let raw = rows
            .iter()
            .filter(|x| x.backend == r.backend && x.mode.starts_with("raw"))
            .map(Row::rate)
            .reduce(f64::max);
        let share = match (r.unit, raw) {
            ("events/s", Some(raw)) => format!("{:.0} %", 100.0 * r.rate() / raw),
            _ => String::new(),
        };
        println!(
            "{:<9} {:<34} {:>9} {:>8.2} {:>9.0} {:<4} {:>8}",
            r.backend,
            r.mode,
            r.count,
            r.secs,
            r.rate(),
            r.unit,
            share
        );
    }
}

async fn postgres(admin_url: &str, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let name = format!("terreno_bench_{}", Uuid::now_v7().simple());
    let admin = sqlx::PgPool::connect(admin_url)
        .await
        .context("connecting to DATABASE_URL")?;
    sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
        .execute(&admin)
        .await?;
    let url = match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => anyhow::bail!("DATABASE_URL {admin_url:?} names no database"),
    };
    let result = run("postgres", DbUrl::Postgres(url), rows).await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "drop database if exists {name} with (force)"
    )))
    .execute(&admin)
    .await?;
    result
}

/// A device with its signing key and log.
struct Device {
    id: DeviceId,
    key: DeviceKey,
    log: LogHead,
}

impl Device {
    /// The next `n` fixes as one signed batch, serialized.
    fn batch(&mut self, n: usize) -> Vec<u8> {
        let now = Utc::now();
        let events: Vec<_> = (0..n)
            .map(|i| {
                let payload = json!({
                    "t": now.to_rfc3339(), "lat": 4.6 + i as f64 * 1e-6, "lon": -74.1,
                    "accuracy_m": 8.0, "battery": 0.7, "charging": false,
                });
                let ms = now.timestamp_millis();
                self.log
                    .append(Draft::new(EventKind::Fix, 1, payload), ms)
                    .expect("a valid fix")
            })
            .collect();
        let batch = PushBatch::seal(&events, &self.key).expect("contiguous events");
        serde_json::to_vec(&batch).expect("json")
    }
}

struct Server {
    base: String,
    token: String,
    db: Db,
    user: UserId,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start(url: DbUrl) -> anyhow::Result<Server> {
    let db = Db::connect(&url).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let config = Config::new(url, addr);
    let state = AppState::new(db.clone(), config);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(terreno_server::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    let org = db
        .orgs()
        .insert("bench", chrono_tz::America::Bogota)
        .await?
        .id;
    let new = NewUser {
        username: "collector",
        role: Role::Collector,
        team: None,
        display_name: None,
    };
    let user = db.users().insert(org, &new).await?.id;
    let token = terreno_server::auth::new_token()?;
    let hash = terreno_server::auth::token_hash(&token);
    db.users()
        .insert_token(user, &hash, Utc::now().timestamp_millis() + 3_600_000)
        .await?;
    Ok(Server {
        base: format!("http://{addr}"),
        token,
        db,
        user,
        stop,
        task,
    })
}

async fn enroll(s: &Server, n: usize, seed: u8) -> anyhow::Result<Vec<Device>> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let id = DeviceId::from_uuid(Uuid::now_v7());
        let key = DeviceKey::from_seed(&[seed.wrapping_add(i as u8); 32])?;
        s.db.devices()
            .enroll(s.user, id, key.public_key(), "bench")
            .await?;
        out.push(Device {
            id,
            key,
            log: LogHead::new(id),
        });
    }
    Ok(out)
}

// Long: a benchmark run read top to bottom: measure, then report.
async fn run(backend: &'static str, url: DbUrl, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let s = start(url).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .timeout(Duration::from_secs(60))
        .build()?;

    let devices = enroll(&s, CLIENTS, 10).await?;
    let bodies: Vec<Vec<Vec<u8>>> = devices
        .into_iter()
        .map(|mut d| (0..BATCHES_PER_CLIENT).map(|_| d.batch(BATCH)).collect())
        .collect();
    let (count, secs) = drive(&client, &s, bodies).await?;
    let mode = "batched (1,000/req, 4 clients)";
    rows.push(Row {
        backend,
        mode,
        count,
        secs,
        unit: "events/s",
    });

    let devices = enroll(&s, SINGLE_CLIENTS, 100).await?;
    let bodies: Vec<Vec<Vec<u8>>> = devices
        .into_iter()
        .map(|mut d| (0..SINGLE_PER_CLIENT).map(|_| d.batch(1)).collect())
        .collect();
    let (count, secs) = drive(&client, &s, bodies).await?;
    let mode = "single event/req (32 clients)";
    rows.push(Row {
        backend,
        mode,
        count,
        secs,
        unit: "req/s",
    });

    let raw_rows = CLIENTS * BATCHES_PER_CLIENT * BATCH;
    let raw_modes: &[(usize, &'static str)] = if s.db.is_postgres() {
        &[(BATCH, "raw insert (unnest, 1,000/stmt)")]
    } else {
        &[
            (1, "raw insert (1 row/stmt)"),
            (64, "raw insert (64 rows/stmt)"),
        ]
    };
    for &(per_statement, mode) in raw_modes {
        let secs = raw_insert(&s, raw_rows, per_statement).await?;
        let unit = "events/s";
        rows.push(Row {
            backend,
            mode,
            count: raw_rows,
            secs,
            unit,
        });
    }

    let _ = s.stop.send(());
    s.task.await??;
    s.db.close().await;
    Ok(())
}

/// Each client pushes its bodies in order; returns (events or requests, seconds).
async fn drive(
    client: &reqwest::Client,
    s: &Server,
    bodies: Vec<Vec<Vec<u8>>>,
) -> anyhow::Result<(usize, f64)> {
    let url = format!("{}/api/v1/sync/push", s.base);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client_bodies in bodies {
        let (client, url, token) = (client.clone(), url.clone(), s.token.clone());
        tasks.push(tokio::spawn(async move {
            let mut events = 0usize;
            for body in client_bodies {
                let resp = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await?;
                let status = resp.status();
                let answer: serde_json::Value = resp.json().await?;
                anyhow::ensure!(status.is_success(), "push answered {status}: {answer}");
                anyhow::ensure!(answer["rejected"] == json!([]), "rejected: {answer}");
                events = answer["head"].as_u64().unwrap_or_default() as usize;
            }
            Ok::<usize, anyhow::Error>(events)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await??;
    }
    Ok((total, started.elapsed().as_secs_f64()))
}

/// Inserts `n` event rows for a fresh device straight into `events` (on SQLite,
/// `rows_per_statement` rows per prepared statement).
// Long: the baseline insert written as plainly as possible, per backend.
async fn raw_insert(s: &Server, n: usize, rows_per_statement: usize) -> anyhow::Result<f64> {
    let seed = 200 + rows_per_statement as u8;
    let device = enroll(s, 1, seed).await?.remove(0).id.to_string();
    let payload = r#"{"accuracy_m":8.0,"lat":4.6,"lon":-74.1,"t":"2026-11-24T13:00:00Z"}"#;
    let hash = "ab".repeat(32);
    let started = Instant::now();
    match &s.db {
        Db::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            let seqs: Vec<i64> = (1..=n as i64).collect();
            for chunk in seqs.chunks(BATCH) {
                let k = chunk.len();
                sqlx::query(
                    "insert into events (device_id, seq, hlc, merge_hlc, kind, v, prev_hash, hash,
                        payload, state, received_ms)
                     select $1, t.seq, t.seq, t.seq, 'fix', 1, t.h, t.h, t.p, 'applied', 0
                     from unnest($2::bigint[], $3::text[], $4::text[]) as t(seq, h, p)
                     on conflict do nothing",
                )
                .bind(&device)
                .bind(chunk.to_vec())
                .bind(vec![hash.clone(); k])
                .bind(vec![payload.to_owned(); k])
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        }
        Db::Sqlite(lite) => {
            let mut tx = lite.write.begin_with("begin immediate").await?;
            let mut seq = 0i64;
            while (seq as usize) < n {
                let k = rows_per_statement.min(n - seq as usize);
                let mut sql = String::from(
                    "insert into events (device_id, seq, hlc, merge_hlc, kind, v, prev_hash, hash,
                        payload, state, received_ms) values ",
                );
                for r in 0..k {
                    let p = r * 4;
                    let sep = if r == 0 { "" } else { ", " };
                    sql.push_str(&format!(
                        "{sep}(${}, ${}, ${1}, ${1}, 'fix', 1, ${}, ${2}, ${}, 'applied', 0)",
                        p + 1,
                        p + 2,
                        p + 3,
                        p + 4
                    ));
                }
                sql.push_str(" on conflict do nothing");
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for _ in 0..k {
                    seq += 1;
                    q = q.bind(&device).bind(seq).bind(&hash).bind(payload);
                }
                q.execute(&mut *tx).await?;
            }
            tx.commit().await?;
        }
    }
    Ok(started.elapsed().as_secs_f64())
}
