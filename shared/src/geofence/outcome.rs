//! What a check-in verdict says: [`Verdict`] and the [`Reason`]s of a refusal, machine-readable
//! (serde, tagged snake_case) and human-readable (`Display`). Must not decide anything.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::GeoPoint;

/// The outcome of a check-in attempt. Serialized with a `verdict` tag:
/// `{"verdict": "refused", "reasons": [{"reason": "mock_provider"}]}`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The collector dwelt inside the fence.
    Allowed {
        /// Distance from the newest conclusively-inside fix to the debtor's location, metres.
        distance_m: f64,
        /// That fix's accuracy radius, metres.
        accuracy_m: f64,
        /// Conclusively-inside fixes in the dwell.
        fixes_used: usize,
        /// Seconds from the first to the last of them.
        dwell_secs: f64,
    },
    /// The check-in is refused; every reason found is listed, in a fixed order.
    Refused {
        /// Why, never empty.
        reasons: Vec<Reason>,
    },
    /// The debtor has no location: the collector's dwell position is proposed as one, for a
    /// supervisor to approve. The visit is recorded, but nothing is geofenced.
    LocationCapture {
        /// Accuracy-weighted mean of the dwell's fixes.
        proposed: GeoPoint,
        /// Typical accuracy of those fixes (see the module docs), metres.
        accuracy_m: f64,
        /// Fixes averaged.
        fixes_used: usize,
        /// Seconds from the first to the last of them.
        dwell_secs: f64,
    },
}

impl Verdict {
    /// The check-in may go ahead (allowed, or a location capture).
    pub fn is_accepted(&self) -> bool {
        !matches!(self, Verdict::Refused { .. })
    }

    /// The reasons of a refusal; empty otherwise.
    pub fn reasons(&self) -> &[Reason] {
        match self {
            Verdict::Refused { reasons } => reasons,
            _ => &[],
        }
    }
}

/// Why a check-in was refused, with the numbers that decided it. `Display` gives a message for
/// the collector; the serialized form (tag `reason`) is for the app and the audit log.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Error, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// No fix at or before the check-in time.
    #[error("no location yet: the phone has not reported a position")]
    NoFixes,
    /// The newest fix is too old to say where the collector is now.
    #[error("location too old: last fix {age_secs:.0} s ago (limit {max_age_secs:.0} s)")]
    StaleFix {
        /// Age of the newest fix at check-in, seconds.
        age_secs: f64,
        /// The policy's limit, seconds.
        max_age_secs: f64,
    },
    /// A fix in the evidence window came from a mock-location provider.
    #[error("a mock-location app was supplying the position")]
    MockProvider,
    /// No fix in the evidence window was precise enough.
    #[error("location too imprecise: ±{accuracy_m:.0} m at best (limit {max_accuracy_m:.0} m)")]
    PoorAccuracy {
        /// The best (smallest) accuracy radius seen, metres.
        accuracy_m: f64,
        /// The policy's limit, metres.
        max_accuracy_m: f64,
    },
    /// Two precise fixes imply an impossible speed.
    #[error("impossible jump between fixes: {speed_ms:.0} m/s (limit {max_speed_ms:.0} m/s)")]
    Teleport {
        /// The highest implied speed found, m/s.
        speed_ms: f64,
        /// The policy's limit, m/s.
        max_speed_ms: f64,
    },
    /// No precise fix of the current stay is conclusively inside the fence.
    #[error("too far: {distance_m:.0} m from the address (limit {radius_m:.0} m)")]
    OutsideRadius {
        /// Distance of the nearest fix of the current stay (or of the newest precise fix, when
        /// it is conclusively outside), metres.
        distance_m: f64,
        /// The fence radius, metres.
        radius_m: f64,
    },
    /// Inside, but not for long enough yet.
    #[error(
        "not long enough at the address: {fixes} precise fixes over {secs:.0} s \
         (need {min_fixes} over {min_secs:.0} s)"
    )]
    InsufficientDwell {
        /// Conclusively-inside fixes of the current stay.
        fixes: usize,
        /// Seconds they span.
        secs: f64,
        /// The policy's minimum count.
        min_fixes: u32,
        /// The policy's minimum span, seconds.
        min_secs: f64,
    },
}
