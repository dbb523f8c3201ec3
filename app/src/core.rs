//! [`Core`]: the device's use cases. Holds the store behind a mutex (the shell may call from
//! several threads; a sync holds the lock only for local steps, so capture goes on while it
//! talks to the server) and the device's signing key.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use terreno_shared::api::v1::auth::EnrollRequest;
use terreno_shared::ids::{DeviceId, VisitId};
use terreno_shared::model::{Fix, Outcome};
use terreno_shared::sync::DeviceKey;

use crate::config::CoreConfig;
use crate::error::{Error, Result};
use crate::gps::recorder::{self, Recorded};
use crate::store::{DbKey, Store, device, fixes, log};
use crate::sync::client::Api;
use crate::sync::driver::{Driver, SyncProgress, SyncReport};
use crate::tiles::{Tile, TileId, Tiles};
use crate::visit::answer::{self, VisitInfo};
use crate::visit::checkin::{self, CheckIn};
use crate::visit::complete::{self, Completed};
use crate::visit::detail::{self, StopDetail};
use crate::visit::form::Forms;
use crate::visit::live::{self, LiveForm};
use crate::visit::route::{self, RouteStop};
use crate::visit::target::Rules;
use crate::{keys, status};

const DB_FILE: &str = "terreno.db";
const DB_KEY_FILE: &str = "db.key";
const DEVICE_KEY_FILE: &str = "device.key";
const BLOB_DIR: &str = "blobs";

/// Locks a mutex, carrying on after a panic elsewhere: every guarded value is left consistent
/// between statements (the store's transactions roll back on drop).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The device core.
pub struct Core {
    config: CoreConfig,
    clock: Mutex<crate::config::Clock>,
    store: Mutex<Store>,
    /// The Ed25519 seed, once enrolled (kept in memory only for in-memory cores).
    seed: Mutex<Option<[u8; 32]>>,
    blobs: Arc<crate::blobs::Blobs>,
    /// Compiled form versions and the visits' latest evaluations.
    forms: Forms,
    /// The stop map's tile cache and its HTTP client.
    tiles: Tiles,
    on_disk: bool,
}

// The shell keeps one core in state shared by its command threads; the form engines cached
// inside must not take that away.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<Core>();
};

/// The result of a login.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Enrolled {
    /// The device id.
    pub device_id: String,
    /// Who is logged in.
    pub username: String,
    /// Whether this login enrolled a new device id (else it renewed the session).
    pub new_device: bool,
}

impl Core {
    /// Opens the data directory (creating it, owner-only, with a new database key if needed).
    pub fn open(config: CoreConfig) -> Result<Core> {
        keys::ensure_private_dir(&config.data_dir)?;
        let db_key = keys::load_or_create(&config.data_dir.join(DB_KEY_FILE))?;
        let store = Store::open(&config.data_dir.join(DB_FILE), &DbKey(db_key))?;
        let seed = keys::load(&config.data_dir.join(DEVICE_KEY_FILE))?;
        let blobs = Arc::new(crate::blobs::Blobs::new(
            config.data_dir.join(BLOB_DIR),
            &db_key,
        )?);
        Ok(Core {
            clock: Mutex::new(config.clock),
            config,
            store: Mutex::new(store),
            seed: Mutex::new(seed),
            forms: Forms::with_blobs(Arc::clone(&blobs)),
            blobs,
            tiles: Tiles::new(crate::tiles::DEFAULT_BUDGET_BYTES),
            on_disk: true,
        })
    }

    /// A core on an in-memory database, for tests.
    pub fn open_in_memory(config: CoreConfig) -> Result<Core> {
        let blobs = Arc::new(crate::blobs::Blobs::new(
            config.data_dir.join(BLOB_DIR),
            &keys::random32()?,
        )?);
        Ok(Core {
            clock: Mutex::new(config.clock),
            config,
            store: Mutex::new(Store::open_in_memory()?),
            seed: Mutex::new(None),
            forms: Forms::with_blobs(Arc::clone(&blobs)),
            blobs,
            tiles: Tiles::new(crate::tiles::DEFAULT_BUDGET_BYTES),
            on_disk: false,
        })
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        lock(&self.store)
    }

