//! Reads that stop when nobody waits for them (issue 16): a request the client dropped, or a
//! read past the server's statement deadline, must not keep a core busy.
//!
//! SQLite: each read takes its connection through [`SqliteDb::read_conn`], which installs a
//! progress handler (called every [`PROGRESS_OPS`] virtual-machine steps) that interrupts the
//! statement once the read's guard is dropped (the handler's future was dropped with the
//! request) or its deadline has passed; the pool's `after_release` hook removes the handler, so
//! an idle connection carries none (a stale one would interrupt the next caller). PostgreSQL: the server's own `statement_timeout`, set on
//! every pool connection (see [`super::Db::connect_with`]); a dropped request's statement runs
//! on until it ends or that timeout stops it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::Context;
use sqlx::Sqlite;
use sqlx::pool::PoolConnection;

use super::SqliteDb;

/// Virtual-machine steps between two looks at the read's guard and deadline: about a
/// millisecond of work, so an abandoned read stops within milliseconds and the look costs
/// nothing measurable.
pub const PROGRESS_OPS: i32 = 10_000;

/// A read connection whose statements stop once this guard is dropped.
pub struct GuardedRead {
    gone: Arc<AtomicBool>,
    conn: PoolConnection<Sqlite>,
}

impl GuardedRead {
    /// The connection, for `fetch_*` and `execute`.
    pub fn conn(&mut self) -> &mut sqlx::SqliteConnection {
        &mut self.conn
    }
}

impl Drop for GuardedRead {
    // Runs before `conn` is returned to the pool: a statement still running on its worker
    // thread sees the flag at its next progress call and is interrupted.
    fn drop(&mut self) {
        self.gone.store(true, Ordering::Relaxed);
    }
}

impl SqliteDb {
    /// A read connection, guarded: its statements stop when the guard is dropped or after the
    /// read deadline (none when the deadline is zero).
    pub async fn read_conn(&self) -> anyhow::Result<GuardedRead> {
        let mut conn = self
            .read
            .acquire()
            .await
            .context("taking a read connection")?;
        let gone = Arc::new(AtomicBool::new(false));
        let deadline = (!self.read_timeout.is_zero()).then(|| Instant::now() + self.read_timeout);
        let flag = gone.clone();
        let mut handle = conn
            .lock_handle()
            .await
            .context("locking a read connection")?;
        // `true` continues; `false` interrupts the statement (SQLITE_INTERRUPT).
        handle.set_progress_handler(PROGRESS_OPS, move || {
            !flag.load(Ordering::Relaxed) && deadline.is_none_or(|d| Instant::now() < d)
        });
        drop(handle);
        Ok(GuardedRead { gone, conn })
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use crate::db::Db;
    use crate::db::test_db::Fresh;
    use crate::on_read;

    /// Counts to a billion: minutes of work for SQLite, seconds' worth of sleep for PostgreSQL.
    const SLOW: &str = "with recursive n(i) as (select 1 union all select i + 1 from n
                        where i < 1000000000) select count(*) from n";

    async fn slow_read(db: &Db) -> anyhow::Result<i64> {
        let sql = if db.is_postgres() {
            "select cast(count(*) as bigint) from pg_sleep(20)"
        } else {
            SLOW
        };
        Ok(on_read!(db, |pool| {
            sqlx::query_scalar(sql).fetch_one(pool).await?
        }))
    }

    async fn one(db: &Db) -> anyhow::Result<i64> {
        Ok(on_read!(db, |pool| {
            sqlx::query_scalar("select 1").fetch_one(pool).await?
        }))
    }

    #[tokio::test]
    async fn a_dropped_read_stops_its_statement_on_sqlite() {
        let fresh = Fresh::sqlite(Duration::ZERO).await;
        let crate::db::Db::Sqlite(s) = &fresh.db else {
            unreachable!("a SQLite database")
        };

        let dropped = tokio::time::timeout(Duration::from_millis(200), slow_read(&fresh.db)).await;
        // Closing waits for every connection to come back: the interrupted statement's does
        // at once; an uninterrupted one would after minutes of counting.
        let started = Instant::now();
        let closed = tokio::time::timeout(Duration::from_secs(5), s.read.close()).await;

        assert!(dropped.is_err(), "the read was still running when dropped");
        assert!(closed.is_ok(), "the dropped read's statement ran on");
        assert!(started.elapsed() < Duration::from_secs(5));
        fresh.drop_it().await;
    }

    #[tokio::test]
    async fn a_read_past_the_deadline_is_interrupted_on_sqlite() {
        let fresh = Fresh::sqlite(Duration::from_millis(300)).await;

        let started = Instant::now();
        let read = slow_read(&fresh.db).await;

        assert!(read.is_err(), "the read was stopped: {read:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
        // The connection works for the next read.
        assert_eq!(one(&fresh.db).await.expect("a read"), 1);
        fresh.drop_it().await;
    }

    #[tokio::test]
    async fn a_statement_past_the_deadline_is_cancelled_by_postgres() {
        let Some(fresh) = Fresh::postgres(Duration::from_millis(300)).await else {
            return;
        };

        let started = Instant::now();
        let read = slow_read(&fresh.db).await;

        let err = format!("{:#}", read.expect_err("the statement was cancelled"));
        assert!(err.contains("statement timeout"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
        fresh.drop_it().await;
    }
}
