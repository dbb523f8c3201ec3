//! The supervisor dashboard at `/` (files embedded by [`crate::ui`]): hashed assets cached for
//! good, the page revalidated on every load (ETag), everything gzip-compressed, and any other
//! path that is not a file answered with the page, so the dashboard's own routes survive a
//! reload. `/api/*` is never answered here: an unknown API path stays a JSON 404.
//!
//! A binary built before `scripts/build-ui` ran serves a page saying so and naming the command,
//! rather than an empty page.

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use tower_http::compression::CompressionLayer;

use crate::error::ApiError;
use crate::ui::{self, Asset};

/// What the page may load: its own scripts and styles (Leaflet sets inline styles), map tiles
/// from whatever server is configured, and the API and live feed of this origin.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src * data: blob:; \
    style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; \
    base-uri 'none'; form-action 'self'";

/// Routes of this module: a fallback, so every route declared elsewhere wins.
pub fn router() -> super::Routes {
    super::Routes::new().fallback(
        Router::new()
            .fallback(dashboard)
            .layer(CompressionLayer::new()),
    )
}

async fn dashboard(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    if path.starts_with("/api/") || (method != Method::GET && method != Method::HEAD) {
        return ApiError::NotFound("there is no such endpoint".into()).into_response();
    }
    if !ui::is_built() {
        return not_built();
    }
    let rel = path.trim_start_matches('/');
    let asset = match ui::find(rel) {
        Some(asset) => asset,
        // A name with an extension is a file the build does not have: answering the page in
        // its place would hand a script loader HTML.
        None if rel
            .rsplit('/')
            .next()
            .is_some_and(|name| name.contains('.')) =>
        {
            return ApiError::NotFound(format!("the dashboard has no file {path}")).into_response();
        }
        None => ui::index().expect("is_built checked the page is there"),
    };
    serve(asset, &headers)
}

fn serve(asset: Asset, request: &HeaderMap) -> Response {
    let cache = if asset.is_immutable() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == asset.etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        asset.bytes.into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type()),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::ETAG, HeaderValue::from_static(asset.etag));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if asset.content_type().starts_with("text/html") {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
    }
    response
}

/// The page of a binary built without the dashboard (200: the server itself works; the API
/// answers as usual).
fn not_built() -> Response {
    let page = Html(
        "<!doctype html><html lang=\"es\"><meta charset=\"utf-8\">\
         <title>Terreno: tablero no compilado</title>\
         <body style=\"font:1.25rem/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto\">\
         <h1>El tablero no está compilado</h1>\
         <p>Este servidor se compiló sin la interfaz web. Ejecute <code>scripts/build-ui</code> \
         y vuelva a compilar el servidor (<code>cargo build -p terreno-server</code>).</p>\
         <h2 lang=\"en\">The dashboard was not built</h2>\
         <p lang=\"en\">This server was built without its web UI. Run <code>scripts/build-ui</code>, \
         then build the server again (<code>cargo build -p terreno-server</code>). \
         The API under <code>/api/v1</code> works as usual.</p></body></html>",
    );
    ([(header::CACHE_CONTROL, "no-store")], page).into_response()
}
