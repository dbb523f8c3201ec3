//! The mirror of server state in the device's scope: applying pulled changes. Server-authored
//! records (accounts, stops) replace older versions whole; visits merge by the status lattice;
//! fields by last-writer-wins; check-ins gain the server's verdict. A `remove` of an account
//! deletes the debtor's data from the device (it left the collector's scope and must not stay
//! on a phone). Entity types this build does not know are skipped: a newer server's additions
//! must not stop an older app from syncing.

use rusqlite::{Connection, params};
use terreno_shared::api::v1::sync::{Change, ChangeOp};
use terreno_shared::api::v1::views::{AccountView, CheckInView, FieldView, StopView, VisitView};
use terreno_shared::sync::Hlc;

use crate::error::{Context, Error, Result};
use crate::store::{device, visits};

/// Applies one change; returns the highest HLC it carried (for the receive rule).
pub(crate) fn apply(conn: &Connection, c: &Change) -> Result<Option<Hlc>> {
    let what = || format!("applying pulled {} {}", c.entity_type, c.entity_id);
    let body = |_: ()| c.body.clone();
    match (c.entity_type.as_str(), c.op) {
        ("account", ChangeOp::Upsert) => {
            upsert_account(conn, &parse::<AccountView>(body(()), &what)?)?
        }
        ("account", ChangeOp::Remove) => remove_account(conn, &c.entity_id)?,
        ("stop", ChangeOp::Upsert) => upsert_stop(conn, &parse::<StopView>(body(()), &what)?)?,
        ("stop", ChangeOp::Remove) => {
            conn.execute("delete from stops where id = ?1", [&c.entity_id])
                .context(&what())?;
        }
        ("visit", ChangeOp::Upsert) => {
            let v = parse::<VisitView>(body(()), &what)?;
            upsert_visit(conn, &v)?;
            return Ok(Some(v.status_hlc));
        }
        ("visit", ChangeOp::Remove) => {
            conn.execute(
                "update visits set deleted = 1 where id = ?1",
                [&c.entity_id],
            )
            .context(&what())?;
        }
        ("field", ChangeOp::Upsert) => {
            let f = parse::<FieldView>(body(()), &what)?;
            let seq = i64::try_from(f.seq).unwrap_or(i64::MAX);
            let device = f.device.to_string();
            visits::merge_field(
                conn,
                &f.entity.to_string(),
                &f.field,
                &f.value,
                (f.hlc.raw(), &device, seq),
            )?;
            return Ok(Some(f.hlc));
        }
        ("checkin", ChangeOp::Upsert) => {
            upsert_checkin(conn, &c.entity_id, &parse::<CheckInView>(body(()), &what)?)?
        }
        _ => {}
    }
    Ok(None)
}

/// Applies a page and stores its cursor in one transaction (SYNC.md: a page is consumed only
/// when both commit).
pub(crate) fn apply_page(
    conn: &mut Connection,
    changes: &[Change],
    pull_cursor: Option<&str>,
    snapshot_cursor: Option<&str>,
) -> Result<()> {
    let tx = conn
        .transaction()
        .context("starting to apply a pulled page")?;
    let mut newest = Hlc::ZERO;
    for c in changes {
        if let Some(h) = apply(&tx, c)? {
            newest = newest.max(h);
        }
    }
    if newest > Hlc::ZERO {
        device::receive_clock(&tx, newest)?;
    }
    device::set_cursors(&tx, pull_cursor, snapshot_cursor)?;
    tx.commit().context("committing a pulled page")
}

/// Drops the server-authored records before a snapshot bootstrap (visits and fields stay: they
/// merge, and the snapshot brings their current values).
pub(crate) fn clear_server_records(conn: &Connection) -> Result<()> {
    conn.execute_batch("delete from stops; delete from accounts;")
        .context("clearing the mirror before a resync")
}

fn parse<T: serde::de::DeserializeOwned>(
    body: serde_json::Value,
    what: &dyn Fn() -> String,
) -> Result<T> {
    serde_json::from_value(body).map_err(|e| Error::Invalid(format!("{}: {e}", what())))
}

fn upsert_account(conn: &Connection, a: &AccountView) -> Result<()> {
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
    Ok(())
}

fn remove_account(conn: &Connection, id: &str) -> Result<()> {
    conn.execute_batch("savepoint remove_account")
        .context("removing an account")?;
    let steps = [
        "delete from fields where entity in (select id from visits where account_id = ?1)",
        "delete from checkins where account_id = ?1",
        "delete from visits where account_id = ?1",
        "delete from stops where account_id = ?1",
        "delete from accounts where id = ?1",
    ];
    for sql in steps {
        conn.execute(sql, [id])
            .context("removing an account that left the scope")?;
    }
    conn.execute_batch("release remove_account")
        .context("removing an account")
}

fn upsert_stop(conn: &Connection, s: &StopView) -> Result<()> {
    conn.execute(
        "insert into stops (id, account_id, planned_date, position, body) values (?1, ?2, ?3, ?4, ?5) \
         on conflict (id) do update set account_id = excluded.account_id, \
           planned_date = excluded.planned_date, position = excluded.position, body = excluded.body",
        params![
            s.id.to_string(),
            s.account.to_string(),
            s.planned_date.to_string(),
            s.position,
            serde_json::to_string(s).unwrap_or_default(),
        ],
    )
    .context("storing a pulled stop")?;
    Ok(())
}

fn upsert_visit(conn: &Connection, v: &VisitView) -> Result<()> {
    let id = v.id.to_string();
    visits::insert(
        conn,
        &id,
        &v.account.to_string(),
        v.stop.map(|s| s.to_string()).as_deref(),
    )?;
    let outcome = v.outcome.map(|o| o.as_str().to_owned());
    visits::merge_status(
        conn,
        &id,
        v.status,
        v.status_epoch,
        v.status_hlc.raw(),
        &visits::StatusExtras {
            outcome: outcome.as_deref(),
            checked_in_ms: None,
            completed_ms: v.completed_at.map(|t| t.timestamp_millis()),
            flagged: Some(v.flagged),
        },
    )
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
