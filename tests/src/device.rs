//! The device side of the harness: a collector's (or supervisor's) app core in its own data
//! directory, encrypted on disk like on a phone, with a clock the test moves.

use chrono::{DateTime, Utc};
use terreno_app::{Clock, Core, CoreConfig};

use crate::TempDir;
use crate::server::PASSWORD;

/// A device running the real app core.
pub struct TestDevice {
    /// The core.
    pub core: Core,
    /// Its data directory.
    pub dir: TempDir,
}

impl TestDevice {
    /// A fresh device, logged in as `user` on `server_url`, its clock at `now`.
    pub fn login(server_url: &str, user: &str, now: DateTime<Utc>) -> TestDevice {
        let dir = TempDir::new("device");
        let core = TestDevice::open_core(&dir, now);
        core.login(server_url, user, PASSWORD, "e2e phone")
            .expect("logging in");
        TestDevice { core, dir }
    }

    /// Opens the core of a data directory (again).
    pub fn open_core(dir: &TempDir, now: DateTime<Utc>) -> Core {
        let mut config = CoreConfig::new(dir.0.join("data"));
        config.clock = Clock::Fixed(now);
        config.max_attempts = 2;
        Core::open(config).expect("opening the device core")
    }

    /// Moves the clock.
    pub fn at(&self, now: DateTime<Utc>) -> &Core {
        self.core.set_clock(Clock::Fixed(now));
        &self.core
    }

    /// Syncs, failing the test on error.
    pub fn sync(&self) -> terreno_app::sync::SyncReport {
        self.core.sync(&mut |_| {}).expect("syncing")
    }
}

/// The same time as `2026-11-24T13:30:00Z`.
pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("an RFC 3339 time")
        .with_timezone(&Utc)
}
