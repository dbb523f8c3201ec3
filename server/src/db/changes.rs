//! The pull feed: every change of server state a device may need is appended to `changes`
//! inside the transaction that made it, so the feed is exactly as durable as the state.
//! Readers (the pull endpoint) see rows in commit order (SYNC.md: a counter inside the single
//! writer on SQLite; `(xid, pos)` below the oldest open transaction on PostgreSQL).
//!
//! Scope columns say who may see a row: `collector_id` (that collector's devices and the
//! supervisors of `team_id`), or, with no collector, everyone in `team_id`, or with neither,
//! the whole organization.

use terreno_shared::api::v1::sync::Change;
use terreno_shared::ids::{OrgId, TeamId, UserId};

/// A change to append to the feed.
#[derive(Debug, Clone)]
pub struct NewChange {
    /// Organization.
    pub org_id: OrgId,
    /// The collector whose scope it is in, if one.
    pub collector_id: Option<UserId>,
    /// The team whose scope it is in, if one.
    pub team_id: Option<TeamId>,
    /// The change: the whole record as the device stores it, or a removal.
    pub change: Change,
}

impl NewChange {
    /// A change for the whole organization (forms).
    pub fn org_wide(org_id: OrgId, change: Change) -> NewChange {
        NewChange {
            org_id,
            collector_id: None,
            team_id: None,
            change,
        }
    }

    /// The `body` column: the record's JSON, `null` for removals.
    pub fn body_json(&self) -> anyhow::Result<String> {
        use anyhow::Context;
        self.change.body_json().with_context(|| {
            format!(
                "encoding the {} {} change",
                self.change.entity_type(),
                self.change.entity_id()
            )
        })
    }
}

/// Starts a feed transaction inside the caller's database transaction and gives its id, for
/// every [`record_change!`] of that transaction: `let txn = begin_feed!(&mut *tx)?;`.
/// Call it once per database transaction, lazily (only when a change is recorded).
#[macro_export]
macro_rules! begin_feed {
    ($exec:expr) => {{
        let id: sqlx::Result<i64> =
            sqlx::query_scalar("insert into feed_txns (created_ms) values ($1) returning id")
                .bind($crate::db::now_ms())
                .fetch_one($exec)
                .await;
        id
    }};
}

/// Appends a [`NewChange`] made in feed transaction `txn` through an executor (a database
/// transaction) of either backend: `record_change!(&mut *tx, txn, &change)`. A macro rather
/// than a function because the body must compile once per backend, like `on_write!` bodies.
#[macro_export]
macro_rules! record_change {
    ($exec:expr, $txn:expr, $change:expr) => {{
        let c: &$crate::db::changes::NewChange = $change;
        let txn: i64 = $txn;
        match c.body_json() {
            Err(e) => Err(sqlx::Error::Encode(e.into())),
            Ok(body) => {
                sqlx::query(
                    "insert into changes (org_id, collector_id, team_id, entity_type, entity_id, op, body, changed_ms, txn)
                     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(c.org_id.to_string())
                .bind(c.collector_id.map(|u| u.to_string()))
                .bind(c.team_id.map(|t| t.to_string()))
                .bind(c.change.entity_type())
                .bind(c.change.entity_id())
                .bind(c.change.op())
                .bind(body)
                .bind($crate::db::now_ms())
                .bind(txn)
                .execute($exec)
                .await
            }
        }
    }};
}
