//! `GET /api/v1/org/settings`: what a device needs to apply its organization's rules offline.

use serde::{Deserialize, Serialize};

use crate::contact::{ContactPolicy, HolidayCalendar};
use crate::geofence::GeofencePolicy;

/// The rules a device enforces without the server: the zone that defines local days and hours,
/// the check-in geofence, the contact policy and the holidays it closes on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrgSettings {
    /// IANA time zone (`America/Bogota`).
    pub time_zone: String,
    /// The check-in geofence.
    pub geofence_policy: GeofencePolicy,
    /// Contact hours and frequency.
    pub contact_policy: ContactPolicy,
    /// Holidays, as local dates, for at least this year and the next.
    pub holidays: HolidayCalendar,
    /// The tile server the stop map draws under its vector layer; absent when the server
    /// configures none (the map stays plain), or from a server older than this field.
    #[serde(default)]
    pub map_tiles: Option<MapTiles>,
}

/// A map tile server, as the server's configuration names it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MapTiles {
    /// URL template with `{z}`, `{x}` and `{y}` (`https://tile.openstreetmap.org/{z}/{x}/{y}.png`).
    pub url: String,
    /// The credit the tile server requires, shown on the map (plain text).
    pub attribution: String,
}
