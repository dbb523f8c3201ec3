//! One sync: fetch the organization's rules, push the outbox from the server's head, upload
//! attachment blobs, pull the feed (or bootstrap from a snapshot after `409 resync`), download
//! the media files of the forms pulled (`super::media`). SYNC.md, client side:
//!
//! - **Push** always resumes from the head the server reports, never from a local "sent" flag:
//!   a server restored from an older copy is re-sent what it lost, and a push whose answer was
//!   lost is simply re-sent (a no-op on the server). Batches start at 500 events and double
//!   after each success up to the 5,000 limit; a `413` halves the batch actually sent and caps
//!   the rest of the sync at that size. A server head the device cannot continue from (events
//!   it pruned after the retention, or a head beyond its own log) is an explicit error, never a
//!   silent "nothing to send".
//! - **Pull** applies each page and stores its cursor in one local transaction, so a kill at any
//!   point re-fetches at most the page in flight. A bootstrap keeps its token after each page;
//!   a token the server no longer accepts restarts the bootstrap (a bounded number of times).
//! - Transient failures (network, `429`, `5xx`) are retried with exponential backoff and full
//!   jitter; after the configured attempts the sync stops as [`Error::Offline`] with nothing
//!   lost.
//! - **Clock**: the offset to the server is measured from the HTTP `Date` of the status answer
//!   (the server's wall clock), not from its HLC, which may run up to ten minutes ahead after a
//!   device with a fast clock pushed.
//!
//! - **Full disk**: writes that only help — the clock offset and clock, the organization's
//!   rules, the server's head after a push (progress: the next push resumes from the server's
//!   head anyway), the retention — are skipped and logged when the device's disk is full, so a
//!   sync still pushes what is pending; the pull, which must store what it fetches, then fails.
//!   A server whose disk is full answers `507`: retried like a `503`, then
//!   [`Error::ServerOutOfSpace`].
//!
//! The driver never writes SQL: it calls the store's functions under the store's lock, and holds
//! that lock only for local steps, never across a request.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use terreno_shared::api::ErrorCode;
use terreno_shared::api::v1::sync::{Change, DeviceStatus, PushResponse};
use terreno_shared::sync::batch::MAX_EVENTS_PER_BATCH;
use terreno_shared::sync::{DeviceKey, PushBatch};

use crate::config::{Clock, CoreConfig};
use crate::error::{Error, Result};
use crate::store::mirror::PageCursor;
use crate::store::{Store, device, log, mirror};
use crate::sync::client::{Api, is_transient};

/// Events in the first push batch of a sync.
const FIRST_BATCH: usize = 500;
/// Changes asked per pull page.
const PULL_LIMIT: u32 = 2_000;
/// Bootstraps restarted within one sync before giving up (the server's epoch keeps moving).
const MAX_BOOTSTRAPS: u32 = 3;

/// What a sync did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SyncReport {
    /// Events the server acknowledged in this sync.
    pub pushed: u64,
    /// The server's head of this device's log afterwards.
    pub server_head: u64,
    /// Events the server rejected in this sync: `(seq, code, message)`; parked, never re-sent.
    pub rejected: Vec<(u64, String, String)>,
    /// Attachments whose bytes the server now holds.
    pub uploaded: u64,
    /// Changes pulled and applied.
    pub pulled: u64,
    /// Form media files downloaded.
    pub media: u64,
    /// Pulled changes this app could not read (kept aside, see `skipped_changes`).
    pub skipped: u64,
    /// Whether the device had to bootstrap from a snapshot.
    pub resynced: bool,
    /// Acknowledged events deleted by the retention.
    pub pruned_events: u64,
    /// Finished visits deleted by the retention.
    pub pruned_visits: u64,
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
    pub blobs: &'a crate::blobs::Blobs,
}

