//! Positions: WGS84 points and the GPS fixes a device records, with the battery state it had.
//!
//! A [`Fix`] is a fact: it is never edited, and a bad one is flagged by [`crate::track`], never
//! dropped. Fixes deserialize from the `track_day.jsonl` line format (`t`, `lat`, `lon`,
//! `accuracy_m`, `speed_ms`, `battery`, `mock`) and validate on the way in.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// A WGS84 point in degrees. Latitude in [-90, 90], longitude in [-180, 180], both finite.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawPoint", into = "RawPoint")]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
}

#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct RawPoint {
    lat: f64,
    lon: f64,
}

#[cfg(feature = "openapi")]
crate::openapi::schema_via!(GeoPoint, RawPoint);

impl TryFrom<RawPoint> for GeoPoint {
    type Error = ValidationError;
    fn try_from(raw: RawPoint) -> Result<Self, ValidationError> {
        GeoPoint::parse(raw.lat, raw.lon)
    }
}

impl From<GeoPoint> for RawPoint {
    fn from(p: GeoPoint) -> Self {
        RawPoint {
            lat: p.lat,
            lon: p.lon,
        }
    }
}

impl GeoPoint {
    /// Validates a latitude/longitude pair in degrees.
    pub fn parse(lat: f64, lon: f64) -> Result<Self, ValidationError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(ValidationError::new(
                "latitude",
                format!("{lat} is outside -90..90"),
            ));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(ValidationError::new(
                "longitude",
                format!("{lon} is outside -180..180"),
            ));
        }
        Ok(Self { lat, lon })
    }

    /// Latitude in degrees.
    pub fn lat(&self) -> f64 {
        self.lat
    }

    /// Longitude in degrees.
    pub fn lon(&self) -> f64 {
        self.lon
    }

    /// Geodesic distance in metres on the WGS84 ellipsoid (Karney's algorithm, via `geo`).
    pub fn distance_m(&self, other: &GeoPoint) -> f64 {
        use geo::{Distance, Geodesic};
        Geodesic.distance(self.to_geo(), other.to_geo())
    }

    /// The point as a `geo` point (x = longitude, y = latitude).
    pub fn to_geo(&self) -> geo::Point<f64> {
        geo::Point::new(self.lon, self.lat)
    }
}

/// Battery charge as a fraction in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct BatteryLevel(f64);

impl BatteryLevel {
    /// Validates a charge fraction.
    pub fn parse(level: f64) -> Result<Self, ValidationError> {
        if level.is_finite() && (0.0..=1.0).contains(&level) {
            Ok(Self(level))
        } else {
            Err(ValidationError::new(
                "battery",
                format!("{level} is outside 0..1"),
            ))
        }
    }

    /// The charge fraction.
    pub fn fraction(&self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for BatteryLevel {
    type Error = ValidationError;
    fn try_from(v: f64) -> Result<Self, ValidationError> {
        Self::parse(v)
    }
}

impl From<BatteryLevel> for f64 {
    fn from(b: BatteryLevel) -> f64 {
        b.0
    }
}

/// Which positioning source the OS says produced a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// Satellite positioning.
    Gps,
    /// Cell towers and Wi-Fi.
    Network,
    /// The OS's fused provider (Android) or Core Location (iOS).
    Fused,
    /// The source was not reported (GPX files, OsmAnd senders).
    #[default]
    Unknown,
}

/// One GPS fix as the device recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawFix", into = "RawFix")]
pub struct Fix {
    time: DateTime<Utc>,
    point: GeoPoint,
    accuracy_m: f64,
    speed_ms: Option<f64>,
    heading_deg: Option<f64>,
    altitude_m: Option<f64>,
    battery: Option<BatteryLevel>,
    charging: Option<bool>,
    provider: Provider,
    mock: bool,
}

/// The unvalidated shape of a fix, as it travels in JSON (and in `track_day.jsonl`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RawFix {
    /// Time of the fix, UTC.
    pub t: DateTime<Utc>,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Horizontal accuracy (68 % radius), metres.
    pub accuracy_m: f64,
    /// Ground speed, m/s, when known.
    #[serde(default)]
    pub speed_ms: Option<f64>,
    /// Course over ground, degrees from north, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading_deg: Option<f64>,
    /// Altitude above the ellipsoid, metres, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub altitude_m: Option<f64>,
    /// Battery charge fraction, when known.
    #[serde(default)]
    pub battery: Option<f64>,
    /// Whether the device was charging, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charging: Option<bool>,
    /// The positioning source.
    #[serde(default)]
    pub provider: Provider,
    /// The OS reported a mock-location provider.
    #[serde(default)]
    pub mock: bool,
}

#[cfg(feature = "openapi")]
crate::openapi::schema_via!(Fix, RawFix);

impl TryFrom<RawFix> for Fix {
    type Error = ValidationError;
    fn try_from(r: RawFix) -> Result<Self, ValidationError> {
        if !r.accuracy_m.is_finite() || r.accuracy_m < 0.0 {
            return Err(ValidationError::new(
                "accuracy_m",
                format!("{} is not a non-negative distance", r.accuracy_m),
            ));
        }
        let opt = |field: &'static str, v: Option<f64>, ok: fn(f64) -> bool| match v {
            Some(x) if !ok(x) => Err(ValidationError::new(field, format!("{x} is out of range"))),
            _ => Ok(v),
        };
        Ok(Fix {
            time: r.t,
            point: GeoPoint::parse(r.lat, r.lon)?,
            accuracy_m: r.accuracy_m,
            speed_ms: opt("speed_ms", r.speed_ms, |x| x.is_finite() && x >= 0.0)?,
            heading_deg: opt("heading_deg", r.heading_deg, |x| {
                x.is_finite() && (0.0..=360.0).contains(&x)
            })?,
            altitude_m: opt("altitude_m", r.altitude_m, f64::is_finite)?,
            battery: r.battery.map(BatteryLevel::parse).transpose()?,
            charging: r.charging,
            provider: r.provider,
            mock: r.mock,
        })
    }
}

