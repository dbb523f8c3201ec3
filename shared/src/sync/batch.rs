//! Device keys, the per-device hash chain and the signed push batch (SYNC.md "Identity", "Push").
//!
//! Each event's `prev_hash` is the SHA-256 of the device's previous event, so a device's log is a
//! hash chain; a batch carries one Ed25519 signature over its head `(device_id, last_seq,
//! last_hash)`, which through the chain covers every event up to that head. Verifying a batch
//! costs one hash per event and one signature check per batch. Keys come in as arguments: this
//! module never draws randomness (the device generates the seed).

use ring::signature::{self, Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use std::str::FromStr;
use thiserror::Error;
use uuid::Uuid;

use crate::ValidationError;
use crate::ids::DeviceId;
use crate::sync::event::{Draft, Event, EventHash, EventKind, hex_decode, hex_encode};
use crate::sync::hlc::Hlc;

/// Default cap on events in one push batch (SYNC.md: batches of 500-5,000).
pub const MAX_EVENTS_PER_BATCH: usize = 5_000;
const HEAD_CONTEXT: &[u8] = b"terreno/batch-head/v1\0";

macro_rules! hex_bytes {
    ($(#[$doc:meta])* $name:ident, $n:literal, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(pub [u8; $n]);

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), &hex_encode(&self.0)[..12])
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&hex_encode(&self.0))
            }
        }
        impl FromStr for $name {
            type Err = ValidationError;
            fn from_str(s: &str) -> Result<Self, ValidationError> {
                hex_decode::<$n>(s).map($name).ok_or_else(|| {
                    ValidationError::new($field, format!("expected {} hex digits", $n * 2))
                })
            }
        }
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_string())
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

hex_bytes!(/// A device's Ed25519 public key, registered with the server at enrollment.
    PublicKey, 32, "public key");
hex_bytes!(/// An Ed25519 signature over a batch head.
    Signature, 64, "signature");

/// A device's signing key. Built from a 32-byte seed the device generated and keeps.
pub struct DeviceKey(Ed25519KeyPair);

impl DeviceKey {
    /// The key pair for a seed (the Ed25519 private key proper).
    pub fn from_seed(seed: &[u8; 32]) -> Result<Self, ValidationError> {
        Ed25519KeyPair::from_seed_unchecked(seed)
            .map(DeviceKey)
            .map_err(|_| ValidationError::new("device key", "seed is not a valid Ed25519 key"))
    }

    /// The public half, to register with the server.
    pub fn public_key(&self) -> PublicKey {
        let mut pk = [0u8; 32];
        pk.copy_from_slice(self.0.public_key().as_ref());
        PublicKey(pk)
    }

    /// Signs a batch head.
    pub fn sign_head(&self, head: &Head) -> Signature {
        let mut sig = [0u8; 64];
        sig.copy_from_slice(self.0.sign(&head.message()).as_ref());
        Signature(sig)
    }
}

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceKey(public {:?})", self.public_key())
    }
}

/// The head of a device's log as of a batch: what one signature covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// The device.
    pub device_id: DeviceId,
    /// Sequence of the last event covered.
    pub seq: u64,
    /// Hash of that event.
    pub hash: EventHash,
}

impl Head {
    fn message(&self) -> Vec<u8> {
        let mut m = Vec::with_capacity(HEAD_CONTEXT.len() + 16 + 8 + 32);
        m.extend_from_slice(HEAD_CONTEXT);
        m.extend_from_slice(self.device_id.as_bytes());
        m.extend_from_slice(&self.seq.to_be_bytes());
        m.extend_from_slice(&self.hash.0);
        m
    }

    /// Checks `sig` against this head and the device's public key.
    pub fn verify(&self, key: &PublicKey, sig: &Signature) -> Result<(), BatchError> {
        signature::UnparsedPublicKey::new(&signature::ED25519, key.0)
            .verify(&self.message(), &sig.0)
            .map_err(|_| BatchError::BadSignature)
    }
}

/// One event as it travels in a batch: the device id and seq are implicit in the batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WireEvent {
    /// The author's stamp.
    pub hlc: Hlc,
    /// What the event records.
    pub kind: EventKind,
    /// Payload schema version.
    pub v: u16,
    /// Target entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<Uuid>,
    /// Target field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Stamp of the value the user saw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_hlc: Option<Hlc>,
    /// Hash of the device's previous event.
    pub prev_hash: EventHash,
    /// Kind-specific content.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::EventPayload))]
    pub payload: Value,
}

impl From<&Event> for WireEvent {
    fn from(e: &Event) -> Self {
        let d = e.draft().clone();
        WireEvent {
            hlc: e.hlc(),
            kind: d.kind,
            v: d.v,
            entity: d.entity,
            field: d.field,
            base_hlc: d.base_hlc,
            prev_hash: e.prev_hash(),
            payload: d.payload,
        }
    }
}

/// `POST /api/v1/sync/push` body: contiguous events of one device from `first_seq`, signed
/// over the head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushBatch {
    /// The authoring device.
    pub device_id: DeviceId,
    /// Sequence of the first event; the others follow without gaps.
    pub first_seq: u64,
    /// The events.
    pub events: Vec<WireEvent>,
    /// Signature over the head `(device_id, last seq, hash of the last event)`.
    pub signature: Signature,
}

