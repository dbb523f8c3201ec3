//! Push, pull and device status (SYNC.md). The push body itself is
//! [`crate::sync::PushBatch`].

use std::fmt;

use serde::{Deserialize, Serialize};

pub use super::changes::{Change, ChangeOp, EntityType, RawChange, Record};
use crate::api::ErrorCode;
use crate::sync::Hlc;

/// An event refused on its own (the rest of the batch is unaffected). It is stored as rejected
/// evidence; the device parks it and never retries it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RejectedEvent {
    /// Its sequence number.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: u64,
    /// Stable code (`not_allowed`, `invalid_payload`, ...).
    #[cfg_attr(feature = "ts", ts(as = "crate::api::KnownErrorCode"))]
    pub code: ErrorCode,
    /// Why, for people.
    pub message: String,
}

/// Answer to a push, sent only after the batch's transaction committed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// The contiguous head of the device's log on the server: resume pushing after it.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub head: u64,
    /// The highest sequence stored (beyond a gap when greater than `head`).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub max_seen: u64,
    /// The server's clock, for the device's HLC receive rule.
    pub server_hlc: Hlc,
    /// Sequences whose stamp was too far in the future and merged with the server's stamp.
    #[cfg_attr(feature = "ts", ts(type = "number[]"))]
    pub clamped: Vec<u64>,
    /// Events refused on their own.
    pub rejected: Vec<RejectedEvent>,
}

/// `GET /api/v1/sync/status`: where the device's log stands on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// `GET /api/v1/sync/pull?cursor=..&limit=..` answer: changes in server commit order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    /// The changes, never splitting a server transaction.
    pub changes: Vec<Change>,
    /// Opaque cursor to send next time (store it with the applied page in one transaction).
    pub cursor: String,
    /// Whether more changes are waiting.
    pub more: bool,
}

/// Where a stored event stands on the server (the `state` of its row; shown in a visit's edit
/// history).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventState {
    /// Stored beyond a gap in the device's log: projected once the gap fills.
    Pending,
    /// Folded into the state (perhaps superseded: still applied).
    Applied,
    /// A newer kind or version than this server reads: kept, projected after an upgrade.
    Deferred,
    /// Refused on its own, kept as evidence (see [`Rejection`]).
    Rejected,
}

impl EventState {
    /// The stored and wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            EventState::Pending => "pending",
            EventState::Applied => "applied",
            EventState::Deferred => "deferred",
            EventState::Rejected => "rejected",
        }
    }

    /// The state a stored string names.
    pub fn parse(s: &str) -> Result<EventState, crate::ValidationError> {
        match s {
            "pending" => Ok(EventState::Pending),
            "applied" => Ok(EventState::Applied),
            "deferred" => Ok(EventState::Deferred),
            "rejected" => Ok(EventState::Rejected),
            other => Err(crate::ValidationError::new(
                "event state",
                format!("{other:?} is not pending, applied, deferred or rejected"),
            )),
        }
    }
}

impl fmt::Display for EventState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an event was refused: a code and a sentence. Stored with the event as one text,
/// `"code: message"` ([`Rejection::to_reason`]), and read back with [`Rejection::from_reason`]
/// when a replayed batch is answered from what is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Stable code.
    pub code: ErrorCode,
    /// Why, for people.
    pub message: String,
}

impl Rejection {
    /// A refusal.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Rejection {
        Rejection {
            code,
            message: message.into(),
        }
    }

    /// The stored reason text, `"code: message"`.
    pub fn to_reason(&self) -> String {
        format!("{}: {}", self.code, self.message)
    }

    /// Reads a stored reason; one without a code (older rows) is [`ErrorCode::Rejected`] with
    /// the whole text as its message.
    pub fn from_reason(reason: &str) -> Rejection {
        match reason.split_once(": ") {
            Some((code, message)) => Rejection::new(ErrorCode::parse(code), message),
            None => Rejection::new(ErrorCode::Rejected, reason),
        }
    }

    /// The answer's entry for event `seq`.
    pub fn into_event(self, seq: u64) -> RejectedEvent {
        RejectedEvent {
            seq,
            code: self.code,
            message: self.message,
        }
    }
}

impl TryFrom<String> for EventState {
    type Error = crate::ValidationError;

    fn try_from(s: String) -> Result<EventState, Self::Error> {
        EventState::parse(&s)
    }
}
