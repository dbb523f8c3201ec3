//! `GET /api/v1/sync/pull` (the caller's changes after a cursor, in server commit order, whole
//! transactions only) and `GET /api/v1/sync/snapshot` (the paginated current values a device
//! bootstraps from after `409 resync`). The feed rules live in [`crate::db::pull`]; this module
//! only parses, checks the device and maps outcomes to answers.
//!
//! Device loop: pull with the stored cursor, apply the page and store the new cursor in one local
//! transaction, repeat while `more`. On `409 resync`: clear the server-authored data, call
//! snapshot without a cursor, apply each page with its `cursor` until `more` is false; the last
//! page's `cursor` is a feed cursor to pull from.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use serde::Deserialize;
use terreno_shared::api::ErrorCode;
use terreno_shared::api::v1::sync::PullResponse;
use terreno_shared::ids::DeviceId;
use terreno_shared::sync::cursor::{Cursor, SnapshotCursor};
use utoipa::{IntoParams, OpenApi};

use crate::db::pull::snapshot::Snapshotted;
use crate::db::pull::{DEFAULT_LIMIT, MAX_LIMIT, Pulled};
use crate::db::sessions::Session;
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new()
        .route("/api/v1/sync/pull", get(pull))
        .route("/api/v1/sync/snapshot", get(snapshot))
}

#[derive(OpenApi)]
#[openapi(paths(pull, snapshot), components(schemas(PullResponse)))]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// Query of both endpoints.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// The token from the previous answer; empty or absent: from the start.
    cursor: Option<String>,
    /// Changes per page: 1 to 5000, default 500. A pull page may hold more to finish a server
    /// transaction.
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<u32>,
    /// The calling device: a revoked one gets 403 `device_revoked` and must wipe its data.
    #[param(value_type = Option<uuid::Uuid>)]
    device_id: Option<String>,
}

/// The caller's changes after `cursor`.
#[utoipa::path(get, path = "/api/v1/sync/pull", tag = "sync", params(PageQuery),
    responses((status = 200, description = "a page of changes", body = PullResponse),
        (status = 400, description = "malformed cursor (`bad_cursor`) or query"),
        (status = 401, description = "not logged in"),
        (status = 403, description = "the device is revoked (`device_revoked`): wipe"),
        (status = 404, description = "`device_id` is no device of the caller's"),
        (status = 409, description = "`resync`: bootstrap from /api/v1/sync/snapshot")),
    security(("bearer" = [])))]
pub async fn pull(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult<Json<PullResponse>> {
    let (q, limit) = checked(&state, &who, query).await?;
    let after =
        Cursor::parse_optional(q.cursor.as_deref().unwrap_or_default()).map_err(bad_cursor)?;
    match state.db.pull().changes(&who, after, limit).await? {
        Pulled::Page(p) => Ok(Json(PullResponse {
            changes: p.changes,
            cursor: p.cursor.to_string(),
            more: p.more,
        })),
        Pulled::Resync(why) => Err(resync(why)),
    }
}

/// A page of the caller's current values, to bootstrap from.
#[utoipa::path(get, path = "/api/v1/sync/snapshot", tag = "sync", params(PageQuery),
    responses((status = 200, description = "upserts of current values; while `more`, `cursor` \
            is the next snapshot page's token, then the feed cursor to pull from", body = PullResponse),
        (status = 400, description = "malformed page token (`bad_cursor`) or query"),
        (status = 401, description = "not logged in"),
        (status = 403, description = "the device is revoked (`device_revoked`): wipe"),
        (status = 404, description = "`device_id` is no device of the caller's"),
        (status = 409, description = "`resync`: the snapshot's epoch is gone, start again")),
    security(("bearer" = [])))]
pub async fn snapshot(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult<Json<PullResponse>> {
    let (q, limit) = checked(&state, &who, query).await?;
    let token = match q.cursor.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(t) => Some(t.parse::<SnapshotCursor>().map_err(bad_cursor)?),
        None => None,
    };
    match state.db.pull().snapshot_page(&who, token, limit).await? {
        Snapshotted::Page(p) => Ok(Json(PullResponse {
            changes: p.changes,
            more: p.next.is_some(),
            cursor: p.next.map_or_else(|| p.feed.to_string(), |n| n.to_string()),
        })),
        Snapshotted::Restart(why) => Err(resync(why)),
        Snapshotted::BadToken(why) => Err(ApiError::BadRequest {
            code: ErrorCode::BadCursor,
            message: why,
        }),
    }
}

/// The query, once it parsed, its limit is in range and the device (if named) may sync.
async fn checked(
    state: &AppState,
    who: &Session,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult<(PageQuery, u32)> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest {
        code: ErrorCode::BadQuery,
        message: format!("the query string does not fit: {}", e.body_text()),
    })?;
    let limit = match q.limit {
        None => DEFAULT_LIMIT,
        Some(n) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(n) => {
            return Err(ApiError::BadRequest {
                code: ErrorCode::BadQuery,
                message: format!("limit must be between 1 and {MAX_LIMIT}, not {n}"),
            });
        }
    };
    if let Some(id) = &q.device_id {
        let id: DeviceId = id.parse().map_err(|e| ApiError::BadRequest {
            code: ErrorCode::BadQuery,
            message: format!("device_id: {e}"),
        })?;
        match state.db.devices().find(id).await? {
            Some(d) if d.user_id != who.user_id => {
                return Err(ApiError::NotFound(format!("no device {id} of yours")));
            }
            None => return Err(ApiError::NotFound(format!("no device {id} of yours"))),
            Some(d) if d.revoked => {
                return Err(ApiError::Forbidden {
                    code: ErrorCode::DeviceRevoked,
                    message: format!("device {id} was revoked: wipe its local data"),
                });
            }
            Some(_) => {}
        }
    }
    Ok((q, limit))
}

fn bad_cursor(e: terreno_shared::ValidationError) -> ApiError {
    ApiError::BadRequest {
        code: ErrorCode::BadCursor,
        message: e.to_string(),
    }
}

fn resync(why: String) -> ApiError {
    ApiError::Conflict {
        code: ErrorCode::Resync,
        message: why,
    }
}
