//! The device's own event log, which is also its outbox: appending sealed events (the row and
//! the log head in the caller's transaction), reading a range back for a push, and recording
//! what the server acknowledged or rejected.
//!
//! Appending needs the caller's transaction: a captured step writes its domain rows and its
//! events together, or nothing.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use terreno_shared::ids::DeviceId;
use terreno_shared::sync::event::EventHash;
use terreno_shared::sync::{Draft, Event, EventKind, Hlc, LogHead};

use crate::error::{Context, Error, Result};
use crate::store::{device, visits};

const INSERT_EVENT: &str = "insert into events (seq, hlc, kind, v, entity, field, base_hlc, \
    prev_hash, hash, payload, created_ms) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

/// Seals `drafts` as the next events of the log at wall time `now_ms` and stores them with the
/// new head, inside `tx`.
pub(crate) fn append(
    tx: &Transaction<'_>,
    drafts: impl IntoIterator<Item = Draft>,
    now_ms: i64,
) -> Result<Vec<Event>> {
    let mut head = device::get(tx)?.head;
    let out = drafts
        .into_iter()
        .map(|d| append_with(tx, &mut head, d, now_ms))
        .collect::<Result<Vec<_>>>()?;
    device::save_head(tx, &head)?;
    Ok(out)
}

/// Seals one draft onto `head` and stores it (for callers appending many, e.g. the recorder);
/// the caller saves the head.
pub(crate) fn append_with(
    tx: &Transaction<'_>,
    head: &mut LogHead,
    draft: Draft,
    now_ms: i64,
) -> Result<Event> {
    let event = head
        .append(draft, now_ms)
        .map_err(|e| Error::Invalid(format!("recording an event: {e}")))?;
    insert_event(tx, &event, now_ms)?;
    Ok(event)
}

/// Inserts an already sealed event (also used when re-sealing after a fork).
pub(crate) fn insert_event(conn: &Connection, e: &Event, now_ms: i64) -> Result<()> {
    let mut insert = conn
        .prepare_cached(INSERT_EVENT)
        .context("preparing the event insert")?;
    insert_row(&mut insert, e, now_ms)
}

fn insert_row(stmt: &mut rusqlite::CachedStatement<'_>, e: &Event, now_ms: i64) -> Result<()> {
    let d = e.draft();
    stmt.execute(params![
        seq_sql(e.key().seq),
        e.hlc().raw(),
        d.kind.as_str(),
        d.v,
        d.entity.map(|u| u.to_string()),
        d.field,
        d.base_hlc.map(Hlc::raw),
        e.prev_hash().0.to_vec(),
        e.hash().0.to_vec(),
        d.payload.to_string(),
        now_ms,
    ])
    .context("storing an event")?;
    Ok(())
}

/// Up to `max` events from `from_seq` on, contiguous (a pruned or missing one ends the range).
/// Each is re-sealed and its hash checked against the stored one.
pub(crate) fn load_range(
    conn: &Connection,
    device_id: DeviceId,
    from_seq: u64,
    max: usize,
) -> Result<Vec<Event>> {
    let mut stmt = conn
        .prepare_cached(
            "select seq, hlc, kind, v, entity, field, base_hlc, prev_hash, hash, payload \
             from events where seq >= ?1 order by seq limit ?2",
        )
        .context("reading the outbox")?;
    let rows = stmt
        .query_map(params![seq_sql(from_seq), max as i64], |r| {
            Ok(StoredEvent {
                seq: r.get(0)?,
                hlc: r.get(1)?,
                kind: r.get(2)?,
                v: r.get(3)?,
                entity: r.get(4)?,
                field: r.get(5)?,
                base_hlc: r.get(6)?,
                prev_hash: r.get(7)?,
                hash: r.get(8)?,
                payload: r.get(9)?,
            })
        })
        .context("reading the outbox")?;
    let mut out: Vec<Event> = Vec::new();
    for (expected, row) in (from_seq..).zip(rows) {
        let row = row.context("reading the outbox")?;
        if u64::try_from(row.seq).ok() != Some(expected) {
            break;
        }
        out.push(row.into_event(device_id)?);
    }
    Ok(out)
}

struct StoredEvent {
    seq: i64,
    hlc: i64,
    kind: String,
    v: u16,
    entity: Option<String>,
    field: Option<String>,
    base_hlc: Option<i64>,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
    payload: String,
}

impl StoredEvent {
    fn into_event(self, device_id: DeviceId) -> Result<Event> {
        let what = format!("reading event {} of the outbox", self.seq);
        let bad = |e: &dyn std::fmt::Display| Error::corrupt(&what, e.to_string());
        let kind: EventKind = self.kind.parse().map_err(|e| bad(&e))?;
        let mut draft = Draft::new(
            kind,
            self.v,
            serde_json::from_str(&self.payload).map_err(|e| bad(&e))?,
        );
        if let Some(entity) = &self.entity {
            draft = draft.entity(entity.parse().map_err(|e| bad(&e))?);
        }
        if let Some(field) = self.field {
            draft = draft.field(field);
        }
        draft = draft.base(self.base_hlc.map(Hlc::from_raw));
        let prev = hash32(&self.prev_hash).ok_or_else(|| bad(&"prev_hash is not 32 bytes"))?;
        let seq = u64::try_from(self.seq).map_err(|e| bad(&e))?;
        let event = draft
            .seal(device_id, seq, Hlc::from_raw(self.hlc), prev)
            .map_err(|e| bad(&e))?;
        if Some(event.hash()) != hash32(&self.hash) {
            return Err(bad(&"its content no longer matches its hash"));
        }
        Ok(event)
    }
}

