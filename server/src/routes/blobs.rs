//! Attachments (photos, signatures): uploaded apart from the events that reference them,
//! content-addressed by SHA-256, resumable and size-limited.
//!
//! - `PUT /api/v1/blobs/{sha256}`: one chunk. `Content-Range: bytes START-END/TOTAL` (END
//!   inclusive) or the query `?offset=START&total=TOTAL` (the chunk is then the whole body);
//!   `Content-Type` is the blob's media type (first chunk; default `application/octet-stream`).
//!   START must equal the bytes received so far, else `409 wrong_offset` naming the expected
//!   offset. TOTAL over `max_blob_bytes` → 413; a hash that is not 64 hex digits → 400. When the
//!   last byte arrives the whole file's SHA-256 is checked: a mismatch answers 422 and discards
//!   the upload (start again at 0); a match makes it complete. A complete blob answers 200 with
//!   its status and ignores the body (uploads are idempotent).
//! - `GET /api/v1/blobs/{sha256}/status`: `{sha256, received, bytes, complete}` to resume. Any
//!   logged-in user may ask about any hash: naming a hash takes holding its content, and the
//!   answer tells only how far an upload of that content got, never whose it is.
//! - `GET /api/v1/blobs/{sha256}`: the bytes, streamed, only to someone who may see a visit
//!   referencing the blob (collector: their visits; supervisor: their team's; admin: their
//!   organization's); anyone else gets the same 404 as for an unknown hash.
//!
//! Files live in `blob_dir` under UUID names the server minted (`db::blobs`); a client-supplied
//! name or path is never used. This module must not hold a whole blob in memory.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use utoipa::OpenApi;

use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::state::AppState;

mod request;
mod store;

pub use store::BlobStatus;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new()
        .route("/api/v1/blobs/{sha256}", get(download).put(upload))
        .route("/api/v1/blobs/{sha256}/status", get(status))
}

#[derive(OpenApi)]
#[openapi(paths(upload, status, download), components(schemas(BlobStatus)))]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// Uploads one chunk of a blob at the offset the server expects.
#[utoipa::path(put, path = "/api/v1/blobs/{sha256}", tag = "attachments",
    params(("sha256" = String, Path, description = "SHA-256 of the whole content, 64 hex digits"),
        ("offset" = Option<u64>, Query, description = "chunk start, when no Content-Range is sent"),
        ("total" = Option<u64>, Query, description = "whole size, when no Content-Range is sent"),
        ("Content-Range" = Option<String>, Header, description = "bytes START-END/TOTAL")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "the chunk's bytes; Content-Type names the blob's media type"),
    responses((status = 200, description = "the upload's status after this chunk", body = BlobStatus),
        (status = 400, description = "bad hash, range, media type or chunk length"),
        (status = 401, description = "not logged in"),
        (status = 409, description = "wrong_offset (the message names the expected offset), wrong_total or upload_in_progress"),
        (status = 413, description = "TOTAL is over the size limit"),
        (status = 422, description = "the content does not match its SHA-256; the upload was discarded")),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Path(sha256): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<BlobStatus>> {
    let sha256 = request::parse_sha256(&sha256)?;
    let range = request::ChunkRange::parse(&headers, query.as_deref())?;
    let media_type = request::media_type(&headers)?;
    let status = store::upload(&state, who.user_id, &sha256, range, &media_type, body).await?;
    Ok(Json(status))
}

/// How far an upload got, to resume it.
#[utoipa::path(get, path = "/api/v1/blobs/{sha256}/status", tag = "attachments",
    params(("sha256" = String, Path, description = "SHA-256 of the whole content")),
    responses((status = 200, description = "received bytes (0 and no size when never started)", body = BlobStatus),
        (status = 400, description = "not a SHA-256"),
        (status = 401, description = "not logged in")),
    security(("bearer" = [])))]
pub async fn status(
    State(state): State<AppState>,
    AuthUser(_who): AuthUser,
    Path(sha256): Path<String>,
) -> ApiResult<Json<BlobStatus>> {
    let sha256 = request::parse_sha256(&sha256)?;
    let blob = state.db.blobs().find(&sha256).await?;
    Ok(Json(BlobStatus::of(&sha256, blob.as_ref())))
}

/// The content of a complete blob referenced by a visit the caller may see.
#[utoipa::path(get, path = "/api/v1/blobs/{sha256}", tag = "attachments",
    params(("sha256" = String, Path, description = "SHA-256 of the whole content")),
    responses((status = 200, description = "the bytes, with their media type", body = Vec<u8>,
            content_type = "application/octet-stream"),
        (status = 400, description = "not a SHA-256"),
        (status = 401, description = "not logged in"),
        (status = 404, description = "unknown, incomplete, or on no visit the caller may see")),
    security(("bearer" = [])))]
pub async fn download(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Path(sha256): Path<String>,
) -> ApiResult<Response> {
    let sha256 = request::parse_sha256(&sha256)?;
    let blob = state.db.blobs().find_for(&who, &sha256).await?;
    let blob = blob.ok_or_else(|| ApiError::NotFound(format!("no attachment {sha256}")))?;
    store::stream(&state.config.blob_dir, &blob).await
}
