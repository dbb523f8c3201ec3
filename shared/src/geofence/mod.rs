//! The check-in verdict: may a collector record a visit at a debtor's location, given the phone's
//! recent fixes? Owns [`verdict`], its policy ([`GeofencePolicy`]) and its outcome types
//! ([`Verdict`], [`Reason`]). Must not read the clock (the check-in time is `now`), store fixes,
//! or drop any: fixes are judged, never edited.
//!
//! # Evidence
//!
//! Fixes after `now` are ignored (the caller may pass a whole track). Of the rest, only those in
//! the window `[now - window_secs, now]` are evidence, sorted by time and run through the track
//! filter ([`crate::track`]) with the policy's accuracy and speed limits. A *precise* fix is one
//! the filter calls clean: not mock, accuracy within `max_accuracy_m`, no impossible jump from
//! the previous precise fix, and not sharing its timestamp.
//!
//! # Inside, outside, or neither
//!
//! With `d` the fix's distance to the debtor, `a` its accuracy radius and `r` the fence radius,
//! a precise fix is
//! - **inside** when `d + a <= r`: its whole accuracy circle is within the fence;
//! - **outside** when `d - a > r`: its whole accuracy circle is beyond the fence;
//! - **straddling** otherwise: neither proof of presence nor of absence.
//!
//! The *current stay* is the run of precise fixes from the newest one backwards, stopping at
//! the first outside fix (exclusive). Straddling fixes do not end the stay but do not count for
//! it. The check-in is allowed when the stay has at least `min_dwell_fixes` inside fixes
//! spanning at least `min_dwell_secs`. With no inside fix in the stay it is refused as
//! [`Reason::OutsideRadius`] (the stay's nearest distance, or the newest precise fix's distance
//! when that fix is itself outside); with too few, as [`Reason::InsufficientDwell`]. Someone
//! who drove past minutes ago and now stands 300 m away is therefore refused: only the current
//! stay counts.
//!
//! # Other refusals (all found are reported, in this order)
//!
//! - [`Reason::NoFixes`]: no fix at or before `now` (reported alone).
//! - [`Reason::StaleFix`]: the newest such fix is older than `max_fix_age_secs`.
//! - [`Reason::MockProvider`]: any fix in the window is mock, whatever its accuracy: a mock app
//!   active minutes ago taints the check-in.
//! - [`Reason::PoorAccuracy`]: the window holds non-mock fixes but none is precise enough.
//! - [`Reason::Teleport`]: a precise-accuracy, non-mock fix implies a speed above
//!   `max_speed_ms` from the previous precise fix (distance shrunk by both accuracy radii, see
//!   [`crate::track::implied_speed_ms`]). Imprecise fixes are never part of a speed test, so
//!   the 150-400 m jumps of an urban outlier do not refuse a later check-in; such a fix simply
//!   is not evidence.
//! - [`Reason::OutsideRadius`] or [`Reason::InsufficientDwell`], as above.
//!
//! # Location capture
//!
//! With no debtor location (`target: None`) the stay is the run of precise fixes from the newest
//! backwards while within `max_accuracy_m` of the newest (the collector stood still). With a
//! dwell as above it becomes [`Verdict::LocationCapture`]: the mean position weighted by
//! `1 / a²` (inverse variance; `a` floored at 1 m), with accuracy `sqrt(n / Σ 1/a²)`, the
//! typical accuracy of the fixes. Averaging earns no further credit because GPS errors minutes
//! apart are strongly correlated. The other refusals apply unchanged.

mod outcome;
mod policy;

pub use outcome::{Reason, Verdict};
pub use policy::{GeofencePolicy, RawGeofencePolicy};

use chrono::{DateTime, Utc};

use crate::model::{Fix, GeoPoint};
use crate::track::{self, seconds_between};

