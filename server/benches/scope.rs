//! Reads cost the caller's scope, not the organization's size (issue 16): an organization of
//! 200,000 accounts, loaded by the real route import (200 collectors in 20 teams, plus one
//! collector with 7 debtors; a visit for every tenth account, each with a check-in; a device,
//! a last position and today's track for every collector), then the time of each read a device
//! or a supervisor makes: the 7-debtor collector's whole snapshot and feed, a supervisor's (one
//! team of ~10,000 accounts) map, and both callers' visit list, reports and export page, each
//! the median of `--runs` calls (5) through the `Db` methods the handlers call.
//!
//! `cargo bench -p terreno-server --bench scope` (SQLite; with `DATABASE_URL` also
//! PostgreSQL, in a database made and dropped here); `-- --accounts N` for another size.
//! A read that takes longer than `--limit` seconds (60) is reported as such and not repeated.
//!
//! Goal: every row here within a few milliseconds of the same row for a 1,000-account org.

use std::fmt::Write as _;
use std::future::Future;
use std::time::{Duration, Instant};

use chrono::{Days, Utc};
use terreno_server::db::exports::VisitKey;
use terreno_server::db::import::Setup;
use terreno_server::db::sessions::Session;
use terreno_server::db::users::NewUser;
use terreno_server::db::visit_list::VisitFilter;
use terreno_server::db::{Db, DbUrl};
use terreno_server::import::ImportOptions;
use terreno_server::on_write;
use terreno_shared::ids::OrgId;
use terreno_shared::model::{Currency, Role};

const TEAMS: usize = 20;
const COLLECTORS: usize = 200;
const OWN: usize = 7;

struct Args {
    accounts: usize,
    runs: usize,
    limit: Duration,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map_or(default, |v| v.parse().expect("a number"))
    };
    let args = Args {
        accounts: arg("--accounts", 200_000),
        runs: arg("--runs", 5),
        limit: Duration::from_secs(arg("--limit", 60) as u64),
    };
    let dir = std::env::temp_dir().join(format!("terreno-scope-bench-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("a directory");
    let mut report = String::new();
    let sqlite = DbUrl::Sqlite(dir.join("scope.db"));
    run("SQLite", &sqlite, &args, &mut report).await;
    if let Ok(admin_url) = std::env::var("DATABASE_URL") {
        let name = format!("terreno_bench_{}", uuid::Uuid::now_v7().simple());
        let admin = sqlx::PgPool::connect(&admin_url).await.expect("PostgreSQL");
        sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
            .execute(&admin)
            .await
            .expect("a bench database");
        let url = DbUrl::postgres_database(&admin_url, &name);
        run("PostgreSQL", &url, &args, &mut report).await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "drop database if exists {name} with (force)"
        )))
        .execute(&admin)
        .await
        .expect("dropping the bench database");
    } else {
        eprintln!("PostgreSQL skipped: set DATABASE_URL to run it");
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("{report}");
}

