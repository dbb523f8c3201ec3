//! Storage: one [`Db`] type over the two backends, chosen by URL — SQLite (embedded; WAL,
//! `synchronous=FULL`; a read pool and a one-connection write pool, so writes are serialized
//! and the feed counter is commit-ordered) or PostgreSQL (one pool; scale-out).
//!
//! SQL lives only in this module tree. Query text is shared where the dialects agree (`$1`
//! placeholders work on both): [`on_read!`] and [`on_write!`] compile one body once per backend.
//! Row structs stay private to the files that read them. Queries are grouped by area: each
//! area is a handle borrowed from the `Db` (`db.visits().list(..)`, `db.orgs().resolve(..)`),
//! declared with `area!` in the area's module, its methods in that module's files. `Db` itself
//! keeps the infrastructure: connecting, migrating, transactions, ping, notify/listen.
//!
//! This tree runs transactions and SQL only: it imports nothing from `state`, `live`, `routes`,
//! `sync` or `config` (scripts/check-imports); use cases that also need the clock, the live feed
//! or the configuration live above it (`crate::sync`, `crate::live`) and pass plain values in.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// Declares an area handle `$name<'a>` (a borrowed [`Db`]) and the `Db::$accessor()` that
/// gives it. The handle derefs to the `Db`, so its methods call infrastructure and other areas
/// as `self.begin_write()`, `self.orgs().find_team(..)`.
macro_rules! area {
    ($(#[$doc:meta])* $name:ident, $accessor:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name<'a>(&'a $crate::db::Db);

        impl $crate::db::Db {
            #[doc = concat!("This database's [`", stringify!($name), "`] queries.")]
            pub fn $accessor(&self) -> $name<'_> {
                $name(self)
            }
        }

        impl std::ops::Deref for $name<'_> {
            type Target = $crate::db::Db;
            fn deref(&self) -> &$crate::db::Db {
                self.0
            }
        }

        impl $crate::db::AsDb for $name<'_> {
            fn as_db(&self) -> &$crate::db::Db {
                self.0
            }
        }
    };
}

pub(crate) mod account_view;
pub mod blobs;
pub mod cancel;
pub mod changes;
pub mod day_routes;
pub mod demo;
pub mod devices;
pub mod exports;
pub mod form_media;
pub mod forms;
pub mod import;
pub mod json_rows;
pub mod live_reads;
pub mod location_captures;
pub mod logins;
pub mod map;
pub mod notify;
pub mod orgs;
pub mod outbox;
pub mod payments;
pub mod people;
#[cfg(test)]
mod plans;
pub mod portfolio;
pub mod project;
pub mod pull;
pub mod push;
pub mod reads;
pub mod reports;
pub(crate) mod scope;
pub mod sessions;
#[cfg(test)]
mod test_db;
pub mod trackers;
pub mod tx;
pub mod users;
pub mod visit_answers;
pub mod visit_form;
pub mod visit_history;
pub mod visit_list;
pub mod visit_reports;
pub mod visit_reviews;

/// Runs `$body` with `$pool` bound to a read connection (`&mut`; on SQLite one that stops when
/// the request is dropped, see [`cancel`]); the body compiles per backend. A body that runs
/// several statements passes `&mut *pool` to each. Taking the connection may fail: the macro
/// returns the error with `?`, so it is used in functions answering `anyhow::Result`.
#[macro_export]
macro_rules! on_read {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $crate::db::AsDb::as_db(&$db) {
            $crate::db::Db::Sqlite(s) => {
                // A guarded connection: the read stops if this future is dropped (db::cancel).
                let mut read = s.read_conn().await?;
                let $pool = read.conn();
                $body
            }
            $crate::db::Db::Postgres(p) => {
                let mut read = p
                    .acquire()
                    .await
                    .map_err(|e| anyhow::anyhow!("taking a read connection: {e}"))?;
                let $pool = &mut *read;
                $body
            }
        }
    };
}

/// Runs `$body` with `$pool` bound to the backend's read pool, in any context (no `?`): for
/// tests and tools. Not cancellable on SQLite: the server's reads use [`on_read!`].
#[macro_export]
macro_rules! on_read_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $crate::db::AsDb::as_db(&$db) {
            $crate::db::Db::Sqlite(s) => {
                let $pool = &s.read;
                $body
            }
            $crate::db::Db::Postgres(p) => {
                let $pool = p;
                $body
            }
        }
    };
}

