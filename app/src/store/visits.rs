//! Visits (the status lattice cell), field registers and check-in attempts: the SQL the visit
//! flow and the pull both write through, so local edits and pulled state merge by one rule:
//! `terreno_shared::sync::stamp`'s order, compared as the one key each row keeps.

use rusqlite::{Connection, OptionalExtension, params};
use terreno_shared::api::v1::views::VisitView;
use terreno_shared::ids::DeviceId;
use terreno_shared::model::VisitStatus;
use terreno_shared::sync::merge::StatusCell;
use terreno_shared::sync::stamp::status_key;
use terreno_shared::sync::{Hlc, Stamp};

use crate::error::{Context, Error, Result};

/// A visit as stored.
#[derive(Debug, Clone)]
pub(crate) struct VisitRow {
    pub id: String,
    pub status: VisitStatus,
    pub epoch: u32,
    pub outcome: Option<String>,
    pub checked_in_ms: Option<i64>,
    pub completed_ms: Option<i64>,
    pub flagged: bool,
    /// The form version the visit is filled with, once it started.
    pub form: Option<String>,
}

const VISIT_COLUMNS: &str = "id, account_id, stop_id, status, status_epoch, status_hlc, outcome, \
    checked_in_ms, completed_ms, flagged, form";

fn visit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(VisitRow, String)> {
    let status: String = r.get(3)?;
    Ok((
        VisitRow {
            id: r.get(0)?,
            status: VisitStatus::Planned,
            epoch: r.get(4)?,
            outcome: r.get(6)?,
            checked_in_ms: r.get(7)?,
            completed_ms: r.get(8)?,
            flagged: r.get(9)?,
            form: r.get(10)?,
        },
        status,
    ))
}

fn decode((mut v, status): (VisitRow, String)) -> Result<VisitRow> {
    v.status = status
        .parse()
        .map_err(|_| Error::corrupt("reading a visit", format!("status {status:?}")))?;
    Ok(v)
}

/// The visit of a stop, or (without a stop) the newest of an account's unplanned visits.
pub(crate) fn find_for(
    conn: &Connection,
    account: &str,
    stop: Option<&str>,
) -> Result<Option<VisitRow>> {
    let row = match stop {
        Some(s) => conn
            .query_row(
                &format!("select {VISIT_COLUMNS} from visits where stop_id = ?1 and not deleted"),
                [s],
                visit_row,
            )
            .optional(),
        None => conn
            .query_row(
                &format!(
                    "select {VISIT_COLUMNS} from visits where account_id = ?1 and stop_id is null \
                     and not deleted order by coalesce(checked_in_ms, 0) desc limit 1"
                ),
                [account],
                visit_row,
            )
            .optional(),
    }
    .context("reading a visit")?;
    row.map(decode).transpose()
}

/// Every visit of the accounts of one person (for the contact history).
pub(crate) fn of_accounts(conn: &Connection, accounts: &[String]) -> Result<Vec<VisitRow>> {
    let mut out = Vec::new();
    let mut stmt = conn
        .prepare_cached(&format!(
            "select {VISIT_COLUMNS} from visits where account_id = ?1 and not deleted"
        ))
        .context("reading visits")?;
    for a in accounts {
        let rows = stmt.query_map([a], visit_row).context("reading visits")?;
        for r in rows {
            out.push(decode(r.context("reading visits")?)?);
        }
    }
    Ok(out)
}

/// Creates a visit if it does not exist yet.
pub(crate) fn insert(conn: &Connection, id: &str, account: &str, stop: Option<&str>) -> Result<()> {
    conn.execute(
        "insert into visits (id, account_id, stop_id, status, status_epoch, status_rank, \
         status_hlc) values (?1, ?2, ?3, 'planned', 0, 0, 0) on conflict (id) do nothing",
        params![id, account, stop],
    )
    .context("creating a visit")?;
    Ok(())
}

/// What a status write carries besides the lattice position.
#[derive(Debug, Default, Clone)]
pub(crate) struct StatusExtras<'a> {
    pub outcome: Option<&'a str>,
    pub checked_in_ms: Option<i64>,
    pub completed_ms: Option<i64>,
}

