//! The GPS recorder: takes fixes from a source (the platform, or a replayed file), keeps those
//! taken during an open shift, flags outliers with the shared track filter, and stores them as
//! `fix` events in batches.
//!
//! Why batches: an fsync per fix (one every 5 s) would wake the flash constantly and cost
//! battery; a transaction per ~10 s of tracking bounds what a crash can lose to the fixes of
//! those seconds, which the geofence never needs more precisely. Shifts are the collector's
//! duty hours: the law on personal data does not allow tracking people off duty, so a fix
//! outside every shift is never stored.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use terreno_shared::model::Fix;
use terreno_shared::sync::payload::{Payload, encode};
use terreno_shared::track::{self, TrackPolicy};

use crate::error::{Context, Result};
use crate::store::{Store, device, fixes, log};

/// How long the recorder buffers fixes before one transaction stores them.
pub const FLUSH_EVERY: Duration = Duration::from_secs(10);

/// What one call of [`record`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Recorded {
    /// Fixes stored.
    pub stored: usize,
    /// Fixes stored but flagged by the track filter (outliers, mock, poor accuracy).
    pub flagged: usize,
    /// Fixes not stored: taken outside every shift.
    pub outside_shift: usize,
    /// Fixes not stored: not newer than the newest stored fix (a re-import).
    pub already_stored: usize,
}

impl std::ops::AddAssign for Recorded {
    fn add_assign(&mut self, o: Recorded) {
        self.stored += o.stored;
        self.flagged += o.flagged;
        self.outside_shift += o.outside_shift;
        self.already_stored += o.already_stored;
    }
}

/// Stores `fixes` (any order) in one transaction: those inside a shift and newer than any stored
/// fix, each as a `fix` event plus its row, stamped at `now`.
pub(crate) fn record(
    store: &mut Store,
    batch: &[Fix],
    policy: &TrackPolicy,
    now: DateTime<Utc>,
) -> Result<Recorded> {
    let mut out = Recorded::default();
    let newest = fixes::newest_time(&store.conn)?;
    let shifts = fixes::shifts(&store.conn)?;
    let mut keep: Vec<&Fix> = Vec::with_capacity(batch.len());
    for f in batch {
        let t = f.time().timestamp_millis();
        if newest.is_some_and(|n| t <= n) {
            out.already_stored += 1;
        } else if !shifts
            .iter()
            .any(|&(s, e)| t >= s && e.is_none_or(|e| t <= e))
        {
            out.outside_shift += 1;
        } else {
            keep.push(f);
        }
    }
    keep.sort_by_key(|f| f.time());
    let owned: Vec<Fix> = keep.iter().map(|f| (*f).clone()).collect();
    let flags = track::flag(&owned, policy);
    let tx = crate::store::write_tx(&mut store.conn)?;
    let mut head = device::get(&tx)?.head;
    let now_ms = now.timestamp_millis();
    for (fix, flag) in owned.iter().zip(&flags) {
        let draft = encode(&Payload::Fix(fix.clone())).expect("a fix always encodes");
        let event = log::append_with(&tx, &mut head, draft, now_ms)?;
        fixes::insert(&tx, event.key().seq, fix, !flag.is_clean())?;
        out.stored += 1;
        out.flagged += usize::from(!flag.is_clean());
    }
    device::save_head(&tx, &head)?;
    tx.commit().context("committing fixes")?;
    Ok(out)
}

/// Buffers fixes from a live source and stores them every [`FLUSH_EVERY`] of wall time.
pub struct Recorder {
    buffer: Vec<Fix>,
    last_flush: Instant,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder {
            buffer: Vec::new(),
            last_flush: Instant::now(),
        }
    }
}

impl Recorder {
    /// Adds a fix; returns whether the buffer is due to be stored.
    pub fn push(&mut self, fix: Fix) -> bool {
        self.buffer.push(fix);
        self.last_flush.elapsed() >= FLUSH_EVERY
    }

    /// Takes the buffered fixes out for storing.
    pub fn take(&mut self) -> Vec<Fix> {
        self.last_flush = Instant::now();
        std::mem::take(&mut self.buffer)
    }
}
