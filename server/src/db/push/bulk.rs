//! Bulk inserts of a batch's rows, the one place the backends differ. Both insert a whole
//! batch with one statement and few parameters, because per-row statements (and per-value
//! parameters: about 1.5 µs each through sqlx's SQLite worker) would dominate the cost:
//! - SQLite: the rows as one JSON array parameter, expanded by `json_each` inside SQLite
//!   (`->>` gives each element back as an SQL integer, real, text or null);
//! - PostgreSQL: one array parameter per column, expanded by `unnest`.

use serde_json::Value;

use super::store::NewEventRow;
use super::to_i64 as i;
use crate::db::project::FixRow;

/// SQLite: the events as `[[seq, hlc, merge_hlc, kind, v, entity, field, base_hlc, prev_hash,
/// hash, payload, state, reason, clock_suspect], ...]`.
pub async fn sqlite_insert_events(
    c: &mut sqlx::SqliteConnection,
    device: &str,
    received_ms: i64,
    rows: &[NewEventRow<'_>],
) -> sqlx::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let json: Vec<Value> = rows
        .iter()
        .map(|r| {
            let e = r.event;
            Value::Array(vec![
                i(e.seq).into(),
                e.hlc.raw().into(),
                e.merge_hlc.raw().into(),
                e.kind.as_str().into(),
                e.v.into(),
                e.entity.map(|u| u.to_string()).into(),
                e.field.clone().into(),
                e.base_hlc.map(|h| h.raw()).into(),
                e.prev_hash.to_hex().into(),
                e.hash.to_hex().into(),
                e.payload_json.as_str().into(),
                r.state.as_str().into(),
                r.reason.clone().into(),
                e.clock_suspect.into(),
            ])
        })
        .collect();
    // `where true`: SQLite needs it to tell `on conflict` from a join constraint.
    sqlx::query(
        "insert into events (device_id, seq, hlc, merge_hlc, kind, v, entity, field, base_hlc,
            prev_hash, hash, payload, state, reason, clock_suspect, received_ms)
         select $1, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4,
            j.value ->> 5, j.value ->> 6, j.value ->> 7, j.value ->> 8, j.value ->> 9,
            j.value ->> 10, j.value ->> 11, j.value ->> 12, j.value ->> 13, $2
         from json_each($3) as j where true
         on conflict do nothing",
    )
    .bind(device)
    .bind(received_ms)
    .bind(Value::Array(json).to_string())
    .execute(c)
    .await
    .map(|_| ())
}

/// SQLite: the fixes as `[[seq, t_ms, lat, lon, accuracy_m, speed_ms, heading_deg,
/// altitude_m, battery, charging, mock], ...]`.
pub async fn sqlite_insert_fixes(
    c: &mut sqlx::SqliteConnection,
    device: &str,
    user: &str,
    rows: &[FixRow],
) -> sqlx::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let json: Vec<Value> = rows
        .iter()
        .map(|f| {
            Value::Array(vec![
                f.seq.into(),
                f.t_ms.into(),
                f.lat.into(),
                f.lon.into(),
                f.accuracy_m.into(),
                f.speed_ms.into(),
                f.heading_deg.into(),
                f.altitude_m.into(),
                f.battery.into(),
                f.charging.into(),
                f.mock.into(),
            ])
        })
        .collect();
    sqlx::query(
        "insert into fixes (device_id, seq, user_id, t_ms, lat, lon, accuracy_m, speed_ms,
            heading_deg, altitude_m, battery, charging, mock)
         select $1, j.value ->> 0, $2, j.value ->> 1, j.value ->> 2, j.value ->> 3,
            j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7, j.value ->> 8,
            j.value ->> 9, j.value ->> 10
         from json_each($3) as j where true
         on conflict do nothing",
    )
    .bind(device)
    .bind(user)
    .bind(Value::Array(json).to_string())
    .execute(c)
    .await
    .map(|_| ())
}

