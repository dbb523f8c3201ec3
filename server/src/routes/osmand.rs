//! `/osmand`: positions from Traccar Client or any OsmAnd sender (protocol in
//! [`crate::osmand`]), by GET or POST, query-string or JSON form, and `POST /api/v1/trackers`
//! to register a sender's identifier for a collector.
//!
//! As Traccar answers: 200 with an empty body when stored; an unknown identifier is 400 for
//! the query form and 404 for the JSON form, and never creates a device; a revoked tracker is
//! 403. A report is authenticated only by its identifier (the protocol has nothing else), which
//! is why identifiers are registered, not created on first sight.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use terreno_shared::api::{ErrorBody, ErrorCode};
use terreno_shared::model::{Role, Username};
use utoipa::{OpenApi, ToSchema};

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::extract::AuthUser;
use crate::osmand::{self, OsmandError, Report};
use crate::state::AppState;
use crate::sync::tracker::record_fix;

/// Routes of this module on the main listener.
pub fn router() -> super::Routes {
    super::Routes::new()
        .route("/osmand", get(report_query).post(report_post))
        .route("/api/v1/trackers", post(add_tracker))
}

/// The dedicated OsmAnd listener (`serve --osmand-listen`): the same reports at `/`.
pub fn listener_router() -> Router<AppState> {
    Router::new().route("/", get(report_query).post(report_post))
}

#[derive(OpenApi)]
#[openapi(
    paths(report_query, report_post, add_tracker),
    components(schemas(NewTracker, TrackerAdded))
)]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// The form body of a report: the query form's keys.
#[derive(ToSchema)]
#[schema(as = OsmandForm)]
#[allow(dead_code)] // Documents the body; it is read as key=value pairs.
struct OsmandFormDoc {
    /// The tracker's identifier (or `deviceid`).
    id: String,
    /// Latitude (or `location=LAT,LON`).
    lat: f64,
    /// Longitude.
    lon: f64,
    /// Seconds, milliseconds or ISO 8601 (absent: the time of receipt).
    timestamp: Option<String>,
    /// Metres (or `hdop`).
    accuracy: Option<f64>,
    /// Knots.
    speed: Option<f64>,
    /// Battery percent.
    batt: Option<f64>,
}

/// The JSON form of a report (Traccar Client 8+).
#[derive(ToSchema)]
#[schema(as = OsmandJson)]
#[allow(dead_code)] // Documents the body; it is read by `osmand::parse_json`.
struct OsmandJsonDoc {
    /// The tracker's identifier.
    device_id: String,
    /// The fix.
    location: OsmandLocationDoc,
    /// A mock-location provider made it.
    mock: Option<bool>,
}

/// The fix of a JSON report.
#[derive(ToSchema)]
#[schema(as = OsmandLocation)]
#[allow(dead_code)]
struct OsmandLocationDoc {
    /// ISO 8601 or Unix seconds or milliseconds (absent: the time of receipt).
    timestamp: Option<String>,
    /// Where.
    coords: OsmandCoordsDoc,
    /// The phone's battery.
    battery: Option<OsmandBatteryDoc>,
    /// Whether the phone was moving.
    is_moving: Option<bool>,
    /// A mock-location provider made it.
    mock: Option<bool>,
}

/// Coordinates of a JSON report.
#[derive(ToSchema)]
#[schema(as = OsmandCoords)]
#[allow(dead_code)]
struct OsmandCoordsDoc {
    /// Degrees.
    latitude: f64,
    /// Degrees.
    longitude: f64,
    /// Metres.
    accuracy: Option<f64>,
    /// Metres per second.
    speed: Option<f64>,
    /// Degrees from north.
    heading: Option<f64>,
    /// Metres.
    altitude: Option<f64>,
}

/// Battery of a JSON report.
#[derive(ToSchema)]
#[schema(as = OsmandBattery)]
#[allow(dead_code)]
struct OsmandBatteryDoc {
    /// Charge fraction, 0 to 1.
    level: Option<f64>,
    /// Whether it was charging.
    is_charging: Option<bool>,
}

/// Which form a report came in: they answer an unknown identifier differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Query,
    Json,
}

/// Reports a position (OsmAnd query form; POST takes the same keys as a form body, or the
/// JSON form).
#[utoipa::path(get, path = "/osmand", tag = "osmand",
    params(
        ("id" = String, Query, description = "the tracker's identifier (or `deviceid`)"),
        ("lat" = f64, Query, description = "latitude (or `location=LAT,LON`)"),
        ("lon" = f64, Query, description = "longitude"),
        ("timestamp" = Option<String>, Query, description = "seconds, milliseconds or ISO 8601"),
        ("accuracy" = Option<f64>, Query, description = "metres (or `hdop`)"),
        ("speed" = Option<f64>, Query, description = "knots"),
        ("batt" = Option<f64>, Query, description = "battery percent"),
    ),
    responses((status = 200, description = "stored"),
        (status = 400, description = "unreadable report or unknown identifier (query form)", body = ErrorBody),
        (status = 403, description = "the tracker was revoked", body = ErrorBody),
        (status = 404, description = "unknown identifier (JSON form)", body = ErrorBody)))]
