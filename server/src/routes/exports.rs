//! `GET /api/v1/exports/...`: the dashboard's downloads, within the caller's scope (the visits
//! list's rules). Visits of a range of the organization's local days as CSV, XLSX or GeoJSON;
//! one local day of tracks as GPX or GeoJSON. Bodies are streamed as they are read (see
//! [`crate::export`]), each with a `Content-Disposition` file name.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde::Deserialize;
use terreno_shared::api::ErrorBody;
use utoipa::{IntoParams, OpenApi};

use crate::error::{ApiError, ApiResult};
use crate::export::tracks::{TrackFormat, TrackRequest};
use crate::export::visits::VisitFormat;
use crate::export::{self, stream_body};
use crate::extract::AuthUser;
use crate::state::AppState;

/// The longest range of days one visits export covers (a year, with a leap day).
const MAX_DAYS: i64 = 366;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new()
        .route("/api/v1/exports/visits.csv", get(visits_csv))
        .route("/api/v1/exports/visits.xlsx", get(visits_xlsx))
        .route("/api/v1/exports/visits.geojson", get(visits_geojson))
        .route("/api/v1/exports/tracks.gpx", get(tracks_gpx))
        .route("/api/v1/exports/tracks.geojson", get(tracks_geojson))
}

#[derive(OpenApi)]
#[openapi(paths(visits_csv, visits_xlsx, visits_geojson, tracks_gpx, tracks_geojson))]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// The days of a visits export, both included.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitsQuery {
    /// First local day (YYYY-MM-DD).
    from: String,
    /// Last local day (YYYY-MM-DD), at most 366 days after `from`.
    to: String,
}

/// Whose track and which day.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TracksQuery {
    /// A collector's username; absent or empty: every collector the caller may see.
    collector: Option<String>,
    /// The local day (YYYY-MM-DD).
    date: String,
}

