//! The planner's travel assumptions ([`PlanParams`]) and their validation. Owns the defaults;
//! must not plan (that is the parent module's job).

use crate::ValidationError;

/// Validated travel assumptions. Built with [`PlanParams::new`] or [`Default`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanParams {
    travel_speed_ms: f64,
    road_factor: f64,
    service_secs: f64,
}

impl Default for PlanParams {
    /// 6 m/s (about 22 km/h, a motorbike in city traffic), road factor 1.3, 15 minutes a visit.
    fn default() -> Self {
        Self {
            travel_speed_ms: 6.0,
            road_factor: 1.3,
            service_secs: 15.0 * 60.0,
        }
    }
}

impl PlanParams {
    /// Validates the assumptions: speed finite and positive, road factor finite and at least 1
    /// (a road is never shorter than the straight line), service time finite and not negative.
    pub fn new(
        travel_speed_ms: f64,
        road_factor: f64,
        service_secs: f64,
    ) -> Result<Self, ValidationError> {
        if !(travel_speed_ms.is_finite() && travel_speed_ms > 0.0) {
            return Err(ValidationError::new(
                "travel_speed_ms",
                format!("{travel_speed_ms} is not a positive speed"),
            ));
        }
        if !(road_factor.is_finite() && road_factor >= 1.0) {
            return Err(ValidationError::new(
                "road_factor",
                format!("{road_factor} is not a factor of at least 1"),
            ));
        }
        if !(service_secs.is_finite() && service_secs >= 0.0) {
            return Err(ValidationError::new(
                "service_secs",
                format!("{service_secs} is not a duration"),
            ));
        }
        Ok(Self {
            travel_speed_ms,
            road_factor,
            service_secs,
        })
    }

    /// Average travel speed along roads, metres per second.
    pub fn travel_speed_ms(&self) -> f64 {
        self.travel_speed_ms
    }

    /// Road distance over straight-line distance, at least 1.
    pub fn road_factor(&self) -> f64 {
        self.road_factor
    }

    /// Time spent at each visited stop, seconds.
    pub fn service_secs(&self) -> f64 {
        self.service_secs
    }
}
