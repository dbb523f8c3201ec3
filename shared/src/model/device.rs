//! Enrolled devices: which user a device belongs to and the Ed25519 key that signs its batches.
//!
//! This module only holds the device record; the key type is [`PublicKey`] of [`crate::sync`].
//! It must not verify signatures (that is [`crate::sync`]) nor ever see a private key: the key
//! pair is made on the device by the app and only the public half travels.

use serde::{Deserialize, Serialize};

use super::text::one_line;
use crate::ValidationError;
use crate::ids::{DeviceId, UserId};
use crate::sync::batch::PublicKey;

/// A device enrolled by a user. A revoked device's past events stay valid; new batches it
/// signs are refused by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawDevice", into = "RawDevice")]
pub struct Device {
    id: DeviceId,
    user: UserId,
    public_key: PublicKey,
    label: String,
    revoked: bool,
}

/// The unvalidated JSON shape of a [`Device`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDevice {
    /// Device id.
    pub id: DeviceId,
    /// The user who enrolled it.
    pub user: UserId,
    /// Ed25519 public key, 64 hex digits.
    pub public_key: PublicKey,
    /// A name the user recognizes (`Moto G - gestor.ramirez`).
    pub label: String,
    /// Revoked by an admin (lost or stolen).
    #[serde(default)]
    pub revoked: bool,
}

/// Longest device label accepted, in characters.
const MAX_LABEL_CHARS: usize = 100;

impl Device {
    /// A newly enrolled (not revoked) device; the label is trimmed, non-empty, at most 100
    /// characters.
    pub fn new(
        id: DeviceId,
        user: UserId,
        public_key: PublicKey,
        label: &str,
    ) -> Result<Self, ValidationError> {
        let label = one_line("device label", label, MAX_LABEL_CHARS)?;
        Ok(Self {
            id,
            user,
            public_key,
            label,
            revoked: false,
        })
    }

    /// The same device, revoked. Revocation is one-way: a found phone enrolls again.
    pub fn revoke(mut self) -> Self {
        self.revoked = true;
        self
    }

    /// The device's id.
    pub fn id(&self) -> DeviceId {
        self.id
    }
    /// The user who enrolled it.
    pub fn user(&self) -> UserId {
        self.user
    }
    /// The key that verifies its signatures.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }
    /// Label shown in the device list.
    pub fn label(&self) -> &str {
        &self.label
    }
    /// Whether an admin revoked it.
    pub fn is_revoked(&self) -> bool {
        self.revoked
    }
}

impl TryFrom<RawDevice> for Device {
    type Error = ValidationError;
    fn try_from(r: RawDevice) -> Result<Self, ValidationError> {
        let device = Device::new(r.id, r.user, r.public_key, &r.label)?;
        Ok(if r.revoked { device.revoke() } else { device })
    }
}

impl From<Device> for RawDevice {
    fn from(d: Device) -> Self {
        RawDevice {
            id: d.id,
            user: d.user,
            public_key: d.public_key,
            label: d.label,
            revoked: d.revoked,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use uuid::Uuid;

    const KEY: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    #[test]
    fn a_public_key_round_trips_through_lower_case_hex() {
        let key = PublicKey::from_str(&KEY.to_uppercase()).unwrap();
        assert_eq!(key.0[0], 0xd7);
        assert_eq!(key.to_string(), KEY);
        assert_eq!(serde_json::to_string(&key).unwrap(), format!("\"{KEY}\""));
    }

    #[test]
    fn malformed_keys_are_refused_with_the_field_named() {
        for bad in [
            "",
            &KEY[..62],
            &format!("{KEY}00"),
            &KEY.replace('d', "g"),
            "é".repeat(32).as_str(),
        ] {
            let err = PublicKey::from_str(bad).unwrap_err();
            assert_eq!(err.field, "public key", "{bad:?}");
        }
    }

    #[test]
    fn a_device_round_trips_through_json_and_refuses_unknown_fields() {
        let id = DeviceId::from_uuid(Uuid::from_u128(1));
        let user = UserId::from_uuid(Uuid::from_u128(2));
        let device = Device::new(id, user, PublicKey::from_str(KEY).unwrap(), " Moto G ")
            .unwrap()
            .revoke();
        let json = serde_json::to_string(&device).unwrap();
        assert_eq!(serde_json::from_str::<Device>(&json).unwrap(), device);
        assert_eq!(device.label(), "Moto G");
        let extra = json.replace("\"revoked\"", "\"secret\":1,\"revoked\"");
        assert!(serde_json::from_str::<Device>(&extra).is_err());
        let blank = json.replace("Moto G", " ");
        assert!(serde_json::from_str::<Device>(&blank).is_err());
    }
}