/// Runs `$body` with `$pool` bound to the backend's write pool (the body compiles per backend).
#[macro_export]
macro_rules! on_write {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $crate::db::AsDb::as_db(&$db) {
            $crate::db::Db::Sqlite(s) => {
                let $pool = &s.write;
                $body
            }
            $crate::db::Db::Postgres(p) => {
                let $pool = p;
                $body
            }
        }
    };
}

/// What the `on_*!` macros take: the [`Db`], a reference to it, or an area handle.
pub trait AsDb {
    /// The database.
    fn as_db(&self) -> &Db;
}

impl AsDb for Db {
    fn as_db(&self) -> &Db {
        self
    }
}

impl<T: AsDb + ?Sized> AsDb for &T {
    fn as_db(&self) -> &Db {
        (**self).as_db()
    }
}

/// The database, cheap to clone (pools are shared handles).
#[derive(Clone, Debug)]
pub enum Db {
    /// Embedded SQLite.
    Sqlite(Arc<SqliteDb>),
    /// PostgreSQL.
    Postgres(PgPool),
}

/// The SQLite pools: reads run concurrently, writes go through one connection.
#[derive(Debug)]
pub struct SqliteDb {
    /// Readers (WAL lets them run beside the writer).
    pub read: SqlitePool,
    /// The single writer.
    pub write: SqlitePool,
    /// The database file.
    pub path: PathBuf,
    /// The push group-commit writer, started on first use (see [`push::Writer`]).
    pub push_writer: std::sync::OnceLock<push::Writer>,
    /// How long a read may run before it is interrupted (zero: no limit).
    pub read_timeout: Duration,
}

/// Which backend a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    /// A SQLite file (created if absent).
    Sqlite(PathBuf),
    /// A PostgreSQL URL.
    Postgres(String),
}

impl DbUrl {
    /// PostgreSQL at `url` (`postgres://u@h:5432/test?x=y`) with database `name` instead of
    /// the one it names: tests and benchmarks make databases of their own beside it.
    pub fn postgres_database(url: &str, name: &str) -> DbUrl {
        let (base, query) = match url.split_once('?') {
            Some((b, q)) => (b, format!("?{q}")),
            None => (url, String::new()),
        };
        let scheme_end = base.find("://").map_or(0, |i| i + 3);
        let host_end = base[scheme_end..]
            .find('/')
            .map_or(base.len(), |i| i + scheme_end);
        DbUrl::Postgres(format!("{}/{name}{query}", &base[..host_end]))
    }
}

impl FromStr for DbUrl {
    type Err = anyhow::Error;
    /// `sqlite://PATH`, `sqlite:PATH`, a bare path, or `postgres://…` / `postgresql://…`.
    fn from_str(s: &str) -> anyhow::Result<Self> {
        let s = s.trim();
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(s.to_owned()));
        }
        let path = s
            .strip_prefix("sqlite://")
            .or_else(|| s.strip_prefix("sqlite:"))
            .unwrap_or(s);
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() || s.contains("://") && !s.starts_with("sqlite://") {
            anyhow::bail!(
                "database URL {s:?} is neither sqlite://PATH, a file path, nor postgres://…"
            );
        }
        Ok(DbUrl::Sqlite(PathBuf::from(path)))
    }
}

impl Db {
    /// Connects (creating a SQLite file that does not exist) and applies pending migrations.
    /// Statements have no time limit (the command line's imports and exports may be long).
    pub async fn connect(url: &DbUrl) -> anyhow::Result<Db> {
        Db::connect_with(url, Duration::ZERO).await
    }

    /// [`Db::connect`], with statements stopped after `statement_timeout` (zero: no limit):
    /// SQLite's reads by their progress handler ([`cancel`]), every PostgreSQL statement by
    /// the server's `statement_timeout`. Migrations run without the limit.
    pub async fn connect_with(url: &DbUrl, statement_timeout: Duration) -> anyhow::Result<Db> {
        let db = match url {
            DbUrl::Sqlite(path) => {
                Db::Sqlite(Arc::new(connect_sqlite(path, statement_timeout).await?))
            }
            DbUrl::Postgres(url) => {
                let opts = PgConnectOptions::from_str(url)
                    .with_context(|| "parsing the PostgreSQL URL".to_owned())?
                    .options([(
                        "statement_timeout",
                        statement_timeout.as_millis().to_string(),
                    )]);
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await
                    .context("connecting to PostgreSQL")?;
                Db::Postgres(pool)
            }
        };
        db.migrate().await?;
        Ok(db)
    }

