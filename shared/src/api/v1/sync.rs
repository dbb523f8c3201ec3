//! Push, pull and device status (SYNC.md). The push body itself is
//! [`crate::sync::PushBatch`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::sync::Hlc;

/// An event refused on its own (the rest of the batch is unaffected). It is stored as rejected
/// evidence; the device parks it and never retries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedEvent {
    /// Its sequence number.
    pub seq: u64,
    /// Stable code (`not_allowed`, `invalid_payload`, ...).
    pub code: String,
    /// Why, for people.
    pub message: String,
}

/// Answer to a push, sent only after the batch's transaction committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// The contiguous head of the device's log on the server: resume pushing after it.
    pub head: u64,
    /// The highest sequence stored (beyond a gap when greater than `head`).
    pub max_seen: u64,
    /// The server's clock, for the device's HLC receive rule.
    pub server_hlc: Hlc,
    /// Sequences whose stamp was too far in the future and merged with the server's stamp.
    pub clamped: Vec<u64>,
    /// Events refused on their own.
    pub rejected: Vec<RejectedEvent>,
}

/// `GET /api/v1/sync/status`: where the device's log stands on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceStatus {
    /// Contiguous head.
    pub head: u64,
    /// Hash of the event at `head` (absent before the first event): a device compares it with
    /// its own event `head` to tell its own log from another install's under the same id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_hash: Option<crate::sync::EventHash>,
    /// Highest sequence stored.
    pub max_seen: u64,
    /// The server's clock.
    pub server_hlc: Hlc,
}

/// What a pulled change does to the device's copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    /// Insert or replace the entity with `body`.
    Upsert,
    /// Delete the entity and what hangs off it: it left the device's scope.
    Remove,
}

/// One change of server state in the caller's scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// `account`, `stop`, `visit`, `field`, ...
    pub entity_type: String,
    /// The entity's id.
    pub entity_id: String,
    /// Upsert or remove.
    pub op: ChangeOp,
    /// The whole record (for upserts).
    pub body: Value,
}

/// `GET /api/v1/sync/pull?cursor=..&limit=..` answer: changes in server commit order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    /// The changes, never splitting a server transaction.
    pub changes: Vec<Change>,
    /// Opaque cursor to send next time (store it with the applied page in one transaction).
    pub cursor: String,
    /// Whether more changes are waiting.
    pub more: bool,
}
