//! The mirror of server state in the device's scope: applying pulled changes. Server-authored
//! records (accounts, stops) replace older versions whole. Visits and fields merge by the
//! server's own rules (the status lattice; last writer wins by `(hlc, device, seq)`), so the
//! device ends where the server is whatever order pages and local edits come in, and a page the
//! feed delivers late (an older projection) never moves a visit back. A `remove` of an account deletes the debtor's data from the
//! device: it left the collector's scope and must not stay on a phone.
//!
//! Payments (`payment` changes) are facts: stored once, deleted with their account. The resync
//! snapshot does not carry them yet, so a resync's sweep leaves the payments of accounts it
//! keeps.
//!
//! Forms arrive as `form` changes (a version, kept as long as a visit uses it) and one
//! `visit_form` change naming the version new visits are filled with.
//!
//! A change this build cannot read (a newer server's entity type or shape) is kept in
//! `skipped_changes` with the reason and the pull goes on: one unreadable record must not stop
//! an older app from receiving its route, removals and reopens.
//!
//! Snapshot bootstraps tag what they bring with their generation; the last page's transaction
//! sweeps whatever the bootstrap did not bring (records that left the scope while the device's
//! cursor was dead), so the old route stays usable until the new one is whole.

use rusqlite::{Connection, params};
use terreno_shared::api::v1::forms::FormVersion;
use terreno_shared::api::v1::sync::{Change, ChangeOp, EntityType, RawChange, Record};
use terreno_shared::api::v1::views::{AccountView, CheckInView, StopView};
use terreno_shared::form::runtime::Engine;
use terreno_shared::sync::{Hlc, Stamp};

use crate::error::{Context, Error, Result};
use crate::store::{device, forms, payments, visits};

/// What applying a page did.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Applied {
    pub skipped: u64,
}

