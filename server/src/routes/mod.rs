//! HTTP resources, one module each; each exports `router()` and an OpenAPI fragment that
//! [`openapi`] merges into the document served at `/api/v1/openapi.json`.

use axum::Router;

use crate::state::AppState;

pub mod health;
pub mod openapi;

/// All routes, before state and middleware.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(openapi::router())
}
