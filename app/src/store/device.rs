//! The `device` row: who this device is, the head of its log, and the sync bookkeeping.

use rusqlite::{Connection, OptionalExtension, params};
use terreno_shared::api::v1::org::OrgSettings;
use terreno_shared::ids::{DeviceId, UserId};
use terreno_shared::sync::event::EventHash;
use terreno_shared::sync::{Hlc, HlcClock, LogHead};

use crate::error::{Context, Error, Result};

/// The enrolled device as stored.
#[derive(Debug, Clone)]
pub(crate) struct DeviceRow {
    pub device_id: DeviceId,
    pub public_key: String,
    pub server_url: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub token: Option<String>,
    pub head: LogHead,
    pub server_head: u64,
    pub pull_cursor: Option<String>,
    pub snapshot_cursor: Option<String>,
    pub snapshot_gen: i64,
    pub clock_offset_ms: i64,
    pub last_sync_ms: Option<i64>,
    pub settings: Option<OrgSettings>,
}

/// What enrollment writes.
pub(crate) struct NewDevice<'a> {
    pub device_id: DeviceId,
    pub public_key: &'a str,
    pub server_url: &'a str,
    pub user_id: UserId,
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub token: &'a str,
}

const COLUMNS: &str = "device_id, server_url, user_id, username, display_name, role, token, \
    last_seq, last_hash, clock_hlc, server_head, pull_cursor, snapshot_cursor, clock_offset_ms, \
    last_sync_ms, settings, public_key, snapshot_gen";

// Long: one device row read into its typed fields, column by column.
pub(crate) fn find(conn: &Connection) -> Result<Option<DeviceRow>> {
    let row = conn
        .query_row(
            &format!("select {COLUMNS} from device where id = 1"),
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?),
                    (
                        r.get::<_, i64>(7)?,
                        r.get::<_, Vec<u8>>(8)?,
                        r.get::<_, i64>(9)?,
                    ),
                    (
                        r.get::<_, i64>(10)?,
                        r.get(11)?,
                        r.get(12)?,
                        r.get(13)?,
                        r.get(14)?,
                    ),
                    r.get::<_, Option<String>>(15)?,
                    (r.get::<_, String>(16)?, r.get::<_, i64>(17)?),
                ))
            },
        )
        .optional()
        .context("reading the device identity")?;
    let Some((id, server_url, _user, names, head, sync, settings, (public_key, snapshot_gen))) =
        row
    else {
        return Ok(None);
    };
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        Error::corrupt("reading the device", format!("{what}: {e}"))
    };
    let device_id: DeviceId = id.parse().map_err(|e| bad("device_id", &e))?;
    let hash: [u8; 32] = head
        .1
        .as_slice()
        .try_into()
        .map_err(|_| bad("last_hash", &"not 32 bytes"))?;
    Ok(Some(DeviceRow {
        device_id,
        public_key,
        snapshot_gen,
        server_url,
        username: names.0,
        display_name: names.1,
        role: names.2,
        token: names.3,
        head: LogHead {
            device_id,
            last_seq: u64::try_from(head.0).map_err(|e| bad("last_seq", &e))?,
            last_hash: EventHash(hash),
            clock: HlcClock::new(Hlc::from_raw(head.2)),
        },
        server_head: u64::try_from(sync.0).unwrap_or_default(),
        pull_cursor: sync.1,
        snapshot_cursor: sync.2,
        clock_offset_ms: sync.3,
        last_sync_ms: sync.4,
        settings: match settings {
            Some(s) => Some(serde_json::from_str(&s).map_err(|e| bad("settings", &e))?),
            None => None,
        },
    }))
}

pub(crate) fn get(conn: &Connection) -> Result<DeviceRow> {
    find(conn)?.ok_or(Error::NotEnrolled)
}