/// Visits as CSV (UTF-8 with BOM; cells starting with `= + - @`, tab or CR get a leading `'`).
#[utoipa::path(get, path = "/api/v1/exports/visits.csv", tag = "exports", params(VisitsQuery),
    responses((status = 200, description = "visits, oldest first: id, external_id, debtor_name, \
            collector, status, outcome, checked_in_at, completed_at (local), promise, payment, \
            check-in verdicts, lat, lon", content_type = "text/csv", body = String),
        (status = 400, description = "`bad_request`: a day that cannot be read, or a range \
            backwards or over a year", body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn visits_csv(
    state: State<AppState>,
    who: AuthUser,
    query: Query<VisitsQuery>,
) -> ApiResult<Response> {
    visits(state, who, query, VisitFormat::Csv).await
}

/// Visits as an Excel workbook: the CSV's columns, amounts and coordinates as numbers.
#[utoipa::path(get, path = "/api/v1/exports/visits.xlsx", tag = "exports", params(VisitsQuery),
    responses((status = 200, description = "one sheet, `visits`, with the CSV's columns",
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            body = Vec<u8>),
        (status = 400, description = "`bad_request`: see visits.csv", body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn visits_xlsx(
    state: State<AppState>,
    who: AuthUser,
    query: Query<VisitsQuery>,
) -> ApiResult<Response> {
    visits(state, who, query, VisitFormat::Xlsx).await
}

/// Visits as a GeoJSON FeatureCollection (a point at the debtor's location, when known).
#[utoipa::path(get, path = "/api/v1/exports/visits.geojson", tag = "exports",
    params(VisitsQuery),
    responses((status = 200, description = "one Feature per visit, the CSV's columns as \
            properties", content_type = "application/geo+json",
            body = crate::schemas::VisitFeatureCollectionDoc),
        (status = 400, description = "`bad_request`: see visits.csv", body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn visits_geojson(
    state: State<AppState>,
    who: AuthUser,
    query: Query<VisitsQuery>,
) -> ApiResult<Response> {
    visits(state, who, query, VisitFormat::GeoJson).await
}

/// Tracks of a local day as GPX 1.1, one `trk` per collector.
#[utoipa::path(get, path = "/api/v1/exports/tracks.gpx", tag = "exports", params(TracksQuery),
    responses((status = 200, description = "every stored fix of the day",
            content_type = "application/gpx+xml", body = String),
        (status = 400, description = "`bad_request`: a date that cannot be read",
            body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn tracks_gpx(
    state: State<AppState>,
    who: AuthUser,
    query: Query<TracksQuery>,
) -> ApiResult<Response> {
    tracks(state, who, query, TrackFormat::Gpx).await
}

/// Tracks of a local day as GeoJSON, one LineString per collector.
#[utoipa::path(get, path = "/api/v1/exports/tracks.geojson", tag = "exports",
    params(TracksQuery),
    responses((status = 200, description = "one Feature per collector, fix times in \
            `properties.times`", content_type = "application/geo+json",
            body = crate::schemas::TrackFeatureCollectionDoc),
        (status = 400, description = "`bad_request`: a date that cannot be read",
            body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn tracks_geojson(
    state: State<AppState>,
    who: AuthUser,
    query: Query<TracksQuery>,
) -> ApiResult<Response> {
    tracks(state, who, query, TrackFormat::GeoJson).await
}

async fn visits(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Query(q): Query<VisitsQuery>,
    format: VisitFormat,
) -> ApiResult<Response> {
    let (from, to) = day_range("exporting visits", &q.from, &q.to)?;
    let (tz, range) = state.db.exports().range(&who, from, to).await?;
    let db = state.db.clone();
    let body = stream_body("visits", move |sink| {
        export::visits::write(db, who, range, tz, format, sink)
    });
    let (kind, ext) = match format {
        VisitFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        VisitFormat::GeoJson => ("application/geo+json", "geojson"),
        VisitFormat::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    Ok(download(kind, &format!("visits_{from}_{to}.{ext}"), body))
}

async fn tracks(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Query(q): Query<TracksQuery>,
    format: TrackFormat,
) -> ApiResult<Response> {
    let date = day("date", &q.date)?;
    let collector = q
        .collector
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    let (_, range) = state.db.exports().range(&who, date, date).await?;
    let name = match &collector {
        Some(c) => format!("track_{}_{date}", file_safe(c)),
        None => format!("tracks_{date}"),
    };
    let req = TrackRequest {
        who,
        collector,
        range,
        date,
    };
    let db = state.db.clone();
    let body = stream_body("tracks", move |sink| {
        export::tracks::write(db, req, format, sink)
    });
    let (kind, ext) = match format {
        TrackFormat::Gpx => ("application/gpx+xml", "gpx"),
        TrackFormat::GeoJson => ("application/geo+json", "geojson"),
    };
    Ok(download(kind, &format!("{name}.{ext}"), body))
}

fn day(name: &str, text: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| ApiError::bad_request(format!("exporting: {name} {text:?} is not YYYY-MM-DD")))
}

/// The local days `from..=to` of a query, read and checked: forwards, at most [`MAX_DAYS`].
/// `doing` starts the error message.
pub(super) fn day_range(doing: &str, from: &str, to: &str) -> ApiResult<(NaiveDate, NaiveDate)> {
    let parse = |name: &str, text: &str| {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
            ApiError::bad_request(format!("{doing}: {name} {text:?} is not YYYY-MM-DD"))
        })
    };
    let (from, to) = (parse("from", from)?, parse("to", to)?);
    if !(0..MAX_DAYS).contains(&(to - from).num_days()) {
        return Err(ApiError::bad_request(format!(
            "{doing}: from {from} to {to} must run forwards and cover at most {MAX_DAYS} days"
        )));
    }
    Ok((from, to))
}

/// A username reduced to characters every file system and header accepts.
fn file_safe(text: &str) -> String {
    text.chars()
        .map(
            |c| match c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                true => c,
                false => '_',
            },
        )
        .collect()
}

fn download(kind: &'static str, file: &str, body: axum::body::Body) -> Response {
    let disposition = format!("attachment; filename=\"{file}\"");
    (
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}
