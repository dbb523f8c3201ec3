//! `terreno status`: what is waiting to sync, when the last sync was, the last fix and battery.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::Result;
use crate::store::{Store, device, fixes, log};

/// The device's state at a glance.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Status {
    /// Device id.
    pub device_id: String,
    /// Logged-in user.
    pub username: String,
    /// Their name.
    pub display_name: String,
    /// Server.
    pub server_url: String,
    /// Events recorded and not yet acknowledged by the server.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub pending_events: u64,
    /// Photos whose bytes the server does not hold yet.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub pending_attachments: u64,
    /// Events the server rejected (kept as evidence, not re-sent).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub rejected_events: u64,
    /// Sequence of the newest event.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub last_seq: u64,
    /// What the server last said it holds.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub server_head: u64,
    /// When the last sync finished.
    pub last_sync: Option<DateTime<Utc>>,
    /// Time of the last fix.
    pub last_fix_at: Option<DateTime<Utc>>,
    /// Position of the last fix.
    pub last_fix: Option<(f64, f64)>,
    /// Battery at the last fix (0-100).
    pub battery_percent: Option<f64>,
    /// Whether a shift is open, since when.
    pub shift_started: Option<DateTime<Utc>>,
    /// The organization's IANA time zone (`America/Bogota`), once a sync brought its settings:
    /// contact windows and the day are the organization's, so times are shown on its clock.
    pub time_zone: Option<String>,
    /// The credit of the organization's map tile server, to show on the stop map when it draws
    /// tiles (`Core::map_tile`); `None` when the organization has none.
    pub map_attribution: Option<String>,
}

pub(crate) fn status(store: &Store, now: DateTime<Utc>) -> Result<Status> {
    let me = device::get(&store.conn)?;
    let last = fixes::last_at_or_before(&store.conn, now.timestamp_millis())?;
    Ok(Status {
        device_id: me.device_id.to_string(),
        username: me.username,
        display_name: me.display_name,
        server_url: me.server_url,
        pending_events: log::pending_count(&store.conn)?,
        pending_attachments: crate::store::attachments::pending_count(&store.conn)?,
        rejected_events: log::parked_count(&store.conn)?,
        last_seq: me.head.last_seq,
        server_head: me.server_head,
        last_sync: me.last_sync_ms.and_then(DateTime::from_timestamp_millis),
        last_fix_at: last.and_then(|l| DateTime::from_timestamp_millis(l.0)),
        last_fix: last.map(|l| (l.1, l.2)),
        battery_percent: last.and_then(|l| l.4).map(|b| (b * 100.0).round()),
        shift_started: fixes::open_shift(&store.conn)?.and_then(DateTime::from_timestamp_millis),
        map_attribution: me
            .settings
            .as_ref()
            .and_then(|s| s.map_tiles.as_ref())
            .map(|t| t.attribution.clone()),
        time_zone: me.settings.map(|s| s.time_zone),
    })
}
