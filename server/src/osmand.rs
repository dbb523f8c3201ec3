//! The OsmAnd protocol as Traccar documents and decodes it, so an unmodified Traccar Client (or
//! any OsmAnd sender) can report positions. Parsing only: a request becomes a [`Report`] (the
//! sender's identifier, a validated [`Fix`] and the extra keys as attributes) or an
//! [`OsmandError`] that names the key and the value.
//!
//! Two forms:
//! - query string (GET, or POST with the same pairs): `id` (or `deviceid`), `lat` and `lon` or
//!   `location=LAT,LON`, `timestamp` in seconds, milliseconds or ISO 8601 (absent: the time of
//!   receipt), `speed` in knots, `bearing` or `heading`, `altitude`, `accuracy`, `hdop`, `batt`
//!   in percent, `charge`; any other key is kept as an attribute;
//! - JSON (Traccar Client 8+): `device_id`, `location.timestamp`, `location.coords{latitude,
//!   longitude, accuracy, speed (m/s), heading, altitude}`, `location.battery{level (0–1),
//!   is_charging}`, `location.is_moving`, `location.mock` or a top-level `mock`.
//!
//! Decisions: a fix needs a horizontal accuracy; without `accuracy`, it is `hdop` × 5 m (the
//! usual user-equivalent range error), and a report with neither is refused rather than given
//! an invented accuracy. Negative `speed`, `bearing` or `accuracy` (senders use -1 for
//! "unknown") are treated as absent. `valid=false` reports are refused: Traccar stores them as
//! invalid, and Terreno has no use for a fix its own sender distrusts.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;
use terreno_shared::model::{Fix, Provider, RawFix};

/// Metres per unit of HDOP (user-equivalent range error) when no accuracy is sent.
pub const METRES_PER_HDOP: f64 = 5.0;

const KNOT_MS: f64 = 1852.0 / 3600.0;

/// A parsed position report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The sender's identifier (Traccar's "device identifier").
    pub ident: String,
    /// The fix.
    pub fix: Fix,
    /// Keys the protocol does not define, as sent.
    pub attributes: BTreeMap<String, String>,
}

/// Why a report cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OsmandError {
    /// A required key is absent.
    #[error("the report has no {0}")]
    Missing(&'static str),
    /// A key's value cannot be used.
    #[error("{key}={value:?}: {reason}")]
    Bad {
        /// The key.
        key: String,
        /// Its value.
        value: String,
        /// Why.
        reason: String,
    },
    /// The values do not make a valid fix (a latitude out of range...).
    #[error("{field}: {reason}")]
    Invalid {
        /// The fix's field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The JSON form is not JSON of the documented shape.
    #[error("the JSON report is not readable: {0}")]
    Json(String),
}

fn bad(key: &str, value: &str, reason: impl Into<String>) -> OsmandError {
    OsmandError::Bad {
        key: key.to_owned(),
        value: value.to_owned(),
        reason: reason.into(),
    }
}

fn number(key: &str, value: &str) -> Result<f64, OsmandError> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| bad(key, value, "is not a number"))
}

/// A known value: senders write -1 (or leave it out) for "unknown".
fn known(v: Option<f64>) -> Option<f64> {
    v.filter(|v| *v >= 0.0)
}

fn boolean(key: &str, value: &str) -> Result<bool, OsmandError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(bad(key, value, "is not true or false")),
    }
}

