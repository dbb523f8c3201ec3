//! Login, logout and device enrollment.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{DeviceId, OrgId, TeamId, UserId};
use crate::model::Role;
use crate::sync::PublicKey;

/// `POST /api/v1/auth/login`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login name.
    pub username: String,
    /// Password, in clear over TLS; never stored.
    pub password: String,
}

/// Who a token belongs to.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInfo {
    /// User id.
    pub id: UserId,
    /// Login name.
    pub username: String,
    /// Name shown in the UI.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Organization.
    pub org: OrgId,
    /// Team, for collectors and supervisors.
    pub team: Option<TeamId>,
}

/// Answer to a successful login.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    /// Opaque bearer token (256 random bits, 64 hex digits); send as `Authorization: Bearer`.
    pub token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// The user it belongs to.
    pub user: UserInfo,
}

/// `POST /api/v1/devices`: a logged-in collector registers a device's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    /// The id the device minted for itself (UUIDv7).
    pub device_id: DeviceId,
    /// Its Ed25519 public key.
    pub public_key: PublicKey,
    /// A name the user recognizes (`Moto G`).
    pub label: String,
}

/// A device as the server knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceInfo {
    /// Device id.
    pub id: DeviceId,
    /// Owner.
    pub user: UserId,
    /// Owner's login name.
    pub username: String,
    /// Label.
    pub label: String,
    /// When it enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it last talked to the server.
    pub last_seen_at: Option<DateTime<Utc>>,
    /// The contiguous head of its log on the server.
    pub head: u64,
}
