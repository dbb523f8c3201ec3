//! Where the collector is. Phones report fixes from the platform's location services (the UI
//! watches `tauri-plugin-geolocation` and hands them to `position_record`); the desktop build
//! has no GPS the plugin can read (it answers zeroed positions there), so it replays a GPX or
//! JSON Lines track file instead, read by the core's own track-file reader: moving the replay
//! to an instant feeds the recorder every fix up to it, as a phone would have.
//!
//! Must not judge positions: the recorder, the track filter and the geofence are the core's.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;
use terreno_app::gps::track_file::read_track_file;
use terreno_shared::model::Fix;

use crate::battery::Battery;
use crate::error::CommandError;

/// Where this build's fixes come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The phone's location services, through the UI.
    Device,
    /// A track file replayed on desktop.
    Replay,
    /// Nothing: a desktop started without a track file.
    None,
}

/// A track file being replayed: its fixes in time order and how far the replay got.
#[derive(Debug)]
pub struct Replay {
    file: PathBuf,
    fixes: Vec<Fix>,
    next: usize,
    at: Option<DateTime<Utc>>,
}

impl Replay {
    /// Reads a `.gpx` or `.jsonl` track; a file without one usable fix is an error.
    pub fn open(file: &Path) -> Result<Replay, CommandError> {
        let track =
            read_track_file(file).map_err(|e| CommandError::new("invalid", e.to_string()))?;
        let mut fixes = track.fixes;
        fixes.sort_by_key(|f| f.time());
        Ok(Replay {
            file: file.to_owned(),
            fixes,
            next: 0,
            at: None,
        })
    }

    /// The fixes taken after the previous call and up to `at` (none when `at` goes back).
    pub fn advance_to(&mut self, at: DateTime<Utc>) -> Vec<Fix> {
        let start = self.next;
        while self.fixes.get(self.next).is_some_and(|f| f.time() <= at) {
            self.next += 1;
        }
        self.at = Some(self.at.map_or(at, |t| t.max(at)));
        self.fixes[start..self.next].to_vec()
    }

    /// What the UI shows of the replay.
    pub fn info(&self) -> ReplayInfo {
        ReplayInfo {
            file: self.file.display().to_string(),
            starts_at: self.fixes.first().map(Fix::time),
            ends_at: self.fixes.last().map(Fix::time),
            at: self.at,
        }
    }
}

/// A replay's file, span and current instant.
#[derive(Debug, Clone, Serialize)]
pub struct ReplayInfo {
    /// The track file.
    pub file: String,
    /// Its first fix.
    pub starts_at: Option<DateTime<Utc>>,
    /// Its last fix.
    pub ends_at: Option<DateTime<Utc>>,
    /// The instant the replay was last moved to.
    pub at: Option<DateTime<Utc>>,
}

/// The newest fix the shell received, shown live on the check-in screen.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LastFix {
    /// When it was taken.
    pub at: DateTime<Utc>,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Accuracy radius, metres.
    pub accuracy_m: f64,
    /// Reported by a mock-location provider.
    pub mock: bool,
}

impl From<&Fix> for LastFix {
    fn from(f: &Fix) -> Self {
        LastFix {
            at: f.time(),
            lat: f.point().lat(),
            lon: f.point().lon(),
            accuracy_m: f.accuracy_m(),
            mock: f.is_mock(),
        }
    }
}

/// Position, battery and source at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct PositionView {
    /// Where fixes come from.
    pub source: Source,
    /// The newest fix received (stored or not: off shift nothing is stored).
    pub last: Option<LastFix>,
    /// The battery now.
    pub battery: Battery,
    /// The desktop replay, when one runs.
    pub replay: Option<ReplayInfo>,
}

/// Gives fixes without a battery reading the battery read now (a replayed file keeps its own).
pub fn with_battery(fixes: Vec<Fix>, battery: Battery) -> Vec<Fix> {
    let level = battery
        .level
        .and_then(|l| terreno_shared::model::BatteryLevel::parse(l).ok());
    fixes
        .into_iter()
        .map(|f| match f.battery() {
            Some(_) => f,
            None => f.with_battery(level, battery.charging),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(lines: &[&str]) -> (PathBuf, Replay) {
        let path = std::env::temp_dir().join(format!(
            "terreno-replay-{}-{}.jsonl",
            std::process::id(),
            lines.len()
        ));
        std::fs::write(&path, lines.join("\n")).unwrap();
        let replay = Replay::open(&path).unwrap();
        (path, replay)
    }

    #[test]
    fn a_replay_gives_each_fix_once_in_time_order() {
        let (path, mut replay) = track(&[
            r#"{"t": "2026-11-24T13:00:10Z", "lat": 4.6, "lon": -74.1, "accuracy_m": 9}"#,
            r#"{"t": "2026-11-24T13:00:00Z", "lat": 4.6, "lon": -74.1, "accuracy_m": 8}"#,
            r#"{"t": "2026-11-24T13:00:20Z", "lat": 4.6, "lon": -74.1, "accuracy_m": 7}"#,
        ]);
        std::fs::remove_file(&path).unwrap();
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let first = replay.advance_to(t("2026-11-24T13:00:10Z"));
        assert_eq!(
            first.iter().map(Fix::accuracy_m).collect::<Vec<_>>(),
            [8.0, 9.0]
        );
        assert!(replay.advance_to(t("2026-11-24T13:00:05Z")).is_empty());
        assert_eq!(replay.advance_to(t("2026-11-24T14:00:00Z")).len(), 1);
        assert_eq!(
            replay.info().at,
            Some(t("2026-11-24T14:00:00Z")),
            "the replay never moves back"
        );
    }

    #[test]
    fn fixes_without_a_battery_get_the_one_read_now() {
        let (path, mut replay) = track(&[
            r#"{"t": "2026-11-24T13:00:00Z", "lat": 4.6, "lon": -74.1, "accuracy_m": 8, "battery": 0.5}"#,
            r#"{"t": "2026-11-24T13:00:05Z", "lat": 4.6, "lon": -74.1, "accuracy_m": 8}"#,
        ]);
        std::fs::remove_file(&path).unwrap();
        let fixes = replay.advance_to("2026-11-24T13:01:00Z".parse().unwrap());
        let now = Battery {
            level: Some(0.8),
            charging: Some(false),
        };
        let out = with_battery(fixes, now);
        let levels: Vec<_> = out
            .iter()
            .map(|f| f.battery().map(|b| b.fraction()))
            .collect();
        assert_eq!(levels, [Some(0.5), Some(0.8)]);
        assert_eq!(out[1].charging(), Some(false));
    }
}