/// Judges a check-in at `now` against `target` (the debtor's location, if known), from the
/// phone's fixes (any order; those after `now` are ignored). Pure and total: never panics.
/// The module docs give the exact rules.
pub fn verdict(
    target: Option<GeoPoint>,
    policy: &GeofencePolicy,
    recent_fixes: &[Fix],
    now: DateTime<Utc>,
) -> Verdict {
    let Some(newest_age) = recent_fixes
        .iter()
        .filter(|f| f.time() <= now)
        .map(|f| seconds_between(f.time(), now))
        .min_by(f64::total_cmp)
    else {
        return Verdict::Refused {
            reasons: vec![Reason::NoFixes],
        };
    };
    let mut reasons = Vec::new();
    if newest_age > policy.max_fix_age_secs() {
        reasons.push(Reason::StaleFix {
            age_secs: newest_age,
            max_age_secs: policy.max_fix_age_secs(),
        });
    }
    let evidence = Evidence::gather(policy, recent_fixes, now, &mut reasons);
    let stay = match target {
        Some(target) => evidence.stay_at(target, policy, &mut reasons),
        None => evidence.stay_still(policy, &mut reasons),
    };
    match stay {
        Some(stay) if reasons.is_empty() => stay.into_verdict(target),
        // Unreachable with a validated policy (a fresh fix is always in the window), but a
        // refusal must always say why.
        None if reasons.is_empty() => Verdict::Refused {
            reasons: vec![Reason::NoFixes],
        },
        _ => Verdict::Refused { reasons },
    }
}

/// The precise fixes of the window, oldest first.
struct Evidence<'a> {
    precise: Vec<&'a Fix>,
}

impl<'a> Evidence<'a> {
    /// Filters the window and records the mock, accuracy and teleport refusals.
    fn gather(
        policy: &GeofencePolicy,
        fixes: &'a [Fix],
        now: DateTime<Utc>,
        reasons: &mut Vec<Reason>,
    ) -> Self {
        let mut window: Vec<&Fix> = fixes
            .iter()
            .filter(|f| f.time() <= now && seconds_between(f.time(), now) <= policy.window_secs())
            .collect();
        window.sort_by_key(|f| f.time());
        let assessed = track::assess(window.iter().copied(), &policy.track_policy());

        if window.iter().any(|f| f.is_mock()) {
            reasons.push(Reason::MockProvider);
        }
        let honest = window.iter().filter(|f| !f.is_mock());
        let best_accuracy = honest.map(|f| f.accuracy_m()).min_by(f64::total_cmp);
        if let Some(best) = best_accuracy.filter(|a| *a > policy.max_accuracy_m()) {
            reasons.push(Reason::PoorAccuracy {
                accuracy_m: best,
                max_accuracy_m: policy.max_accuracy_m(),
            });
        }
        let fastest = assessed
            .iter()
            .filter(|a| a.flags.speed_outlier && !a.flags.mock && !a.flags.poor_accuracy)
            .filter_map(|a| a.speed_ms)
            .max_by(f64::total_cmp);
        if let Some(speed_ms) = fastest {
            reasons.push(Reason::Teleport {
                speed_ms,
                max_speed_ms: policy.max_speed_ms(),
            });
        }
        let precise = window
            .into_iter()
            .zip(&assessed)
            .filter(|(_, a)| a.flags.is_clean())
            .map(|(f, _)| f)
            .collect();
        Self { precise }
    }