async fn report_query(State(state): State<AppState>, RawQuery(query): RawQuery) -> ApiResult<()> {
    let pairs = pairs(query.as_deref().unwrap_or_default())?;
    let report = osmand::parse_query(&pairs, crate::clock::now()).map_err(unreadable)?;
    store(&state, report, Form::Query).await
}

/// Reports a position: the query form's keys in a form body (or the query string), or the JSON
/// form of Traccar Client 8+.
#[utoipa::path(post, path = "/osmand", tag = "osmand",
    request_body(content(
        (OsmandFormDoc = "application/x-www-form-urlencoded"),
        (OsmandJsonDoc = "application/json"))),
    responses((status = 200, description = "stored"),
        (status = 400, description = "unreadable report or unknown identifier (query form)", body = ErrorBody),
        (status = 403, description = "the tracker was revoked", body = ErrorBody),
        (status = 404, description = "unknown identifier (JSON form)", body = ErrorBody)))]
async fn report_post(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<()> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json {
        let report = osmand::parse_json(&body, crate::clock::now()).map_err(unreadable)?;
        return store(&state, report, Form::Json).await;
    }
    let mut all = pairs(query.as_deref().unwrap_or_default())?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("the form body is not UTF-8"))?;
    all.extend(pairs(text)?);
    let report = osmand::parse_query(&all, crate::clock::now()).map_err(unreadable)?;
    store(&state, report, Form::Query).await
}

fn pairs(text: &str) -> ApiResult<Vec<(String, String)>> {
    serde_urlencoded::from_str(text.trim())
        .map_err(|e| ApiError::bad_request(format!("the report is not key=value pairs: {e}")))
}

fn unreadable(e: OsmandError) -> ApiError {
    ApiError::BadRequest {
        code: ErrorCode::BadReport,
        message: e.to_string(),
    }
}

async fn store(state: &AppState, report: Report, form: Form) -> ApiResult<()> {
    let Some(device) = state.db.trackers().find(&report.ident).await? else {
        let message = format!("no tracker is registered as {:?}", report.ident);
        return Err(match form {
            Form::Query => ApiError::BadRequest {
                code: ErrorCode::UnknownTracker,
                message,
            },
            Form::Json => ApiError::NotFound(message),
        });
    };
    if device.revoked {
        return Err(ApiError::Forbidden {
            code: ErrorCode::DeviceRevoked,
            message: format!("tracker {:?} was revoked", report.ident),
        });
    }
    let id = device.id;
    let ack = record_fix(state, device, &report.fix).await?;
    state
        .db
        .trackers()
        .set_fix_attributes(id, ack.head, &report.attributes)
        .await?;
    Ok(())
}

/// A sender to register.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTracker {
    /// The identifier the sender reports (Traccar Client's "device identifier").
    pub ident: String,
    /// The collector it reports for.
    pub username: String,
}

/// A registered sender.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct TrackerAdded {
    /// The device its positions are stored under.
    pub device_id: String,
}

/// Registers an OsmAnd sender's identifier for a collector (admins; supervisors for their
/// team's collectors).
#[utoipa::path(post, path = "/api/v1/trackers", tag = "osmand", request_body = NewTracker,
    responses((status = 201, description = "registered", body = TrackerAdded),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "`forbidden`: collectors cannot register trackers", body = ErrorBody),
        (status = 404, description = "no such collector in the caller's teams", body = ErrorBody),
        (status = 422, description = "not an active collector, a bad identifier, or one already registered", body = ErrorBody)),
    security(("bearer" = [])))]
async fn add_tracker(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    ApiJson(req): ApiJson<NewTracker>,
) -> ApiResult<(StatusCode, Json<TrackerAdded>)> {
    let only_team = match (who.role, who.team_id) {
        (Role::Admin, _) => None,
        (Role::Supervisor, Some(team)) => Some(team),
        _ => {
            return Err(ApiError::Forbidden {
                code: ErrorCode::Forbidden,
                message: "only supervisors and administrators can register trackers".into(),
            });
        }
    };
    let username = Username::parse(&req.username).map_err(|e| ApiError::Invalid(e.to_string()))?;
    let id = state
        .db
        .trackers()
        .add(who.org_id, &username, &req.ident, only_team)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TrackerAdded {
            device_id: id.to_string(),
        }),
    ))
}