/// Enrolls: replaces any previous identity (a new device id starts a new log).
pub(crate) fn insert(conn: &Connection, d: &NewDevice<'_>) -> Result<()> {
    conn.execute(
        "insert or replace into device (id, device_id, server_url, user_id, username, \
         display_name, role, token, last_hash, public_key) \
         values (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            d.device_id.to_string(),
            d.server_url,
            d.user_id.to_string(),
            d.username,
            d.display_name,
            d.role,
            d.token,
            EventHash::GENESIS.0.to_vec(),
            d.public_key,
        ],
    )
    .context("storing the device identity")?;
    Ok(())
}

/// Forgets everything of a previous enrollment (a new device id starts a new, empty log, and
/// one user's debtors must not stay for the next). Run in the enrollment's transaction.
pub(crate) fn clear_all(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "delete from fields; delete from checkins; delete from visits; delete from stops; \
         delete from accounts; delete from fixes; delete from shifts; delete from events; \
         delete from attachments; delete from skipped_changes; delete from visit_form; \
         delete from forms; delete from tile_cache; delete from device;",
    )
    .context("clearing the previous enrollment's data")
}

/// Starts a snapshot bootstrap: a new generation, no cursor yet.
pub(crate) fn begin_bootstrap(conn: &Connection) -> Result<i64> {
    conn.execute(
        "update device set snapshot_gen = snapshot_gen + 1, snapshot_cursor = '', pull_cursor = null where id = 1",
        [],
    )
    .context("starting a resync")?;
    Ok(get(conn)?.snapshot_gen)
}

pub(crate) fn save_head(conn: &Connection, head: &LogHead) -> Result<()> {
    conn.execute(
        "update device set last_seq = ?1, last_hash = ?2, clock_hlc = ?3 where id = 1",
        params![
            i64::try_from(head.last_seq).unwrap_or(i64::MAX),
            head.last_hash.0.to_vec(),
            head.clock.last().raw()
        ],
    )
    .context("saving the log head")?;
    Ok(())
}

/// Takes in a stamp from the server (HLC receive rule), persisted at once.
pub(crate) fn receive_clock(conn: &Connection, remote: Hlc) -> Result<()> {
    conn.execute(
        "update device set clock_hlc = max(clock_hlc, ?1) where id = 1",
        [remote.raw()],
    )
    .context("advancing the device clock")?;
    Ok(())
}

pub(crate) fn set_token(conn: &Connection, token: &str) -> Result<()> {
    conn.execute("update device set token = ?1 where id = 1", [token])
        .context("storing the session")?;
    Ok(())
}

pub(crate) fn set_cursors(
    conn: &Connection,
    pull: Option<&str>,
    snapshot: Option<&str>,
) -> Result<()> {
    conn.execute(
        "update device set pull_cursor = ?1, snapshot_cursor = ?2 where id = 1",
        params![pull, snapshot],
    )
    .context("storing the pull cursor")?;
    Ok(())
}

pub(crate) fn set_server_head(conn: &Connection, head: u64) -> Result<()> {
    conn.execute(
        "update device set server_head = ?1 where id = 1",
        [i64::try_from(head).unwrap_or(i64::MAX)],
    )
    .context("storing the server head")?;
    Ok(())
}

pub(crate) fn set_synced(conn: &Connection, at_ms: i64) -> Result<()> {
    conn.execute("update device set last_sync_ms = ?1 where id = 1", [at_ms])
        .context("storing the sync time")?;
    Ok(())
}

pub(crate) fn set_clock_offset(conn: &Connection, offset_ms: i64) -> Result<()> {
    conn.execute(
        "update device set clock_offset_ms = ?1 where id = 1",
        [offset_ms],
    )
    .context("storing the offset to the server's clock")?;
    Ok(())
}

pub(crate) fn set_settings(conn: &Connection, settings: &OrgSettings) -> Result<()> {
    let text = serde_json::to_string(settings).unwrap_or_default();
    conn.execute("update device set settings = ?1 where id = 1", [text])
        .context("storing the organization's rules")?;
    Ok(())
}