/// Why a batch was refused as a whole.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum BatchError {
    /// No events.
    #[error("batch has no events")]
    Empty,
    /// More events than allowed in one batch.
    #[error("batch has {count} events, more than the limit of {max}")]
    TooManyEvents {
        /// Events sent.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// `first_seq` is 0 or the batch runs past the largest sequence number.
    #[error("batch sequence range starting at {first_seq} is invalid")]
    BadRange {
        /// The batch's first sequence.
        first_seq: u64,
    },
    /// Events of several devices, or not contiguous, were given to [`PushBatch::seal`].
    #[error("event {index} is not the next event of device {device_id}")]
    NotContiguous {
        /// Position in the batch.
        index: usize,
        /// The batch's device.
        device_id: DeviceId,
    },
    /// An event's envelope is invalid.
    #[error("event {seq} is invalid: {error}")]
    BadEvent {
        /// Its sequence number.
        seq: u64,
        /// What is wrong.
        error: ValidationError,
    },
    /// An event's `prev_hash` is not the hash of the event before it.
    #[error(
        "event {seq} does not link to the previous event (prev_hash {found}, expected {expected})"
    )]
    BrokenChain {
        /// The event whose link is wrong.
        seq: u64,
        /// The hash of the event before it.
        expected: EventHash,
        /// What it claims.
        found: EventHash,
    },
    /// The head signature does not verify with the device's key.
    #[error("batch signature does not match the device's key")]
    BadSignature,
}

/// A batch whose chain and signature checked out.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedBatch {
    /// The events, with their keys assigned.
    pub events: Vec<Event>,
    /// Each event's hash, in the same order.
    pub hashes: Vec<EventHash>,
    /// The signed head.
    pub head: Head,
}

impl PushBatch {
    /// Builds a batch from contiguous events of one device and signs its head.
    pub fn seal(events: &[Event], key: &DeviceKey) -> Result<PushBatch, BatchError> {
        let first = events.first().ok_or(BatchError::Empty)?.key();
        for (i, e) in events.iter().enumerate() {
            if e.key().device_id != first.device_id || e.key().seq != first.seq + i as u64 {
                return Err(BatchError::NotContiguous {
                    index: i,
                    device_id: first.device_id,
                });
            }
        }
        let last = &events[events.len() - 1];
        let head = Head {
            device_id: first.device_id,
            seq: last.key().seq,
            hash: last.hash(),
        };
        Ok(PushBatch {
            device_id: first.device_id,
            first_seq: first.seq,
            events: events.iter().map(WireEvent::from).collect(),
            signature: key.sign_head(&head),
        })
    }

    /// Checks the batch: size, sequence range, each envelope, each chain link (including the
    /// link to `known_prev`, the hash of event `first_seq - 1` when the verifier has it, and to
    /// the genesis hash when `first_seq` is 1) and the head signature.
    pub fn verify(
        &self,
        key: &PublicKey,
        max_events: usize,
        known_prev: Option<EventHash>,
    ) -> Result<VerifiedBatch, BatchError> {
        let count = self.events.len();
        if count == 0 {
            return Err(BatchError::Empty);
        }
        if count > max_events {
            return Err(BatchError::TooManyEvents {
                count,
                max: max_events,
            });
        }
        if self.first_seq == 0 || self.first_seq.checked_add(count as u64).is_none() {
            return Err(BatchError::BadRange {
                first_seq: self.first_seq,
            });
        }
        let mut expected = match (self.first_seq, known_prev) {
            (1, _) => Some(EventHash::GENESIS),
            (_, known) => known,
        };
        let mut events = Vec::with_capacity(count);
        let mut hashes = Vec::with_capacity(count);
        for (i, w) in self.events.iter().enumerate() {
            let seq = self.first_seq + i as u64;
            if let Some(expected) = expected
                && w.prev_hash != expected
            {
                return Err(BatchError::BrokenChain {
                    seq,
                    expected,
                    found: w.prev_hash,
                });
            }
            let event = wire_to_event(w.clone(), self.device_id, seq)?;
            let hash = event.hash();
            expected = Some(hash);
            events.push(event);
            hashes.push(hash);
        }
        let head = Head {
            device_id: self.device_id,
            seq: self.first_seq + count as u64 - 1,
            hash: hashes[count - 1],
        };
        head.verify(key, &self.signature)?;
        Ok(VerifiedBatch {
            events,
            hashes,
            head,
        })
    }
}

fn wire_to_event(w: WireEvent, device_id: DeviceId, seq: u64) -> Result<Event, BatchError> {
    let draft = Draft {
        kind: w.kind,
        v: w.v,
        entity: w.entity,
        field: w.field,
        base_hlc: w.base_hlc,
        payload: w.payload,
    };
    draft
        .seal(device_id, seq, w.hlc, w.prev_hash)
        .map_err(|error| BatchError::BadEvent { seq, error })
}

#[cfg(test)]
mod tests;
