//! The CPU part of a push, run before (and outside) the transaction: the caller must own the
//! device, the batch must fit the limits, link to what is stored and carry a valid signature;
//! then each event gets its merge stamp (the future-stamp clamp against the server's clock),
//! its decoded payload and its stored encoding. Nothing here writes.

use terreno_shared::api::ErrorCode;
use terreno_shared::ids::DeviceId;
use terreno_shared::sync::batch::BatchError;
use terreno_shared::sync::hlc::{MAX_FUTURE_MS, clamp_future};
use terreno_shared::sync::payload;
use terreno_shared::sync::{EventHash, Hlc, PushBatch, VerifiedBatch};

use crate::db::devices::DeviceRecord;
use crate::db::push::{PreparedBatch, PreparedEvent, PushError, canonical_text};
use crate::db::sessions::Session;
use crate::db::{Db, now_ms};
use crate::state::AppState;

/// The device, if `user` owns it and it is not revoked.
pub async fn owned_device(
    db: &Db,
    user: &Session,
    device: DeviceId,
) -> Result<DeviceRecord, PushError> {
    match db.devices().find(device).await? {
        Some(d) if d.user_id == user.user_id && d.org_id == user.org_id => {
            if d.revoked {
                Err(PushError::Revoked(device))
            } else {
                Ok(d)
            }
        }
        _ => Err(PushError::NotFound(device)),
    }
}

/// Checks ownership, limits, chain and signature, and prepares each event.
pub async fn prepare(
    state: &AppState,
    user: &Session,
    batch: PushBatch,
) -> Result<PreparedBatch, PushError> {
    let device = owned_device(&state.db, user, batch.device_id).await?;
    let Some(key) = device.public_key else {
        return Err(PushError::Invalid {
            code: ErrorCode::TrackerDevice,
            message: format!(
                "device {} is a tracker: it reports positions through OsmAnd, not signed batches",
                device.id
            ),
        });
    };
    let max = state.config.max_events_per_batch;
    if batch.events.len() > max {
        return Err(PushError::TooManyEvents {
            count: batch.events.len(),
            max,
        });
    }
    let past_end = batch.first_seq.saturating_add(batch.events.len() as u64);
    if past_end > i64::MAX as u64 {
        return Err(PushError::Invalid {
            code: ErrorCode::BadRange,
            message: format!(
                "batch starting at seq {} runs past the largest seq",
                batch.first_seq
            ),
        });
    }
    let known_prev = known_prev(&state.db, &device, batch.first_seq).await?;
    let (state2, role, forms) = (state.clone(), user.role, state.forms.clone());
    // Hashing a thousand events and checking a signature takes milliseconds: keep it off the
    // executor threads that serve other requests.
    tokio::task::spawn_blocking(move || {
        let signature = batch.signature;
        let verified = batch.verify(&key, max, known_prev).map_err(batch_error)?;
        let events = prepare_events(&state2, verified);
        Ok(PreparedBatch {
            device,
            role,
            events,
            signature: Some(signature),
            received_ms: now_ms(),
            forms,
        })
    })
    .await
    .map_err(|e| PushError::Internal(anyhow::Error::new(e).context("verifying a batch")))?
}

/// The stored hash of event `first_seq - 1`, when the server has it.
async fn known_prev(
    db: &Db,
    device: &DeviceRecord,
    first_seq: u64,
) -> Result<Option<EventHash>, PushError> {
    let Some(prev) = first_seq.checked_sub(1).filter(|p| *p > 0) else {
        return Ok(None);
    };
    if prev == device.head_seq {
        return Ok(device.head_hash);
    }
    if prev > device.max_seen {
        return Ok(None);
    }
    Ok(db.push().event_hash(device.id, prev).await?)
}

fn batch_error(e: BatchError) -> PushError {
    let code = match &e {
        BatchError::TooManyEvents { count, max } => {
            return PushError::TooManyEvents {
                count: *count,
                max: *max,
            };
        }
        BatchError::BadSignature => ErrorCode::BadSignature,
        BatchError::BrokenChain { .. } => ErrorCode::BrokenChain,
        BatchError::Empty => ErrorCode::EmptyBatch,
        BatchError::BadRange { .. } | BatchError::NotContiguous { .. } => ErrorCode::BadRange,
        BatchError::BadEvent { .. } => ErrorCode::InvalidEvent,
    };
    PushError::Invalid {
        code,
        message: e.to_string(),
    }
}

/// Clamps, decodes and encodes each event; takes in the batch's newest honest stamp.
fn prepare_events(state: &AppState, verified: VerifiedBatch) -> Vec<PreparedEvent> {
    let now = now_ms();
    let mut newest = Hlc::ZERO;
    let out = verified
        .events
        .iter()
        .zip(&verified.hashes)
        .map(|(e, hash)| {
            let c = clamp_future(e.hlc(), now, state.tick(), MAX_FUTURE_MS);
            if !c.clock_suspect {
                newest = newest.max(e.hlc());
            }
            let d = e.draft();
            PreparedEvent {
                seq: e.key().seq,
                hlc: e.hlc(),
                merge_hlc: c.merge_hlc,
                clock_suspect: c.clock_suspect,
                kind: d.kind.as_str().to_owned(),
                v: d.v,
                entity: d.entity,
                field: d.field.clone(),
                base_hlc: d.base_hlc,
                prev_hash: e.prev_hash(),
                hash: *hash,
                payload_json: canonical_text(&d.payload),
                payload: payload::decode(d),
            }
        })
        .collect();
    state.receive(newest);
    out
}
