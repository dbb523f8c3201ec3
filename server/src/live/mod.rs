//! The live feed supervisors watch (`/api/v1/live`): positions (latest fix, accuracy, battery,
//! charging, last seen), check-ins with both verdicts (refused ones as their own type), visit
//! completions, devices gone offline and low batteries.
//!
//! How events travel: after a push batch (or a tracker's report) commits, the server that took
//! it publishes a small [`Signal`] — the device and the seq range, never the fixes themselves.
//! [`Hub::publish`] reads what the range changed from the database (`collect`) and broadcasts
//! it in process; on PostgreSQL it also sends the signal with `NOTIFY terreno_live`, and every
//! other server listening (`notify`) does the same reading for its own connections. One code
//! path for local and remote events, and NOTIFY payloads stay tiny.
//!
//! The broadcast channel is bounded: a connection that falls behind it is closed (it may
//! reconnect and gets a fresh snapshot), so a stalled client never grows server memory.

pub mod collect;
pub mod notify;
pub mod watch;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use terreno_shared::geofence::Verdict;
use terreno_shared::ids::{OrgId, TeamId};
use tokio::sync::broadcast;
use uuid::Uuid;

pub use crate::db::live_reads::Position;
use crate::state::AppState;

/// Events buffered per server before the slowest connection is cut off.
pub const BROADCAST_CAPACITY: usize = 4096;

/// Starts the feed's background tasks: the PostgreSQL listener for other servers' signals and
/// the offline scan.
pub fn start(state: &AppState) {
    let listener = state.clone();
    tokio::spawn(async move {
        // A database restart or a lost connection ends a listen; start it again, backing off.
        let mut wait = std::time::Duration::from_secs(1);
        loop {
            match notify::listen(listener.clone()).await {
                Ok(()) => return,
                Err(e) => tracing::warn!(
                    error = format!("{e:#}"),
                    "live feed: the listener stopped; restarting in {wait:?}"
                ),
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(std::time::Duration::from_secs(30));
        }
    });
    let after = state.config.offline_after;
    let every = (after / 10).clamp(
        std::time::Duration::from_secs(1),
        std::time::Duration::from_secs(60),
    );
    tokio::spawn(watch::offline(state.clone(), after, every));
}

/// What a committed batch may have changed, as servers tell each other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signal {
    /// The server that committed it (it does not read its own notifications).
    pub origin: Uuid,
    /// The device.
    pub device: String,
    /// First seq of the batch.
    pub first: i64,
    /// Last seq of the batch.
    pub last: i64,
    /// The batch held GPS fixes (a position to show).
    pub fixes: bool,
}

/// One frame of the feed (`type` names it).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// The first frame: every visible device's last position.
    Snapshot {
        /// Positions.
        positions: Vec<Position>,
    },
    /// A device's newest position.
    Position(Position),
    /// A check-in the server accepted.
    CheckIn(CheckIn),
    /// A check-in the server refused.
    CheckInRefused(CheckIn),
    /// A visit was completed.
    VisitCompleted {
        /// Visit.
        visit: String,
        /// Account.
        account: String,
        /// Debtor's name.
        debtor: String,
        /// Collector's login.
        username: String,
        /// Collector's name, for notifications shown away from the map.
        display_name: String,
        /// Outcome.
        outcome: String,
        /// The submission (promise to pay, payment, answers).
        submission: serde_json::Value,
        /// When.
        completed_at: DateTime<Utc>,
    },
    /// Nothing heard from a device for the configured time.
    DeviceOffline {
        /// Device.
        device: String,
        /// Collector's login.
        username: String,
        /// Collector's name, for notifications shown away from the map.
        display_name: String,
        /// When it was last heard from.
        last_seen: DateTime<Utc>,
    },
    /// A device's battery fell below the configured level.
    LowBattery {
        /// Device.
        device: String,
        /// Collector's login.
        username: String,
        /// Collector's name, for notifications shown away from the map.
        display_name: String,
        /// Battery fraction.
        battery: f64,
    },
}

/// A check-in as the feed shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckIn {
    /// Visit.
    pub visit: String,
    /// Account.
    pub account: String,
    /// Device.
    pub device: String,
    /// Collector's login.
    pub username: String,
    /// Collector's name, for notifications shown away from the map.
    pub display_name: String,
    /// When.
    pub at: DateTime<Utc>,
    /// What the phone decided.
    pub device_verdict: Verdict,
    /// What the server decided.
    pub server_verdict: Verdict,
    /// The phone allowed it and the server did not.
    pub flagged: bool,
}

/// An event and who may see it: the organization's admins, and the supervisors of `team`.
#[derive(Debug, Clone, PartialEq)]
pub struct Scoped {
    /// Organization.
    pub org: OrgId,
    /// The collector's team.
    pub team: Option<TeamId>,
    /// The event.
    pub event: LiveEvent,
}

/// The in-process side of the feed.
#[derive(Debug)]
pub struct Hub {
    tx: broadcast::Sender<Arc<Scoped>>,
    /// This server's id in signals.
    pub origin: Uuid,
    /// Battery level below which a `low_battery` event is sent.
    pub low_battery: f64,
    /// Devices last seen low (a `low_battery` event is sent on crossing, not on every fix).
    low: Mutex<HashMap<String, bool>>,
}

impl Hub {
    /// A hub with the low-battery threshold.
    pub fn new(low_battery: f64) -> Hub {
        let (tx, _) = broadcast::channel(BROADCAST_CAPACITY);
        Hub {
            tx,
            origin: Uuid::now_v7(),
            low_battery,
            low: Mutex::new(HashMap::new()),
        }
    }

    /// A receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Scoped>> {
        self.tx.subscribe()
    }

    /// Whether any connection of this server is watching (else nothing needs reading back).
    pub fn watched(&self) -> bool {
        self.tx.receiver_count() > 0
    }

    /// Broadcasts events to this server's connections.
    pub fn send(&self, events: Vec<Scoped>) {
        for e in events {
            // No receiver is not an error: nobody is watching.
            let _ = self.tx.send(Arc::new(e));
        }
    }

    /// Whether `battery` is a new crossing below the threshold for `device`.
    pub fn crossed_low(&self, device: &str, battery: Option<f64>) -> bool {
        let Some(b) = battery else { return false };
        let low = b < self.low_battery;
        let mut seen = self.low.lock().unwrap_or_else(|e| e.into_inner());
        let was = seen.insert(device.to_owned(), low).unwrap_or(false);
        low && !was
    }

    /// After a commit: reads what `signal` changed, broadcasts it here and, on PostgreSQL,
    /// tells the other servers. Runs in the background; failures are logged, never returned
    /// (the batch is committed either way).
    pub fn publish(state: &AppState, signal: Signal) {
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(e) = notify::tell_others(&state, &signal).await {
                tracing::warn!(
                    error = format!("{e:#}"),
                    "live feed: notifying other servers"
                );
            }
            if !state.live.watched() {
                return;
            }
            match collect::events(&state, &signal).await {
                Ok(events) => state.live.send(events),
                Err(e) => tracing::warn!(error = format!("{e:#}"), "live feed: reading a batch"),
            }
        });
    }
}
