//! Storing a push (SYNC.md "Push"): a verified batch of one device's events is stored,
//! projected into the materialized state and acknowledged only after its transaction commits.
//! The use case around it (ownership, verification, the clock, the live feed) is
//! `crate::sync`'s; this module only runs transactions and SQL.
//!
//! - [`batch`]: what the transaction takes, built outside it.
//! - `plan`: what happens to each event, decided from what is read (no database).
//! - `apply`: one batch inside a transaction: fork and link checks against what is stored,
//!   `on conflict do nothing` inserts, the contiguous head, projection in seq order.
//! - `store`: the SQL those steps run, written once and compiled per backend.
//! - [`Writer`]: SQLite's group commit (one task runs every queued batch in one `begin
//!   immediate` transaction, a savepoint each, one fsync for all).
//!
//! PostgreSQL runs one transaction per batch; batches of one device are serialized by the
//! device row lock taken first, and a deadlock between two devices' projections is retried.
//! This module must not decide merge winners itself: [`crate::db::project`] follows the shared
//! merge rules.

mod apply;
pub mod batch;
pub(crate) mod bulk;
mod plan;
mod store;
mod writer;

use std::time::Duration;

use terreno_shared::api::ErrorCode;
use terreno_shared::api::v1::sync::RejectedEvent;
use terreno_shared::ids::DeviceId;

pub use batch::{PreparedBatch, PreparedEvent, canonical_text};
pub use writer::Writer;

use super::Db;

/// Why a push was refused as a whole (nothing of it was stored).
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The device is unknown or belongs to another user (the same answer: ids do not leak).
    #[error("device {0} is not enrolled for this user")]
    NotFound(DeviceId),
    /// The device was revoked: it must wipe its local data.
    #[error("device {0} was revoked: wipe its local data and enroll again")]
    Revoked(DeviceId),
    /// More events than one batch may hold.
    #[error("batch has {count} events, more than the limit of {max}: send smaller batches")]
    TooManyEvents {
        /// Events sent.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The envelope is invalid (bad signature, broken chain, bad event envelope...).
    #[error("{message}")]
    Invalid {
        /// Stable code (`bad_signature`, `broken_chain`, `invalid_event`...).
        code: ErrorCode,
        /// What and where.
        message: String,
    },
    /// Stored events of the same keys differ: two installs share the device id.
    #[error("{0}")]
    Fork(String),
    /// A storage failure.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for PushError {
    fn from(e: sqlx::Error) -> Self {
        PushError::Internal(anyhow::Error::new(e).context("storing a push batch"))
    }
}

/// What a committed batch leaves behind, for the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushAck {
    /// The device's contiguous head after the commit.
    pub head: u64,
    /// The highest seq stored.
    pub max_seen: u64,
    /// Seqs of the batch stored with a clamped stamp.
    pub clamped: Vec<u64>,
    /// Events of the batch (and of pending batches it unblocked) refused on their own.
    pub rejected: Vec<RejectedEvent>,
}

/// How often a PostgreSQL batch is retried after a deadlock or serialization failure.
const PG_RETRIES: u32 = 3;

area! {
    /// The push side of sync: storing devices' event batches.
    Push, push
}

impl Push<'_> {
    /// Stores and projects a prepared batch in one transaction (grouped with concurrent ones on
    /// SQLite) and returns once it is committed.
    pub async fn store(&self, batch: PreparedBatch) -> Result<PushAck, PushError> {
        match self.0 {
            Db::Sqlite(s) => {
                let writer = s.push_writer.get_or_init(|| Writer::start(s.write.clone()));
                writer.submit(batch).await
            }
            Db::Postgres(pool) => {
                let mut attempt = 0;
                loop {
                    let mut tx = pool.begin().await?;
                    match apply::apply(&mut *tx, &batch).await {
                        Ok(ack) => match tx.commit().await {
                            Ok(()) => return Ok(ack),
                            Err(e) if is_retryable(&e) && attempt < PG_RETRIES => {}
                            Err(e) => return Err(e.into()),
                        },
                        // Release the aborted transaction (and its row locks) before backing off.
                        Err(PushError::Internal(e)) if attempt < PG_RETRIES && retryable(&e) => {
                            let _ = tx.rollback().await;
                        }
                        Err(e) => return Err(e),
                    }
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(5 << attempt)).await;
                }
            }
        }
    }

    /// The hash of a stored event, if stored.
    pub async fn event_hash(
        &self,
        device: DeviceId,
        seq: u64,
    ) -> anyhow::Result<Option<terreno_shared::sync::EventHash>> {
        let hash: Option<String> = crate::on_read!(self, |pool| {
            sqlx::query_scalar("select hash from events where device_id = $1 and seq = $2")
                .bind(device.to_string())
                .bind(i64::try_from(seq)?)
                .fetch_optional(pool)
                .await?
        });
        Ok(hash.map(|h| h.parse()).transpose()?)
    }
}

/// A seq as stored: seqs are below 2^63 (checked before verification).
pub(crate) fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn retryable(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<sqlx::Error>())
        .any(is_retryable)
}

/// PostgreSQL deadlock (40P01) or serialization failure (40001): safe to run again.
fn is_retryable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => matches!(d.code().as_deref(), Some("40P01" | "40001")),
        _ => false,
    }
}
