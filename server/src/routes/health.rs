//! `GET /healthz`: liveness, including a round trip to the database.

use axum::extract::State;
use axum::routing::get;

use crate::error::ApiResult;
use crate::on_read;
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new().route("/healthz", get(healthz))
}

/// Answers `ok` when the server and its database respond.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "alive", body = String)))]
pub async fn healthz(State(state): State<AppState>) -> ApiResult<&'static str> {
    let _: i64 = on_read!(&state.db, |pool| {
        sqlx::query_scalar("select cast(1 as bigint)")
            .fetch_one(pool)
            .await?
    });
    Ok("ok")
}