impl Driver<'_> {
    pub(super) fn with<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        let mut guard = crate::core::lock(self.store);
        f(&mut guard)
    }

    pub(super) fn now_ms(&self, s: &Store) -> i64 {
        let offset = device::find(&s.conn)
            .ok()
            .flatten()
            .map_or(0, |d| d.clock_offset_ms);
        self.config.clock.now(offset).timestamp_millis()
    }

    /// Runs a store write that only helps: on a full disk it is skipped (and logged) instead of
    /// stopping the sync before it pushed.
    fn helpful(&self, what: &str, f: impl FnOnce(&mut Store) -> Result<()>) -> Result<()> {
        skip_if_full(what, self.with(f))
    }

    /// Runs `f` until it succeeds or fails for good.
    pub(super) fn retry<T>(&self, mut f: impl FnMut() -> Result<T>) -> Result<T> {
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
        let (status, offset) = self.retry(|| {
            let sent = Instant::now();
            let (status, date) = self.api.status(me.device_id)?;
            // The Date header is truncated to the second: take its middle, and the middle of
            // this attempt's round trip.
            let local =
                chrono::Utc::now().timestamp_millis() - (sent.elapsed().as_millis() / 2) as i64;
            let offset = date.map(|d| d.timestamp_millis() + 500 - local);
            Ok((status, offset))
        })?;
        if let (Clock::System, Some(offset)) = (self.config.clock, offset) {
            self.helpful("storing the clock offset", |s| {
                device::set_clock_offset(&s.conn, offset)
            })?;
        }
        self.helpful("advancing the clock", |s| {
            device::receive_clock(&s.conn, status.server_hlc)
        })?;
        let settings = self.retry(|| self.api.settings())?;
        self.helpful("storing the organization's rules", |s| {
            device::set_settings(&s.conn, &settings)
        })?;
        self.push(&status, &mut report)?;
        self.upload(&mut report)?;
        self.pull(&mut report)?;
        self.fetch_media(&mut report)?;
        let retention = i64::from(self.config.retention_days) * 86_400_000;
        let mut pruned = log::Pruned::default();
        self.helpful("applying the retention", |s| {
            let now = self.now_ms(s);
            let tx = crate::store::write_tx(&mut s.conn)?;
            device::set_synced(&tx, now)?;
            pruned = log::prune(&tx, now - retention)?;
            tx.commit()
                .map_err(|e| Error::storage("applying the retention", e))
        })?;
        for sha in &pruned.blobs {
            self.blobs.remove(sha);
        }
        report.pruned_events = pruned.events;
        report.pruned_visits = pruned.visits;
        Ok(report)
    }

    /// The server's head must be our own event before we take it as acknowledged: another
    /// install writing under this id (a copied data folder) puts different events there.
    fn check_server_head(&mut self, status: &DeviceStatus, last_seq: u64) -> Result<()> {
        let (head, max_seen) = (status.head, status.max_seen);
        let ours = self.with(|s| log::hash_at(&s.conn, head))?;
        if let (Some(server), Some(ours)) = (status.head_hash, ours)
            && server != ours
        {
            return Err(Error::Forked(format!(
                "the server's event {head} of this id is not the one this install wrote"
            )));
        }
        if head > last_seq || max_seen > last_seq {
            return Err(Error::Forked(format!(
                "the server holds events up to {} of this id, which this install has written only \
                 up to {last_seq}",
                head.max(max_seen),
            )));
        }
        Ok(())
    }

    /// Stores what the server answered a batch: the new head, the events it rejected (parked,
    /// else they are sent again next time and rejected again) and its clock.
    fn record_push(&mut self, answer: &PushResponse) -> Result<()> {
        self.helpful("recording a push", |s| {
            let now = self.now_ms(s);
            let tx = crate::store::write_tx(&mut s.conn)?;
            log::acknowledge(&tx, answer.head, now)?;
            for r in &answer.rejected {
                log::park(&tx, r.seq, r.code.as_str(), &r.message)?;
            }
            device::receive_clock(&tx, answer.server_hlc)?;
            tx.commit()
                .map_err(|e| Error::storage("recording a push", e))
        })
    }

    // Long: the batch loop (halving on 413, the stop conditions, progress) reads best whole.
    fn push(&mut self, status: &DeviceStatus, report: &mut SyncReport) -> Result<()> {
        let mut head = status.head;
        let me = self.with(|s| device::get(&s.conn))?;
        self.check_server_head(status, me.head.last_seq)?;
        let total = me.head.last_seq - head;
        self.helpful("recording the server's head", |s| {
            let now = self.now_ms(s);
            let tx = crate::store::write_tx(&mut s.conn)?;
            log::acknowledge(&tx, head, now)?;
            tx.commit()
                .map_err(|e| Error::storage("recording the server's head", e))
        })?;
        let mut size = FIRST_BATCH;
        let mut cap = MAX_EVENTS_PER_BATCH;
        let mut done = 0;
        while head < me.head.last_seq {
            let events = self.with(|s| log::load_range(&s.conn, me.device_id, head + 1, size))?;
            let Some(last) = events.last().map(|e| e.key().seq) else {
                return Err(Error::Conflict(format!(
                    "the server needs this device's events from {} on, which the device deleted \
                     after its retention: they cannot be sent again",
                    head + 1
                )));
            };
            let batch = PushBatch::seal(&events, self.key)
                .map_err(|e| Error::Invalid(format!("sealing a push batch: {e}")))?;
            let answer = match self.retry(|| self.api.push(&batch)) {
                Err(Error::Rejected { status: 413, .. }) if events.len() > 1 => {
                    size = events.len() / 2;
                    cap = size;
                    continue;
                }
                // The server's last event of this id is not the one ours links to: another
                // install wrote under it.
                Err(Error::Rejected {
                    status: 400,
                    code: ErrorCode::BrokenChain,
                    message,
                    ..
                }) => {
                    return Err(Error::Forked(message));
                }
                other => other?,
            };
            self.record_push(&answer)?;
            report.rejected.extend(
                answer
                    .rejected
                    .iter()
                    .map(|r| (r.seq, r.code.to_string(), r.message.clone())),
            );
            if answer.head < last {
                return Err(Error::Conflict(format!(
                    "the server stored events up to {} but its head stays at {}: a gap the device \
                     cannot fill",
                    answer.max_seen, answer.head
                )));
            }
            done += answer.head - head;
            report.pushed += answer.head - head;
            head = answer.head;
            (self.progress)(SyncProgress::Pushing { done, total });
            size = (size * 2).min(cap);
        }
        report.server_head = head;
        Ok(())
    }

    fn pull(&mut self, report: &mut SyncReport) -> Result<()> {
        let mut bootstraps = 0;
        loop {
            let me = self.with(|s| device::get(&s.conn))?;
            let outcome = match me.snapshot_cursor {
                Some(token) => self.bootstrap(token, me.snapshot_gen, report),
                None => self.follow(me.pull_cursor, report),
            };
            match outcome {
                Err(Error::Rejected {
                    status: 409,
                    code: ErrorCode::Resync,
                    ..
                })
                | Err(Error::Rejected {
                    status: 400,
                    code: ErrorCode::BadCursor,
                    ..
                }) => {}
                other => return other,
            }
            bootstraps += 1;
            if bootstraps > MAX_BOOTSTRAPS {
                return Err(Error::Conflict(
                    "the server asked for a full resync again and again: try later".into(),
                ));
            }
            self.with(|s| device::begin_bootstrap(&s.conn).map(|_| ()))?;
            report.resynced = true;
        }
    }

    /// Applies a pulled page with its cursor (one local transaction) and reports progress.
    fn apply(
        &mut self,
        changes: &[Change],
        cursor: PageCursor<'_>,
        report: &mut SyncReport,
    ) -> Result<()> {
        let applied = self.with(|s| {
            let now = self.now_ms(s);
            mirror::apply_page(&mut s.conn, changes, cursor, now)
        })?;
        report.pulled += changes.len() as u64;
        report.skipped += applied.skipped;
        (self.progress)(SyncProgress::Pulling {
            done: report.pulled,
        });
        Ok(())
    }

    /// Follows the feed from `cursor` until the server has nothing more.
    fn follow(&mut self, mut cursor: Option<String>, report: &mut SyncReport) -> Result<()> {
        let me = self.with(|s| device::get(&s.conn))?;
        loop {
            let page = self.retry(|| {
                self.api.pull(
                    "/api/v1/sync/pull",
                    me.device_id,
                    cursor.as_deref(),
                    PULL_LIMIT,
                )
            })?;
            self.apply(&page.changes, PageCursor::Feed(&page.cursor), report)?;
            if !page.more {
                return Ok(());
            }
            cursor = Some(page.cursor);
        }
    }

    /// Pages through the snapshot from `token` (empty: the first page); the last page's cursor is
    /// the feed cursor to follow.
    fn bootstrap(&mut self, token: String, generation: i64, report: &mut SyncReport) -> Result<()> {
        report.resynced = true;
        let me = self.with(|s| device::get(&s.conn))?;
        let mut token = Some(token).filter(|t| !t.is_empty());
        loop {
            let page = self.retry(|| {
                self.api.pull(
                    "/api/v1/sync/snapshot",
                    me.device_id,
                    token.as_deref(),
                    PULL_LIMIT,
                )
            })?;
            let cursor = if page.more {
                PageCursor::Snapshot(&page.cursor, generation)
            } else {
                PageCursor::SnapshotDone(&page.cursor, generation)
            };
            self.apply(&page.changes, cursor, report)?;
            if !page.more {
                return self.follow(Some(page.cursor), report);
            }
            token = Some(page.cursor);
        }
    }
}

