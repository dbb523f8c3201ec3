//! `POST /api/v1/devices` (enrollment), `GET /api/v1/devices`, `POST /api/v1/devices/{id}/revoke`.
//!
//! Who reaches which device: collectors their own, supervisors their team's, admins the whole
//! organization's. Revoking a device out of reach answers 404, like one that does not exist, so
//! ids do not leak. This module must not refuse a revoked device's sync requests: the sync
//! routes do, with 403 `device_revoked`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use terreno_shared::api::v1::auth::{DeviceInfo, EnrollRequest};
use terreno_shared::api::{ErrorBody, ErrorCode};
use terreno_shared::ids::DeviceId;
use terreno_shared::model::Role;
use utoipa::OpenApi;

use crate::db::devices::{DeviceScope, Enrollment};
use crate::db::sessions::Session;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, AuthUser};
use crate::state::AppState;

/// Longest device label accepted, in characters.
const MAX_LABEL: usize = 100;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new()
        .route("/api/v1/devices", post(enroll).get(list))
        .route("/api/v1/devices/{id}/revoke", post(revoke))
}

#[derive(OpenApi)]
#[openapi(
    paths(enroll, list, revoke),
    components(schemas(EnrollRequest, DeviceInfo))
)]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// Enrolls the caller's device: registers the Ed25519 key its batches will be signed with.
#[utoipa::path(post, path = "/api/v1/devices", tag = "devices",
    request_body = EnrollRequest,
    responses((status = 201, description = "enrolled", body = DeviceInfo),
        (status = 200, description = "already enrolled with this key by this user", body = DeviceInfo),
        (status = 400, description = "malformed body or unknown fields", body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "`device_revoked`: this id was revoked", body = ErrorBody),
        (status = 409, description = "`device_exists`: the id is another key's or user's",
            body = ErrorBody),
        (status = 422, description = "the id is not a UUIDv7 or the label is empty or too long",
            body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn enroll(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    ApiJson(req): ApiJson<EnrollRequest>,
) -> ApiResult<(StatusCode, Json<DeviceInfo>)> {
    let label = check_enrollment(&req)?;
    let done = state
        .db
        .devices()
        .enroll(who.user_id, req.device_id, req.public_key, label)
        .await?;
    if matches!(done, Enrollment::Created(_) | Enrollment::Unchanged(_)) {
        state
            .db
            .sessions()
            .bind_token(&who.token_hash, req.device_id)
            .await?;
    }
    enrollment_answer(req.device_id, done)
}

/// The caller's devices; a supervisor's team's, an admin's whole organization's.
#[utoipa::path(get, path = "/api/v1/devices", tag = "devices",
    responses((status = 200, description = "devices, oldest enrollment first",
            body = Vec<DeviceInfo>),
        (status = 401, description = "not logged in", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
) -> ApiResult<Json<Vec<DeviceInfo>>> {
    let scope = match (who.role, who.team_id) {
        (Role::Admin, _) => DeviceScope::Org(who.org_id),
        (Role::Supervisor, Some(team)) => DeviceScope::Team(who.org_id, team),
        _ => DeviceScope::User(who.org_id, who.user_id),
    };
    Ok(Json(state.db.devices().list(scope).await?))
}

/// Revokes a device: its next sync request is refused and it is told to wipe its data.
#[utoipa::path(post, path = "/api/v1/devices/{id}/revoke", tag = "devices",
    params(("id" = String, Path, description = "device id")),
    responses((status = 200, description = "revoked (revoking again keeps the first time)",
            body = DeviceInfo),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 404, description = "no such device among those the caller may revoke",
            body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn revoke(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<DeviceInfo>> {
    let not_found = || ApiError::NotFound(format!("no device {id} that you may revoke"));
    let device: DeviceId = id.parse().map_err(|_| not_found())?;
    let revoked = state
        .db
        .devices()
        .revoke(revoke_scope(&who), device)
        .await?;
    revoked.map(Json).ok_or_else(not_found)
}

/// Admins revoke any device of their organization, supervisors their team's; collectors none
/// (a lost phone is reported to a supervisor).
fn revoke_scope(who: &Session) -> DeviceScope {
    match (who.role, who.team_id) {
        (Role::Admin, _) => DeviceScope::Org(who.org_id),
        (Role::Supervisor, Some(team)) => DeviceScope::Team(who.org_id, team),
        _ => DeviceScope::Nothing,
    }
}

/// The trimmed label, once the id is a UUIDv7 and the label fits.
fn check_enrollment(req: &EnrollRequest) -> ApiResult<&str> {
    if req.device_id.as_uuid().get_version_num() != 7 {
        return Err(ApiError::Invalid(format!(
            "device_id {} is not a UUIDv7: the device mints its id with UUID version 7",
            req.device_id
        )));
    }
    let label = req.label.trim();
    if label.is_empty() || label.chars().count() > MAX_LABEL {
        return Err(ApiError::Invalid(format!(
            "label must have 1 to {MAX_LABEL} characters"
        )));
    }
    Ok(label)
}

fn enrollment_answer(id: DeviceId, done: Enrollment) -> ApiResult<(StatusCode, Json<DeviceInfo>)> {
    match done {
        Enrollment::Created(info) => Ok((StatusCode::CREATED, Json(info))),
        Enrollment::Unchanged(info) => Ok((StatusCode::OK, Json(info))),
        Enrollment::Conflict => Err(ApiError::Conflict {
            code: ErrorCode::DeviceExists,
            message: format!(
                "device {id} is already enrolled with another key or by another user: \
                 mint a new device id"
            ),
        }),
        Enrollment::Revoked => Err(ApiError::Forbidden {
            code: ErrorCode::DeviceRevoked,
            message: format!(
                "device {id} was revoked: wipe its local data and enroll with a new device id"
            ),
        }),
    }
}