    /// The current stay at `target`, if the dwell rule is met; otherwise records why not.
    fn stay_at(
        &self,
        target: GeoPoint,
        policy: &GeofencePolicy,
        reasons: &mut Vec<Reason>,
    ) -> Option<Stay<'a>> {
        let newest = self.precise.last()?;
        let r = policy.radius_m();
        let distance = |f: &Fix| f.point().distance_m(&target);
        let current: Vec<(&Fix, f64)> = self
            .precise
            .iter()
            .rev()
            .map(|f| (*f, distance(f)))
            .take_while(|(f, d)| d - f.accuracy_m() <= r)
            .collect();
        let inside: Vec<&Fix> = current
            .iter()
            .filter(|(f, d)| d + f.accuracy_m() <= r)
            .map(|(f, _)| *f)
            .collect();
        if inside.is_empty() {
            let nearest = current.iter().map(|(_, d)| *d).min_by(f64::total_cmp);
            reasons.push(Reason::OutsideRadius {
                distance_m: nearest.unwrap_or_else(|| distance(newest)),
                radius_m: r,
            });
            return None;
        }
        Stay::dwelt(inside, policy, reasons)
    }

    /// The current stay in one place (no target), if the dwell rule is met.
    fn stay_still(&self, policy: &GeofencePolicy, reasons: &mut Vec<Reason>) -> Option<Stay<'a>> {
        let newest = self.precise.last()?.point();
        let still: Vec<&Fix> = self
            .precise
            .iter()
            .rev()
            .take_while(|f| f.point().distance_m(&newest) <= policy.max_accuracy_m())
            .copied()
            .collect();
        Stay::dwelt(still, policy, reasons)
    }
}

/// Fixes that proved a dwell, newest first.
struct Stay<'a> {
    fixes: Vec<&'a Fix>,
    secs: f64,
}

impl<'a> Stay<'a> {
    /// Checks the dwell rule on `fixes` (newest first, non-empty); records a refusal if unmet.
    fn dwelt(
        fixes: Vec<&'a Fix>,
        policy: &GeofencePolicy,
        reasons: &mut Vec<Reason>,
    ) -> Option<Self> {
        let secs = match (fixes.first(), fixes.last()) {
            (Some(newest), Some(oldest)) => seconds_between(oldest.time(), newest.time()),
            _ => 0.0,
        };
        let enough = fixes.len() >= policy.min_dwell_fixes() as usize;
        if enough && secs >= policy.min_dwell_secs() {
            return Some(Self { fixes, secs });
        }
        reasons.push(Reason::InsufficientDwell {
            fixes: fixes.len(),
            secs,
            min_fixes: policy.min_dwell_fixes(),
            min_secs: policy.min_dwell_secs(),
        });
        None
    }

    fn into_verdict(self, target: Option<GeoPoint>) -> Verdict {
        let newest = self.fixes[0];
        match target {
            Some(target) => Verdict::Allowed {
                distance_m: newest.point().distance_m(&target),
                accuracy_m: newest.accuracy_m(),
                fixes_used: self.fixes.len(),
                dwell_secs: self.secs,
            },
            None => {
                let (proposed, accuracy_m) = weighted_mean(&self.fixes);
                Verdict::LocationCapture {
                    proposed,
                    accuracy_m,
                    fixes_used: self.fixes.len(),
                    dwell_secs: self.secs,
                }
            }
        }
    }
}

/// Inverse-variance mean of `fixes` (non-empty, newest first) and their typical accuracy.
/// Longitudes are averaged as offsets from the newest fix so a stay on the antimeridian does not
/// average to the other side of the planet.
fn weighted_mean(fixes: &[&Fix]) -> (GeoPoint, f64) {
    let anchor = fixes[0].point();
    let wrap = |lon: f64| (lon + 180.0).rem_euclid(360.0) - 180.0;
    let (mut sw, mut slat, mut slon) = (0.0, 0.0, 0.0);
    for f in fixes {
        let w = 1.0 / f.accuracy_m().max(1.0).powi(2);
        sw += w;
        slat += w * f.point().lat();
        slon += w * wrap(f.point().lon() - anchor.lon());
    }
    let accuracy_m = (fixes.len() as f64 / sw).sqrt();
    let proposed = GeoPoint::parse(slat / sw, wrap(anchor.lon() + slon / sw)).unwrap_or(anchor);
    (proposed, accuracy_m)
}

#[cfg(test)]
mod tests;
