//! The push side of sync: `POST /api/v1/sync/push` and `GET /api/v1/sync/status`.
//!
//! Envelope errors refuse the whole batch and store nothing: unknown device or another user's
//! (404, so ids do not leak), revoked device (403 `device_revoked`: wipe local data), too many
//! events (413; so are bodies over the size limits, compressed or decompressed), malformed
//! JSON or unknown fields (400), a bad signature (400 `bad_signature` — the caller is
//! authenticated by its token; the batch itself is malformed evidence, so not 401), a broken
//! chain (400 `broken_chain`), stored events that differ (409 `device_fork`). Per-event
//! errors are in the answer's `rejected[]` (a `visit_submitted` its form refuses:
//! `invalid_submission`, `unknown_form`, `form_required`, `invalid_form`). The work is in
//! [`crate::sync`].

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use terreno_shared::api::v1::sync::{DeviceStatus, PushResponse};
use terreno_shared::api::{ErrorBody, ErrorCode};
use terreno_shared::ids::DeviceId;
use terreno_shared::sync::PushBatch;
use utoipa::OpenApi;

use crate::db::push::PushError;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, AuthUser};
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new()
        .route("/api/v1/sync/push", post(push_batch))
        .route("/api/v1/sync/status", get(status))
}

#[derive(OpenApi)]
#[openapi(paths(push_batch, status))]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// Stores a signed batch of one device's events (JSON, optionally gzip or zstd encoded) and
/// answers once it is committed.
#[utoipa::path(post, path = "/api/v1/sync/push", tag = "sync",
    request_body(content = PushBatch, content_type = "application/json",
        description = "the batch, optionally gzip or zstd encoded (Content-Encoding)"),
    responses(
        (status = 200, description = "committed: PushResponse {head, max_seen, server_hlc, clamped[], rejected[]}; \
            rejected events are stored as evidence with a code: `not_allowed`, `deleted`, `invalid_payload`, and for a \
            `visit_submitted` whose form refuses it `invalid_submission` (every `path: message`), `unknown_form` \
            (a form version the organization lacks), `form_required` (no form named while the organization has a \
            visit form) or `invalid_form` (a stored version that cannot be evaluated)",
            body = PushResponse),
        (status = 400, description = "malformed body, bad_signature, broken_chain, invalid_event", body = ErrorBody),
        (status = 401, description = "no valid token", body = ErrorBody),
        (status = 403, description = "device_revoked: wipe local data", body = ErrorBody),
        (status = 404, description = "no such device for this user", body = ErrorBody),
        (status = 409, description = "device_fork: stored events differ", body = ErrorBody),
        (status = 413, description = "too many events or body too large: halve the batch", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn push_batch(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(batch): ApiJson<PushBatch>,
) -> ApiResult<Json<PushResponse>> {
    Ok(Json(crate::sync::push(&state, &user, batch).await?))
}

/// `?device_id=`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusQuery {
    /// The device asking.
    pub device_id: DeviceId,
}

/// Where the device's log stands on the server: resume pushing after `head`.
#[utoipa::path(get, path = "/api/v1/sync/status", tag = "sync",
    params(("device_id" = uuid::Uuid, Query, description = "the device")),
    responses(
        (status = 200, description = "where the device's log stands", body = DeviceStatus),
        (status = 400, description = "`bad_request`: no device_id, or not a UUID", body = ErrorBody),
        (status = 401, description = "no valid token", body = ErrorBody),
        (status = 403, description = "device_revoked: wipe local data", body = ErrorBody),
        (status = 404, description = "no such device for this user", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn status(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    q: Result<Query<StatusQuery>, QueryRejection>,
) -> ApiResult<Json<DeviceStatus>> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    Ok(Json(crate::sync::status(&state, &user, q.device_id).await?))
}

impl From<PushError> for ApiError {
    fn from(e: PushError) -> Self {
        let message = e.to_string();
        match e {
            PushError::NotFound(_) => ApiError::NotFound(message),
            PushError::Revoked(_) => ApiError::Forbidden {
                code: ErrorCode::DeviceRevoked,
                message,
            },
            PushError::TooManyEvents { .. } => ApiError::TooLarge(message),
            PushError::Invalid { code, .. } => ApiError::BadRequest { code, message },
            PushError::Fork(_) => ApiError::Conflict {
                code: ErrorCode::DeviceFork,
                message,
            },
            PushError::Internal(e) => ApiError::Internal(e),
        }
    }
}
