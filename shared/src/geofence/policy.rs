//! The geofence thresholds an organization configures ([`GeofencePolicy`]) and their validation.
//! Owns the defaults and the bounds; must not judge fixes (that is the parent module's job).

use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::track::TrackPolicy;

/// Validated geofence thresholds. Built with [`GeofencePolicy::parse`], `TryFrom`, serde (missing
/// fields take the defaults of [`RawGeofencePolicy`]) or [`Default`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawGeofencePolicy", into = "RawGeofencePolicy")]
pub struct GeofencePolicy(RawGeofencePolicy);

/// The unvalidated shape of a [`GeofencePolicy`], as it travels in an organization's settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RawGeofencePolicy {
    /// Fence radius around the debtor's location, metres. Default 100.
    pub radius_m: f64,
    /// Largest accuracy radius (metres) of a fix used as evidence. Default 50. Must be below
    /// `radius_m`: under the inside rule a fix whose accuracy circle is wider than the fence can
    /// never prove presence, so a larger value would make every check-in impossible.
    pub max_accuracy_m: f64,
    /// Conclusively-inside fixes needed for a dwell. Default 2.
    pub min_dwell_fixes: u32,
    /// Seconds between the first and last of those fixes. Default 20 (five fixes at one every
    /// 5 s): long enough to rule out driving past, short enough not to keep a debtor waiting.
    pub min_dwell_secs: f64,
    /// Fastest plausible speed between clean fixes (m/s); above it is a teleport. Default 50.
    pub max_speed_ms: f64,
    /// Oldest the newest fix may be at check-in, seconds. Default 120: phones report every few
    /// seconds while the app is open, so two minutes of silence means the position is not live
    /// (GPS lost indoors, or the app was backgrounded), and a collector walks ~150 m in that time.
    pub max_fix_age_secs: f64,
    /// How far back before the check-in fixes are evidence, seconds. Default 180: enough for the
    /// dwell several times over, short enough that an outlier or a mock app from an earlier
    /// stop does not taint this one. Must be at least `min_dwell_secs` and `max_fix_age_secs`.
    pub window_secs: f64,
}

#[cfg(feature = "openapi")]
crate::openapi::schema_via!(GeofencePolicy, RawGeofencePolicy);

impl Default for RawGeofencePolicy {
    fn default() -> Self {
        Self {
            radius_m: 100.0,
            max_accuracy_m: 50.0,
            min_dwell_fixes: 2,
            min_dwell_secs: 20.0,
            max_speed_ms: 50.0,
            max_fix_age_secs: 120.0,
            window_secs: 180.0,
        }
    }
}

impl GeofencePolicy {
    /// Validates the thresholds: distances, speeds and durations finite and positive (the dwell
    /// time may be zero), at least one dwell fix, `max_accuracy_m < radius_m` and
    /// `min_dwell_secs <= window_secs` (otherwise no check-in could ever pass), and
    /// `max_fix_age_secs <= window_secs` (a fix fresh enough is always evidence).
    pub fn parse(raw: RawGeofencePolicy) -> Result<Self, ValidationError> {
        positive("radius_m", raw.radius_m)?;
        positive("max_accuracy_m", raw.max_accuracy_m)?;
        positive("max_speed_ms", raw.max_speed_ms)?;
        positive("max_fix_age_secs", raw.max_fix_age_secs)?;
        positive("window_secs", raw.window_secs)?;
        if !(raw.min_dwell_secs.is_finite() && raw.min_dwell_secs >= 0.0) {
            return Err(ValidationError::new(
                "min_dwell_secs",
                format!("{} is not a duration", raw.min_dwell_secs),
            ));
        }
        if raw.min_dwell_fixes == 0 {
            return Err(ValidationError::new(
                "min_dwell_fixes",
                "must be at least 1",
            ));
        }
        if raw.max_accuracy_m >= raw.radius_m {
            return Err(ValidationError::new(
                "max_accuracy_m",
                format!(
                    "{} must be below radius_m ({}) or no fix could prove presence",
                    raw.max_accuracy_m, raw.radius_m
                ),
            ));
        }
        if raw.min_dwell_secs > raw.window_secs {
            return Err(ValidationError::new(
                "min_dwell_secs",
                format!(
                    "{} exceeds window_secs ({}), so no dwell could fit",
                    raw.min_dwell_secs, raw.window_secs
                ),
            ));
        }
        if raw.max_fix_age_secs > raw.window_secs {
            return Err(ValidationError::new(
                "max_fix_age_secs",
                format!(
                    "{} exceeds window_secs ({}): a fresh fix must also be evidence",
                    raw.max_fix_age_secs, raw.window_secs
                ),
            ));
        }
        Ok(Self(raw))
    }

    /// Fence radius, metres.
    pub fn radius_m(&self) -> f64 {
        self.0.radius_m
    }
    /// Largest accuracy radius of an evidence fix, metres.
    pub fn max_accuracy_m(&self) -> f64 {
        self.0.max_accuracy_m
    }
    /// Conclusively-inside fixes needed for a dwell.
    pub fn min_dwell_fixes(&self) -> u32 {
        self.0.min_dwell_fixes
    }
    /// Seconds the dwell must span.
    pub fn min_dwell_secs(&self) -> f64 {
        self.0.min_dwell_secs
    }
    /// Teleport bound, m/s.
    pub fn max_speed_ms(&self) -> f64 {
        self.0.max_speed_ms
    }
    /// Oldest the newest fix may be, seconds.
    pub fn max_fix_age_secs(&self) -> f64 {
        self.0.max_fix_age_secs
    }
    /// Evidence window before the check-in, seconds.
    pub fn window_secs(&self) -> f64 {
        self.0.window_secs
    }

    /// The track-filter thresholds this policy implies, so the geofence and the track view
    /// agree on which fixes are clean.
    pub fn track_policy(&self) -> TrackPolicy {
        TrackPolicy::from_validated(self.0.max_accuracy_m, self.0.max_speed_ms)
    }
}

impl TryFrom<RawGeofencePolicy> for GeofencePolicy {
    type Error = ValidationError;
    fn try_from(raw: RawGeofencePolicy) -> Result<Self, ValidationError> {
        Self::parse(raw)
    }
}

impl From<GeofencePolicy> for RawGeofencePolicy {
    fn from(p: GeofencePolicy) -> Self {
        p.0
    }
}

fn positive(field: &'static str, v: f64) -> Result<(), ValidationError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(ValidationError::new(
            field,
            format!("{v} is not a positive number"),
        ))
    }
}
