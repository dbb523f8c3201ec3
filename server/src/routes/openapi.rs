//! The OpenAPI 3 document, generated from the handlers' annotations (utoipa) and served at
//! `/api/v1/openapi.json`.

use axum::Json;
use axum::routing::get;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Terreno API",
        description = "Sync and supervision API of Terreno"
    ),
    paths(super::health::healthz)
)]
struct Base;

/// The whole document: the base plus each resource module's fragment.
pub fn document() -> utoipa::openapi::OpenApi {
    Base::openapi()
        .merge_from(super::auth::openapi())
        .merge_from(super::devices::openapi())
        .merge_from(super::blobs::openapi())
        .merge_from(super::reads::openapi())
        .merge_from(super::visits::openapi())
        .merge_from(super::reviews::openapi())
        .merge_from(super::exports::openapi())
        .merge_from(super::reports::openapi())
        .merge_from(super::route_admin::openapi())
        .merge_from(super::pull::openapi())
        .merge_from(super::sync::openapi())
        .merge_from(super::imports::openapi())
        .merge_from(super::forms::openapi())
        .merge_from(super::form_preview::openapi())
        .merge_from(super::visit_form::openapi())
        .merge_from(super::osmand::openapi())
        .merge_from(super::live::openapi())
        .merge_from(super::map::openapi())
        .merge_from(super::org::openapi())
        .merge_from(super::users::openapi())
}

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new().route("/api/v1/openapi.json", get(|| async { Json(document()) }))
}