    /// Applies the embedded migrations of the backend.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite(s) => sqlx::migrate!("../migrations/server/sqlite")
                .run(&s.write)
                .await
                .context("migrating the SQLite database")?,
            Db::Postgres(p) => {
                // A migration may build an index over every row: on a connection of its own
                // without the statement limit, closed afterwards so the pool never reuses it.
                let mut conn = p.acquire().await.context("connecting to migrate")?;
                sqlx::query("set statement_timeout = 0")
                    .execute(&mut *conn)
                    .await
                    .context("lifting the statement limit to migrate")?;
                sqlx::migrate!("../migrations/server/postgres")
                    .run(&mut *conn)
                    .await
                    .context("migrating the PostgreSQL database")?;
                conn.close_on_drop();
            }
        }
        Ok(())
    }

    /// One round trip on a read connection (the health check).
    pub async fn ping(&self) -> anyhow::Result<()> {
        let _: i64 = on_read!(self, |pool| {
            sqlx::query_scalar("select cast(1 as bigint)")
                .fetch_one(pool)
                .await
                .context("pinging the database")?
        });
        Ok(())
    }

    /// Whether this is the PostgreSQL backend.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Db::Postgres(_))
    }

    /// Closes the pools, waiting for connections to be returned.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(s) => {
                s.write.close().await;
                s.read.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }
}

async fn connect_sqlite(
    path: &std::path::Path,
    read_timeout: Duration,
) -> anyhow::Result<SqliteDb> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the directory of {}", path.display()))?;
    }
    let base = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    // An import's staging table is a temporary table: on disk, so memory stays bounded.
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .after_release(|conn, _| Box::pin(async move { Ok(settled(conn).await) }))
        .connect_with(
            base.clone()
                .pragma("temp_store", "file")
                .pragma("cache_size", "-32768"),
        )
        .await
        .with_context(|| format!("opening the SQLite database {}", path.display()))?;
    let read = SqlitePoolOptions::new()
        .max_connections(8)
        // A released connection keeps no progress handler (see `cancel`).
        .after_release(|conn, _| {
            Box::pin(async move {
                conn.lock_handle().await?.remove_progress_handler();
                Ok(true)
            })
        })
        .connect_with(base.read_only(true))
        .await
        .with_context(|| format!("opening the SQLite database {} for reading", path.display()))?;
    Ok(SqliteDb {
        read,
        write,
        path: path.to_owned(),
        push_writer: std::sync::OnceLock::new(),
        read_timeout,
    })
}

/// Whether a write connection coming back to its pool is out of every transaction, so the next
/// user may begin one. A failed commit can leave sqlx's count of open transactions behind
/// SQLite's: on a full disk (or an I/O error) SQLite rolls the transaction back by itself, the
/// rollback sqlx then sends fails with "no transaction is active", and the count stays at one —
/// every later `begin` would nest a savepoint, and the push writer's `begin immediate` would fail
/// for good. Such a connection is closed; the pool opens a fresh one.
async fn settled(conn: &mut sqlx::SqliteConnection) -> bool {
    use sqlx::Connection;
    // The ping runs after the rollback a dropped transaction queued, so the count is final.
    if let Err(e) = conn.ping().await {
        tracing::warn!(error = %e, "the SQLite write connection failed a ping: replacing it");
        return false;
    }
    if conn.is_in_transaction() {
        tracing::warn!("the SQLite write connection was left inside a transaction: replacing it");
        return false;
    }
    true
}

/// Milliseconds since the Unix epoch, now. The server's only clock read for stored times.
pub fn now_ms() -> i64 {
    crate::clock::now_ms()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_name_their_backend() {
        let cases = [
            ("sqlite://data/t.db", DbUrl::Sqlite("data/t.db".into())),
            ("sqlite:t.db", DbUrl::Sqlite("t.db".into())),
            ("t.db", DbUrl::Sqlite("t.db".into())),
            (
                "/var/lib/terreno/t.db",
                DbUrl::Sqlite("/var/lib/terreno/t.db".into()),
            ),
            (
                "postgres://u@h/db",
                DbUrl::Postgres("postgres://u@h/db".into()),
            ),
        ];
        for (s, want) in cases {
            assert_eq!(s.parse::<DbUrl>().unwrap(), want, "{s}");
        }
        for bad in ["", "mysql://x/y", "sqlite://"] {
            assert!(bad.parse::<DbUrl>().is_err(), "{bad:?}");
        }
    }
}
