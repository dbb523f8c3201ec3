//! A tracker's report (an OsmAnd sender, see `crate::db::trackers`): the server writes the
//! tracker's log itself — each accepted position becomes the next `fix` event, stamped by the
//! server's clock, hash-chained but unsigned — and stores it like a pushed batch.

use anyhow::Context;
use terreno_shared::model::{Fix, Role};
use terreno_shared::sync::EventHash;
use terreno_shared::sync::payload::{self, Payload};

use crate::db::devices::DeviceRecord;
use crate::db::now_ms;
use crate::db::push::{PreparedBatch, PreparedEvent, PushAck, PushError, canonical_text};
use crate::state::AppState;

/// How often a report is retried when a concurrent one took its seq.
const RETRIES: u32 = 5;

/// Appends `fix` to tracker `device`'s log and stores it like a pushed batch. A concurrent
/// report (on this or another server) that took the next seq makes it re-read the head and
/// try again.
pub async fn record_fix(
    state: &AppState,
    mut device: DeviceRecord,
    fix: &Fix,
) -> Result<PushAck, PushError> {
    let draft = payload::encode(&Payload::Fix(fix.clone()))
        .context("encoding a fix")
        .map_err(PushError::Internal)?;
    let mut attempt = 0;
    loop {
        let seq = device.head_seq + 1;
        let prev_hash = device.head_hash.unwrap_or(EventHash::GENESIS);
        let hlc = state.tick();
        let event = draft
            .clone()
            .seal(device.id, seq, hlc, prev_hash)
            .context("sealing a tracker event")
            .map_err(PushError::Internal)?;
        let d = event.draft();
        let prepared = PreparedEvent {
            seq,
            hlc,
            merge_hlc: hlc,
            clock_suspect: false,
            kind: d.kind.as_str().to_owned(),
            v: d.v,
            entity: None,
            field: None,
            base_hlc: None,
            prev_hash,
            hash: event.hash(),
            payload_json: canonical_text(&d.payload),
            payload: Ok(Payload::Fix(fix.clone())),
        };
        let batch = PreparedBatch {
            device: device.clone(),
            role: Role::Collector,
            events: vec![prepared],
            signature: None,
            received_ms: now_ms(),
            forms: state.forms.clone(),
        };
        match super::store(state, batch).await {
            Ok(ack) => return Ok(ack),
            Err(PushError::Fork(_)) | Err(PushError::Invalid { .. }) if attempt < RETRIES => {
                attempt += 1;
                device = state
                    .db
                    .devices()
                    .find(device.id)
                    .await?
                    .context("re-reading a tracker")
                    .map_err(PushError::Internal)?;
            }
            Err(e) => return Err(e),
        }
    }
}
