//! A full disk under a push: the answer is `507 insufficient_storage` (retryable), nothing is
//! acknowledged, and the same push succeeds as soon as space is back, without a restart. A
//! failed transaction of the SQLite group-commit writer leaves it usable.
//!
//! The full disk is real on each backend's side of the error: SQLite's `max_page_count`, set on
//! the single write connection, makes every write that needs a new page fail with
//! `SQLITE_FULL` (what a full disk gives); PostgreSQL gets a deferred trigger that fails the
//! commit with SQLSTATE `53100 disk_full`, as a full data directory does.

use std::collections::BTreeSet;

use chrono::Utc;
use terreno_server::on_write;

use super::helpers::*;
use crate::both;
use crate::harness::{Backend, TestApp};
use crate::pull::pull_all;

/// Fixes in the pushed batch: enough rows that storing them needs new pages.
const FIXES: i64 = 200;
/// Completed visits in the pushed batch (two events each).
const VISITS: usize = 5;

/// Runs one statement on the write connection (the one the push writer uses on SQLite).
async fn on_writer(app: &TestApp, sql: &str) {
    on_write!(app.db(), |pool| {
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(pool)
            .await
            .unwrap_or_else(|e| panic!("running {sql}: {e}"));
    });
}

/// The disk fills up: no write that needs more space succeeds.
async fn fill_disk(app: &TestApp) {
    match app.backend {
        // A limit below the current size holds the database at its current size.
        Backend::Sqlite => on_writer(app, "pragma max_page_count = 1").await,
        Backend::Postgres => {
            on_writer(
                app,
                "create function test_disk_full() returns trigger language plpgsql as $$
                 begin
                     raise exception 'could not extend file: No space left on device'
                         using errcode = 'disk_full';
                 end $$",
            )
            .await;
            on_writer(
                app,
                "create constraint trigger test_disk_full after insert on events
                 deferrable initially deferred for each row execute function test_disk_full()",
            )
            .await;
        }
    }
}

/// Space is freed.
async fn free_disk(app: &TestApp) {
    match app.backend {
        Backend::Sqlite => on_writer(app, "pragma max_page_count = 2147483646").await,
        Backend::Postgres => on_writer(app, "drop trigger test_disk_full on events").await,
    }
}

/// Ana's phone with fixes and completed visits: the visits' ids and the number of events.
fn busy_day(w: &mut World) -> (Vec<String>, u64) {
    let now = Utc::now();
    for s in 0..FIXES {
        w.ana.phone.add(fix(now, FIXES + 100 - s));
    }
    let visits = (0..VISITS)
        .map(|_| {
            let visit = new_visit();
            w.ana.phone.add(check_in(visit, w.ana_account, now, 0.0));
            w.ana
                .phone
                .add(submit(w.form, visit, w.ana_account, "contacted"));
            visit.to_string()
        })
        .collect();
    (visits, w.ana.phone.events.len() as u64)
}

both!(
    a_full_disk_answers_507_and_the_same_push_succeeds_once_space_is_back,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let (visits, n) = busy_day(&mut w);
        let batch = w.ana.phone.batch(1..=n);
        let before = stored(&app).await;
        fill_disk(&app).await;

        let full = push(&app, &w.ana, &batch).await;
        let still_full = push(&app, &w.ana, &batch).await;
        let while_full = stored(&app).await;
        free_disk(&app).await;
        let freed = push(&app, &w.ana, &batch).await;

        for r in [&full, &still_full] {
            assert_eq!(r.status, 507, "{}", r.text);
            assert_eq!(r.body["code"], "insufficient_storage", "{}", r.text);
            assert!(
                r.body["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("out of storage space")),
                "{}",
                r.text
            );
        }
        assert_eq!(while_full, before, "nothing of a refused push is stored");
        assert_eq!(freed.status, 200, "{}", freed.text);
        assert_eq!(
            (freed.body["head"].as_u64(), freed.body["max_seen"].as_u64()),
            (Some(n), Some(n))
        );
        assert_eq!(count(&app, "events").await, n as i64, "every event once");
        assert_eq!(count(&app, "fixes").await, FIXES);
        // The feed may hold changes back while any transaction of the database cluster is open
        // (on PostgreSQL, other tests' too): pull again until they show, for a while.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let (pages, _) = pull_all(&app, &w.ana.token, "", 5000).await;
            let pulled: BTreeSet<String> = pages.into_iter().flatten().collect();
            let missing: Vec<_> = visits.iter().filter(|v| !pulled.contains(*v)).collect();
            if missing.is_empty() {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "visits missing from the pull feed: {missing:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
);

/// A failure injected into the push transaction, and how it is removed.
struct Injection {
    what: &'static str,
    setup: &'static [&'static str],
    clear: &'static str,
}

/// SQLite: the transaction rolled back under the writer (as SQLite does by itself on a full
/// disk or an I/O error), then a commit refused. PostgreSQL: a statement failing, then the
/// commit. Triggers on the write connection only (SQLite's are `temp`).
fn injections(backend: Backend) -> [Injection; 2] {
    match backend {
        Backend::Sqlite => [
            Injection {
                what: "a transaction rolled back under the writer",
                setup: &["create temp trigger test_fail after insert on events
                     begin select raise(rollback, 'injected failure'); end"],
                clear: "drop trigger if exists temp.test_fail",
            },
            Injection {
                what: "a refused commit",
                setup: &[
                    "create table test_parent (id text primary key)",
                    "create table test_child (p text references test_parent (id)
                         deferrable initially deferred)",
                    "create temp trigger test_fail after insert on events
                         begin insert into test_child values ('missing'); end",
                ],
                clear: "drop trigger if exists temp.test_fail",
            },
        ],
        Backend::Postgres => [
            Injection {
                what: "a failing statement",
                setup: &[
                    "create function test_fail() returns trigger language plpgsql as $$
                         begin raise exception 'injected failure'; end $$",
                    "create trigger test_fail after insert on events
                         for each row execute function test_fail()",
                ],
                clear: "drop trigger test_fail on events",
            },
            Injection {
                what: "a refused commit",
                setup: &["create constraint trigger test_fail after insert on events
                     deferrable initially deferred for each row execute function test_fail()"],
                clear: "drop trigger test_fail on events",
            },
        ],
    }
}

both!(
    a_push_after_a_failed_push_transaction_succeeds_without_a_restart,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let mut head = 0;
        for injection in injections(app.backend) {
            let visit = new_visit();
            w.ana
                .phone
                .add(check_in(visit, w.ana_account, Utc::now(), 0.0));
            w.ana
                .phone
                .add(submit(w.form, visit, w.ana_account, "contacted"));
            let batch = w.ana.phone.batch(head + 1..=head + 2);
            let before = stored(&app).await;
            for sql in injection.setup {
                on_writer(&app, sql).await;
            }

            let failed = push(&app, &w.ana, &batch).await;
            let after_failure = stored(&app).await;
            on_writer(&app, injection.clear).await;
            let again = push(&app, &w.ana, &batch).await;

            let what = injection.what;
            assert_eq!(failed.status, 500, "{what}: {}", failed.text);
            assert_eq!(after_failure, before, "{what}: nothing is stored");
            assert_eq!(again.status, 200, "{what}: {}", again.text);
            head += 2;
            assert_eq!(again.body["head"].as_u64(), Some(head), "{what}");
        }
    }
);
