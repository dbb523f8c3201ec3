//! The track filter: flags the fixes of a track that should not be trusted, and simplifies the
//! clean ones for display.
//!
//! Owns [`TrackPolicy`], [`FixFlags`], [`flag`], [`simplify`] and the implied-speed rule the
//! geofence shares ([`implied_speed_ms`]). Must not drop, edit or reorder fixes: a fix is a fact
//! ([`crate::model::position`]), so the filter only says which ones are clean. No clock, no I/O.
//!
//! Rules of [`flag`], per fix, in the order given:
//! - `mock`: the OS reported a mock-location provider.
//! - `poor_accuracy`: accuracy radius above [`TrackPolicy::max_accuracy_m`].
//! - `time_disorder`: not strictly later than the last clean fix (time went backwards, or a
//!   duplicate timestamp). Such a fix cannot be placed on the timeline, so it is never clean.
//! - `speed_outlier`: the speed implied from the last clean fix exceeds
//!   [`TrackPolicy::max_speed_ms`].
//!
//! Speed is measured against the last *clean* fix, not the previous one, so the good fix after
//! an outlier is compared with the good fix before it and stays clean. Because the allowed
//! distance grows with the time since that anchor, a track that really moved (or a bad first
//! anchor) recovers by itself after `distance / max_speed` seconds; nothing is flagged forever.

use chrono::{DateTime, Utc};
use geo::{Coord, LineString, SimplifyIdx};
use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::model::Fix;

/// Mean Earth radius (IUGG), metres: the local projection of [`simplify`] needs no better.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Thresholds of the track filter; per organization, so it travels as JSON with defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawTrackPolicy", into = "RawTrackPolicy")]
pub struct TrackPolicy {
    max_accuracy_m: f64,
    max_speed_ms: f64,
}

/// The unvalidated shape of a [`TrackPolicy`]; missing JSON fields take the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawTrackPolicy {
    /// Largest accuracy radius (metres) a clean fix may have. Default 50.
    pub max_accuracy_m: f64,
    /// Fastest plausible ground speed (m/s) between clean fixes. Default 50 (180 km/h).
    pub max_speed_ms: f64,
}

impl Default for RawTrackPolicy {
    fn default() -> Self {
        Self {
            max_accuracy_m: 50.0,
            max_speed_ms: 50.0,
        }
    }
}

impl Default for TrackPolicy {
    fn default() -> Self {
        let raw = RawTrackPolicy::default();
        Self {
            max_accuracy_m: raw.max_accuracy_m,
            max_speed_ms: raw.max_speed_ms,
        }
    }
}

impl TrackPolicy {
    /// Validates the thresholds: both positive and finite.
    pub fn parse(raw: RawTrackPolicy) -> Result<Self, ValidationError> {
        Ok(Self {
            max_accuracy_m: positive("max_accuracy_m", raw.max_accuracy_m)?,
            max_speed_ms: positive("max_speed_ms", raw.max_speed_ms)?,
        })
    }

    /// Largest accuracy radius (metres) a clean fix may have.
    pub fn max_accuracy_m(&self) -> f64 {
        self.max_accuracy_m
    }

    /// Fastest plausible ground speed (m/s) between clean fixes.
    pub fn max_speed_ms(&self) -> f64 {
        self.max_speed_ms
    }
}

impl TrackPolicy {
    /// Builds a policy from values the caller has already validated (the geofence policy,
    /// whose own `parse` checks the same bounds).
    pub(crate) fn from_validated(max_accuracy_m: f64, max_speed_ms: f64) -> Self {
        Self {
            max_accuracy_m,
            max_speed_ms,
        }
    }
}

impl TryFrom<RawTrackPolicy> for TrackPolicy {
    type Error = ValidationError;
    fn try_from(raw: RawTrackPolicy) -> Result<Self, ValidationError> {
        Self::parse(raw)
    }
}

impl From<TrackPolicy> for RawTrackPolicy {
    fn from(p: TrackPolicy) -> Self {
        Self {
            max_accuracy_m: p.max_accuracy_m,
            max_speed_ms: p.max_speed_ms,
        }
    }
}

fn positive(field: &'static str, v: f64) -> Result<f64, ValidationError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(ValidationError::new(
            field,
            format!("{v} is not a positive number"),
        ))
    }
}

/// Why a fix is not clean; several flags may be set at once. All false means clean.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FixFlags {
    /// Accuracy radius above the policy's limit.
    pub poor_accuracy: bool,
    /// The speed implied from the last clean fix is above the policy's limit.
    pub speed_outlier: bool,
    /// The OS reported a mock-location provider.
    pub mock: bool,
    /// Not strictly later than the last clean fix (time went backwards or repeated).
    pub time_disorder: bool,
}

