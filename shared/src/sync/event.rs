//! The event envelope of SYNC.md, its canonical byte encoding and its hash.
//!
//! An event is keyed by `(device_id, seq)` and carries its HLC stamp, kind, payload schema
//! version, target entity and field, the stamp of the value the user saw (`base_hlc`), the hash
//! of the device's previous event (`prev_hash`) and a JSON payload. The canonical encoding is a
//! fixed binary layout with the payload as canonical JSON (object keys sorted, no white space),
//! written by hand rather than through `serde_json::to_vec`: a `preserve_order` feature turned on
//! by any crate in a build would otherwise change the bytes, and the device and the server must
//! hash identically forever.

use ring::digest;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

use crate::ValidationError;
use crate::ids::DeviceId;
use crate::sync::hlc::Hlc;

/// Largest canonical payload accepted in one event; photos travel as attachments, not events.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;
/// Longest field name.
pub const MAX_FIELD_LEN: usize = 128;
const MAGIC: &[u8; 4] = b"TEV1";

/// The key of an event: its author's device and its position in that device's log (from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EventKey {
    /// The authoring device.
    pub device_id: DeviceId,
    /// Gapless sequence number in that device's log, from 1.
    pub seq: u64,
}

/// SHA-256 of an event's canonical encoding. Serialized as 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct EventHash(pub [u8; 32]);

impl EventHash {
    /// The `prev_hash` of a device's first event.
    pub const GENESIS: EventHash = EventHash([0; 32]);

    /// Lower-case hex form.
    pub fn to_hex(&self) -> String {
        hex_encode(&self.0)
    }
}

impl fmt::Debug for EventHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventHash({})", &self.to_hex()[..12])
    }
}

impl fmt::Display for EventHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl FromStr for EventHash {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, ValidationError> {
        hex_decode::<32>(s)
            .map(EventHash)
            .ok_or_else(|| ValidationError::new("hash", format!("{s:?} is not 64 hex digits")))
    }
}

impl Serialize for EventHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for EventHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What an event records. Kinds this build does not know are kept as [`EventKind::Other`]:
/// a newer app's events are stored (facts are never dropped) and projected after an upgrade.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// Fact: one GPS fix with battery state.
    Fix,
    /// Fact: a check-in attempt with its evidence and the device's verdict.
    CheckIn,
    /// Fact: a visit submitted as complete.
    VisitSubmitted,
    /// State: one field (or questionnaire answer) of an entity set to a value.
    FieldSet,
    /// State: a visit's status moved.
    StatusSet,
    /// State: an attachment added to a visit.
    AttachmentAdded,
    /// State: an attachment removed from a visit (remove wins).
    AttachmentRemoved,
    /// State: an entity deleted, forever.
    Deleted,
    /// A kind unknown to this build.
    Other(String),
}

const KNOWN_KINDS: [(EventKind, &str); 8] = [
    (EventKind::Fix, "fix"),
    (EventKind::CheckIn, "check_in"),
    (EventKind::VisitSubmitted, "visit_submitted"),
    (EventKind::FieldSet, "field_set"),
    (EventKind::StatusSet, "status_set"),
    (EventKind::AttachmentAdded, "attachment_added"),
    (EventKind::AttachmentRemoved, "attachment_removed"),
    (EventKind::Deleted, "deleted"),
];

impl EventKind {
    /// The kind's wire name.
    pub fn as_str(&self) -> &str {
        match self {
            EventKind::Other(s) => s,
            known => KNOWN_KINDS
                .iter()
                .find(|(k, _)| k == known)
                .map(|(_, name)| *name)
                .unwrap_or_default(),
        }
    }

    /// Whether events of this kind are immutable facts (a grow-only set) rather than state.
    pub fn is_fact(&self) -> bool {
        matches!(
            self,
            EventKind::Fix | EventKind::CheckIn | EventKind::VisitSubmitted
        )
    }
}

impl FromStr for EventKind {
    type Err = ValidationError;
    /// Known names map to their variant; other names must look like a kind (`[a-z0-9_.]`, at
    /// most 64 characters) so garbage is refused rather than stored as a future kind.
    fn from_str(s: &str) -> Result<Self, ValidationError> {
        if let Some((k, _)) = KNOWN_KINDS.iter().find(|(_, name)| *name == s) {
            return Ok(k.clone());
        }
        let plausible = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
        if plausible {
            Ok(EventKind::Other(s.to_owned()))
        } else {
            Err(ValidationError::new(
                "kind",
                format!("{s:?} is not an event kind"),
            ))
        }
    }
}

impl Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The part of an event its author chooses; [`Draft::seal`] adds the key, stamp and chain link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    /// What the event records.
    pub kind: EventKind,
    /// Payload schema version (from 1).
    pub v: u16,
    /// The entity the event is about (a visit, an account...), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<Uuid>,
    /// The field of that entity, for field-level state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The stamp of the value the user saw when editing (conflict detection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_hlc: Option<Hlc>,
    /// The kind-specific content.
    pub payload: Value,
}