    /// The core's clock, anchored to the server's.
    pub fn now(&self) -> DateTime<Utc> {
        let offset = device::find(&self.store().conn)
            .ok()
            .flatten()
            .map_or(0, |d| d.clock_offset_ms);
        self.clock().now(offset)
    }

    fn clock(&self) -> crate::config::Clock {
        *lock(&self.clock)
    }

    /// Switches the clock (a replay moving through its day; the shell's time-zone change).
    pub fn set_clock(&self, clock: crate::config::Clock) {
        *lock(&self.clock) = clock;
    }

    /// Logs in; enrolls a new device id and key unless this device is already enrolled for the
    /// same user on the same server (then only the session is renewed, the log continues).
    pub fn login(
        &self,
        server_url: &str,
        username: &str,
        password: &str,
        label: &str,
    ) -> Result<Enrolled> {
        let server_url = server_url.trim().trim_end_matches('/');
        let api = Api::new(server_url, None)?;
        let session = api.login(username, password)?;
        let existing = device::find(&self.store().conn)?;
        let key_matches = |d: &device::DeviceRow| {
            self.key()
                .is_ok_and(|k| k.public_key().to_string() == d.public_key)
        };
        if let Some(d) = existing.as_ref().filter(|d| {
            d.username == session.user.username && d.server_url == server_url && key_matches(d)
        }) {
            device::set_token(&self.store().conn, &session.token)?;
            return Ok(Enrolled {
                device_id: d.device_id.to_string(),
                username: d.username.clone(),
                new_device: false,
            });
        }
        let pending = log::pending_count(&self.store().conn)?;
        if pending > 0 {
            return Err(Error::Conflict(format!(
                "this device holds {pending} events of {} not yet synced: sync them first",
                existing.map_or_else(|| "an earlier login".to_owned(), |d| d.username)
            )));
        }
        let api = Api::new(server_url, Some(session.token.clone()))?;
        let (device_id, key) = self.enroll_new_key(&api, label)?;
        let role = session.user.role.as_str();
        let mut store = self.store();
        let tx = crate::store::write_tx(&mut store.conn)?;
        device::clear_all(&tx)?;
        device::insert(
            &tx,
            &device::NewDevice {
                device_id,
                public_key: &key.public_key().to_string(),
                server_url,
                user_id: session.user.id,
                username: &session.user.username,
                display_name: &session.user.display_name,
                role,
                token: &session.token,
            },
        )?;
        tx.commit()
            .map_err(|e| Error::storage("storing the enrollment", e))?;
        crate::blobs::Blobs::remove_all(&self.config.data_dir.join(BLOB_DIR));
        Ok(Enrolled {
            device_id: device_id.to_string(),
            username: session.user.username,
            new_device: true,
        })
    }

    fn key(&self) -> Result<DeviceKey> {
        let seed = lock(&self.seed).ok_or(Error::NotEnrolled)?;
        DeviceKey::from_seed(&seed).map_err(|e| Error::corrupt("reading the device key", e))
    }

    /// Pushes the outbox and pulls the feed. A revoked device wipes its local data.
    pub fn sync(&self, progress: &mut dyn FnMut(SyncProgress)) -> Result<SyncReport> {
        let mut rotated = false;
        loop {
            let me = device::get(&self.store().conn)?;
            let key = match self.key() {
                Ok(k) if k.public_key().to_string() == me.public_key => k,
                // The key file is missing or is not the enrolled one (a crash mid-rotation, a
                // restored folder): this install cannot sign as that id any more.
                _ if !rotated => {
                    self.rotate(&me)?;
                    rotated = true;
                    continue;
                }
                _ => {
                    return Err(Error::Conflict(
                        "the device key does not match the enrolled device".into(),
                    ));
                }
            };
            let api = Api::new(&me.server_url, me.token.clone())?;
            let config = CoreConfig {
                clock: self.clock(),
                ..self.config.clone()
            };
            let mut driver = Driver {
                store: &self.store,
                key: &key,
                config: &config,
                api,
                progress: &mut *progress,
                blobs: &self.blobs,
            };
            match driver.run() {
                Err(Error::Revoked) => {
                    self.wipe()?;
                    return Err(Error::Revoked);
                }
                Err(Error::Forked(_)) if !rotated => {
                    self.rotate(&me)?;
                    rotated = true;
                }
                other => return other,
            }
        }
    }

