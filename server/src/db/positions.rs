//! Last positions as the live feed reads them: the [`Position`] a frame carries, and the scan
//! for devices gone silent. The table is written by the push projection (`project`).

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::devices::Devices;
use crate::on_read;

/// A device's last position.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Position {
    /// The device.
    pub device: String,
    /// Its collector's login.
    pub username: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Accuracy radius, metres.
    pub accuracy_m: f64,
    /// Battery fraction.
    pub battery: Option<f64>,
    /// Charging.
    pub charging: Option<bool>,
    /// Time of the fix.
    #[schema(value_type = String, format = DateTime)]
    pub t: DateTime<Utc>,
    /// When the server last heard from the device.
    #[schema(value_type = String, format = DateTime)]
    pub last_seen: DateTime<Utc>,
}

/// A device not heard from since before a cutoff, with its collector.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SilentDevice {
    /// The device.
    pub device_id: String,
    /// Its collector's login.
    pub username: String,
    /// Its collector's name.
    pub display_name: String,
    /// The collector's organization.
    pub org_id: String,
    /// The collector's team.
    pub team_id: Option<String>,
    /// When the server last heard from it, ms.
    pub received_ms: i64,
}

impl Devices<'_> {
    /// Devices whose last position arrived before `cutoff_ms`.
    pub async fn silent(&self, cutoff_ms: i64) -> anyhow::Result<Vec<SilentDevice>> {
        Ok(on_read!(self, |pool| {
            sqlx::query_as(
                "select p.device_id, u.username, u.display_name, u.org_id, u.team_id, p.received_ms
                 from last_positions p join users u on u.id = p.user_id
                 where p.received_ms < $1",
            )
            .bind(cutoff_ms)
            .fetch_all(pool)
            .await
            .context("reading last positions")?
        }))
    }
}
