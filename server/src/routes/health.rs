//! `GET /healthz`: liveness, including a round trip to the database.

use axum::extract::State;
use axum::routing::get;

use crate::error::ApiResult;
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new().route("/healthz", get(healthz))
}

/// Answers `ok` when the server and its database respond.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "alive", body = String)))]
pub async fn healthz(State(state): State<AppState>) -> ApiResult<&'static str> {
    state.db.ping().await?;
    Ok("ok")
}