/// PostgreSQL: the whole batch in one `insert ... select from unnest(arrays)`.
pub async fn pg_insert_events(
    c: &mut sqlx::PgConnection,
    device: &str,
    received_ms: i64,
    rows: &[NewEventRow<'_>],
) -> sqlx::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let col = |f: &dyn Fn(&NewEventRow<'_>) -> i64| rows.iter().map(f).collect::<Vec<i64>>();
    let txt = |f: &dyn Fn(&NewEventRow<'_>) -> Option<String>| {
        rows.iter().map(f).collect::<Vec<Option<String>>>()
    };
    sqlx::query(
        "insert into events (device_id, seq, hlc, merge_hlc, kind, v, entity, field, base_hlc,
            prev_hash, hash, payload, state, reason, clock_suspect, received_ms)
         select $1, t.seq, t.hlc, t.merge_hlc, t.kind, t.v, t.entity, t.field, t.base_hlc,
            t.prev_hash, t.hash, t.payload, t.state, t.reason, t.clock_suspect, $16
         from unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::bigint[],
            $7::text[], $8::text[], $9::bigint[], $10::text[], $11::text[], $12::text[],
            $13::text[], $14::text[], $15::bool[])
            as t(seq, hlc, merge_hlc, kind, v, entity, field, base_hlc, prev_hash, hash,
                 payload, state, reason, clock_suspect)
         on conflict do nothing",
    )
    .bind(device)
    .bind(col(&|r| i(r.event.seq)))
    .bind(col(&|r| r.event.hlc.raw()))
    .bind(col(&|r| r.event.merge_hlc.raw()))
    .bind(txt(&|r| Some(r.event.kind.clone())))
    .bind(col(&|r| i64::from(r.event.v)))
    .bind(txt(&|r| r.event.entity.map(|u| u.to_string())))
    .bind(txt(&|r| r.event.field.clone()))
    .bind(
        rows.iter()
            .map(|r| r.event.base_hlc.map(|h| h.raw()))
            .collect::<Vec<Option<i64>>>(),
    )
    .bind(txt(&|r| Some(r.event.prev_hash.to_hex())))
    .bind(txt(&|r| Some(r.event.hash.to_hex())))
    .bind(txt(&|r| Some(r.event.payload_json.clone())))
    .bind(txt(&|r| Some(r.state.as_str().to_owned())))
    .bind(txt(&|r| r.reason.clone()))
    .bind(
        rows.iter()
            .map(|r| r.event.clock_suspect)
            .collect::<Vec<bool>>(),
    )
    .bind(received_ms)
    .execute(c)
    .await
    .map(|_| ())
}

/// PostgreSQL: the whole batch in one `insert ... select from unnest(arrays)`.
pub async fn pg_insert_fixes(
    c: &mut sqlx::PgConnection,
    device: &str,
    user: &str,
    rows: &[FixRow],
) -> sqlx::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let opt = |f: fn(&FixRow) -> Option<f64>| rows.iter().map(f).collect::<Vec<_>>();
    let num = |f: fn(&FixRow) -> f64| rows.iter().map(f).collect::<Vec<_>>();
    sqlx::query(
        "insert into fixes (device_id, seq, user_id, t_ms, lat, lon, accuracy_m, speed_ms,
            heading_deg, altitude_m, battery, charging, mock)
         select $1, t.seq, $2, t.t_ms, t.lat, t.lon, t.accuracy_m, t.speed_ms, t.heading_deg,
            t.altitude_m, t.battery, t.charging, t.mock
         from unnest($3::bigint[], $4::bigint[], $5::float8[], $6::float8[], $7::float8[],
            $8::float8[], $9::float8[], $10::float8[], $11::float8[], $12::bool[], $13::bool[])
            as t(seq, t_ms, lat, lon, accuracy_m, speed_ms, heading_deg, altitude_m, battery,
                 charging, mock)
         on conflict do nothing",
    )
    .bind(device)
    .bind(user)
    .bind(rows.iter().map(|f| f.seq).collect::<Vec<_>>())
    .bind(rows.iter().map(|f| f.t_ms).collect::<Vec<_>>())
    .bind(num(|f| f.lat))
    .bind(num(|f| f.lon))
    .bind(num(|f| f.accuracy_m))
    .bind(opt(|f| f.speed_ms))
    .bind(opt(|f| f.heading_deg))
    .bind(opt(|f| f.altitude_m))
    .bind(opt(|f| f.battery))
    .bind(rows.iter().map(|f| f.charging).collect::<Vec<_>>())
    .bind(rows.iter().map(|f| f.mock).collect::<Vec<_>>())
    .execute(c)
    .await
    .map(|_| ())
}
