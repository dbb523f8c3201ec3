//! `GET /api/v1/accounts/{id}` and `GET /api/v1/visits/{id}`: one record within the caller's
//! scope. Outside the scope the answer is the same 404 as for an id that does not exist.

use axum::Json;
use axum::extract::{Path, State};
use axum::routing::get;
use terreno_shared::api::v1::views::AccountView;
use utoipa::OpenApi;

use crate::db::reads::VisitDetail;
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new()
        .route("/api/v1/accounts/{id}", get(get_account))
        .route("/api/v1/visits/{id}", get(get_visit))
}

#[derive(OpenApi)]
#[openapi(paths(get_account, get_visit), components(schemas(VisitDetail)))]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// A debtor account (AccountView) the caller may see.
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts",
    params(("id" = String, Path, description = "account id")),
    responses((status = 200, description = "the account", body = AccountView),
        (status = 401, description = "not logged in"),
        (status = 404, description = "no such account in the caller's scope")),
    security(("bearer" = [])))]
pub async fn get_account(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<AccountView>> {
    let account = state.db.portfolio().find_account(&who, &id).await?;
    account
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("no account {id}")))
}

/// A visit the caller may see, with its fields, answers and check-ins.
#[utoipa::path(get, path = "/api/v1/visits/{id}", tag = "visits",
    params(("id" = String, Path, description = "visit id")),
    responses((status = 200, description = "the visit", body = VisitDetail),
        (status = 401, description = "not logged in"),
        (status = 404, description = "no such visit in the caller's scope")),
    security(("bearer" = [])))]
pub async fn get_visit(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<VisitDetail>> {
    let visit = state.db.visits().find(&who, &id).await?;
    visit
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("no visit {id}")))
}