// Long: a benchmark run read top to bottom: measure, then report.
async fn run(backend: &str, url: &DbUrl, args: &Args, report: &mut String) {
    let db = Db::connect(url).await.expect("a database");
    let started = Instant::now();
    let (collector, supervisor) = populate(&db, args.accounts).await;
    eprintln!(
        "{backend}: {} accounts loaded in {:.1} s",
        args.accounts,
        started.elapsed().as_secs_f64()
    );
    let today = db
        .imports()
        .imports()
        .today_in(collector.org_id)
        .await
        .expect("today");
    let first = today.checked_sub_days(Days::new(29)).expect("a month ago");
    let now = Utc::now().timestamp_millis();
    let _ = writeln!(
        report,
        "\n{backend}, {} accounts (median of {} runs):\n\n| read | caller | rows | time |\n|---|---|---|---|",
        args.accounts, args.runs
    );
    let c = &collector;
    let s = &supervisor;
    let rows = |n: usize| n.to_string();
    time(
        report,
        args,
        "snapshot (every page)",
        "collector",
        || async { rows(snapshot_all(&db, c).await) },
    )
    .await;
    time(report, args, "pull from the start", "collector", || async {
        rows(pull_all(&db, c).await)
    })
    .await;
    time(
        report,
        args,
        "pull from the start",
        "supervisor",
        || async { rows(pull_all(&db, s).await) },
    )
    .await;
    time(report, args, "map", "supervisor", || async {
        let map = db.map().data(s, now, None, None).await.expect("the map");
        rows(map.collectors.len())
    })
    .await;
    time(report, args, "map, one collector", "supervisor", || async {
        let map = db
            .map()
            .data(s, now, None, Some("gestor000"))
            .await
            .expect("the map");
        rows(map.collectors.iter().map(|c| c.stops.len()).sum())
    })
    .await;
    let (tz, range) = db
        .exports()
        .range(s, first, today)
        .await
        .expect("the export range");
    // Reports and exports answer collectors too (their own visits).
    for (who, session) in [("collector", c), ("supervisor", s)] {
        time(report, args, "visit list (first page)", who, || async {
            let filter = VisitFilter {
                limit: 50,
                ..VisitFilter::default()
            };
            let page = db.visits().list(session, &filter).await.expect("visits");
            rows(page.visits.len())
        })
        .await;
        time(report, args, "contact rate (30 days)", who, || async {
            let r = db
                .reports()
                .contact_rate(session, tz, range)
                .await
                .expect("contact");
            let visits: u32 = r.cells.iter().flatten().map(|c| c.visits).sum();
            rows(visits as usize)
        })
        .await;
        time(report, args, "promises (30 days)", who, || async {
            db.reports()
                .promises(session, tz, range, now)
                .await
                .expect("promises");
            String::new()
        })
        .await;
        time(report, args, "visits per collector", who, || async {
            let r = db
                .reports()
                .visits_per_collector(session, tz, (first, today), range)
                .await
                .expect("visits per collector");
            rows(r.total as usize)
        })
        .await;
        time(report, args, "refusal reasons", who, || async {
            db.reports()
                .refusal_reasons(session, range)
                .await
                .expect("refusals");
            String::new()
        })
        .await;
        time(report, args, "visits export (first page)", who, || async {
            let after: Option<&VisitKey> = None;
            let page = db
                .exports()
                .visits_page(session, range, after)
                .await
                .expect("export");
            rows(page.len())
        })
        .await;
        time(report, args, "track export owners", who, || async {
            let owners = db
                .exports()
                .track_owners(session, range, None)
                .await
                .expect("track owners");
            rows(owners.len())
        })
        .await;
    }
    db.close().await;
}

