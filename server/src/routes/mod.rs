//! HTTP resources, one module each; each exports `router()` and an OpenAPI fragment that
//! [`openapi`] merges into the document served at `/api/v1/openapi.json`.

use axum::Router;

use crate::state::AppState;

pub mod auth;
pub mod blobs;
pub mod devices;
pub mod exports;
pub mod form_preview;
pub mod forms;
pub mod health;
pub mod imports;
pub mod live;
pub mod map;
pub mod openapi;
pub mod org;
pub mod osmand;
pub mod pull;
pub mod reads;
pub mod reports;
pub mod reviews;
pub mod route_admin;
pub mod schemas;
pub mod sync;
pub mod ui;
pub mod users;
pub mod visit_form;
pub mod visits;

/// All routes, before state and middleware.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(blobs::router())
        .merge(forms::router())
        .merge(form_preview::router())
        .merge(visit_form::router())
        .merge(health::router())
        .merge(imports::router())
        .merge(auth::router())
        .merge(devices::router())
        .merge(exports::router())
        .merge(live::router())
        .merge(map::router())
        .merge(openapi::router())
        .merge(org::router())
        .merge(osmand::router())
        .merge(pull::router())
        .merge(reads::router())
        .merge(reports::router())
        .merge(route_admin::router())
        .merge(reviews::router())
        .merge(sync::router())
        .merge(ui::router())
        .merge(users::router())
        .merge(visits::router())
}
