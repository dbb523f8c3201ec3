//! `GET /api/v1/org/settings`: the rules of the caller's organization a device enforces offline
//! (time zone, geofence, contact policy, holidays) and the map tile server the stop map draws
//! (the server's configuration, like the dashboard's). Devices fetch it on every sync.

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use terreno_shared::api::v1::org::{MapTiles, OrgSettings};
use utoipa::OpenApi;

use crate::error::ApiResult;
use crate::extract::AuthUser;
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new().route("/api/v1/org/settings", get(settings))
}

#[derive(OpenApi)]
#[openapi(paths(settings))]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// The caller's organization's rules.
#[utoipa::path(get, path = "/api/v1/org/settings", tag = "org",
    responses((status = 200, description = "the organization's rules", body = OrgSettings),
        (status = 401, description = "not logged in")),
    security(("bearer" = [])))]
pub async fn settings(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
) -> ApiResult<Json<OrgSettings>> {
    let today = crate::clock::now().date_naive();
    let mut settings = state.db.orgs().settings(who.org_id, today).await?;
    settings.map_tiles = state.config.tile_url.as_ref().map(|url| MapTiles {
        url: url.clone(),
        attribution: state.config.tile_attribution.clone(),
    });
    Ok(Json(settings))
}