/// `timestamp`: seconds or milliseconds since 1970, or an ISO 8601 / `yyyy-MM-dd HH:mm:ss`
/// (UTC) time.
fn timestamp(key: &str, value: &str) -> Result<DateTime<Utc>, OsmandError> {
    let v = value.trim();
    if let Ok(n) = v.parse::<i64>() {
        // Traccar's rule: below 2^31 it is seconds.
        let ms = if n < i64::from(i32::MAX) {
            n.checked_mul(1000)
        } else {
            Some(n)
        };
        return ms
            .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
            .ok_or_else(|| bad(key, value, "is out of range"));
    }
    if let Ok(n) = v.parse::<f64>() {
        if (0.0..1e11).contains(&n) {
            let ms = (n * 1000.0).round() as i64;
            if let Some(t) = Utc.timestamp_millis_opt(ms).single() {
                return Ok(t);
            }
        }
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S")
        .map(|t| t.and_utc())
        .map_err(|_| {
            bad(
                key,
                value,
                "is not seconds, milliseconds or an ISO 8601 time",
            )
        })
}

fn fix(raw: RawFix) -> Result<Fix, OsmandError> {
    Fix::try_from(raw).map_err(|e| OsmandError::Invalid {
        field: e.field,
        reason: e.reason,
    })
}

/// The query-string form (`pairs` as decoded from the URL or the form body).
// Long: one arm per OsmAnd parameter, as Traccar documents them.
pub fn parse_query(pairs: &[(String, String)], now: DateTime<Utc>) -> Result<Report, OsmandError> {
    let mut ident = None;
    let (mut lat, mut lon) = (None, None);
    let mut time = None;
    let (mut speed, mut heading, mut altitude) = (None, None, None);
    let (mut accuracy, mut hdop) = (None, None);
    let (mut battery, mut charging) = (None, None);
    let mut mock = false;
    let mut attributes = BTreeMap::new();
    for (key, value) in pairs {
        let k = key.as_str();
        match k {
            "id" | "deviceid" => ident = Some(value.trim().to_owned()),
            "lat" => lat = Some(number(k, value)?),
            "lon" => lon = Some(number(k, value)?),
            "location" => {
                let (a, b) = value
                    .split_once(',')
                    .ok_or_else(|| bad(k, value, "is not LAT,LON"))?;
                lat = Some(number(k, a)?);
                lon = Some(number(k, b)?);
            }
            "timestamp" => time = Some(timestamp(k, value)?),
            "speed" => speed = known(Some(number(k, value)?)).map(|kn| kn * KNOT_MS),
            "bearing" | "heading" => heading = known(Some(number(k, value)?)),
            "altitude" => altitude = Some(number(k, value)?),
            "accuracy" => accuracy = known(Some(number(k, value)?)),
            "hdop" => hdop = known(Some(number(k, value)?)),
            "batt" => {
                let pct = number(k, value)?;
                if !(0.0..=100.0).contains(&pct) {
                    return Err(bad(k, value, "is not a percentage"));
                }
                battery = Some(pct / 100.0);
            }
            "charge" => charging = Some(boolean(k, value)?),
            "mock" => mock = boolean(k, value)?,
            "valid" if !boolean(k, value)? => {
                return Err(bad(k, value, "the sender marks the fix invalid"));
            }
            "valid" => {}
            _ => {
                attributes.insert(key.clone(), value.clone());
            }
        }
    }
    let ident = ident
        .filter(|i| !i.is_empty())
        .ok_or(OsmandError::Missing("id"))?;
    let accuracy_m = accuracy
        .or(hdop.map(|h| h * METRES_PER_HDOP))
        .ok_or(OsmandError::Missing("accuracy or hdop"))?;
    let raw = RawFix {
        t: time.unwrap_or(now),
        lat: lat.ok_or(OsmandError::Missing("lat"))?,
        lon: lon.ok_or(OsmandError::Missing("lon"))?,
        accuracy_m,
        speed_ms: speed,
        heading_deg: heading.map(|h| h % 360.0),
        altitude_m: altitude,
        battery,
        charging,
        provider: Provider::Unknown,
        mock,
    };
    Ok(Report {
        ident,
        fix: fix(raw)?,
        attributes,
    })
}

/// The JSON form.
// Long: one field per OsmAnd JSON member, as Traccar documents them.
pub fn parse_json(body: &[u8], now: DateTime<Utc>) -> Result<Report, OsmandError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| OsmandError::Json(e.to_string()))?;
    let ident = match &v["device_id"] {
        Value::String(s) if !s.trim().is_empty() => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return Err(OsmandError::Missing("device_id")),
    };
    let loc = &v["location"];
    if !loc.is_object() {
        return Err(OsmandError::Missing("location"));
    }
    let coords = &loc["coords"];
    let num = |v: &Value, key: &str| -> Result<Option<f64>, OsmandError> {
        match v {
            Value::Null => Ok(None),
            Value::Number(n) => n
                .as_f64()
                .filter(|f| f.is_finite())
                .map(Some)
                .ok_or_else(|| bad(key, &n.to_string(), "is not a number")),
            other => Err(bad(key, &other.to_string(), "is not a number")),
        }
    };
    let time = match &loc["timestamp"] {
        Value::Null => now,
        Value::String(s) => timestamp("location.timestamp", s)?,
        Value::Number(n) => timestamp("location.timestamp", &n.to_string())?,
        other => {
            return Err(bad(
                "location.timestamp",
                &other.to_string(),
                "is not a time",
            ));
        }
    };
    let flag = |v: &Value, key: &str| -> Result<Option<bool>, OsmandError> {
        match v {
            Value::Null => Ok(None),
            Value::Bool(b) => Ok(Some(*b)),
            other => Err(bad(key, &other.to_string(), "is not true or false")),
        }
    };
    let mock = flag(&loc["mock"], "location.mock")?
        .or(flag(&v["mock"], "mock")?)
        .unwrap_or(false);
    let raw = RawFix {
        t: time,
        lat: num(&coords["latitude"], "location.coords.latitude")?
            .ok_or(OsmandError::Missing("location.coords.latitude"))?,
        lon: num(&coords["longitude"], "location.coords.longitude")?
            .ok_or(OsmandError::Missing("location.coords.longitude"))?,
        accuracy_m: known(num(&coords["accuracy"], "location.coords.accuracy")?)
            .ok_or(OsmandError::Missing("location.coords.accuracy"))?,
        speed_ms: known(num(&coords["speed"], "location.coords.speed")?),
        heading_deg: known(num(&coords["heading"], "location.coords.heading")?).map(|h| h % 360.0),
        altitude_m: num(&coords["altitude"], "location.coords.altitude")?,
        battery: known(num(&loc["battery"]["level"], "location.battery.level")?),
        charging: flag(
            &loc["battery"]["is_charging"],
            "location.battery.is_charging",
        )?,
        provider: Provider::Unknown,
        mock,
    };
    let mut attributes = BTreeMap::new();
    if let Some(moving) = flag(&loc["is_moving"], "location.is_moving")? {
        attributes.insert("is_moving".to_owned(), moving.to_string());
    }
    for key in ["event", "odometer"] {
        if let Some(x) = loc.get(key).filter(|x| !x.is_null()) {
            attributes.insert(key.to_owned(), x.to_string());
        }
    }
    Ok(Report {
        ident,
        fix: fix(raw)?,
        attributes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &str) -> Vec<(String, String)> {
        q.split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap()
    }

    #[test]
    fn the_traccar_client_query_form_reads_every_documented_key() {
        let r = parse_query(
            &pairs(
                "id=123456&timestamp=1764590400&lat=4.6076527&lon=-74.1218349&speed=10\
                 &bearing=90&altitude=2600&accuracy=8.9&batt=97&charge=true&driverUniqueId=x",
            ),
            now(),
        )
        .unwrap();
        assert_eq!(r.ident, "123456");
        let f = &r.fix;
        assert_eq!(f.time().timestamp(), 1_764_590_400);
        assert_eq!((f.point().lat(), f.point().lon()), (4.6076527, -74.1218349));
        assert!(
            (f.speed_ms().unwrap() - 5.144_444).abs() < 1e-5,
            "knots to m/s"
        );
        assert_eq!(f.heading_deg(), Some(90.0));
        assert_eq!(f.altitude_m(), Some(2600.0));
        assert_eq!(f.accuracy_m(), 8.9);
        assert_eq!(f.battery().map(|b| b.fraction()), Some(0.97));
        assert_eq!(f.charging(), Some(true));
        assert!(!f.is_mock());
        assert_eq!(
            r.attributes.get("driverUniqueId").map(String::as_str),
            Some("x")
        );
    }

    #[test]
    fn location_milliseconds_iso_times_and_hdop_are_understood() {
        let r = parse_query(
            &pairs("deviceid=a&location=4.6,-74.1&timestamp=1764590400123&hdop=2"),
            now(),
        )
        .unwrap();
        assert_eq!(r.fix.time().timestamp_millis(), 1_764_590_400_123);
        assert_eq!(r.fix.accuracy_m(), 10.0);
        let iso = parse_query(
            &pairs("id=a&lat=1&lon=2&accuracy=5&timestamp=2026-11-24T13:00:05Z"),
            now(),
        )
        .unwrap();
        assert_eq!(iso.fix.time().to_rfc3339(), "2026-11-24T13:00:05+00:00");
        let plain = parse_query(
            &pairs("id=a&lat=1&lon=2&accuracy=5&timestamp=2026-11-24 13:00:05"),
            now(),
        )
        .unwrap();
        assert_eq!(plain.fix.time(), iso.fix.time());
        let untimed = parse_query(&pairs("id=a&lat=1&lon=2&accuracy=5"), now()).unwrap();
        assert_eq!(untimed.fix.time(), now(), "absent: the time of receipt");
    }

    #[test]
    fn bad_reports_name_the_key_and_the_value() {
        let cases = [
            ("lat=1&lon=2&accuracy=5", "the report has no id"),
            ("id=a&lon=2&accuracy=5", "the report has no lat"),
            ("id=a&lat=1&lon=2", "the report has no accuracy or hdop"),
            (
                "id=a&lat=norte&lon=2&accuracy=5",
                "lat=\"norte\": is not a number",
            ),
            ("id=a&lat=91&lon=2&accuracy=5", "latitude"),
            (
                "id=a&lat=1&lon=2&accuracy=5&batt=140",
                "batt=\"140\": is not a percentage",
            ),
            (
                "id=a&lat=1&lon=2&accuracy=5&timestamp=ayer",
                "timestamp=\"ayer\"",
            ),
            ("id=a&lat=1&lon=2&accuracy=5&valid=false", "invalid"),
        ];
        for (q, want) in cases {
            let e = parse_query(&pairs(q), now()).unwrap_err().to_string();
            assert!(e.contains(want), "{q}: {e}");
        }
    }

    #[test]
    fn unknown_values_of_minus_one_are_absent() {
        let r = parse_query(
            &pairs("id=a&lat=1&lon=2&accuracy=5&speed=-1&bearing=-1"),
            now(),
        )
        .unwrap();
        assert_eq!((r.fix.speed_ms(), r.fix.heading_deg()), (None, None));
    }

    #[test]
    fn the_json_form_reads_coords_battery_and_mock() {
        let body = br#"{"device_id":"123456","location":{"timestamp":"2026-11-24T13:00:05.000Z",
            "coords":{"latitude":4.6077277,"longitude":-74.1219198,"accuracy":15.3,"speed":2.5,
            "heading":180,"altitude":2600},"is_moving":true,"event":"motionchange",
            "battery":{"level":0.97,"is_charging":false},"mock":true}}"#;
        let r = parse_json(body, now()).unwrap();
        assert_eq!(r.ident, "123456");
        assert_eq!(r.fix.time().to_rfc3339(), "2026-11-24T13:00:05+00:00");
        assert_eq!(r.fix.speed_ms(), Some(2.5), "m/s as sent");
        assert_eq!(r.fix.battery().map(|b| b.fraction()), Some(0.97));
        assert_eq!(r.fix.charging(), Some(false));
        assert!(r.fix.is_mock());
        assert_eq!(
            r.attributes.get("is_moving").map(String::as_str),
            Some("true")
        );
    }

    #[test]
    fn bad_json_reports_say_what_is_missing() {
        assert_eq!(
            parse_json(br#"{"location":{}}"#, now()).unwrap_err(),
            OsmandError::Missing("device_id")
        );
        let e = parse_json(
            br#"{"device_id":"a","location":{"coords":{"latitude":1,"longitude":2}}}"#,
            now(),
        )
        .unwrap_err();
        assert_eq!(e, OsmandError::Missing("location.coords.accuracy"));
        assert!(matches!(
            parse_json(b"{nope", now()),
            Err(OsmandError::Json(_))
        ));
    }
}
