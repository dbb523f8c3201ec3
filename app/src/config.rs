//! What the shell hands the core: where the data lives, how long acknowledged data stays, and
//! which clock to use. The core reads no environment variables and no platform directories.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

/// Days acknowledged events and fixes stay on the device by default.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;

/// The core's configuration.
#[derive(Debug, Clone)]
pub struct CoreConfig {
    /// The device's data directory (database, keys).
    pub data_dir: PathBuf,
    /// Days acknowledged data is kept.
    pub retention_days: u32,
    /// The clock every use case reads.
    pub clock: Clock,
    /// Attempts per request before a sync gives up as offline.
    pub max_attempts: u32,
}

impl CoreConfig {
    /// Defaults for a data directory.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        CoreConfig {
            data_dir: data_dir.into(),
            retention_days: DEFAULT_RETENTION_DAYS,
            clock: Clock::System,
            max_attempts: 5,
        }
    }
}

/// Where "now" comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The system clock, corrected by the offset to the server's clock measured at the last
    /// sync (a phone's clock may be wrong by minutes; GPS fix times are not).
    System,
    /// A fixed instant: replays and tests judge each step as of its own time.
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// The current instant, given the measured offset to the server.
    pub fn now(&self, server_offset_ms: i64) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now() + chrono::TimeDelta::milliseconds(server_offset_ms),
            Clock::Fixed(t) => *t,
        }
    }
}