impl Draft {
    /// A draft with no entity, field or base stamp.
    pub fn new(kind: EventKind, v: u16, payload: Value) -> Self {
        Draft {
            kind,
            v,
            entity: None,
            field: None,
            base_hlc: None,
            payload,
        }
    }

    /// Sets the target entity.
    pub fn entity(mut self, id: Uuid) -> Self {
        self.entity = Some(id);
        self
    }

    /// Sets the target field.
    pub fn field(mut self, name: impl Into<String>) -> Self {
        self.field = Some(name.into());
        self
    }

    /// Sets the stamp of the value the user saw.
    pub fn base(mut self, base: Option<Hlc>) -> Self {
        self.base_hlc = base;
        self
    }

    /// Checks the envelope's own invariants (not the payload's schema: see `payload`).
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.v == 0 {
            return Err(ValidationError::new("v", "schema versions start at 1"));
        }
        if let Some(f) = &self.field
            && (f.is_empty() || f.len() > MAX_FIELD_LEN || f.chars().any(char::is_control))
        {
            return Err(ValidationError::new(
                "field",
                format!("{f:?} must be 1 to {MAX_FIELD_LEN} printable characters"),
            ));
        }
        let mut buf = Vec::new();
        canonical_json(&self.payload, &mut buf);
        if buf.len() > MAX_PAYLOAD_BYTES {
            return Err(ValidationError::new(
                "payload",
                format!(
                    "{} bytes is over the {MAX_PAYLOAD_BYTES}-byte limit",
                    buf.len()
                ),
            ));
        }
        Ok(())
    }

    /// Turns the draft into the event `(device_id, seq)` stamped `hlc`, linked to `prev_hash`.
    pub fn seal(
        self,
        device_id: DeviceId,
        seq: u64,
        hlc: Hlc,
        prev_hash: EventHash,
    ) -> Result<Event, ValidationError> {
        self.validate()?;
        if seq == 0 {
            return Err(ValidationError::new("seq", "device sequences start at 1"));
        }
        Ok(Event {
            key: EventKey { device_id, seq },
            hlc,
            prev_hash,
            draft: self,
        })
    }
}

/// A sealed event: a draft with its key, stamp and chain link. Immutable once built.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    key: EventKey,
    hlc: Hlc,
    prev_hash: EventHash,
    draft: Draft,
}

impl Event {
    /// `(device_id, seq)`.
    pub fn key(&self) -> EventKey {
        self.key
    }
    /// The author's stamp.
    pub fn hlc(&self) -> Hlc {
        self.hlc
    }
    /// Hash of the author's previous event ([`EventHash::GENESIS`] for seq 1).
    pub fn prev_hash(&self) -> EventHash {
        self.prev_hash
    }
    /// Kind, version, entity, field, base stamp and payload.
    pub fn draft(&self) -> &Draft {
        &self.draft
    }
    /// What the event records.
    pub fn kind(&self) -> &EventKind {
        &self.draft.kind
    }

    /// The canonical byte encoding that is hashed (and so, through the chain, signed).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let d = &self.draft;
        let mut out = Vec::with_capacity(128);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(self.key.device_id.as_bytes());
        out.extend_from_slice(&self.key.seq.to_be_bytes());
        out.extend_from_slice(&self.hlc.raw().to_be_bytes());
        put_str(&mut out, d.kind.as_str());
        out.extend_from_slice(&d.v.to_be_bytes());
        match &d.entity {
            Some(id) => {
                out.push(1);
                out.extend_from_slice(id.as_bytes());
            }
            None => out.push(0),
        }
        match &d.field {
            Some(f) => {
                out.push(1);
                put_str(&mut out, f);
            }
            None => out.push(0),
        }
        match d.base_hlc {
            Some(b) => {
                out.push(1);
                out.extend_from_slice(&b.raw().to_be_bytes());
            }
            None => out.push(0),
        }
        out.extend_from_slice(&self.prev_hash.0);
        let mut payload = Vec::new();
        canonical_json(&d.payload, &mut payload);
        put_bytes(&mut out, &payload);
        out
    }

    /// SHA-256 of [`Event::canonical_bytes`]: the next event's `prev_hash`.
    pub fn hash(&self) -> EventHash {
        let d = digest::digest(&digest::SHA256, &self.canonical_bytes());
        let mut h = [0u8; 32];
        h.copy_from_slice(d.as_ref());
        EventHash(h)
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_bytes(out, s.as_bytes());
}

// Lengths are u32: a payload is bounded far below that by `MAX_PAYLOAD_BYTES` at sealing.
fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u32).to_be_bytes());
    out.extend_from_slice(b);
}

/// Writes `value` as canonical JSON: object keys in byte order, no white space, strings and
/// numbers as `serde_json` prints them (shortest round-trip form for floats).
pub fn canonical_json(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {
            // Scalars cannot fail to serialize.
            out.extend_from_slice(value.to_string().as_bytes());
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical_json(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(Value::String(k.clone()).to_string().as_bytes());
                out.push(b':');
                canonical_json(v, out);
            }
            out.push(b'}');
        }
    }
}

pub(crate) use crate::hex::{decode as hex_decode, encode as hex_encode};

#[cfg(test)]
mod tests;
