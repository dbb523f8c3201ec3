//! The live map's first load: for every active collector the caller may see (the rules of
//! [`super::scope`], each role's read led by its own scope: see `rows`), the newest position,
//! today's track (the clean fixes the shared track filter keeps, simplified for drawing), today's
//! stops with their visit status, and the day's refused check-ins. Days are the organization's
//! local days; another day than today can be asked for (a supervisor looking back). The live feed
//! carries every change after this load; nothing here is pushed anywhere.

use anyhow::Context;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use terreno_shared::model::VisitStatus;

use super::sessions::Session;
use crate::db::live_reads::Position;

mod rows;

/// How many stops a collector has, and how many of them are visited (a terminal status).
fn stop_totals(stops: &[MapStop]) -> (i64, i64) {
    let done = stops
        .iter()
        .filter(|s| s.status.parse().is_ok_and(VisitStatus::is_terminal))
        .count();
    (stops.len() as i64, done as i64)
}

#[cfg(test)]
pub(crate) use rows::plan_reads;

/// Above this many collectors the first load carries each one's position and stop counts but
/// not their tracks and stops, which the map asks for one collector at a time: a supervisor's
/// teams fit under it and see everything at once; an organization of thousands loads in a
/// fraction of a second and a couple of megabytes (see `docs/benchmarks.md`).
pub const DETAIL_LIMIT: usize = 50;

/// Douglas-Peucker tolerance of a drawn track, metres: below a city block, so the drawn line
/// still follows the streets, while a day of fixes shrinks to a few hundred points.
pub const TRACK_TOLERANCE_M: f64 = 15.0;

/// One collector on the map.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MapCollector {
    /// Login name (the live feed's `username`).
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// Team name.
    pub team: Option<String>,
    /// The newest position of any of their devices (the live feed's `position` shape).
    pub position: Option<Position>,
    /// Whether `track` and `stops` are filled in (else ask with `username`).
    pub detail: bool,
    /// Today's track, simplified: `[lat, lon]` pairs in time order.
    #[schema(value_type = Vec<Vec<f64>>)]
    pub track: Vec<[f64; 2]>,
    /// Today's stops, in route order.
    pub stops: Vec<MapStop>,
    /// How many stops today's route has.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub stops_total: i64,
    /// How many of them were visited (done, not done or cancelled).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub stops_done: i64,
}

/// A stop of today's route.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MapStop {
    /// Account id (the live feed's `account`).
    pub account: String,
    /// The agency's code for the account.
    pub external_id: String,
    /// Debtor's name.
    pub debtor: String,
    /// Address.
    pub address: String,
    /// Latitude, when the debtor has a location.
    pub lat: Option<f64>,
    /// Longitude, when the debtor has a location.
    pub lon: Option<f64>,
    /// Position in the route (from 0).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub position: i64,
    /// The visit's status (`planned` while no visit exists).
    pub status: String,
    /// The visit's outcome, once submitted.
    pub outcome: Option<String>,
}

/// A check-in the server refused today.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MapRefusal {
    /// Visit.
    pub visit: String,
    /// Account.
    pub account: String,
    /// Collector's login.
    pub username: String,
    /// Debtor's name.
    pub debtor: String,
    /// The debtor's location (where the check-in was attempted), when known.
    pub lat: Option<f64>,
    /// See `lat`.
    pub lon: Option<f64>,
    /// When (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
    /// The server's verdict, with its reasons.
    #[schema(value_type = terreno_shared::geofence::Verdict)]
    #[cfg_attr(feature = "ts", ts(as = "terreno_shared::geofence::Verdict"))]
    pub server_verdict: serde_json::Value,
}

/// Everything the map draws at first.
#[derive(Debug, Clone, Serialize)]
pub struct MapData {
    /// The organization's local date the tracks, stops and refusals are of.
    pub date: NaiveDate,
    /// Collectors, by login name.
    pub collectors: Vec<MapCollector>,
    /// Today's refused check-ins, oldest first.
    pub refused: Vec<MapRefusal>,
}

pub(super) fn time(ms: i64) -> anyhow::Result<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).with_context(|| format!("stored time {ms}"))
}