/// A local status write (this device's event): applied when its cell is above the stored one
/// in the lattice, compared as one key (`terreno_shared::sync::stamp`); the outcome and
/// completion time go with the status that wins.
pub(crate) fn merge_status(
    conn: &Connection,
    id: &str,
    cell: &StatusCell,
    extras: &StatusExtras<'_>,
) -> Result<()> {
    conn.execute(
        "update visits set status = ?2, status_epoch = ?3, status_rank = ?4, status_hlc = ?5, \
           status_device = ?6, status_seq = ?7, status_key = ?8, \
           outcome = coalesce(?9, outcome), completed_ms = coalesce(?10, completed_ms) \
         where id = ?1 and ?8 > status_key",
        params![
            id,
            cell.status.as_str(),
            cell.epoch,
            cell.status.rank(),
            cell.stamp.hlc.raw(),
            cell.stamp.device_id.to_string(),
            seq_sql(cell.stamp.seq),
            cell.order_key(),
            extras.outcome,
            extras.completed_ms
        ],
    )
    .context("updating a visit's status")?;
    if let Some(t) = extras.checked_in_ms {
        conn.execute(
            "update visits set checked_in_ms = coalesce(checked_in_ms, ?2) where id = ?1",
            params![id, t],
        )
        .context("recording the check-in time")?;
    }
    Ok(())
}

/// A pulled visit, merged into the local cell by the same lattice key as a local write: a view
/// below the stored cell is stale (the feed may deliver an older projection of a visit after
/// this device already moved it further) and leaves the status alone; one above it is taken
/// whole, outcome included. A view of the very write already stored (same author and seq) is
/// taken too: the server may have merged it with its own stamp (a clock too far ahead is
/// clamped), and later writes must compare against the server's. The server's flag always
/// applies, and so does the stop (a visit's stop never changes).
pub(crate) fn apply_view(conn: &Connection, v: &VisitView) -> Result<()> {
    let id = v.id.to_string();
    let stop = v.stop.map(|s| s.to_string());
    insert(conn, &id, &v.account.to_string(), stop.as_deref())?;
    let stamp = v
        .status_device
        .zip(v.status_seq)
        .map(|(device_id, seq)| Stamp {
            hlc: v.status_hlc,
            device_id,
            seq,
        });
    // A view without an author is the bottom: nobody set its status, nothing to merge.
    if let Some(stamp) = stamp {
        let cell = StatusCell {
            epoch: v.status_epoch,
            status: v.status,
            stamp,
        };
        conn.execute(
            "update visits set status = ?2, status_epoch = ?3, status_rank = ?4, \
               status_hlc = ?5, status_device = ?6, status_seq = ?7, status_key = ?8, \
               outcome = ?9, completed_ms = ?10 \
             where id = ?1 and (?8 > status_key or (status_device = ?6 and status_seq = ?7))",
            params![
                id,
                v.status.as_str(),
                v.status_epoch,
                v.status.rank(),
                v.status_hlc.raw(),
                stamp.device_id.to_string(),
                seq_sql(stamp.seq),
                cell.order_key(),
                v.outcome.map(|o| o.as_str()),
                v.completed_at.map(|t| t.timestamp_millis()),
            ],
        )
        .context("applying a pulled visit")?;
    }
    conn.execute(
        "update visits set flagged = ?2, stop_id = coalesce(stop_id, ?3) where id = ?1",
        params![id, v.flagged, stop],
    )
    .context("applying a pulled visit")?;
    Ok(())
}

/// A register's current value.
#[derive(Debug, Clone)]
pub(crate) struct FieldRow {
    pub field: String,
    pub value: serde_json::Value,
    pub hlc: i64,
}

/// A write of `(entity, field) := value` by `stamp`, local or pulled: applied if it beats the
/// stored write in the stamp order, compared as one key, as on the server. A pulled view of
/// the very write already stored (same device and seq) is taken too: the server may have
/// merged it with another stamp (a clock too far ahead is clamped), and later writes must
/// compare against the server's stamp.
pub(crate) fn merge_field(
    conn: &Connection,
    entity: &str,
    field: &str,
    value: &serde_json::Value,
    stamp: &Stamp,
) -> Result<()> {
    conn.prepare_cached(
        "insert into fields (entity, field, value, hlc, device_id, seq, stamp_key) \
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
         on conflict (entity, field) do update set value = excluded.value, hlc = excluded.hlc, \
           device_id = excluded.device_id, seq = excluded.seq, stamp_key = excluded.stamp_key \
         where excluded.stamp_key > fields.stamp_key \
           or (excluded.device_id = fields.device_id and excluded.seq = fields.seq)",
    )
    .context("preparing a field write")?
    .execute(params![
        entity,
        field,
        value.to_string(),
        stamp.hlc.raw(),
        stamp.device_id.to_string(),
        seq_sql(stamp.seq),
        stamp.order_key()
    ])
    .context("writing a field")?;
    Ok(())
}