    /// Moves this install to a new device id and key (SYNC.md: the client rotates its id after
    /// a fork), re-sealing what the server never acknowledged under it. Order: the server
    /// learns the new key, then the key file is written, then one local transaction switches
    /// the log; a crash in between leaves a key that matches no row, which the next sync
    /// rotates again.
    fn rotate(&self, me: &device::DeviceRow) -> Result<()> {
        let api = Api::new(&me.server_url, me.token.clone())?;
        let (device_id, key) = self.enroll_new_key(&api, "terreno (new id after a fork)")?;
        let now = self.now().timestamp_millis();
        let mut store = self.store();
        let tx = crate::store::write_tx(&mut store.conn)?;
        crate::store::rotate::rotate(&tx, device_id, &key.public_key().to_string(), now)?;
        tx.commit()
            .map_err(|e| Error::storage("switching to the new device id", e))
    }

    /// Mints a device id and key, registers them with the server, then writes the key file
    /// (before the row that will name it: a crash in between leaves a row whose public key
    /// does not match the file, which the next login or sync replaces).
    fn enroll_new_key(&self, api: &Api, label: &str) -> Result<(DeviceId, DeviceKey)> {
        let seed = keys::random32()?;
        let key = DeviceKey::from_seed(&seed)
            .map_err(|e| Error::Invalid(format!("making the device key: {e}")))?;
        let device_id = DeviceId::from_uuid(uuid::Uuid::now_v7());
        api.enroll(&EnrollRequest {
            device_id,
            public_key: key.public_key(),
            label: label.to_owned(),
        })?;
        if self.on_disk {
            keys::store(&self.config.data_dir.join(DEVICE_KEY_FILE), &seed)?;
        }
        *lock(&self.seed) = Some(seed);
        Ok((device_id, key))
    }

    /// Deletes every local table's content, the attachments and the device key: the device
    /// forgets everything (one transaction; the key file goes only once it committed).
    fn wipe(&self) -> Result<()> {
        let mut store = self.store();
        let tx = crate::store::write_tx(&mut store.conn)?;
        device::clear_all(&tx)?;
        tx.commit()
            .map_err(|e| Error::storage("wiping a revoked device", e))?;
        store
            .conn
            .execute_batch("vacuum")
            .map_err(|e| Error::storage("wiping a revoked device", e))?;
        *lock(&self.seed) = None;
        crate::blobs::Blobs::remove_all(&self.config.data_dir.join(BLOB_DIR));
        if self.on_disk {
            let _ = std::fs::remove_file(self.config.data_dir.join(DEVICE_KEY_FILE));
        }
        Ok(())
    }

    /// The route of `date` (default: today in the organization's zone), in visiting order.
    pub fn route(&self, date: Option<NaiveDate>) -> Result<Vec<RouteStop>> {
        let now = self.now();
        let store = self.store();
        let me = device::get(&store.conn)?;
        let zone = Rules::from_settings(me.settings.as_ref(), now).zone;
        route::route(
            &store,
            date.unwrap_or_else(|| now.with_timezone(&zone).date_naive()),
            now,
        )
    }

    /// Starts the collector's shift (fixes are recorded only during one).
    pub fn shift_start(&self) -> Result<DateTime<Utc>> {
        let now = self.now();
        let store = self.store();
        device::get(&store.conn)?;
        if let Some(open) = fixes::open_shift(&store.conn)? {
            return Err(Error::Conflict(format!(
                "a shift is already open since {}",
                DateTime::from_timestamp_millis(open)
                    .unwrap_or(now)
                    .to_rfc3339()
            )));
        }
        fixes::start_shift(&store.conn, now.timestamp_millis())?;
        Ok(now)
    }

