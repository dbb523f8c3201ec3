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

    /// Syncs until `done` holds (at most 20 s): the server's feed may hold changes back while
    /// any transaction of its database cluster is open (on PostgreSQL, other tests' too), so a
    /// single sync is not guaranteed to bring what was just written.
    pub fn sync_until(&self, what: &str, done: impl Fn(&Core) -> bool) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            self.sync();
            if done(&self.core) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {what}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// Syncs until debtor `external_id` is on the device's route (see [`Self::sync_until`]).
    pub fn sync_until_debtor(&self, external_id: &str) {
        self.sync_until(&format!("debtor {external_id}"), |c| {
            c.route(Some(
                chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date"),
            ))
            .is_ok_and(|r| r.iter().any(|s| s.external_id == external_id))
        });
    }

    /// Syncs until debtor `external_id` is on the route and the organization's visit form has
    /// arrived, so its visit can be answered (see [`Self::sync_until`]).
    pub fn sync_until_visit_form(&self, external_id: &str) {
        self.sync_until_debtor(external_id);
        self.sync_until("the visit form", |c| c.visit_form(external_id).is_ok());
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