/// Times `read` `args.runs` times and adds a row with the median; a read slower than the limit
/// is abandoned (its query may go on running: that is issue 16's other half).
async fn time<F, Fut>(report: &mut String, args: &Args, what: &str, who: &str, read: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = String>,
{
    let mut times = Vec::with_capacity(args.runs);
    let mut rows = String::new();
    for _ in 0..args.runs {
        let started = Instant::now();
        match tokio::time::timeout(args.limit, read()).await {
            Ok(r) => rows = r,
            Err(_) => {
                let _ = writeln!(
                    report,
                    "| {what} | {who} | | > {} s |",
                    args.limit.as_secs()
                );
                eprintln!("{what} ({who}): over {} s", args.limit.as_secs());
                return;
            }
        }
        times.push(started.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2].as_secs_f64() * 1e3;
    eprintln!("{what} ({who}): {median:.1} ms");
    let _ = writeln!(report, "| {what} | {who} | {rows} | {median:.1} ms |");
}

async fn snapshot_all(db: &Db, who: &Session) -> usize {
    use terreno_server::db::pull::snapshot::Snapshotted;
    let (mut token, mut n) = (None, 0);
    loop {
        let Snapshotted::Page(page) = db
            .pull()
            .pull()
            .snapshot_page(who, token, 500)
            .await
            .expect("snapshot")
        else {
            panic!("the snapshot restarted");
        };
        n += page.changes.len();
        match page.next {
            Some(next) => token = Some(next),
            None => return n,
        }
    }
}

async fn pull_all(db: &Db, who: &Session) -> usize {
    use terreno_server::db::pull::Pulled;
    let (mut after, mut n) = (None, 0);
    loop {
        let Pulled::Page(page) = db.pull().changes(who, after, 500).await.expect("pull") else {
            panic!("the pull asked for a resync");
        };
        n += page.changes.len();
        after = Some(page.cursor);
        if !page.more {
            return n;
        }
    }
}

/// The organization: a supervisor of team 00, the 7-debtor collector in it, and `accounts`
/// accounts in all, imported as one file; then a visit (done a day of the last month) for
/// every tenth account. Answers the collector's and the supervisor's sessions.
async fn populate(db: &Db, accounts: usize) -> (Session, Session) {
    let tz = chrono_tz::America::Bogota;
    let org = db.orgs().insert("bench", tz).await.expect("org").id;
    let team = team_name(0);
    let supervisor = user(db, org, "supervisora", Role::Supervisor, &team).await;
    let collector = user(db, org, "gestor.siete", Role::Collector, &team).await;
    let today = db.imports().today_in(org).await.expect("today");
    let mut csv = String::with_capacity(accounts * 160);
    csv.push_str(
        "external_id,debtor_name,document,address,neighborhood,latitude,longitude,phone,\
         balance,days_past_due,collector,team,visit_date\n",
    );
    for i in 0..accounts {
        let (name, team) = match i {
            i if i < OWN => ("gestor.siete".to_owned(), team_name(0)),
            i => {
                let c = i % COLLECTORS;
                (format!("gestor{c:03}"), team_name(c % TEAMS))
            }
        };
        let _ = writeln!(
            csv,
            "CL-{i:07},Deudor {i},{},Calle {} # {}-{},Barrio {},{:.6},{:.6},315{:07},{}.00,{},{name},{team},{today}",
            10_000_000 + i,
            i % 200,
            i % 90,
            i % 70,
            i % 40,
            4.55 + (i % 1000) as f64 * 1e-4,
            -74.2 + (i / 1000 % 1000) as f64 * 1e-4,
            i % 10_000_000,
            100_000 + i % 5_000_000,
            i % 400,
        );
    }
    let reader = terreno_server::import::open_text(
        std::io::Cursor::new(csv.into_bytes()),
        &ImportOptions::new(Currency::COP),
    )
    .expect("the generated file");
    let setup = Setup {
        org,
        portfolio: "Cartera grande",
        date: today,
        as_of: today,
        team: None,
        only_team: None,
        all_or_nothing: false,
        close_missing: false,
    };
    let summary = db
        .imports()
        .run(reader, &setup, &())
        .await
        .expect("the import");
    assert_eq!(summary.debtors_created, accounts, "{summary:?}");
    add_visits(db).await;
    (collector, supervisor)
}

/// A done visit, by the account's collector, on every tenth account, spread over the last 30
/// days. The id is the account's with its first digit changed: still a UUID, and unique.
async fn add_visits(db: &Db) {
    let now = Utc::now().timestamp_millis();
    on_write!(db, |pool| {
        sqlx::query(
            "insert into visits (id, account_id, collector_id, status, status_rank, outcome,
                 completed_ms, created_ms)
             select 'f' || substr(a.id, 2), a.id, a.collector_id, 'done', 2,
                    case when cast(a.days_past_due as bigint) % 3 = 0 then 'contacted'
                         else 'nobody_home' end,
                    $1 - (cast(a.days_past_due as bigint) % 30) * 86400000,
                    $1 - (cast(a.days_past_due as bigint) % 30) * 86400000
             from accounts a where cast(a.days_past_due as bigint) % 10 = 0
                 and a.collector_id is not null",
        )
        .bind(now)
        .execute(pool)
        .await
        .expect("visits");
    });
    add_checkins_and_fixes(db, now).await;
    // What autovacuum does soon after a load on PostgreSQL; the SQLite server never analyzes,
    // so its planner works without statistics here too.
    if let Db::Postgres(pool) = db {
        sqlx::query("analyze").execute(pool).await.expect("analyze");
    }
}

/// A device for every collector; a check-in for every visit, a minute before it was done (3 in
/// 16 refused by the server); and today's track of each collector, a fix a minute from 14:00
/// UTC (09:00 in Bogotá), 120 of them; and each device's last position.
async fn add_checkins_and_fixes(db: &Db, now: i64) {
    const ALLOWED: &str = r#"{"verdict":"allowed","distance_m":12.0,"accuracy_m":8.0,"fixes_used":3,"dwell_secs":60.0}"#;
    const REFUSED: &str = r#"{"verdict":"refused","reasons":[{"reason":"no_fixes"}]}"#;
    let day_start = now - now.rem_euclid(86_400_000);
    let statements = [
        "insert into devices (id, user_id, public_key, label, enrolled_ms)
         select 'd' || substr(u.id, 2), u.id, 'key', 'phone', $1 from users u
         where u.role = 'collector'"
            .to_owned(),
        format!(
            "insert into checkins (device_id, seq, visit_id, account_id, at_ms, device_verdict,
                 server_verdict, device_allowed, server_allowed, flagged)
             select 'd' || substr(v.collector_id, 2),
                    row_number() over (partition by v.collector_id order by v.id),
                    v.id, v.account_id, v.completed_ms - 60000, '{ALLOWED}',
                    case when v.id like '%0' or v.id like '%5' or v.id like '%a' then '{REFUSED}'
                         else '{ALLOWED}' end,
                    true,
                    case when v.id like '%0' or v.id like '%5' or v.id like '%a' then false
                         else true end,
                    false
             from visits v where $1 > 0"
        ),
        "insert into fixes (device_id, seq, user_id, t_ms, lat, lon, accuracy_m, mock)
         select d.id, m.n, d.user_id, $1 + 50400000 + m.n * 60000, 4.6 + m.n * 1e-4,
                -74.1 + m.n * 1e-4, 8.0, false
         from devices d cross join (select cast(a.days_past_due as bigint) as n from accounts a
                                    where cast(a.days_past_due as bigint) < 120
                                    group by cast(a.days_past_due as bigint)) m"
            .to_owned(),
        "insert into last_positions (device_id, user_id, t_ms, lat, lon, accuracy_m,
             received_ms)
         select d.id, d.user_id, $1, 4.6, -74.1, 8.0, $1 from devices d"
            .to_owned(),
    ];
    for (i, sql) in statements.into_iter().enumerate() {
        let at = if i == 2 { day_start } else { now };
        on_write!(db, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(at)
                .execute(pool)
                .await
                .expect("check-ins and fixes");
        });
    }
}

fn team_name(t: usize) -> String {
    format!("Equipo {t:02}")
}

async fn user(db: &Db, org: OrgId, name: &str, role: Role, team: &str) -> Session {
    let info = db
        .users()
        .insert(
            org,
            &NewUser {
                username: name,
                role,
                team: Some(team),
                display_name: None,
            },
        )
        .await
        .expect("a user");
    let token = terreno_server::auth::new_token().expect("a token");
    let hash = terreno_server::auth::token_hash(&token);
    db.users()
        .users()
        .insert_token(info.id, &hash, i64::MAX / 2)
        .await
        .expect("a token");
    db.sessions()
        .find(&hash)
        .await
        .expect("a session")
        .expect("the token works")
}