    /// Ends the open shift.
    pub fn shift_end(&self) -> Result<DateTime<Utc>> {
        let now = self.now();
        let store = self.store();
        if fixes::open_shift(&store.conn)?.is_none() {
            return Err(Error::Conflict("no shift is open".into()));
        }
        fixes::end_shift(&store.conn, now.timestamp_millis())?;
        Ok(now)
    }

    /// Stores fixes from a source in one transaction (see [`recorder`]).
    pub fn record_fixes(&self, batch: &[Fix]) -> Result<Recorded> {
        let now = self.now();
        let mut store = self.store();
        let me = device::get(&store.conn)?;
        let policy = Rules::from_settings(me.settings.as_ref(), now)
            .geofence
            .track_policy();
        recorder::record(&mut store, batch, &policy, now)
    }

    /// Checks in at a stop (stop id or debtor's external id); an accepted check-in starts the
    /// visit on the current visit form. Refusals are [`Error::Refused`].
    pub fn check_in(&self, stop: &str) -> Result<CheckIn> {
        let now = self.now();
        let mut store = self.store();
        let form = self.forms.current(&store.conn)?;
        checkin::check_in(
            &mut store,
            stop,
            now,
            VisitId::from_uuid(uuid::Uuid::now_v7()),
            form.as_deref(),
        )
    }

    /// Records answers `PATH=VALUE` to the visit's form (`rep[2]/q=...` inside repeats; a file
    /// question takes a file path and attaches it). Every pair is checked against the form
    /// first: one bad pair records nothing. Returns the number of answers.
    pub fn answer(&self, stop: &str, pairs: &[String]) -> Result<usize> {
        let now = self.now();
        answer::answer(
            &mut self.store(),
            &self.forms,
            &self.blobs,
            stop,
            pairs,
            now,
        )
    }

    /// The visit's form and its evaluation for the answers so far (updated incrementally from
    /// the previous one), for the UI to render.
    pub fn visit_form(&self, stop: &str) -> Result<LiveForm> {
        let now = self.now();
        live::live_form(&self.store(), &self.forms, stop, now)
    }

    /// Completes the visit with an outcome, once its form has every required answer and no
    /// failing constraint (else [`Error::Refused`] listing each issue, nothing recorded).
    pub fn complete(&self, stop: &str, outcome: Outcome) -> Result<Completed> {
        let now = self.now();
        complete::complete(&mut self.store(), &self.forms, stop, outcome, now)
    }

    /// The payments the server reported towards an account (by its id) from the creditor's
    /// payment files, oldest first.
    pub fn payments(
        &self,
        account: &str,
    ) -> Result<Vec<terreno_shared::api::v1::views::PaymentView>> {
        crate::store::payments::of_account(&self.store().conn, account)
    }

    /// A visit's status and current answers.
    pub fn visit(&self, stop: &str) -> Result<VisitInfo> {
        answer::info(&self.store(), stop)
    }

    /// A stop (stop id or debtor's external id) as the collector opens it: the debtor and the
    /// debtor's visits on this device.
    pub fn stop_detail(&self, stop: &str) -> Result<StopDetail> {
        detail::detail(&self.store(), stop)
    }

    /// The stop map's tile `z/x/y` (web mercator) from the organization's tile server: from the
    /// device's cache, else fetched once and kept. `None` when there is no tile server or the
    /// tile was never seen and cannot be fetched now (the map is drawn plain); an address out
    /// of range is [`Error::Invalid`].
    pub fn map_tile(&self, z: u32, x: u32, y: u32) -> Result<Option<Tile>> {
        let id = TileId::parse(z, x, y)?;
        let now = self.now().timestamp_millis();
        self.tiles.get(&self.store, id, now)
    }

    /// The device's state at a glance.
    pub fn status(&self) -> Result<status::Status> {
        let now = self.now();
        status::status(&self.store(), now)
    }

    /// `PRAGMA integrity_check` problems (empty when the database is sound).
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        self.store().integrity_problems()
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.config.data_dir
    }

    /// Where the database file lives.
    pub fn database_path(&self) -> PathBuf {
        self.config.data_dir.join(DB_FILE)
    }
}