/// The local day of `now` in `tz`.
fn today(now_ms: i64, tz: Tz) -> anyhow::Result<NaiveDate> {
    Ok(time(now_ms)?.with_timezone(&tz).date_naive())
}

/// The bounds of local day `date` in `tz`, in Unix ms (a DST day may last 23 or 25 hours).
pub(super) fn day_bounds(date: NaiveDate, tz: Tz) -> anyhow::Result<(i64, i64)> {
    let start = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map(|t| t.timestamp_millis())
            .with_context(|| format!("the start of {d} in {tz}"))
    };
    let next = date.succ_opt().context("the day after the map's")?;
    Ok((start(date)?, start(next)?))
}

area! {
    /// The supervisor's map.
    Map, map
}

impl Map<'_> {
    /// The map of `who`'s scope as of `now_ms`: the newest positions, and the tracks, stops and
    /// refusals of `date` (default: the organization's today). With `username`, only that
    /// collector (always in detail); without, every collector, in detail up to
    /// [`DETAIL_LIMIT`].
    // Long: one read per part of the map, with the detail-or-counts choice between them.
    pub async fn data(
        &self,
        who: &Session,
        now_ms: i64,
        date: Option<NaiveDate>,
        username: Option<&str>,
    ) -> anyhow::Result<MapData> {
        let org = who.org_id.to_string();
        let tz = self.org_zone(&org).await?;
        let date = match date {
            Some(d) => d,
            None => today(now_ms, tz)?,
        };
        let (from_ms, to_ms) = day_bounds(date, tz)?;
        let mut collectors = self.map_collectors(who, username).await?;
        // One collector asked for: the rest of the reads go by their id (an index lookup).
        let only_user = match (username, collectors.as_slice()) {
            (None, _) => None,
            (Some(_), [(id, _)]) => Some(id.clone()),
            (Some(_), _) => {
                return Ok(MapData {
                    date,
                    collectors: Vec::new(),
                    refused: Vec::new(),
                });
            }
        };
        let only_user = only_user.as_deref();
        let mut positions = self.map_positions(who, only_user).await?;
        let detail = username.is_some() || collectors.len() <= DETAIL_LIMIT;
        let (mut tracks, mut stops, mut counts) = if detail {
            (
                self.map_tracks(who, from_ms, to_ms, only_user).await?,
                self.map_stops(who, date, only_user).await?,
                Default::default(),
            )
        } else {
            (
                Default::default(),
                Default::default(),
                self.map_stop_counts(who, date).await?,
            )
        };
        for (id, c) in &mut collectors {
            c.position = positions.remove(id.as_str());
            c.detail = detail;
            c.track = tracks.remove(id.as_str()).unwrap_or_default();
            c.stops = stops.remove(id.as_str()).unwrap_or_default();
            (c.stops_total, c.stops_done) = match detail {
                true => stop_totals(&c.stops),
                false => counts.remove(id.as_str()).unwrap_or_default(),
            };
        }
        Ok(MapData {
            date,
            collectors: collectors.into_iter().map(|(_, c)| c).collect(),
            refused: self.map_refusals(who, from_ms, to_ms, only_user).await?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_organizations_local_day() {
        // 2026-11-25 03:00 UTC is still the 24th in Bogotá (UTC-5).
        let now = Utc
            .with_ymd_and_hms(2026, 11, 25, 3, 0, 0)
            .unwrap()
            .timestamp_millis();

        let date = today(now, chrono_tz::America::Bogota).unwrap();
        let (from, to) = day_bounds(date, chrono_tz::America::Bogota).unwrap();

        assert_eq!(date, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        let at = |h| {
            Utc.with_ymd_and_hms(2026, 11, 24, h, 0, 0)
                .unwrap()
                .timestamp_millis()
        };
        assert_eq!(from, at(5), "local midnight is 05:00 UTC");
        assert_eq!(to - from, 24 * 3_600_000);
    }

    #[test]
    fn a_daylight_saving_day_has_its_real_length() {
        // Madrid moved its clocks forward on 2026-03-29: that day lasted 23 hours.
        let date = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();

        let (from, to) = day_bounds(date, chrono_tz::Europe::Madrid).unwrap();

        assert_eq!(to - from, 23 * 3_600_000);
    }
}
