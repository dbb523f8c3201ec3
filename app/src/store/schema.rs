//! The device schema and its migrations. Tables (full column docs in
//! `migrations/app/NNNN_*.sql`):
//!
//! - `device`: the single enrolled identity, its log head (seq, hash, HLC) and sync bookkeeping
//!   (server head, pull/snapshot cursor, server clock offset, org settings).
//! - `events`: the device's own signed log, gapless from seq 1; the outbox is the part above
//!   the server's head. `acked_ms` marks what the server holds; rejected events are parked.
//! - `fixes`: GPS fixes of shifts (each one also a `fix` event); `shifts`: shift spans.
//! - `accounts`, `stops`: server-authored records of the device's scope, newest version wins.
//! - `visits`: the status lattice cell per visit; `fields`: last-writer-wins registers;
//!   `checkins`: check-in attempts with both verdicts. Each cell keeps its merge order as one
//!   sortable key (`status_key`, `stamp_key`: `terreno_shared::sync::stamp`), which writes
//!   compare.
//! - `attachments`: photos of visits, their encrypted blob in `blobs/` and whether the server
//!   holds it yet.
//! - `forms`: the questionnaire versions received; `visit_form`: the one new visits use;
//!   `visits.form`: the version each visit is filled with, fixed when it starts; `forms.media`:
//!   a version's media files (their bytes are blobs, by sha256).
//! - `payments`: payments from the creditor's files towards the scope's accounts (facts, deleted
//!   with their account).
//! - `tile_cache`: map tiles the stop map showed, per tile server, within a byte budget
//!   (least recently used evicted on insert).
//!
//! Migrations are applied in order inside one transaction and recorded in `PRAGMA
//! user_version`, so a crash mid-upgrade leaves the previous version intact. A database newer
//! than this build is refused rather than written to.

use rusqlite::Connection;
use terreno_shared::api::v1::sync::EntityType;

use crate::error::{Context, Error, Result};

/// `(version, sql)` in order; a merged migration is never edited.
const MIGRATIONS: &[(u32, &str)] = &[
    (
        1,
        include_str!("../../../migrations/app/0001_create_store.sql"),
    ),
    (
        2,
        include_str!("../../../migrations/app/0002_create_attachments_and_skipped_changes.sql"),
    ),
    (
        3,
        include_str!("../../../migrations/app/0003_create_forms.sql"),
    ),
    (
        4,
        include_str!("../../../migrations/app/0004_create_tile_cache.sql"),
    ),
    (
        5,
        include_str!("../../../migrations/app/0005_add_merge_order_keys.sql"),
    ),
    (
        6,
        include_str!("../../../migrations/app/0006_add_form_media.sql"),
    ),
    (
        7,
        include_str!("../../../migrations/app/0007_create_payments.sql"),
    ),
];

/// Brings the schema to the newest version.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let current: u32 = conn
        .query_row("pragma user_version", [], |r| r.get(0))
        .context("reading the schema version")?;
    let newest = MIGRATIONS.last().map_or(0, |m| m.0);
    if current > newest {
        return Err(Error::Conflict(format!(
            "the device database is at schema version {current}, newer than this app \
             ({newest}): update the app"
        )));
    }
    let tx = crate::store::write_tx(conn)?;
    for (version, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        tx.execute_batch(sql)
            .context(&format!("applying device migration {version}"))?;
        tx.pragma_update(None, "user_version", version)
            .context("recording the schema version")?;
    }
    if current > 0 && current < 3 {
        // Builds before version 3 kept the forms they pulled aside, unread.
        crate::store::mirror::reapply_skipped(&tx, &[EntityType::Form, EntityType::VisitForm])?;
    }
    tx.commit().context("committing the migration")
}

#[cfg(test)]
mod tests {
    use super::*;
    use terreno_shared::ids::DeviceId;
    use terreno_shared::model::VisitStatus;
    use terreno_shared::sync::stamp::status_key;
    use terreno_shared::sync::{Hlc, Stamp};

    #[test]
    // Long: one stored row per kind of key, each checked against shared's spelling.
    fn the_key_migration_spells_the_shared_key_for_rows_stored_before_it() {
        let conn = Connection::open_in_memory().expect("a database");
        for (_, sql) in MIGRATIONS.iter().filter(|m| m.0 < 5) {
            conn.execute_batch(sql).expect("an earlier migration");
        }
        let device = DeviceId::from_uuid(uuid::Uuid::from_u128(
            0x0193_a000_0000_7000_8000_00ab_cdef_0001,
        ));
        let rows = [
            (0_u32, VisitStatus::Planned, 0_i64, None, 0_u64),
            (0, VisitStatus::InProgress, 1 << 40, Some(device), 3),
            (2, VisitStatus::Done, -7, Some(device), u64::from(u32::MAX)),
            (1, VisitStatus::NotDone, 1 << 40, None, 0),
        ];
        for (i, (epoch, status, hlc, by, seq)) in rows.iter().enumerate() {
            conn.execute(
                "insert into visits (id, account_id, status, status_epoch, status_rank, \
                 status_hlc, status_device, status_seq) values (?1, 'a', ?2, ?3, ?4, ?5, ?6, ?7)",
                rusqlite::params![
                    i.to_string(),
                    status.as_str(),
                    epoch,
                    status.rank(),
                    hlc,
                    by.map(|d| d.to_string()),
                    by.map(|_| *seq as i64)
                ],
            )
            .expect("a visit");
            if let Some(d) = by {
                conn.execute(
                    "insert into fields (entity, field, value, hlc, device_id, seq) \
                     values (?1, 'f', '1', ?2, ?3, ?4)",
                    rusqlite::params![i.to_string(), hlc, d.to_string(), *seq as i64],
                )
                .expect("a field");
            }
        }
        conn.execute_batch(MIGRATIONS[4].1)
            .expect("the key migration");

        for (i, (epoch, status, hlc, by, seq)) in rows.iter().enumerate() {
            let key: String = conn
                .query_row(
                    "select status_key from visits where id = ?1",
                    [i.to_string()],
                    |r| r.get(0),
                )
                .expect("a key");
            let stamp = |device_id| Stamp {
                hlc: Hlc::from_raw(*hlc),
                device_id,
                seq: *seq,
            };
            let nil = DeviceId::from_uuid(uuid::Uuid::nil());
            let expected = match by {
                None if *epoch == 0 && status.rank() == 0 && *hlc == 0 => String::new(),
                None => status_key(*epoch, *status, &stamp(nil)),
                Some(d) => status_key(*epoch, *status, &stamp(*d)),
            };
            assert_eq!(key, expected, "visit {i}");
            if let Some(d) = by {
                let key: String = conn
                    .query_row(
                        "select stamp_key from fields where entity = ?1",
                        [i.to_string()],
                        |r| r.get(0),
                    )
                    .expect("a key");
                assert_eq!(key, stamp(*d).order_key(), "field {i}");
            }
        }
    }
}
