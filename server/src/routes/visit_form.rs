//! `PUT /api/v1/forms/visit-form`: choose which stored form version the organization's new
//! visits are filled with. Supervisors and administrators only, like importing a form; the
//! choice reaches the devices through the pull feed (see [`crate::db::visit_form`]). Visits
//! already started keep the version they started with.

use axum::Json;
use axum::extract::State;
use axum::routing::put;
use serde::Deserialize;
use terreno_shared::api::{ErrorBody, ErrorCode};
use terreno_shared::ids::FormId;
use terreno_shared::model::Role;
use utoipa::{OpenApi, ToSchema};

use crate::db::forms::FormSummary;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, AuthUser};
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new().route("/api/v1/forms/visit-form", put(choose))
}

#[derive(OpenApi)]
#[openapi(paths(choose), components(schemas(VisitFormChoice)))]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// The version to fill new visits with.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitFormChoice {
    /// The stored version's id (`id` in the list of forms).
    id: String,
}

/// Makes a stored form version the visit form; answers its summary (`visit_form: true`).
/// Choosing the current visit form again changes nothing.
#[utoipa::path(put, path = "/api/v1/forms/visit-form", tag = "forms",
    request_body = VisitFormChoice,
    responses((status = 200, description = "the new visit form", body = FormSummary),
        (status = 400, description = "the body does not fit", body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "`forbidden`: collectors cannot choose the visit form",
            body = ErrorBody),
        (status = 404, description = "the organization has no such form version",
            body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn choose(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    ApiJson(choice): ApiJson<VisitFormChoice>,
) -> ApiResult<Json<FormSummary>> {
    if !matches!(who.role, Role::Admin | Role::Supervisor) {
        return Err(ApiError::Forbidden {
            code: ErrorCode::Forbidden,
            message: "only supervisors and administrators can choose the visit form".into(),
        });
    }
    let not_found = || {
        ApiError::NotFound(format!(
            "no form version {} in this organization",
            choice.id
        ))
    };
    let id: FormId = choice.id.parse().map_err(|_| not_found())?;
    let chosen = state.db.visits().choose_form(who.org_id, id).await?;
    Ok(Json(chosen.ok_or_else(not_found)?))
}