/// Where a page's cursor goes, and whether the page belongs to a bootstrap.
pub(crate) enum PageCursor<'a> {
    /// An incremental pull page: the next feed cursor.
    Feed(&'a str),
    /// A snapshot page with more to come: the next snapshot token, and the bootstrap's
    /// generation.
    Snapshot(&'a str, i64),
    /// The last snapshot page: the feed cursor to pull from, and the generation to sweep by.
    SnapshotDone(&'a str, i64),
}

/// Applies a page and stores its cursor in one transaction (SYNC.md: a page is consumed only
/// when both commit).
pub(crate) fn apply_page(
    conn: &mut Connection,
    changes: &[Change],
    cursor: PageCursor<'_>,
    now_ms: i64,
) -> Result<Applied> {
    let tx = crate::store::write_tx(conn)?;
    let ctx = Ctx {
        generation: match cursor {
            PageCursor::Feed(_) => None,
            PageCursor::Snapshot(_, g) | PageCursor::SnapshotDone(_, g) => Some(g),
        },
    };
    let mut newest = Hlc::ZERO;
    let mut applied = Applied::default();
    for c in changes {
        match apply(&tx, &ctx, c) {
            Ok(h) => newest = newest.max(h.unwrap_or(Hlc::ZERO)),
            Err(Error::Invalid(reason)) => {
                skip(&tx, c, &reason, now_ms)?;
                applied.skipped += 1;
            }
            Err(e) => return Err(e),
        }
    }
    if newest > Hlc::ZERO {
        device::receive_clock(&tx, newest)?;
    }
    match cursor {
        PageCursor::Feed(c) => device::set_cursors(&tx, Some(c), None)?,
        PageCursor::Snapshot(c, _) => device::set_cursors(&tx, None, Some(c))?,
        PageCursor::SnapshotDone(c, generation) => {
            sweep(&tx, generation)?;
            device::set_cursors(&tx, Some(c), None)?;
        }
    }
    tx.commit().context("committing a pulled page")?;
    Ok(applied)
}

struct Ctx {
    generation: Option<i64>,
}

/// Applies one change; returns the HLC it carried (for the receive rule). A change this build
/// cannot read, or a form it cannot compile, is [`Error::Invalid`] (skipped by the caller).
fn apply(conn: &Connection, ctx: &Ctx, c: &Change) -> Result<Option<Hlc>> {
    let what = || format!("pulled {} {}", c.entity_type(), c.entity_id());
    match c {
        Change::Unknown { reason, .. } => return Err(Error::Invalid(reason.clone())),
        Change::Upsert { entity_id, record } => match record {
            Record::Account(a) => upsert_account(conn, a, ctx.generation)?,
            Record::Stop(s) => upsert_stop(conn, s, ctx.generation)?,
            Record::Visit(v) => {
                visits::apply_view(conn, v)?;
                return Ok(Some(v.status_hlc));
            }
            Record::Field(f) => {
                let stamp = Stamp {
                    hlc: f.hlc,
                    device_id: f.device,
                    seq: f.seq,
                };
                visits::merge_field(conn, &f.entity.to_string(), &f.field, &f.value, &stamp)?;
                return Ok(Some(f.hlc));
            }
            Record::Form(f) => forms::insert(conn, checked_form(f, &what())?)?,
            Record::VisitForm(v) => forms::set_visit_form(conn, Some(&v.id.to_string()))?,
            Record::CheckIn(ci) => upsert_checkin(conn, entity_id, ci)?,
            // Attachments of other devices' visits are shown from the server when needed; the
            // device keeps only its own (see `attachments`).
            Record::Attachment(_) => {}
            Record::Payment(p) => payments::upsert(conn, p, ctx.generation)?,
        },
        Change::Remove {
            entity_type,
            entity_id,
        } => match entity_type {
            EntityType::Account => remove_account(conn, entity_id)?,
            EntityType::Stop => {
                conn.execute("delete from stops where id = ?1", [entity_id])
                    .context(&what())?;
            }
            EntityType::Visit => {
                conn.execute("update visits set deleted = 1 where id = ?1", [entity_id])
                    .context(&what())?;
            }
            EntityType::Form => forms::delete_unused(conn, entity_id)?,
            EntityType::VisitForm => forms::set_visit_form(conn, None)?,
            EntityType::Payment => {
                conn.execute("delete from payments where id = ?1", [entity_id])
                    .context(&what())?;
            }
            EntityType::CheckIn | EntityType::Field | EntityType::Attachment => {}
        },
    }
    Ok(None)
}

fn skip(conn: &Connection, c: &Change, reason: &str, now_ms: i64) -> Result<()> {
    let body = c
        .body_json()
        .map_err(|e| Error::Invalid(format!("encoding a change to keep aside: {e}")))?;
    conn.execute(
        "insert into skipped_changes (entity_type, entity_id, reason, body, skipped_ms) values (?1, ?2, ?3, ?4, ?5)",
        params![c.entity_type(), c.entity_id(), reason, body, now_ms],
    )
    .context("keeping a change this app cannot read")?;
    Ok(())
}

/// Deletes what the bootstrap `generation` did not bring: accounts and stops, and the visits,
/// answers and check-ins of accounts that are gone.
fn sweep(conn: &Connection, generation: i64) -> Result<()> {
    conn.execute("delete from stops where snapshot_gen < ?1", [generation])
        .context("sweeping stops after a resync")?;
    let gone: Vec<String> = conn
        .prepare("select id from accounts where snapshot_gen < ?1")
        .and_then(|mut s| s.query_map([generation], |r| r.get(0))?.collect())
        .context("sweeping accounts after a resync")?;
    for id in gone {
        remove_account(conn, &id)?;
    }
    Ok(())
}

/// A pulled form version, refused (kept aside) when this build's engine cannot compile it: a
/// collector must not start filling a questionnaire the device cannot check.
fn checked_form<'f>(f: &'f FormVersion, what: &str) -> Result<&'f FormVersion> {
    if let Err(problems) = Engine::new(&f.definition) {
        let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
        return Err(Error::Invalid(format!(
            "{what}: this app cannot compile the form: {}",
            problems.join("; ")
        )));
    }
    Ok(f)
}

