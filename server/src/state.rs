//! What every handler shares: the database, the configuration, in-process caches and the
//! password hasher.

use std::sync::{Arc, Mutex};

use terreno_shared::sync::{Hlc, HlcClock};

use crate::auth::Hasher;
use crate::config::Config;
use crate::db::{Db, now_ms};
use crate::forms::engines::FormEngines;
use crate::live::Hub;

/// Application state, cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The configuration.
    pub config: Arc<Config>,
    /// The server's hybrid logical clock (receive stamps, `server_hlc` in answers).
    pub clock: Arc<Mutex<HlcClock>>,
    /// The live feed's in-process side.
    pub live: Arc<Hub>,
    /// Compiled form versions, for checking visit completions.
    pub forms: FormEngines,
    /// Password hashing, bounded by the configuration's workers and queue.
    pub hasher: Hasher,
    /// Becomes `true` when the server begins to shut down: long-lived responses (the live
    /// feed) end on it.
    pub stopping: Arc<tokio::sync::watch::Sender<bool>>,
}

impl AppState {
    /// State over a database and a configuration.
    pub fn new(db: Db, config: Config) -> AppState {
        AppState {
            db,
            hasher: Hasher::new(config.password_hash_workers, config.password_hash_queue),
            live: Arc::new(Hub::new(config.low_battery)),
            config: Arc::new(config),
            clock: Arc::new(Mutex::new(HlcClock::default())),
            forms: FormEngines::default(),
            stopping: Arc::new(tokio::sync::watch::Sender::new(false)),
        }
    }

    /// A fresh server stamp (the clock never goes back, even if the wall clock does).
    pub fn tick(&self) -> Hlc {
        // A poisoned lock only means another request panicked mid-tick; the clock is still valid.
        let mut c = self.clock.lock().unwrap_or_else(|e| e.into_inner());
        c.tick(now_ms())
    }

    /// Takes in a stamp seen on a device's event.
    pub fn receive(&self, remote: Hlc) {
        let mut c = self.clock.lock().unwrap_or_else(|e| e.into_inner());
        c.receive(remote);
    }
}
