//! The device's local database: SQLCipher through rusqlite, encrypted at rest with a 256-bit
//! key the shell provides (the platform keystore on phones, an owner-only key file on desktop).
//! Owns opening, pragmas and migrations; one file per aggregate holds its SQL. Never calls the
//! network.
//!
//! Durability: WAL with `synchronous=FULL`, so a committed transaction (a captured step)
//! survives a power cut. Every local change writes its row and its event in one transaction
//! (see [`log`]).

pub(crate) mod attachments;
pub(crate) mod device;
pub(crate) mod fixes;
pub(crate) mod forms;
pub(crate) mod log;
pub(crate) mod mirror;
pub(crate) mod payments;
pub(crate) mod rotate;
pub(crate) mod schema;
pub(crate) mod tile_cache;
pub(crate) mod visits;

#[cfg(test)]
mod merge_tests;
#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Context, Error, Result};

/// Starts a write transaction that takes the write lock at once (`BEGIN IMMEDIATE`): a
/// deferred one that reads first and writes later fails with `SQLITE_BUSY_SNAPSHOT`, which the
/// busy timeout does not retry, when another process (a CLI replaying a track, say) committed in
/// between.
pub(crate) fn write_tx(conn: &mut Connection) -> Result<Transaction<'_>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
        .context("starting a write transaction")
}

/// The 256-bit key of the database file.
#[derive(Clone)]
pub struct DbKey(pub [u8; 32]);

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(..)")
    }
}

/// An open device database.
pub struct Store {
    pub(crate) conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the encrypted database at `path` and migrates it. A wrong key
    /// or a file that is not a Terreno database is an error; nothing is deleted.
    pub fn open(path: &Path, key: &DbKey) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .context(&format!("opening the device database {}", path.display()))?;
        let hex = terreno_shared::hex::encode(&key.0);
        // A raw key (x'..') skips SQLCipher's passphrase derivation: the key is already random.
        conn.execute_batch(&format!(
            "pragma cipher_log_level = none; pragma key = \"x'{hex}'\";"
        ))
        .context("keying the device database")?;
        // The first read is where a wrong key shows.
        conn.query_row("select count(*) from sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| {
            Error::Conflict(format!(
                "cannot read the device database {}: wrong key, or not a Terreno \
                     database ({e})",
                path.display()
            ))
        })?;
        Store::setup(conn, true)
    }

    /// An unencrypted in-memory database, for tests.
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory().context("opening an in-memory database")?;
        Store::setup(conn, false)
    }

    fn setup(mut conn: Connection, on_disk: bool) -> Result<Store> {
        if on_disk {
            let mode: String = conn
                .query_row("pragma journal_mode = wal", [], |r| r.get(0))
                .context("switching to WAL")?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(Error::Conflict(format!(
                    "the device database refused WAL mode (got {mode})"
                )));
            }
        }
        conn.execute_batch("pragma synchronous = full; pragma foreign_keys = on;")
            .context("setting the database pragmas")?;
        conn.busy_timeout(Duration::from_secs(5))
            .context("setting the busy timeout")?;
        schema::migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// Checks the file's integrity (`PRAGMA integrity_check`); the problems found, if any.
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("pragma integrity_check")
            .context("checking integrity")?;
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .context("checking integrity")?
            .collect::<Result<_, _>>()
            .context("checking integrity")?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }
}
