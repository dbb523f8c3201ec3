//! Rotating the device id after a fork (SYNC.md: two installs sharing an id, e.g. a data folder
//! restored onto a second phone). The old id's log is closed: what the server holds of it stays
//! there; the events it never acknowledged are re-sealed, in order and with their content
//! unchanged, as the first events of the new id's log (new sequence numbers, new stamps, a new
//! hash chain). Every row that names an event by `(device, seq)` follows it, all in the
//! caller's transaction.

use rusqlite::{Connection, OptionalExtension, params};
use terreno_shared::ids::DeviceId;
use terreno_shared::sync::LogHead;

use crate::error::{Context, Error, Result};
use crate::store::{device, log, visits};

/// Most events re-sealed at once: far beyond any real outbox (a month of tracking at 1 Hz is
/// 2.6 million), and an explicit bound rather than SQLite's "no limit".
const MAX_RESEAL: usize = 50_000_000;

/// Re-seals the unacknowledged events under `new_id`; returns how many.
// Long: the re-seal runs in one transaction: read, re-sign and rewrite must not be split across
// calls.
pub(crate) fn rotate(
    conn: &Connection,
    new_id: DeviceId,
    public_key: &str,
    now_ms: i64,
) -> Result<u64> {
    let me = device::get(conn)?;
    let first: Option<i64> = conn
        .query_row(
            "select min(seq) from events where acked_ms is null",
            [],
            |r| r.get(0),
        )
        .optional()
        .context("reading the outbox")?
        .flatten();
    let pending = match first {
        Some(seq) => log::load_range(conn, me.device_id, seq as u64, MAX_RESEAL)?,
        None => Vec::new(),
    };
    let mut head = LogHead::new(new_id);
    head.clock = me.head.clock;
    conn.execute_batch("create temp table if not exists reseq (old integer primary key, new integer not null); delete from reseq;")
        .context("re-sealing the outbox")?;
    let mut resealed = Vec::with_capacity(pending.len());
    for old in &pending {
        let event = head
            .append(old.draft().clone(), now_ms)
            .map_err(|e| Error::Invalid(format!("re-sealing event {}: {e}", old.key().seq)))?;
        conn.execute(
            "insert into reseq (old, new) values (?1, ?2)",
            params![old.key().seq as i64, event.key().seq as i64],
        )
        .context("re-sealing the outbox")?;
        resealed.push(event);
    }
    conn.execute("delete from events", [])
        .context("closing the old log")?;
    for e in &resealed {
        log::insert_event(conn, e, now_ms)?;
    }
    let (old, new) = (me.device_id.to_string(), new_id.to_string());
    conn.execute_batch(
        "update fixes set seq = -seq where seq is not null; \
         update fixes set seq = (select new from reseq where old = -fixes.seq) where seq < 0;",
    )
    .context("moving fixes to the new log")?;
    for (table, device_col, seq_col) in [
        ("checkins", "device_id", "seq"),
        ("fields", "device_id", "seq"),
        ("visits", "status_device", "status_seq"),
    ] {
        conn.execute(
            &format!(
                "update {table} set {device_col} = ?2, {seq_col} = (select new from reseq where old = {table}.{seq_col}) \
                 where {device_col} = ?1 and {seq_col} in (select old from reseq)"
            ),
            params![old, new],
        )
        .context("moving records to the new log")?;
    }
    visits::rekey(conn, new_id)?;
    conn.execute(
        "update device set device_id = ?1, public_key = ?2, server_head = 0 where id = 1",
        params![new, public_key],
    )
    .context("storing the new device id")?;
    device::save_head(conn, &head)?;
    Ok(resealed.len() as u64)
}
