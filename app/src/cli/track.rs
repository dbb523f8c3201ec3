//! `terreno track import`: reads a track file and feeds the recorder, at once or at the fixes'
//! own pace (`--realtime`, optionally faster with `--speed`), up to `--until`.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::core::Core;
use crate::error::{Error, Result};
use crate::gps::recorder::{Recorded, Recorder};
use crate::gps::track_file::{RefusedPoint, read_track_file};

/// What an import did.
#[derive(Debug, Serialize)]
pub(crate) struct TrackReport {
    pub file: String,
    pub read: usize,
    pub after_until: usize,
    pub recorded: Recorded,
    pub refused: Vec<RefusedPoint>,
    pub waypoints_ignored: usize,
}

/// Fixes stored per transaction in a one-go import: bounded memory for the event rows.
const CHUNK: usize = 5_000;

pub(crate) fn import(
    core: &Core,
    file: &Path,
    until: Option<DateTime<Utc>>,
    realtime: Option<f64>,
) -> Result<TrackReport> {
    let track = read_track_file(file).map_err(|e| Error::Invalid(e.to_string()))?;
    let read = track.fixes.len();
    let mut fixes = track.fixes;
    fixes.retain(|f| until.is_none_or(|u| f.time() <= u));
    let after_until = read - fixes.len();
    fixes.sort_by_key(|f| f.time());
    let mut recorded = Recorded::default();
    match realtime {
        None => {
            for chunk in fixes.chunks(CHUNK) {
                recorded += core.record_fixes(chunk)?;
            }
        }
        Some(speed) => {
            if !(speed.is_finite() && speed > 0.0) {
                return Err(Error::Invalid(format!(
                    "--speed {speed} must be a positive number"
                )));
            }
            let mut recorder = Recorder::default();
            let mut prev: Option<DateTime<Utc>> = None;
            for f in fixes {
                if let Some(p) = prev {
                    let gap = (f.time() - p).num_milliseconds().max(0) as f64 / speed;
                    std::thread::sleep(Duration::from_millis(gap as u64));
                }
                prev = Some(f.time());
                if recorder.push(f) {
                    recorded += core.record_fixes(&recorder.take())?;
                }
            }
            recorded += core.record_fixes(&recorder.take())?;
        }
    }
    Ok(TrackReport {
        file: file.display().to_string(),
        read,
        after_until,
        recorded,
        refused: track.refused,
        waypoints_ignored: track.waypoints_ignored,
    })
}
