//! `GET /api/v1/map`: what the dashboard's live map draws before the live feed takes over —
//! the collectors in the caller's scope with their newest position, today's simplified track and
//! stops, today's refused check-ins — and the map's settings (tile server, the freshness and
//! battery thresholds the feed itself uses), so the page hardcodes none of them. Like the live
//! feed, it is for supervisors (their team) and admins (the organization).

use std::time::Duration;
use terreno_shared::api::{ErrorBody, ErrorCode};

use axum::Json;
use axum::extract::{Query, State};
use axum::routing::get;
use serde::Serialize;
use terreno_shared::model::Role;
use tower_http::compression::CompressionLayer;
use utoipa::{OpenApi, ToSchema};

use crate::db::map::{MapCollector, MapData, MapRefusal, MapStop};
use crate::db::now_ms;
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> super::Routes {
    // A day of 2,000 collectors' tracks is megabytes of JSON that compresses about tenfold.
    super::Routes::new().route("/api/v1/map", get(get_map).layer(CompressionLayer::new()))
}

#[derive(OpenApi)]
#[openapi(
    paths(get_map),
    components(schemas(MapResponse, MapSettings, MapTiles, MapCollector, MapStop, MapRefusal))
)]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// The answer of `GET /api/v1/map`.
#[derive(Debug, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MapResponse {
    /// The organization's local date of the tracks, stops and refusals.
    #[schema(value_type = String, format = Date)]
    pub date: chrono::NaiveDate,
    /// How to draw the map.
    pub settings: MapSettings,
    /// Collectors, by login name.
    pub collectors: Vec<MapCollector>,
    /// Today's refused check-ins, oldest first.
    pub refused: Vec<MapRefusal>,
}

/// The map's settings, from the server's configuration.
#[derive(Debug, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MapSettings {
    /// The tile server; absent when none is configured (draw on a plain background).
    #[cfg_attr(
        feature = "ts",
        ts(as = "Option<terreno_shared::api::v1::org::MapTiles>")
    )]
    pub tiles: Option<MapTiles>,
    /// Seconds of silence after which a collector shows as late.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub late_after_secs: u64,
    /// Seconds of silence after which a collector shows as silent (the feed's
    /// `device_offline`).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub silent_after_secs: u64,
    /// Battery fraction below which it shows as low (the feed's `low_battery`).
    pub low_battery: f64,
}

/// A tile server.
#[derive(Debug, Serialize, ToSchema)]
pub struct MapTiles {
    /// URL template with `{z}`, `{x}`, `{y}`.
    pub url: String,
    /// The credit to show (plain text).
    pub attribution: String,
}

/// The query of `GET /api/v1/map`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MapQuery {
    /// The day of the tracks, stops and refusals (`YYYY-MM-DD`, the organization's local day;
    /// default today). Positions are always the newest.
    #[param(value_type = Option<String>, format = Date)]
    pub date: Option<chrono::NaiveDate>,
    /// One collector's login: only them, with their track and stops whatever the size of the
    /// scope (the map asks so for a collector it shows without detail). Outside the caller's
    /// scope the answer is 404.
    pub username: Option<String>,
}

/// The live map's first load.
#[utoipa::path(get, path = "/api/v1/map", tag = "live",
    params(MapQuery),
    responses((status = 200, description = "the map", body = MapResponse),
        (status = 400, description = "`date` is not a date", body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "`forbidden`: collectors have no map", body = ErrorBody),
        (status = 404, description = "`username` is no collector the caller sees", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_map(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    query: Result<Query<MapQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<MapResponse>> {
    let Query(query) = query.map_err(|e| {
        ApiError::bad_request(format!(
            "the map's date must be YYYY-MM-DD: {}",
            e.body_text()
        ))
    })?;
    if who.role == Role::Collector {
        return Err(ApiError::Forbidden {
            code: ErrorCode::Forbidden,
            message: "the map is for supervisors and administrators".into(),
        });
    }
    let MapData {
        date,
        collectors,
        refused,
    } = state
        .db
        .map()
        .data(&who, now_ms(), query.date, query.username.as_deref())
        .await?;
    if let (Some(username), true) = (&query.username, collectors.is_empty()) {
        return Err(ApiError::NotFound(format!(
            "no collector {username:?} among those you supervise"
        )));
    }
    Ok(Json(MapResponse {
        date,
        settings: settings(&state.config),
        collectors,
        refused,
    }))
}

fn settings(config: &crate::config::Config) -> MapSettings {
    let secs = |d: Duration| d.as_secs();
    MapSettings {
        tiles: config.tile_url.as_ref().map(|url| MapTiles {
            url: url.clone(),
            attribution: config.tile_attribution.clone(),
        }),
        late_after_secs: secs(config.late_after),
        silent_after_secs: secs(config.offline_after),
        low_battery: config.low_battery,
    }
}