/// Recomputes the keys of the writes now credited to `device` (after a rotation moved them to
/// its log with new sequence numbers).
pub(crate) fn rekey(conn: &Connection, device: DeviceId) -> Result<()> {
    let what = "re-keying writes moved to the new log";
    let d = device.to_string();
    let rows: Vec<(String, String, i64, i64)> = conn
        .prepare("select entity, field, hlc, seq from fields where device_id = ?1")
        .and_then(|mut st| {
            st.query_map([&d], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect()
        })
        .context(what)?;
    for (entity, field, hlc, seq) in rows {
        let key = stamp(hlc, device, seq).order_key();
        conn.execute(
            "update fields set stamp_key = ?3 where entity = ?1 and field = ?2",
            params![entity, field, key],
        )
        .context(what)?;
    }
    let rows: Vec<(String, String, u32, i64, i64)> = conn
        .prepare(
            "select id, status, status_epoch, status_hlc, status_seq from visits \
             where status_device = ?1",
        )
        .and_then(|mut st| {
            st.query_map([&d], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect()
        })
        .context(what)?;
    for (id, status, epoch, hlc, seq) in rows {
        let status: VisitStatus = status
            .parse()
            .map_err(|_| Error::corrupt(what, format!("status {status:?}")))?;
        let key = status_key(epoch, status, &stamp(hlc, device, seq));
        conn.execute(
            "update visits set status_key = ?2 where id = ?1",
            params![id, key],
        )
        .context(what)?;
    }
    Ok(())
}

fn stamp(hlc: i64, device_id: DeviceId, seq: i64) -> Stamp {
    Stamp {
        hlc: Hlc::from_raw(hlc),
        device_id,
        seq: u64::try_from(seq).unwrap_or_default(),
    }
}

fn seq_sql(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

/// `column in ('done', 'not_done', 'cancelled')`: whether a status column holds a terminal
/// status, spelled from [`VisitStatus::TERMINAL`] rather than from rank numbers.
pub(crate) fn is_terminal_sql(column: &str) -> String {
    let names: Vec<String> = VisitStatus::TERMINAL
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    format!("{column} in ({})", names.join(", "))
}

pub(crate) fn fields_of(conn: &Connection, entity: &str) -> Result<Vec<FieldRow>> {
    let mut stmt = conn
        .prepare_cached("select field, value, hlc from fields where entity = ?1 order by field")
        .context("reading fields")?;
    let rows = stmt
        .query_map([entity], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
        })
        .context("reading fields")?;
    let mut out = Vec::new();
    for row in rows {
        let (field, value, hlc) = row.context("reading fields")?;
        let value = serde_json::from_str(&value)
            .map_err(|e| Error::corrupt("reading fields", format!("{field}: {e}")))?;
        out.push(FieldRow { field, value, hlc });
    }
    Ok(out)
}

/// A check-in attempt.
pub(crate) struct CheckinRow<'a> {
    pub device_id: &'a str,
    pub seq: i64,
    pub visit_id: &'a str,
    pub account_id: &'a str,
    pub at_ms: i64,
    pub device_verdict: &'a serde_json::Value,
    pub server_verdict: Option<&'a serde_json::Value>,
    pub flagged: bool,
}

pub(crate) fn upsert_checkin(conn: &Connection, c: &CheckinRow<'_>) -> Result<()> {
    conn.execute(
        "insert into checkins (device_id, seq, visit_id, account_id, at_ms, device_verdict, \
         server_verdict, flagged) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
         on conflict (device_id, seq) do update set \
           server_verdict = coalesce(excluded.server_verdict, server_verdict), flagged = excluded.flagged",
        params![
            c.device_id,
            c.seq,
            c.visit_id,
            c.account_id,
            c.at_ms,
            c.device_verdict.to_string(),
            c.server_verdict.map(|v| v.to_string()),
            c.flagged,
        ],
    )
    .context("recording a check-in")?;
    Ok(())
}
