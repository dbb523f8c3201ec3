//! Media files of form versions over HTTP.
//!
//! - `GET /api/v1/forms/versions/{id}/media/{name}`: the bytes of one media file (lookup table,
//!   image), for any user of the version's organization — collectors' devices download each
//!   file a version lists (`FormVersion::media`) and evaluate lookups with it. Another
//!   organization's version answers the same 404 as an unknown one.
//! - [`read_part`]: one `media` part of a form upload (`POST /api/v1/forms`, see
//!   [`super::forms`]), its name checked before any byte is read and its bytes refused with 413
//!   as soon as they pass [`MAX_MEDIA_BYTES`], never held whole first.
//!
//! This module must not read spreadsheets or write rows: `forms::media` checks, `db` stores.

use axum::body::Body;
use axum::extract::multipart::Field;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::Response;
use axum::routing::get;
use terreno_shared::form::media::{self, MAX_MEDIA_BYTES};
use terreno_shared::ids::FormId;
use utoipa::OpenApi;

use crate::error::{ApiError, ApiResult};
use crate::extract::{AuthUser, multipart_error};
use crate::forms::media::{MediaUpload, too_large};
use crate::state::AppState;
use terreno_shared::api::ErrorBody;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new().route("/api/v1/forms/versions/{id}/media/{name}", get(download))
}

#[derive(OpenApi)]
#[openapi(paths(download))]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// One media file of a form version of the caller's organization.
#[utoipa::path(get, path = "/api/v1/forms/versions/{id}/media/{name}", tag = "forms",
    params(("id" = String, Path, description = "the form version's id"),
        ("name" = String, Path, description = "the file name, as the version lists it")),
    responses((status = 200, description = "the file's bytes, with its media type and its \
            SHA-256 as ETag", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 404, description = "the organization has no such version, or the version no \
            such file", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn download(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Path((id, name)): Path<(String, String)>,
) -> ApiResult<Response> {
    let not_found = || ApiError::NotFound(format!("form version {id} has no media file {name:?}"));
    let version: FormId = id.parse().map_err(|_| not_found())?;
    let file = (state
        .db
        .forms()
        .media_file(who.org_id, version, &name)
        .await?)
        .ok_or_else(not_found)?;
    Response::builder()
        .header(header::CONTENT_TYPE, file.media_type)
        .header(header::ETAG, format!("\"{}\"", file.sha256))
        .header(
            header::CACHE_CONTROL,
            "private, max-age=31536000, immutable",
        )
        .body(Body::from(file.content))
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("answering a media file")))
}

/// Reads a `media` part: its file name (checked first) and at most [`MAX_MEDIA_BYTES`] bytes,
/// refusing a larger part with 413 as soon as its bytes pass the limit.
pub(super) async fn read_part(mut field: Field<'_>) -> ApiResult<MediaUpload> {
    let Some(name) = field.file_name().map(str::to_owned) else {
        return Err(ApiError::bad_request(
            "a media part has no file name: send it as a file (filename=\"fruits.csv\")",
        ));
    };
    media::check_name(&name).map_err(|e| ApiError::Invalid(e.to_string()))?;
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > MAX_MEDIA_BYTES {
            return Err(ApiError::TooLarge(format!("{name}: {}", too_large())));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(MediaUpload { name, bytes })
}
