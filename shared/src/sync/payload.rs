//! Typed payloads per event kind and schema version.
//!
//! Decoding is where SYNC.md's version rules live: an older version is upcast to the current
//! shape; a version (or kind) newer than this build knows is [`Payload::Future`] — stored, never
//! dropped, not projected until an upgrade; unknown fields inside a known version are an error
//! for that event (never silently ignored), as is a missing entity or field.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;
use uuid::Uuid;

use crate::ids::{AttachmentId, VisitId};
use crate::model::Fix;
use crate::model::submission::{CheckInRecord, Submission};
use crate::model::visit::VisitStatus;
use crate::sync::event::{Draft, EventHash, EventKind};

/// The newest payload version this build writes and projects, for every known kind.
pub const CURRENT_VERSION: u16 = 1;

/// `field_set` v1: the new value of `(entity, field)`; `null` clears it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FieldValue {
    /// Any JSON value.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::AnswerValue))]
    pub value: Value,
}

/// `status_set` v1: a visit's new status within an epoch (a supervisor's reopen bumps it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// The new status.
    pub status: VisitStatus,
    /// The reopen generation; starts at 0.
    #[serde(default)]
    pub epoch: u32,
}

/// What an attachment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AttachmentRole {
    /// A photo (façade, receipt...).
    Photo,
    /// The debtor's signature.
    Signature,
    /// Any other file.
    File,
}

/// `attachment_added` v1: a content-addressed blob attached to the visit in `entity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AttachmentRef {
    /// The attachment's id (minted on the device).
    pub attachment_id: AttachmentId,
    /// SHA-256 of the blob: its content address on the server.
    pub sha256: EventHash,
    /// MIME type as captured (`image/jpeg`).
    pub media_type: String,
    /// Blob size in bytes.
    pub bytes: u64,
    /// What it is for.
    pub role: AttachmentRole,
}

/// `attachment_removed` v1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AttachmentRemoval {
    /// The attachment removed.
    pub attachment_id: AttachmentId,
}

/// `deleted` v1: no content; the entity is in the envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Deletion {}

/// A decoded payload, with the envelope parts its kind requires.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// A GPS fix.
    Fix(Fix),
    /// A check-in attempt for a visit.
    CheckIn(VisitId, Box<CheckInRecord>),
    /// A visit submitted as complete.
    VisitSubmitted(VisitId, Box<Submission>),
    /// `(entity, field) := value`.
    FieldSet(Uuid, String, FieldValue),
    /// A visit's status moved.
    StatusSet(VisitId, StatusChange),
    /// An attachment added to a visit.
    AttachmentAdded(VisitId, AttachmentRef),
    /// An attachment removed from a visit.
    AttachmentRemoved(VisitId, AttachmentRemoval),
    /// An entity deleted.
    Deleted(Uuid),
    /// A kind or version newer than this build: keep, do not project.
    Future,
}

/// Why an event's payload does not fit its kind and version.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PayloadError {
    /// The kind needs an entity id.
    #[error("{kind} event needs an entity")]
    MissingEntity {
        /// The event kind.
        kind: String,
    },
    /// The kind needs a field name.
    #[error("{kind} event needs a field")]
    MissingField {
        /// The event kind.
        kind: String,
    },
    /// The payload does not match the kind's schema for its version.
    #[error("{kind} v{v} payload is invalid: {reason}")]
    Schema {
        /// The event kind.
        kind: String,
        /// Its version.
        v: u16,
        /// What is wrong, as the decoder said it.
        reason: String,
    },
}

/// Decodes (and upcasts) the payload of an event draft.
pub fn decode(d: &Draft) -> Result<Payload, PayloadError> {
    if d.v > CURRENT_VERSION || matches!(d.kind, EventKind::Other(_)) {
        return Ok(Payload::Future);
    }
    // Every known kind is at version 1; an older version would be upcast here.
    let entity = || {
        d.entity.ok_or_else(|| PayloadError::MissingEntity {
            kind: d.kind.as_str().to_owned(),
        })
    };
    let visit = || entity().map(VisitId::from_uuid);
    Ok(match &d.kind {
        EventKind::Fix => Payload::Fix(parse(d)?),
        EventKind::CheckIn => Payload::CheckIn(visit()?, Box::new(parse(d)?)),
        EventKind::VisitSubmitted => Payload::VisitSubmitted(visit()?, Box::new(parse(d)?)),
        EventKind::FieldSet => {
            let field = d.field.clone().ok_or_else(|| PayloadError::MissingField {
                kind: d.kind.as_str().to_owned(),
            })?;
            Payload::FieldSet(entity()?, field, parse(d)?)
        }
        EventKind::StatusSet => Payload::StatusSet(visit()?, parse(d)?),
        EventKind::AttachmentAdded => Payload::AttachmentAdded(visit()?, parse(d)?),
        EventKind::AttachmentRemoved => Payload::AttachmentRemoved(visit()?, parse(d)?),
        EventKind::Deleted => {
            parse::<Deletion>(d)?;
            Payload::Deleted(entity()?)
        }
        EventKind::Other(_) => Payload::Future,
    })
}

fn parse<T: DeserializeOwned>(d: &Draft) -> Result<T, PayloadError> {
    T::deserialize(&d.payload).map_err(|e| PayloadError::Schema {
        kind: d.kind.as_str().to_owned(),
        v: d.v,
        reason: e.to_string(),
    })
}

/// Builds the current-version draft for a payload: the inverse of [`decode`]. `None` for
/// [`Payload::Future`], which this build cannot write.
pub fn encode(p: &Payload) -> Option<Draft> {
    let v = CURRENT_VERSION;
    let visit = |id: &VisitId| *id.as_uuid();
    Some(match p {
        Payload::Fix(f) => Draft::new(EventKind::Fix, v, to_json(f)),
        Payload::CheckIn(id, c) => {
            Draft::new(EventKind::CheckIn, v, to_json(c.as_ref())).entity(visit(id))
        }
        Payload::VisitSubmitted(id, s) => {
            Draft::new(EventKind::VisitSubmitted, v, to_json(s.as_ref())).entity(visit(id))
        }
        Payload::FieldSet(e, f, val) => Draft::new(EventKind::FieldSet, v, to_json(val))
            .entity(*e)
            .field(f.clone()),
        Payload::StatusSet(id, c) => {
            Draft::new(EventKind::StatusSet, v, to_json(c)).entity(visit(id))
        }
        Payload::AttachmentAdded(id, a) => {
            Draft::new(EventKind::AttachmentAdded, v, to_json(a)).entity(visit(id))
        }
        Payload::AttachmentRemoved(id, r) => {
            Draft::new(EventKind::AttachmentRemoved, v, to_json(r)).entity(visit(id))
        }
        Payload::Deleted(e) => Draft::new(EventKind::Deleted, v, to_json(&Deletion {})).entity(*e),
        Payload::Future => return None,
    })
}

fn to_json<T: Serialize>(x: &T) -> Value {
    // Payload types are plain data with string map keys: serializing them cannot fail.
    serde_json::to_value(x).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests;