fn hash32(bytes: &[u8]) -> Option<EventHash> {
    bytes.try_into().ok().map(EventHash)
}

/// Records that the server holds everything up to `head` and nothing beyond (a server restored
/// from an older copy lost what it had acknowledged above it). Run in the caller's transaction.
pub(crate) fn acknowledge(conn: &Connection, head: u64, now_ms: i64) -> Result<()> {
    conn.execute(
        "update events set acked_ms = ?1 where acked_ms is null and seq <= ?2",
        params![now_ms, seq_sql(head)],
    )
    .context("recording the acknowledgement")?;
    conn.execute(
        "update events set acked_ms = null where acked_ms is not null and seq > ?1",
        params![seq_sql(head)],
    )
    .context("recording what the server lost")?;
    device::set_server_head(conn, head)
}

/// The stored hash of event `seq`, while the device keeps it.
pub(crate) fn hash_at(conn: &Connection, seq: u64) -> Result<Option<EventHash>> {
    let bytes: Option<Vec<u8>> = conn
        .query_row(
            "select hash from events where seq = ?1",
            [seq_sql(seq)],
            |r| r.get(0),
        )
        .optional()
        .context("reading an event's hash")?;
    Ok(bytes.and_then(|b| hash32(&b)))
}

/// Parks an event the server rejected on its own: kept as evidence, never re-sent.
pub(crate) fn park(conn: &Connection, seq: u64, code: &str, message: &str) -> Result<()> {
    conn.execute(
        "update events set rejected_code = ?2, rejected_message = ?3 where seq = ?1",
        params![seq_sql(seq), code, message],
    )
    .context("parking a rejected event")?;
    Ok(())
}

/// Events the server has not acknowledged.
pub(crate) fn pending_count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn
        .query_row(
            "select count(*) from events where acked_ms is null",
            [],
            |r| r.get(0),
        )
        .context("counting pending events")?;
    Ok(u64::try_from(n).unwrap_or_default())
}

/// Rejected (parked) events, counted.
pub(crate) fn parked_count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn
        .query_row(
            "select count(*) from events where rejected_code is not null",
            [],
            |r| r.get(0),
        )
        .context("counting rejected events")?;
    Ok(u64::try_from(n).unwrap_or_default())
}

/// What the retention deleted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Pruned {
    pub events: u64,
    pub visits: u64,
    /// Content hashes of uploaded photos no longer referenced: the caller deletes their files
    /// once the transaction committed.
    pub blobs: Vec<String>,
}

/// The retention: deletes, in the caller's transaction, what the server acknowledged before
/// `before_ms` — events (and their fixes), finished visits with their answers, check-ins and
/// uploaded attachments — unless something of theirs still waits to be sent.
pub(crate) fn prune(conn: &Connection, before_ms: i64) -> Result<Pruned> {
    let what = "deleting acknowledged data past retention";
    let events = conn
        .execute(
            "delete from events where acked_ms is not null and acked_ms < ?1",
            [before_ms],
        )
        .context(what)? as u64;
    // A finished visit goes with the last of its events: it ended before the cutoff and every
    // event about it was acknowledged before the cutoff too (so none is left).
    conn.execute_batch(
        "create temp table if not exists prune_visits (id text primary key); delete from prune_visits;",
    )
    .context(what)?;
    conn.execute(
        &format!(
            "insert into prune_visits select v.id from visits v \
             where {} and coalesce(v.completed_ms, 0) < ?1 \
               and not exists (select 1 from events e where e.entity = v.id) \
               and not exists (select 1 from attachments a where a.visit_id = v.id and a.uploaded_ms is null)",
            visits::is_terminal_sql("v.status")
        ),
        [before_ms],
    )
    .context(what)?;
    let mut blobs: Vec<String> = conn
        .prepare("select distinct sha256 from attachments where visit_id in (select id from prune_visits)")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        .context(what)?;
    let visits = conn
        .execute_batch(
            "delete from fields where entity in (select id from prune_visits); \
             delete from checkins where visit_id in (select id from prune_visits); \
             delete from attachments where visit_id in (select id from prune_visits);",
        )
        .and_then(|()| {
            conn.execute(
                "delete from visits where id in (select id from prune_visits)",
                [],
            )
        })
        .context(what)? as u64;
    // Content-addressed: a photo attached to a visit that stays, or a form's media file of the
    // same content, keeps its file.
    let mut still = conn
        .prepare(
            "select 1 from attachments where sha256 = ?1 \
             union all select 1 from forms where instr(media, ?1) > 0",
        )
        .context(what)?;
    blobs.retain(|sha| !still.exists([sha]).unwrap_or(true));
    Ok(Pruned {
        events,
        visits,
        blobs,
    })
}

fn seq_sql(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}
