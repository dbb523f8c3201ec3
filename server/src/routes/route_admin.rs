//! The Routes page's management of a day's routes, for supervisors (their teams) and
//! administrators (the organization); collectors get 403, anything outside the caller's scope
//! 404:
//! - `GET /api/v1/routes?date=`: each collector's stops of that local day, in order;
//! - `POST /api/v1/routes/stops/{id}/reassign`: the stop's debtor moves to another collector
//!   (their devices get it on the next pull; the first collector's devices delete it);
//! - `PUT /api/v1/routes/{collector}/{date}/order`: the route's stops in a new order;
//! - `GET /api/v1/location-captures`, `POST .../{device}/{seq}/approve|reject`: locations
//!   proposed by check-ins for debtors without one.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use chrono::NaiveDate;
use serde::Deserialize;
use terreno_shared::api::{ErrorBody, ErrorCode};
use terreno_shared::model::Role;
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::db::day_routes::{DayRoute, DayRoutes, DayStop};
use crate::db::location_captures::{Decision, LocationCapture};
use crate::db::portfolio::{Reassigned, RouteEditError};
use crate::db::sessions::Session;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, AuthUser};
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new()
        .route("/api/v1/routes", get(list))
        .route("/api/v1/routes/stops/{id}/reassign", post(reassign))
        .route("/api/v1/routes/{collector}/{date}/order", put(reorder))
        .route("/api/v1/location-captures", get(list_captures))
        .route(
            "/api/v1/location-captures/{device}/{seq}/approve",
            post(approve),
        )
        .route(
            "/api/v1/location-captures/{device}/{seq}/reject",
            post(reject),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(list, reassign, reorder, list_captures, approve, reject),
    components(schemas(
        DayRoutes,
        DayRoute,
        DayStop,
        Reassigned,
        ReassignRequest,
        ReorderRequest,
        LocationCapture
    ))
)]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

impl From<RouteEditError> for ApiError {
    fn from(e: RouteEditError) -> Self {
        match e {
            RouteEditError::NotFound(m) => ApiError::NotFound(m),
            RouteEditError::Invalid(m) => ApiError::Invalid(m),
            RouteEditError::Internal(e) => ApiError::Internal(e),
        }
    }
}

/// Collectors do not manage routes.
fn managers_only(who: &Session) -> ApiResult<()> {
    match who.role {
        Role::Collector => Err(ApiError::Forbidden {
            code: ErrorCode::Forbidden,
            message: "managing routes is for supervisors and administrators".into(),
        }),
        _ => Ok(()),
    }
}

fn day(doing: &str, text: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| ApiError::bad_request(format!("{doing}: date {text:?} is not YYYY-MM-DD")))
}

/// The day to show.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayQuery {
    /// The organization's local day (YYYY-MM-DD; default today).
    date: Option<String>,
}

/// Each collector's route of a day.
#[utoipa::path(get, path = "/api/v1/routes", tag = "routes", params(DayQuery),
    responses((status = 200, description = "the day's routes", body = DayRoutes),
        (status = 400, description = "`bad_request`: a date that cannot be read",
            body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "`forbidden`: collectors", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    query: Result<Query<DayQuery>, QueryRejection>,
) -> ApiResult<Json<DayRoutes>> {
    managers_only(&who)?;
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let date = match q.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => day("reading routes", d)?,
        None => state.db.imports().today_in(who.org_id).await?,
    };
    Ok(Json(state.db.portfolio().day_routes(&who, date).await?))
}

/// Who gets the stop.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReassignRequest {
    /// Login name of an active collector of the caller's teams.
    collector: String,
}

/// Moves a stop's debtor to another collector, onto their route of the stop's day (last).
#[utoipa::path(post, path = "/api/v1/routes/stops/{id}/reassign", tag = "routes",
    params(("id" = String, Path, description = "stop id")),
    request_body = ReassignRequest,
    responses((status = 200, description = "where the stop went", body = Reassigned),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "`forbidden`: collectors", body = ErrorBody),
        (status = 404, description = "no such stop or collector in the caller's teams",
            body = ErrorBody),
        (status = 422, description = "`invalid`: the debtor is already that collector's",
            body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reassign(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReassignRequest>,
) -> ApiResult<Json<Reassigned>> {
    managers_only(&who)?;
    let to = body.collector.trim();
    Ok(Json(
        state.db.portfolio().reassign_stop(&who, &id, to).await?,
    ))
}

/// The new order of a route.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReorderRequest {
    /// Every stop id of the route, once, first stop first.
    stops: Vec<String>,
}

/// Stores a route's stops in a new order (positions 1..n), in one transaction.
#[utoipa::path(put, path = "/api/v1/routes/{collector}/{date}/order", tag = "routes",
    params(("collector" = String, Path, description = "the collector's login name"),
        ("date" = String, Path, description = "the route's day, YYYY-MM-DD")),
    request_body = ReorderRequest,
    responses((status = 204, description = "stored"),
        (status = 400, description = "`bad_request`: a date that cannot be read",
            body = ErrorBody),
        (status = 403, description = "`forbidden`: collectors", body = ErrorBody),
        (status = 404, description = "no such collector in the caller's teams",
            body = ErrorBody),
        (status = 422, description = "`invalid`: the list is not the route's stops, each \
            once", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reorder(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Path((collector, date)): Path<(String, String)>,
    ApiJson(body): ApiJson<ReorderRequest>,
) -> ApiResult<StatusCode> {
    managers_only(&who)?;
    let date = day("reordering a route", &date)?;
    state
        .db
        .portfolio()
        .reorder_route(&who, &collector, date, &body.stops)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Pending location captures of debtors without a location, oldest first.
#[utoipa::path(get, path = "/api/v1/location-captures", tag = "routes",
    responses((status = 200, description = "pending captures", body = Vec<LocationCapture>),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "`forbidden`: collectors", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_captures(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
) -> ApiResult<Json<Vec<LocationCapture>>> {
    managers_only(&who)?;
    Ok(Json(state.db.visits().captures(&who).await?))
}

/// Makes the proposed point the debtor's location; devices get the account on their next pull.
#[utoipa::path(post, path = "/api/v1/location-captures/{device}/{seq}/approve", tag = "routes",
    params(("device" = String, Path, description = "the check-in's device"),
        ("seq" = i64, Path, description = "the check-in's sequence number")),
    responses((status = 204, description = "approved"),
        (status = 403, description = "`forbidden`: collectors", body = ErrorBody),
        (status = 404, description = "no pending capture of that check-in in the caller's \
            teams", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn approve(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Path((device, seq)): Path<(String, i64)>,
) -> ApiResult<StatusCode> {
    decide(state, who, device, seq, Decision::Approve).await
}

/// Drops the proposed point; the debtor stays without a location.
#[utoipa::path(post, path = "/api/v1/location-captures/{device}/{seq}/reject", tag = "routes",
    params(("device" = String, Path, description = "the check-in's device"),
        ("seq" = i64, Path, description = "the check-in's sequence number")),
    responses((status = 204, description = "rejected"),
        (status = 403, description = "`forbidden`: collectors", body = ErrorBody),
        (status = 404, description = "no pending capture of that check-in in the caller's \
            teams", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reject(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Path((device, seq)): Path<(String, i64)>,
) -> ApiResult<StatusCode> {
    decide(state, who, device, seq, Decision::Reject).await
}

async fn decide(
    state: AppState,
    who: Session,
    device: String,
    seq: i64,
    decision: Decision,
) -> ApiResult<StatusCode> {
    managers_only(&who)?;
    state
        .db
        .visits()
        .decide_capture(&who, &device, seq, decision)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
