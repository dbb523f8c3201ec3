//! One sync: fetch the organization's rules, push the outbox from the server's head, pull the
//! feed (or bootstrap from a snapshot after `409 resync`). SYNC.md, client side:
//!
//! - **Push** always resumes from the head the server reports, never from a local "sent" flag:
//!   a server restored from an older copy is re-sent what it lost, and a push whose answer was
//!   lost is simply re-sent (a no-op on the server). Batches start at 500 events, double after
//!   each success up to the 5,000 limit and halve on `413`.
//! - **Pull** applies each page and stores its cursor in one local transaction, so a kill at any
//!   point re-fetches at most the page in flight.
//! - Transient failures (network, `429`, `5xx`) are retried with exponential backoff and full
//!   jitter; after the configured attempts the sync stops as [`Error::Offline`] with nothing
//!   lost.
//!
//! The driver never writes SQL: it calls the store's functions under the store's lock, and holds
//! that lock only for local steps, never across a request.

use std::sync::Mutex;
use std::time::Duration;

use terreno_shared::sync::batch::MAX_EVENTS_PER_BATCH;
use terreno_shared::sync::{DeviceKey, PushBatch};

use crate::config::{Clock, CoreConfig};
use crate::error::{Error, Result};
use crate::store::{Store, device, log, mirror};
use crate::sync::client::{Api, is_transient};

/// Events in the first push batch of a sync.
const FIRST_BATCH: usize = 500;
/// Changes asked per pull page.
const PULL_LIMIT: u32 = 2_000;

/// What a sync did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SyncReport {
    /// Events the server acknowledged in this sync.
    pub pushed: u64,
    /// The server's head of this device's log afterwards.
    pub server_head: u64,
    /// Events the server rejected in this sync: `(seq, code, message)`; parked, never re-sent.
    pub rejected: Vec<(u64, String, String)>,
    /// Changes pulled and applied.
    pub pulled: u64,
    /// Whether the device had to bootstrap from a snapshot.
    pub resynced: bool,
}

/// Progress of a sync, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum SyncProgress {
    /// Events pushed so far of those pending at the start.
    Pushing {
        /// Acknowledged so far.
        done: u64,
        /// Pending at the start.
        total: u64,
    },
    /// Changes applied so far.
    Pulling {
        /// Applied so far.
        done: u64,
    },
}

pub(crate) struct Driver<'a> {
    pub store: &'a Mutex<Store>,
    pub key: &'a DeviceKey,
    pub config: &'a CoreConfig,
    pub api: Api,
    pub progress: &'a mut dyn FnMut(SyncProgress),
}

