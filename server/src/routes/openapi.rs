//! The OpenAPI 3 document, generated from the handlers' annotations (utoipa) and served at
//! `/api/v1/openapi.json`.
//!
//! Answers every endpoint shares are added here rather than repeated in each annotation, so no
//! endpoint can forget one (scripts/fuzz-api checks the server against the document): an
//! endpoint behind a token can answer 401 (no valid token) and 403 (`device_revoked`, on every
//! endpoint, for a token of a revoked device); one that reads parameters or a body can answer
//! 400 (they cannot be read); every error answer has the `{code, message}` body unless its
//! annotation names another.

use std::sync::OnceLock;

use axum::body::Bytes;
use axum::http::header;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

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
    let mut doc = merged();
    for item in doc.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            add_shared_answers(op);
        }
    }
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("a token from POST /api/v1/auth/login"))
                .build(),
        ),
    );
    doc
}

/// The answers any endpoint of its kind may give, where its annotation does not list them.
fn add_shared_answers(op: &mut Operation) {
    let has_token = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let reads_input =
        op.request_body.is_some() || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let shared = [
        (
            reads_input,
            "400",
            "the parameters or the body cannot be read",
        ),
        (
            has_token,
            "401",
            "not logged in: no token, or an unknown, expired or revoked one",
        ),
        (
            has_token,
            "403",
            "`device_revoked`: the token's device was revoked (wipe its data)",
        ),
    ];
    let responses = &mut op.responses.responses;
    for (applies, status, description) in shared {
        if applies && !responses.contains_key(status) {
            let answer = ResponseBuilder::new().description(description).build();
            responses.insert(status.to_owned(), RefOr::T(answer));
        }
    }
    for (status, answer) in responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let RefOr::T(answer) = answer
            && is_error
            && answer.content.is_empty()
        {
            let body = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build();
            answer
                .content
                .insert("application/json".to_owned(), body.into());
        }
    }
}

/// Every module's fragment, as annotated.
fn merged() -> utoipa::openapi::OpenApi {
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
        .merge_from(super::push::openapi())
        .merge_from(super::imports::openapi())
        .merge_from(super::payment_imports::openapi())
        .merge_from(super::forms::openapi())
        .merge_from(super::form_media::openapi())
        .merge_from(super::form_preview::openapi())
        .merge_from(super::visit_form::openapi())
        .merge_from(super::osmand::openapi())
        .merge_from(super::live::openapi())
        .merge_from(super::map::openapi())
        .merge_from(super::org::openapi())
        .merge_from(super::users::openapi())
}

/// The document as JSON text. It is the same for the life of the process (it comes from the
/// annotations), so it is built on the first request and shared after.
fn document_json() -> Bytes {
    static JSON: OnceLock<Bytes> = OnceLock::new();
    JSON.get_or_init(|| {
        let json = serde_json::to_vec(&document()).expect("the OpenAPI document serializes");
        Bytes::from(json)
    })
    .clone()
}

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new().route(
        "/api/v1/openapi.json",
        get(|| async {
            (
                [(header::CONTENT_TYPE, "application/json")],
                document_json(),
            )
        }),
    )
}
