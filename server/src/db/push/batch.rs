//! What the push transaction takes: a batch whose ownership, limits, chain and signature were
//! checked and whose events carry their merge stamp, decoded payload and stored encoding
//! (`crate::sync::prepare` builds it; a tracker's report builds a one-event batch). Nothing
//! here reads or writes.

use serde_json::Value;
use terreno_shared::model::Role;
use terreno_shared::sync::event::canonical_json;
use terreno_shared::sync::payload::{Payload, PayloadError};
use terreno_shared::sync::{EventHash, Hlc, Signature};
use uuid::Uuid;

use crate::db::devices::DeviceRecord;

/// One verified event, ready to store and project.
#[derive(Debug, Clone)]
pub struct PreparedEvent {
    /// Its seq in the device's log.
    pub seq: u64,
    /// The stamp its device wrote.
    pub hlc: Hlc,
    /// The stamp the merge uses (the server's receive stamp when clamped).
    pub merge_hlc: Hlc,
    /// Stamped more than `MAX_FUTURE_MS` ahead of the server.
    pub clock_suspect: bool,
    /// Kind name.
    pub kind: String,
    /// Payload schema version.
    pub v: u16,
    /// Target entity.
    pub entity: Option<Uuid>,
    /// Target field.
    pub field: Option<String>,
    /// Stamp of the value its author saw.
    pub base_hlc: Option<Hlc>,
    /// Hash of the previous event.
    pub prev_hash: EventHash,
    /// Its own hash.
    pub hash: EventHash,
    /// The payload as canonical JSON text (what is stored).
    pub payload_json: String,
    /// The decoded payload, or why it does not fit its kind and version.
    pub payload: Result<Payload, PayloadError>,
}

/// A verified batch, ready for the transaction.
#[derive(Debug, Clone)]
pub struct PreparedBatch {
    /// The device, as read before verification.
    pub device: DeviceRecord,
    /// Its user's role (who may reopen visits, whose visits it may write).
    pub role: Role,
    /// The events, contiguous, in seq order (never empty).
    pub events: Vec<PreparedEvent>,
    /// The signature over the batch head, kept as proof; none for a tracker's server-written
    /// log.
    pub signature: Option<Signature>,
    /// When the server received it.
    pub received_ms: i64,
    /// Compiled forms, for checking the completions in it (the server's shared cache).
    pub forms: crate::forms::engines::FormEngines,
}

impl PreparedBatch {
    /// Seq of the first event.
    pub fn first_seq(&self) -> u64 {
        self.events[0].seq
    }
    /// Seq of the last event.
    pub fn last_seq(&self) -> u64 {
        self.events[self.events.len() - 1].seq
    }
    /// Hash of the last event.
    pub fn last_hash(&self) -> EventHash {
        self.events[self.events.len() - 1].hash
    }
}

/// Canonical JSON as text (what the chain hashed).
pub fn canonical_text(v: &Value) -> String {
    let mut buf = Vec::new();
    canonical_json(v, &mut buf);
    // canonical_json writes only serde_json's own (UTF-8) output.
    String::from_utf8(buf).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