impl Driver<'_> {
    fn with<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        let mut guard = self
            .store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }

    fn now_ms(&self) -> Result<i64> {
        let offset = self.with(|s| Ok(device::get(&s.conn)?.clock_offset_ms))?;
        Ok(self.config.clock.now(offset).timestamp_millis())
    }

    /// Runs `f` until it succeeds or fails for good.
    fn retry<T>(&self, mut f: impl FnMut() -> Result<T>) -> Result<T> {
        let mut attempt = 0;
        loop {
            match f() {
                Err(e) if is_transient(&e) && attempt + 1 < self.config.max_attempts => {
                    std::thread::sleep(backoff(attempt));
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    pub(crate) fn run(&mut self) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        let me = self.with(|s| device::get(&s.conn))?;
        let before = std::time::Instant::now();
        let status = self.retry(|| self.api.status(me.device_id))?;
        let local =
            chrono::Utc::now().timestamp_millis() - (before.elapsed().as_millis() / 2) as i64;
        let offset = match self.config.clock {
            Clock::System => status.server_hlc.millis() - local,
            Clock::Fixed(_) => 0,
        };
        self.with(|s| device::receive_clock(&s.conn, status.server_hlc))?;
        let settings = self.retry(|| self.api.settings())?;
        self.with(|s| device::set_settings(&s.conn, &settings))?;
        self.push(status.head, &mut report)?;
        self.pull(&mut report)?;
        let now = self.now_ms()?;
        let retention = i64::from(self.config.retention_days) * 86_400_000;
        self.with(|s| {
            device::set_synced(&s.conn, now, offset)?;
            log::prune(&s.conn, now - retention)
        })?;
        Ok(report)
    }

    fn push(&mut self, mut head: u64, report: &mut SyncReport) -> Result<()> {
        let (me, total) = self.with(|s| {
            let me = device::get(&s.conn)?;
            Ok((me.device_id, me.head.last_seq.saturating_sub(head)))
        })?;
        self.with(|s| log::mark_acked(&s.conn, head, self.now_ms_unlocked(s)))?;
        let mut size = FIRST_BATCH;
        let mut done = 0;
        loop {
            let events = self.with(|s| log::load_range(&s.conn, me, head + 1, size))?;
            let Some(last) = events.last().map(|e| e.key().seq) else {
                break;
            };
            let batch = PushBatch::seal(&events, self.key)
                .map_err(|e| Error::Invalid(format!("sealing a push batch: {e}")))?;
            let answer = match self.retry(|| self.api.push(&batch)) {
                Err(Error::Rejected { status: 413, .. }) if size > 1 => {
                    size /= 2;
                    continue;
                }
                other => other.map_err(fork_or_revoked)?,
            };
            self.with(|s| {
                let now = self.now_ms_unlocked(s);
                let tx = s
                    .conn
                    .transaction()
                    .map_err(|e| Error::storage("recording a push", e))?;
                log::mark_acked(&tx, answer.head, now)?;
                for r in &answer.rejected {
                    log::park(&tx, r.seq, &r.code, &r.message)?;
                }
                device::receive_clock(&tx, answer.server_hlc)?;
                tx.commit()
                    .map_err(|e| Error::storage("recording a push", e))
            })?;
            report.rejected.extend(
                answer
                    .rejected
                    .iter()
                    .map(|r| (r.seq, r.code.clone(), r.message.clone())),
            );
            if answer.head < last {
                return Err(Error::Conflict(format!(
                    "the server stored events up to {} but its head stays at {}: a gap the device cannot fill",
                    answer.max_seen, answer.head
                )));
            }
            done += answer.head - head;
            report.pushed += answer.head - head;
            head = answer.head;
            (self.progress)(SyncProgress::Pushing { done, total });
            size = (size * 2).min(MAX_EVENTS_PER_BATCH);
        }
        report.server_head = head;
        Ok(())
    }

    fn now_ms_unlocked(&self, s: &Store) -> i64 {
        let offset = device::find(&s.conn)
            .ok()
            .flatten()
            .map_or(0, |d| d.clock_offset_ms);
        self.config.clock.now(offset).timestamp_millis()
    }

    fn pull(&mut self, report: &mut SyncReport) -> Result<()> {
        let me = self.with(|s| device::get(&s.conn))?;
        if me.snapshot_cursor.is_some() {
            return self.bootstrap(me.snapshot_cursor, report);
        }
        let mut cursor = me.pull_cursor;
        loop {
            let page = match self.retry(|| {
                self.api.pull(
                    "/api/v1/sync/pull",
                    me.device_id,
                    cursor.as_deref(),
                    PULL_LIMIT,
                )
            }) {
                Err(Error::Rejected {
                    status: 409, code, ..
                }) if code == "resync" => {
                    self.with(|s| mirror::clear_server_records(&s.conn))?;
                    return self.bootstrap(None, report);
                }
                other => other.map_err(fork_or_revoked)?,
            };
            self.with(|s| {
                mirror::apply_page(&mut s.conn, &page.changes, Some(&page.cursor), None)
            })?;
            report.pulled += page.changes.len() as u64;
            (self.progress)(SyncProgress::Pulling {
                done: report.pulled,
            });
            cursor = Some(page.cursor);
            if !page.more {
                return Ok(());
            }
        }
    }

    /// Pages through the snapshot; the last page's cursor is the feed cursor to pull from.
    fn bootstrap(&mut self, mut token: Option<String>, report: &mut SyncReport) -> Result<()> {
        report.resynced = true;
        let me = self.with(|s| device::get(&s.conn))?;
        loop {
            let page = self
                .retry(|| {
                    self.api.pull(
                        "/api/v1/sync/snapshot",
                        me.device_id,
                        token.as_deref(),
                        PULL_LIMIT,
                    )
                })
                .map_err(fork_or_revoked)?;
            let (pull, snap) = if page.more {
                (None, Some(page.cursor.as_str()))
            } else {
                (Some(page.cursor.as_str()), None)
            };
            self.with(|s| mirror::apply_page(&mut s.conn, &page.changes, pull, snap))?;
            report.pulled += page.changes.len() as u64;
            (self.progress)(SyncProgress::Pulling {
                done: report.pulled,
            });
            if !page.more {
                return self.pull(report);
            }
            token = Some(page.cursor);
        }
    }
}

/// `403 device_revoked` and `409 device_fork` are not the request's failure but the device's.
fn fork_or_revoked(e: Error) -> Error {
    match e {
        Error::Rejected {
            status: 403,
            ref code,
            ..
        } if code == "device_revoked" => Error::Revoked,
        Error::Rejected {
            status: 409,
            ref code,
            ref message,
            ..
        } if code == "device_fork" => Error::Conflict(format!(
            "the server holds different events under this device's id ({message}): log in again to enroll a new device id"
        )),
        other => other,
    }
}

/// Exponential backoff with full jitter: a random pause in `[0, min(8 s, 250 ms × 2^attempt)]`,
/// so devices that lost the network together do not come back in lockstep.
fn backoff(attempt: u32) -> Duration {
    let cap_ms = (250u64 << attempt.min(5)).min(8_000);
    let r = crate::keys::random32()
        .map(|b| u64::from(u16::from_le_bytes([b[0], b[1]])))
        .unwrap_or(0x8000);
    Duration::from_millis(cap_ms * r / 0xFFFF)
}
