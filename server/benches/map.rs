//! The live map's first load (`GET /api/v1/map`) for an administrator who sees 2,000 collectors,
//! each with a day of tracks (08:00 to 16:00 local, a fix every 30 s: 960 fixes, 1.92 million
//! in all), 20 stops on today's route and a last position: the server's time per request
//! (p50/p95/max over the requests, measured at the client on the same machine, so it includes
//! the HTTP round trip) and the payload as sent (gzip) and as JSON.
//!
//! Above `DETAIL_LIMIT` collectors the first load leaves tracks and stops out; a second row
//! measures what the map then asks for when one collector is clicked (`?username=`).
//!
//! `cargo bench -p terreno-server --bench map` (`-- --collectors N --requests R` for others;
//! `-- --keep FILE` leaves the database there, for the browser's measurement in
//! `server/ui/tests/perf/map.mjs`).
//! Tracks follow a street grid (100 m blocks, mostly straight on, turning now and then, at
//! walking to motorbike speed) and dwell at each stop for 15 minutes with GPS jitter: what a
//! collector's day looks like, and what the drawn-track simplification is tuned for.
//!
//! Goals (issue 9): p95 ≤ 300 ms and ≤ 2 MB compressed.

use std::time::{Duration, Instant};

use chrono::{NaiveTime, TimeZone, Utc};
use terreno_server::db::users::NewUser;
use terreno_server::db::{Db, DbUrl};
use terreno_server::{AppState, Config};
use terreno_shared::model::Role;
use uuid::Uuid;