impl From<Fix> for RawFix {
    fn from(f: Fix) -> Self {
        RawFix {
            t: f.time,
            lat: f.point.lat,
            lon: f.point.lon,
            accuracy_m: f.accuracy_m,
            speed_ms: f.speed_ms,
            heading_deg: f.heading_deg,
            altitude_m: f.altitude_m,
            battery: f.battery.map(f64::from),
            charging: f.charging,
            provider: f.provider,
            mock: f.mock,
        }
    }
}

impl Fix {
    /// A minimal valid fix: time, point and accuracy; everything else unknown.
    pub fn new(
        time: DateTime<Utc>,
        point: GeoPoint,
        accuracy_m: f64,
    ) -> Result<Self, ValidationError> {
        Fix::try_from(RawFix {
            t: time,
            lat: point.lat,
            lon: point.lon,
            accuracy_m,
            speed_ms: None,
            heading_deg: None,
            altitude_m: None,
            battery: None,
            charging: None,
            provider: Provider::Unknown,
            mock: false,
        })
    }

    /// The same fix marked as coming from a mock-location provider (or not).
    pub fn with_mock(mut self, mock: bool) -> Self {
        self.mock = mock;
        self
    }

    /// The same fix with a battery state.
    pub fn with_battery(mut self, battery: Option<BatteryLevel>, charging: Option<bool>) -> Self {
        self.battery = battery;
        self.charging = charging;
        self
    }

    /// When the fix was taken (UTC).
    pub fn time(&self) -> DateTime<Utc> {
        self.time
    }
    /// Where.
    pub fn point(&self) -> GeoPoint {
        self.point
    }
    /// Horizontal accuracy radius in metres.
    pub fn accuracy_m(&self) -> f64 {
        self.accuracy_m
    }
    /// Reported ground speed in m/s.
    pub fn speed_ms(&self) -> Option<f64> {
        self.speed_ms
    }
    /// Reported heading in degrees.
    pub fn heading_deg(&self) -> Option<f64> {
        self.heading_deg
    }
    /// Reported altitude in metres.
    pub fn altitude_m(&self) -> Option<f64> {
        self.altitude_m
    }
    /// Battery level at the time of the fix.
    pub fn battery(&self) -> Option<BatteryLevel> {
        self.battery
    }
    /// Whether the device was charging.
    pub fn charging(&self) -> Option<bool> {
        self.charging
    }
    /// Positioning source.
    pub fn provider(&self) -> Provider {
        self.provider
    }
    /// Whether the OS flagged the fix as coming from a mock-location provider.
    pub fn is_mock(&self) -> bool {
        self.mock
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixture_line_parses_into_a_fix() {
        let line = r#"{"t": "2026-11-24T13:00:00Z", "lat": 4.6076527, "lon": -74.1218349, "accuracy_m": 8.9, "speed_ms": null, "battery": 0.97, "mock": false}"#;
        let fix: Fix = serde_json::from_str(line).unwrap();
        assert_eq!(fix.point().lat(), 4.6076527);
        assert_eq!(fix.battery().unwrap().fraction(), 0.97);
        assert!(!fix.is_mock());
    }

    #[test]
    fn out_of_range_values_are_refused_with_the_field_named() {
        for (json, field) in [
            (
                r#"{"t":"2026-11-24T13:00:00Z","lat":91,"lon":0,"accuracy_m":1}"#,
                "latitude",
            ),
            (
                r#"{"t":"2026-11-24T13:00:00Z","lat":0,"lon":181,"accuracy_m":1}"#,
                "longitude",
            ),
            (
                r#"{"t":"2026-11-24T13:00:00Z","lat":0,"lon":0,"accuracy_m":-1}"#,
                "accuracy_m",
            ),
            (
                r#"{"t":"2026-11-24T13:00:00Z","lat":0,"lon":0,"accuracy_m":1,"battery":1.5}"#,
                "battery",
            ),
        ] {
            let err = serde_json::from_str::<Fix>(json).unwrap_err().to_string();
            assert!(err.contains(field), "{json}: {err}");
        }
    }

    #[test]
    fn unknown_fields_are_refused() {
        let json = r#"{"t":"2026-11-24T13:00:00Z","lat":0,"lon":0,"accuracy_m":1,"altitud":3}"#;
        assert!(serde_json::from_str::<Fix>(json).is_err());
    }

    #[test]
    fn distance_between_two_bogota_points_is_geodesic() {
        let a = GeoPoint::parse(4.60772, -74.121898).unwrap();
        let b = GeoPoint::parse(4.60772, -74.120898).unwrap();
        // 0.001 degree of longitude at 4.6° N is about 110.9 m.
        assert!(
            (a.distance_m(&b) - 110.9).abs() < 0.5,
            "{}",
            a.distance_m(&b)
        );
    }
}