/// Re-reads the kept-aside changes of `entity_types` (a build that learnt them reads what an
/// older one could not: forms pulled before the device knew forms), dropping those it applies.
/// The kept row has no operation: a change with a body is an upsert, one without a removal.
pub(crate) fn reapply_skipped(conn: &Connection, entity_types: &[EntityType]) -> Result<()> {
    let what = "re-reading changes kept aside";
    let kept: Vec<(i64, Change)> = conn
        .prepare("select id, entity_type, entity_id, body from skipped_changes order by id")
        .and_then(|mut s| {
            s.query_map([], |r| {
                let body: String = r.get(3)?;
                let body = serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
                let op = if body.is_null() {
                    ChangeOp::Remove
                } else {
                    ChangeOp::Upsert
                };
                let raw = RawChange {
                    entity_type: r.get(1)?,
                    entity_id: r.get(2)?,
                    op: op.as_str().to_owned(),
                    body,
                };
                Ok((r.get(0)?, Change::from_raw(raw)))
            })?
            .collect()
        })
        .context(what)?;
    let ctx = Ctx { generation: None };
    let wanted = |c: &Change| entity_types.iter().any(|t| t.as_str() == c.entity_type());
    for (id, change) in kept {
        if !wanted(&change) {
            continue;
        }
        match apply(conn, &ctx, &change) {
            Ok(_) => {
                conn.execute("delete from skipped_changes where id = ?1", [id])
                    .context(what)?;
            }
            Err(Error::Invalid(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn upsert_account(conn: &Connection, a: &AccountView, generation: Option<i64>) -> Result<()> {
    conn.execute(
        "insert into accounts (id, external_id, person_id, version, body) values (?1, ?2, ?3, ?4, ?5) \
         on conflict (id) do update set external_id = excluded.external_id, \
           person_id = excluded.person_id, version = excluded.version, body = excluded.body \
         where excluded.version > accounts.version",
        params![
            a.id.to_string(),
            a.external_id,
            a.person.map(|p| p.to_string()),
            a.version,
            serde_json::to_string(a).unwrap_or_default(),
        ],
    )
    .context("storing a pulled account")?;
    if let Some(g) = generation {
        conn.execute(
            "update accounts set snapshot_gen = ?2 where id = ?1",
            params![a.id.to_string(), g],
        )
        .context("tagging a resynced account")?;
    }
    Ok(())
}

/// Deletes an account and everything of it (one statement each, inside the caller's
/// transaction).
pub(crate) fn remove_account(conn: &Connection, id: &str) -> Result<()> {
    let steps = [
        "delete from fields where entity in (select id from visits where account_id = ?1)",
        "delete from checkins where account_id = ?1",
        "delete from visits where account_id = ?1",
        "delete from stops where account_id = ?1",
        "delete from payments where account_id = ?1",
        "delete from accounts where id = ?1",
    ];
    for sql in steps {
        conn.execute(sql, [id])
            .context("removing an account that left the scope")?;
    }
    Ok(())
}

fn upsert_stop(conn: &Connection, s: &StopView, generation: Option<i64>) -> Result<()> {
    conn.execute(
        "insert into stops (id, account_id, planned_date, position, body, snapshot_gen) values (?1, ?2, ?3, ?4, ?5, coalesce(?6, 0)) \
         on conflict (id) do update set account_id = excluded.account_id, \
           planned_date = excluded.planned_date, position = excluded.position, body = excluded.body, \
           snapshot_gen = max(stops.snapshot_gen, excluded.snapshot_gen)",
        params![
            s.id.to_string(),
            s.account.to_string(),
            s.planned_date.to_string(),
            s.position,
            serde_json::to_string(s).unwrap_or_default(),
            generation,
        ],
    )
    .context("storing a pulled stop")?;
    Ok(())
}

fn upsert_checkin(conn: &Connection, entity_id: &str, c: &CheckInView) -> Result<()> {
    let (device, seq) = entity_id
        .split_once('/')
        .and_then(|(d, s)| Some((d, s.parse::<i64>().ok()?)))
        .ok_or_else(|| {
            Error::Invalid(format!(
                "pulled check-in id {entity_id:?} is not DEVICE/SEQ"
            ))
        })?;
    let device_verdict = serde_json::to_value(&c.device_verdict).unwrap_or_default();
    let server_verdict = serde_json::to_value(&c.server_verdict).unwrap_or_default();
    visits::upsert_checkin(
        conn,
        &visits::CheckinRow {
            device_id: device,
            seq,
            visit_id: &c.visit.to_string(),
            account_id: &c.account.to_string(),
            at_ms: c.at.timestamp_millis(),
            device_verdict: &device_verdict,
            server_verdict: Some(&server_verdict),
            flagged: c.flagged,
        },
    )
}
