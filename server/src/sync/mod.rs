//! The push use case (SYNC.md "Push"): who may push to a device's log, the batch checks and the
//! server clock ([`prepare`]), storing through [`crate::db::push`], and telling the live feed
//! what committed. `push` and `status` answer `/api/v1/sync/*`; [`tracker`] writes the log of
//! an OsmAnd sender the same way. Storage is `db`'s: this module writes no SQL.

pub mod prepare;
pub mod tracker;

use terreno_shared::api::v1::sync::{DeviceStatus, PushResponse};
use terreno_shared::ids::DeviceId;
use terreno_shared::sync::PushBatch;
use terreno_shared::sync::payload::Payload;

use crate::db::push::{PreparedBatch, PushAck, PushError};
use crate::db::sessions::Session;
use crate::live::Signal;
use crate::state::AppState;

/// Pushes a batch for `user`: verifies it, stores and projects it in one transaction, and
/// answers after the commit.
pub async fn push(
    state: &AppState,
    user: &Session,
    batch: PushBatch,
) -> Result<PushResponse, PushError> {
    let prepared = prepare::prepare(state, user, batch).await?;
    let ack = store(state, prepared).await?;
    Ok(PushResponse {
        head: ack.head,
        max_seen: ack.max_seen,
        server_hlc: state.tick(),
        clamped: ack.clamped,
        rejected: ack.rejected,
    })
}

/// Where a device's log stands on the server, for its owner only.
pub async fn status(
    state: &AppState,
    user: &Session,
    device: DeviceId,
) -> Result<DeviceStatus, PushError> {
    let record = prepare::owned_device(&state.db, user, device).await?;
    Ok(DeviceStatus {
        head: record.head_seq,
        head_hash: record.head_hash.filter(|_| record.head_seq > 0),
        max_seen: record.max_seen,
        server_hlc: state.tick(),
    })
}

/// Stores a prepared batch and, once committed, tells the live feed what it changed.
async fn store(state: &AppState, batch: PreparedBatch) -> Result<PushAck, PushError> {
    let mut signal = signal(&batch, state.live.origin);
    let ack = state.db.push().store(batch).await?;
    // Filling a gap also projects the pending events stored beyond it.
    signal.last = signal.last.max(i64::try_from(ack.head).unwrap_or(i64::MAX));
    crate::live::Hub::publish(state, signal);
    Ok(ack)
}

/// What the live feed needs to know about a batch once committed.
fn signal(batch: &PreparedBatch, origin: uuid::Uuid) -> Signal {
    Signal {
        origin,
        device: batch.device.id.to_string(),
        first: i64::try_from(batch.first_seq()).unwrap_or(i64::MAX),
        last: i64::try_from(batch.last_seq()).unwrap_or(i64::MAX),
        fixes: batch
            .events
            .iter()
            .any(|e| matches!(e.payload, Ok(Payload::Fix(_)))),
    }
}