const FIX_EVERY_MS: i64 = 30_000;
const SHIFT_HOURS: i64 = 8;
const STOPS: usize = 20;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
// Long: a benchmark run read top to bottom: measure, then report.
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map_or(default, |v| v.parse().expect("a number"))
    };
    let collectors = arg("--collectors", 2_000);
    let requests = arg("--requests", 30);
    let keep = args
        .iter()
        .position(|a| a == "--keep")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from);

    let dir = std::env::temp_dir().join(format!("terreno-map-bench-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("a directory");
    let url = DbUrl::Sqlite(dir.join("map.db"));
    let db = Db::connect(&url).await.expect("a database");
    let started = Instant::now();
    let (token, fixes) = populate(&db, collectors).await;
    println!(
        "setup: {collectors} collectors, {fixes} fixes, {} stops in {:.1} s",
        collectors * STOPS,
        started.elapsed().as_secs_f64()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let addr = listener.local_addr().expect("an address");
    let db_for_copy = db.clone();
    let state = AppState::new(db, Config::new(url, addr));
    tokio::spawn(terreno_server::serve(
        listener,
        state,
        std::future::pending(),
    ));
    // Without reqwest's own decompression: the bytes on the wire are the figure.
    let client = reqwest::Client::builder()
        .no_gzip()
        .build()
        .expect("a client");
    let get = |query: String| {
        let (client, token) = (client.clone(), token.clone());
        async move {
            let started = Instant::now();
            let r = client
                .get(format!("http://{addr}/api/v1/map{query}"))
                .bearer_auth(&token)
                .header("accept-encoding", "gzip")
                .send()
                .await
                .expect("the map");
            assert_eq!(r.status(), 200);
            let gzip = r
                .headers()
                .get("content-encoding")
                .is_some_and(|v| v == "gzip");
            let body = r.bytes().await.expect("a body");
            (started.elapsed(), gzip, body)
        }
    };
    // The first request warms SQLite's page cache, as a server that has run a while has.
    let (_, gzip, body) = get(String::new()).await;
    assert!(gzip, "the map is sent compressed");
    let mut json = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut json)
        .expect("gzip");
    let parsed: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
    let drawn: usize = parsed["collectors"]
        .as_array()
        .expect("collectors")
        .iter()
        .map(|c| c["track"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(
        parsed["collectors"].as_array().map(Vec::len),
        Some(collectors)
    );

    let mut times: Vec<Duration> = Vec::with_capacity(requests);
    for _ in 0..requests {
        times.push(get(String::new()).await.0);
    }
    // Then what a click on a collector asks for: their track and stops.
    let mut detail_times: Vec<Duration> = Vec::with_capacity(requests);
    let mut detail_bytes = 0;
    let mut detail_points = 0;
    for k in 0..requests {
        let who = format!("gestor{:04}", (k * 7919) % collectors);
        let (took, _, body) = get(format!("?username={who}")).await;
        detail_times.push(took);
        detail_bytes += body.len();
        let mut json = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut json)
            .expect("gzip");
        let one: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
        detail_points += one["collectors"][0]["track"].as_array().map_or(0, Vec::len);
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let pct = |times: &mut Vec<Duration>, p: f64| {
        times.sort();
        times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1]
    };
    println!("| request | collectors | fixes | p50 | p95 | max | gzip | JSON | drawn points |");
    println!("|---|---|---|---|---|---|---|---|---|");
    println!(
        "| first load | {collectors} | {fixes} | {:.0} ms | {:.0} ms | {:.0} ms | {:.2} MB | {:.2} MB | {drawn} |",
        ms(pct(&mut times, 0.5)),
        ms(pct(&mut times, 0.95)),
        ms(pct(&mut times, 1.0)),
        body.len() as f64 / 1e6,
        json.len() as f64 / 1e6,
    );
    println!(
        "| one collector | 1 | {} | {:.0} ms | {:.0} ms | {:.0} ms | {:.1} kB | | {} |",
        fixes / collectors,
        ms(pct(&mut detail_times, 0.5)),
        ms(pct(&mut detail_times, 0.95)),
        ms(pct(&mut detail_times, 1.0)),
        detail_bytes as f64 / requests as f64 / 1e3,
        detail_points / requests,
    );
    if let Some(keep) = keep {
        // A consistent copy even while the server still has the file open.
        let Db::Sqlite(sqlite) = &db_for_copy else {
            unreachable!("the bench opens a SQLite file")
        };
        let _ = std::fs::remove_file(&keep);
        sqlx::query("vacuum into $1")
            .bind(keep.to_string_lossy().into_owned())
            .execute(&sqlite.write)
            .await
            .expect("copying the database");
        println!("database kept at {}", keep.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A tiny deterministic generator (SplitMix64): the same city every run, no dependency.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Metres to degrees near Bogotá.
const M_PER_DEG_LAT: f64 = 110_574.0;
const M_PER_DEG_LON: f64 = 111_000.0;

/// The organization, an admin with a token, and `n` collectors with devices, tracks, stops and
/// last positions; answers the admin's token and the number of fixes.
// Long: benchmark setup written out step by step.
async fn populate(db: &Db, n: usize) -> (String, usize) {
    let tz = chrono_tz::America::Bogota;
    let org = db.orgs().insert("bench", tz).await.expect("org").id;
    let admin = db
        .users()
        .insert(
            org,
            &NewUser {
                username: "admin",
                role: Role::Admin,
                team: None,
                display_name: Some("Admin"),
            },
        )
        .await
        .expect("admin");
    let token = terreno_server::auth::new_token().expect("token");
    db.users()
        .insert_token(
            admin.id,
            &terreno_server::auth::token_hash(&token),
            i64::MAX / 2,
        )
        .await
        .expect("token");
    let today = Utc::now().with_timezone(&tz).date_naive();
    let start_ms = tz
        .from_local_datetime(&today.and_time(NaiveTime::from_hms_opt(8, 0, 0).expect("08:00")))
        .earliest()
        .expect("08:00 exists")
        .timestamp_millis();
    // Teams of 25, as agencies organise them; the admin sees every team.
    let teams: Vec<String> = (0..(n / 25).max(1))
        .map(|t| format!("Equipo {t:03}"))
        .collect();
    let mut users = Vec::with_capacity(n);
    for i in 0..n {
        let name = format!("gestor{i:04}");
        let user = db
            .users()
            .insert(
                org,
                &NewUser {
                    username: &name,
                    role: Role::Collector,
                    team: Some(&teams[i % teams.len()]),
                    display_name: None,
                },
            )
            .await
            .expect("collector");
        users.push(user.id.to_string());
    }
    let portfolio = Uuid::now_v7().to_string();
    let org_id = org.to_string();
    let mut dice = Dice(2026);
    let mut fixes = 0;
    // The embedded database, the operators' default; one transaction for the whole city.
    let Db::Sqlite(sqlite) = db else {
        unreachable!("the bench opens a SQLite file")
    };
    {
        let mut tx = sqlite.write.begin().await.expect("a transaction");
        sqlx::query(
            "insert into portfolios (id, org_id, name, currency) values ($1, $2, 'p', 'COP')",
        )
        .bind(&portfolio)
        .bind(&org_id)
        .execute(&mut *tx)
        .await
        .expect("portfolio");
        for (i, user) in users.iter().enumerate() {
            let device = Uuid::now_v7().to_string();
            sqlx::query(
                "insert into devices (id, user_id, public_key, label, enrolled_ms)
                 values ($1, $2, 'bench', 'phone', 0)",
            )
            .bind(&device)
            .bind(user)
            .execute(&mut *tx)
            .await
            .expect("device");
            let route = Uuid::now_v7().to_string();
            sqlx::query("insert into routes (id, collector_id, route_date) values ($1, $2, $3)")
                .bind(&route)
                .bind(user)
                .bind(today.to_string())
                .execute(&mut *tx)
                .await
                .expect("route");
            // A home block somewhere in a 20 km × 20 km city.
            let (mut x, mut y) = (
                (dice.unit() * 200.0).floor() * 100.0,
                (dice.unit() * 200.0).floor() * 100.0,
            );
            let at = |x: f64, y: f64| (4.55 + y / M_PER_DEG_LAT, -74.2 + x / M_PER_DEG_LON);
            let (mut dx, mut dy) = (100.0, 0.0);
            let per_stop = (SHIFT_HOURS * 3_600_000 / FIX_EVERY_MS) as usize / STOPS;
            let mut seq = 0i64;
            let mut t = start_ms;
            let mut last = (0.0, 0.0, 0i64);
            for stop in 0..STOPS {
                // Half of each leg walks the grid, half dwells at the debtor's door.
                let mut walked = 0.0;
                let mut rows = Vec::with_capacity(per_stop);
                for k in 0..per_stop {
                    if k < per_stop / 2 {
                        let speed = 1.5 + dice.unit() * 4.0;
                        let step = speed * FIX_EVERY_MS as f64 / 1000.0;
                        walked += step;
                        if walked >= 100.0 {
                            walked -= 100.0;
                            if dice.unit() < 0.3 {
                                (dx, dy) = if dice.unit() < 0.5 {
                                    (-dy, dx)
                                } else {
                                    (dy, -dx)
                                };
                            }
                        }
                        x += dx / 100.0 * step;
                        y += dy / 100.0 * step;
                    }
                    let (jx, jy) = ((dice.unit() - 0.5) * 16.0, (dice.unit() - 0.5) * 16.0);
                    let (lat, lon) = at(x + jx, y + jy);
                    seq += 1;
                    t += FIX_EVERY_MS;
                    rows.push((seq, t, lat, lon));
                    last = (lat, lon, t);
                }
                insert_fixes(&mut tx, &device, user, &rows).await;
                fixes += rows.len();
                let account = Uuid::now_v7().to_string();
                let (lat, lon) = at(x, y);
                sqlx::query(
                    "insert into accounts (id, portfolio_id, external_id, debtor_name, address,
                        lat, lon, balance_minor, currency, days_past_due, collector_id,
                        updated_ms)
                     values ($1, $2, $3, $4, 'Calle 1 # 2-3', $5, $6, 100000, 'COP', 40, $7, 0)",
                )
                .bind(&account)
                .bind(&portfolio)
                .bind(format!("A-{i}-{stop}"))
                .bind(format!("Deudor {i}-{stop}"))
                .bind(lat)
                .bind(lon)
                .bind(user)
                .execute(&mut *tx)
                .await
                .expect("account");
                sqlx::query(
                    "insert into stops (id, route_id, account_id, planned_date, position)
                     values ($1, $2, $3, $4, $5)",
                )
                .bind(Uuid::now_v7().to_string())
                .bind(&route)
                .bind(&account)
                .bind(today.to_string())
                .bind(stop as i64)
                .execute(&mut *tx)
                .await
                .expect("stop");
            }
            sqlx::query(
                "insert into last_positions (device_id, user_id, t_ms, lat, lon, accuracy_m,
                    battery, charging, received_ms)
                 values ($1, $2, $3, $4, $5, 8, 0.6, 0, $3)",
            )
            .bind(&device)
            .bind(user)
            .bind(last.2)
            .bind(last.0)
            .bind(last.1)
            .execute(&mut *tx)
            .await
            .expect("last position");
        }
        tx.commit().await.expect("commit");
    }
    (token, fixes)
}

async fn insert_fixes(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    device: &str,
    user: &str,
    rows: &[(i64, i64, f64, f64)],
) {
    // 100 rows × 10 columns stays under SQLite's 32,766 bound parameters.
    for chunk in rows.chunks(100) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "insert into fixes (device_id, seq, user_id, t_ms, lat, lon, accuracy_m, speed_ms,
                battery, mock) ",
        );
        q.push_values(chunk, |mut b, &(seq, t, lat, lon)| {
            b.push_bind(device.to_owned())
                .push_bind(seq)
                .push_bind(user.to_owned())
                .push_bind(t)
                .push_bind(lat)
                .push_bind(lon)
                .push_bind(8.0)
                .push_bind(1.5)
                .push_bind(0.6)
                .push_bind(0i64);
        });
        q.build().execute(&mut **tx).await.expect("fixes");
    }
}
