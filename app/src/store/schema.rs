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
//!   `checkins`: check-in attempts with both verdicts.
//! - `attachments`: photos of visits, their encrypted blob in `blobs/` and whether the server
//!   holds it yet.
//! - `forms`: the questionnaire versions received; `visit_form`: the one new visits use;
//!   `visits.form`: the version each visit is filled with, fixed when it starts.
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