/// A helpful write's result: a full disk is logged and passes, anything else is kept.
fn skip_if_full(what: &str, written: Result<()>) -> Result<()> {
    match written {
        Err(e) if e.is_disk_full() => {
            tracing::warn!(error = %e, "the device's disk is full: skipped {what}");
            Ok(())
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Context;

    /// A write that needs new pages on a store held at its current size by `max_page_count`:
    /// SQLite's own `SQLITE_FULL`, as on a full disk.
    fn write_on_a_full_store() -> Result<()> {
        let store = Store::open_in_memory().expect("a store");
        store
            .conn
            .execute_batch("create table filler (b blob); pragma max_page_count = 1;")
            .expect("holding the store at its size");
        store
            .conn
            .execute("insert into filler values (zeroblob(1000000))", [])
            .map(|_| ())
            .context("storing the clock offset")
    }

    #[test]
    fn a_helpful_write_on_a_full_disk_is_skipped_and_other_failures_are_kept() {
        let full = write_on_a_full_store();
        assert!(full.as_ref().is_err_and(Error::is_disk_full), "{full:?}");

        assert!(skip_if_full("storing the clock offset", full).is_ok());
        let other = skip_if_full("storing the clock offset", Err(Error::NotEnrolled));
        assert!(matches!(other, Err(Error::NotEnrolled)), "{other:?}");
    }
}
