//! Reviewing visits from the dashboard:
//!
//! - `POST /api/v1/visits/{id}/review` `{decision: "approved" | "rejected", comment}`: a
//!   supervisor (their team's visits) or an admin (the organization's) approves or rejects a
//!   completed visit. Rejecting needs a comment. Reviews are only added, never changed; the
//!   latest is the visit's review state. Collectors answer 403; a visit outside the caller's
//!   scope the same 404 as `GET /api/v1/visits/{id}`.
//! - `GET /api/v1/visits/{id}/history`: the visit's reviews, field edits and conflicts, newest
//!   first, for whoever may read the visit.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use terreno_shared::api::{ErrorBody, ErrorCode};
use terreno_shared::model::Role;
use utoipa::{OpenApi, ToSchema};

use crate::db::visit_history::{FieldConflict, FieldEdit, HistoryEntry};
use crate::db::visit_reviews::{ReviewDecision, ReviewError, VisitReview};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, AuthUser};
use crate::state::AppState;

/// Longest review comment, in characters.
const MAX_COMMENT_CHARS: usize = 2000;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new()
        .route("/api/v1/visits/{id}/review", post(create))
        .route("/api/v1/visits/{id}/history", get(history))
}

#[derive(OpenApi)]
#[openapi(
    paths(create, history),
    components(schemas(
        ReviewRequest,
        ReviewDecision,
        VisitReview,
        VisitHistory,
        HistoryEntry,
        FieldEdit,
        FieldConflict
    ))
)]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// A review to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// approved or rejected.
    pub decision: ReviewDecision,
    /// Why; required when rejecting (at most 2000 characters).
    #[serde(default)]
    pub comment: String,
}

/// A visit's history, newest first.
#[derive(Debug, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VisitHistory {
    /// Reviews, edits and conflicts, newest first.
    pub entries: Vec<HistoryEntry>,
}

/// Approves or rejects a completed visit.
#[utoipa::path(post, path = "/api/v1/visits/{id}/review", tag = "visits",
    params(("id" = String, Path, description = "visit id")),
    request_body = ReviewRequest,
    responses((status = 201, description = "the review recorded", body = VisitReview),
        (status = 400, description = "a body that cannot be read (unknown decision)",
            body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "collectors do not review visits", body = ErrorBody),
        (status = 404, description = "no such visit in the caller's scope", body = ErrorBody),
        (status = 409, description = "`not_completed`: the visit is not done", body = ErrorBody),
        (status = 422, description = "`invalid`: a rejection without a comment, or a comment \
            over 2000 characters", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ReviewRequest>,
) -> ApiResult<(StatusCode, Json<VisitReview>)> {
    if !matches!(who.role, Role::Admin | Role::Supervisor) {
        return Err(ApiError::Forbidden {
            code: ErrorCode::Forbidden,
            message: "only supervisors and administrators review visits".into(),
        });
    }
    let comment = checked_comment(&id, &req)?;
    let review = state
        .db
        .visits()
        .insert_review(&who, &id, req.decision, comment)
        .await
        .map_err(|e| match e {
            ReviewError::NotFound(_) => ApiError::NotFound(e.to_string()),
            ReviewError::NotCompleted { .. } => ApiError::Conflict {
                code: ErrorCode::NotCompleted,
                message: format!("reviewing a visit: {e}"),
            },
            ReviewError::Other(e) => ApiError::Internal(e),
        })?;
    Ok((StatusCode::CREATED, Json(review)))
}

/// The comment, trimmed, once it fits the decision.
fn checked_comment<'a>(id: &str, req: &'a ReviewRequest) -> ApiResult<&'a str> {
    let comment = req.comment.trim();
    if req.decision == ReviewDecision::Rejected && comment.is_empty() {
        return Err(ApiError::Invalid(format!(
            "reviewing visit {id}: comment is required when rejecting; say what is wrong"
        )));
    }
    let chars = comment.chars().count();
    if chars > MAX_COMMENT_CHARS {
        return Err(ApiError::Invalid(format!(
            "reviewing visit {id}: comment has {chars} characters, at most \
             {MAX_COMMENT_CHARS} are accepted"
        )));
    }
    Ok(comment)
}

/// A visit's reviews, field edits and conflicts, newest first.
#[utoipa::path(get, path = "/api/v1/visits/{id}/history", tag = "visits",
    params(("id" = String, Path, description = "visit id")),
    responses((status = 200, description = "the history", body = VisitHistory),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 404, description = "no such visit in the caller's scope", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn history(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<VisitHistory>> {
    if !state.db.visits().is_visible(&who, &id).await? {
        return Err(ApiError::NotFound(format!("no visit {id}")));
    }
    let entries = state.db.visits().history(&id).await?;
    Ok(Json(VisitHistory { entries }))
}
