//! GPS fixes and shifts. A fix is stored twice in one transaction: as a `fix` event of the log
//! (what syncs) and as a row of `fixes` (what the geofence and the route read without decoding
//! payloads).

use rusqlite::{Connection, OptionalExtension, params};
use terreno_shared::model::{Fix, RawFix};

use crate::error::{Context, Error, Result};

pub(crate) fn insert(conn: &Connection, seq: u64, fix: &Fix, flagged: bool) -> Result<()> {
    let provider = serde_json::to_value(fix.provider())
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into());
    conn.prepare_cached(
        "insert into fixes (seq, t_ms, lat, lon, accuracy_m, speed_ms, heading_deg, altitude_m, \
         battery, charging, provider, mock, flagged) \
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )
    .context("preparing the fix insert")?
    .execute(params![
        i64::try_from(seq).unwrap_or(i64::MAX),
        fix.time().timestamp_millis(),
        fix.point().lat(),
        fix.point().lon(),
        fix.accuracy_m(),
        fix.speed_ms(),
        fix.heading_deg(),
        fix.altitude_m(),
        fix.battery().map(f64::from),
        fix.charging(),
        provider,
        fix.is_mock(),
        flagged,
    ])
    .context("storing a fix")?;
    Ok(())
}

/// Fixes with `from_ms <= t <= to_ms`, oldest first, whole (provider and speed included, as the
/// geofence judges them).
pub(crate) fn between(conn: &Connection, from_ms: i64, to_ms: i64) -> Result<Vec<Fix>> {
    let mut stmt = conn
        .prepare_cached(
            "select t_ms, lat, lon, accuracy_m, speed_ms, heading_deg, altitude_m, battery, \
             charging, provider, mock from fixes where t_ms between ?1 and ?2 order by t_ms, id",
        )
        .context("reading recent fixes")?;
    let rows = stmt
        .query_map([from_ms, to_ms], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                (r.get(1)?, r.get(2)?, r.get(3)?),
                (r.get(4)?, r.get(5)?, r.get(6)?),
                (r.get(7)?, r.get(8)?),
                r.get::<_, String>(9)?,
                r.get::<_, bool>(10)?,
            ))
        })
        .context("reading recent fixes")?;
    let mut out = Vec::new();
    for row in rows {
        let (
            t,
            (lat, lon, accuracy_m),
            (speed_ms, heading_deg, altitude_m),
            (battery, charging),
            provider,
            mock,
        ) = row.context("reading recent fixes")?;
        let raw = RawFix {
            t: chrono::DateTime::from_timestamp_millis(t)
                .ok_or_else(|| Error::corrupt("reading a fix", format!("time {t}")))?,
            lat,
            lon,
            accuracy_m,
            speed_ms,
            heading_deg,
            altitude_m,
            battery,
            charging,
            provider: serde_json::from_value(serde_json::Value::String(provider))
                .unwrap_or_default(),
            mock,
        };
        out.push(Fix::try_from(raw).map_err(|e| Error::corrupt("reading a fix", e))?);
    }
    Ok(out)
}

/// The newest fix at or before `at_ms`: `(t_ms, lat, lon, accuracy, battery, charging)`.
pub(crate) type LastFix = (i64, f64, f64, f64, Option<f64>, Option<bool>);

pub(crate) fn last_at_or_before(conn: &Connection, at_ms: i64) -> Result<Option<LastFix>> {
    conn.query_row(
        "select t_ms, lat, lon, accuracy_m, battery, charging from fixes where t_ms <= ?1 \
         order by t_ms desc, seq desc limit 1",
        [at_ms],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        },
    )
    .optional()
    .context("reading the last fix")
}

/// The newest stored fix time, to drop re-imported fixes.
pub(crate) fn newest_time(conn: &Connection) -> Result<Option<i64>> {
    conn.query_row("select max(t_ms) from fixes", [], |r| r.get(0))
        .context("reading the newest fix time")
}

/// Shifts as `(start_ms, end_ms)`, oldest first.
pub(crate) fn shifts(conn: &Connection) -> Result<Vec<(i64, Option<i64>)>> {
    let mut stmt = conn
        .prepare_cached("select start_ms, end_ms from shifts order by start_ms")
        .context("reading shifts")?;
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .context("reading shifts")?
        .collect::<Result<Vec<_>, _>>()
        .context("reading shifts")
}

pub(crate) fn open_shift(conn: &Connection) -> Result<Option<i64>> {
    conn.query_row(
        "select start_ms from shifts where end_ms is null",
        [],
        |r| r.get(0),
    )
    .optional()
    .context("reading the open shift")
}

pub(crate) fn start_shift(conn: &Connection, at_ms: i64) -> Result<()> {
    conn.execute("insert into shifts (start_ms) values (?1)", [at_ms])
        .context("starting a shift")?;
    Ok(())
}

pub(crate) fn end_shift(conn: &Connection, at_ms: i64) -> Result<()> {
    conn.execute(
        "update shifts set end_ms = ?1 where end_ms is null",
        [at_ms],
    )
    .context("ending the shift")?;
    Ok(())
}