impl FixFlags {
    /// No flag set: the fix can be drawn, measured and used as evidence.
    pub fn is_clean(&self) -> bool {
        !(self.poor_accuracy || self.speed_outlier || self.mock || self.time_disorder)
    }
}

/// Seconds from `from` to `to` (negative when `to` is earlier), at millisecond precision.
pub(crate) fn seconds_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    // Milliseconds cannot overflow an i64 across chrono's whole date range; microseconds can.
    to.signed_duration_since(from).num_milliseconds() as f64 / 1000.0
}

/// The slowest speed (m/s) that explains going from `from` to `to`, or `None` when `to` is not
/// strictly later (no speed exists for a zero or negative interval).
///
/// The distance is shrunk by both accuracy radii (never below zero): a jump that the fixes' own
/// stated error explains is not evidence of impossible motion, while a jump between two fixes
/// that each claim to be precise is.
pub fn implied_speed_ms(from: &Fix, to: &Fix) -> Option<f64> {
    let secs = seconds_between(from.time(), to.time());
    if secs <= 0.0 {
        return None;
    }
    let gap = from.point().distance_m(&to.point()) - from.accuracy_m() - to.accuracy_m();
    Some(gap.max(0.0) / secs)
}

/// One fix's verdict from the filter, with the speed behind `speed_outlier` for callers that
/// report it (the geofence's teleport reason).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Assessed {
    pub flags: FixFlags,
    /// Implied speed from the last clean fix, when there was one strictly earlier.
    pub speed_ms: Option<f64>,
}

/// [`flag`] over any sequence of fix references, so the geofence can filter a sorted window
/// without cloning fixes.
pub(crate) fn assess<'a>(
    fixes: impl IntoIterator<Item = &'a Fix>,
    policy: &TrackPolicy,
) -> Vec<Assessed> {
    let mut anchor: Option<&Fix> = None;
    let mut out = Vec::new();
    for fix in fixes {
        let mut flags = FixFlags {
            poor_accuracy: fix.accuracy_m() > policy.max_accuracy_m,
            mock: fix.is_mock(),
            ..FixFlags::default()
        };
        let speed_ms = anchor.and_then(|a| implied_speed_ms(a, fix));
        match (anchor, speed_ms) {
            (Some(_), None) => flags.time_disorder = true,
            (_, Some(v)) => flags.speed_outlier = v > policy.max_speed_ms,
            (None, None) => {}
        }
        if flags.is_clean() {
            anchor = Some(fix);
        }
        out.push(Assessed { flags, speed_ms });
    }
    out
}

/// Flags every fix of a track, in order: one [`FixFlags`] per fix, nothing dropped. The module
/// docs give the rules. Never panics, whatever the times or positions.
pub fn flag(fixes: &[Fix], policy: &TrackPolicy) -> Vec<FixFlags> {
    assess(fixes, policy).into_iter().map(|a| a.flags).collect()
}

/// Indices (ascending) of the clean fixes that Douglas-Peucker keeps at tolerance `epsilon_m`
/// metres, for drawing the track. Fixes without a clean flag (or beyond `flags`) are never kept.
///
/// `geo`'s Douglas-Peucker is planar, and degrees of longitude shrink with latitude, so the clean
/// fixes are first projected to local metres (equirectangular around their mean latitude; under
/// 1 % error for a city-sized track away from the poles) and simplified there. A non-positive or
/// non-finite `epsilon_m` keeps every clean fix.
pub fn simplify(fixes: &[Fix], flags: &[FixFlags], epsilon_m: f64) -> Vec<usize> {
    let clean: Vec<usize> = fixes
        .iter()
        .zip(flags)
        .enumerate()
        .filter(|(_, (_, f))| f.is_clean())
        .map(|(i, _)| i)
        .collect();
    let Some(&first) = clean.first() else {
        return clean;
    };
    if !(epsilon_m.is_finite() && epsilon_m > 0.0) {
        return clean;
    }
    let lon0 = fixes[first].point().lon();
    let lat0 = clean.iter().map(|&i| fixes[i].point().lat()).sum::<f64>() / clean.len() as f64;
    let m_per_deg = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
    let x_scale = m_per_deg * lat0.to_radians().cos();
    let line: LineString<f64> = clean
        .iter()
        .map(|&i| {
            let p = fixes[i].point();
            // Wrap so a track crossing the antimeridian stays contiguous.
            let dlon = (p.lon() - lon0 + 180.0).rem_euclid(360.0) - 180.0;
            Coord {
                x: dlon * x_scale,
                y: (p.lat() - lat0) * m_per_deg,
            }
        })
        .collect::<Vec<_>>()
        .into();
    line.simplify_idx(epsilon_m)
        .into_iter()
        .map(|k| clean[k])
        .collect()
}

#[cfg(test)]
mod tests;
