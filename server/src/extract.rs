//! Request extractors whose rejections are `{code, message}` bodies like every other error.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use terreno_shared::api::ErrorCode;

use crate::error::ApiError;

/// JSON body extractor: malformed JSON, wrong types and unknown fields answer 400 with the
/// decoder's message (which names the field and position), a wrong content type 415 as 400.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::BadRequest {
                code: ErrorCode::InvalidBody,
                message: format!("the request body does not fit: {}", e.body_text()),
            }),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError::BadRequest {
                code: ErrorCode::InvalidJson,
                message: format!("the request body is not valid JSON: {}", e.body_text()),
            }),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::BadRequest {
                code: ErrorCode::InvalidContentType,
                message: "expected a JSON body (content-type: application/json)".into(),
            }),
            Err(JsonRejection::BytesRejection(e)) => Err(body_error(e.body_text())),
            Err(e) => Err(ApiError::bad_request(e.body_text())),
        }
    }
}

/// A body that could not be read: over a size limit (413) or broken in transit (400).
pub fn body_error(text: String) -> ApiError {
    if text.contains("length limit") || text.contains("too large") {
        ApiError::TooLarge(format!("the request body is over the size limit: {text}"))
    } else {
        ApiError::bad_request(format!("the request body could not be read: {text}"))
    }
}

/// A multipart body that could not be read: over a size limit (413), else malformed (400).
/// axum recognizes its own limit but not one under the decompression layer, where the
/// "length limit exceeded" error arrives wrapped; so the whole cause chain is searched.
pub fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    let mut over_limit = e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE;
    while let Some(c) = cause {
        over_limit |= c.to_string().contains("length limit exceeded");
        cause = c.source();
    }
    if over_limit {
        ApiError::TooLarge(format!(
            "the request body is over the size limit: {}",
            e.body_text()
        ))
    } else {
        ApiError::bad_request(e.body_text())
    }
}

/// The authenticated caller, from `Authorization: Bearer TOKEN`. Missing, unknown, expired and
/// revoked tokens all answer 401; a token whose device was revoked answers 403
/// `device_revoked` on every endpoint, so a lost phone learns to wipe and reads nothing more.
#[derive(Debug, Clone)]
pub struct AuthUser(pub crate::db::sessions::Session);

impl axum::extract::FromRequestParts<crate::state::AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &crate::state::AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts).ok_or_else(|| {
            ApiError::Unauthorized("log in first: send Authorization: Bearer TOKEN".into())
        })?;
        session_for(state, token).await.map(AuthUser)
    }
}

/// The session of a token: 401 for unknown, expired and revoked tokens, 403 `device_revoked`
/// for a token bound to a revoked device (even a revoked token: a disabled user's phone).
pub async fn session_for(
    state: &crate::state::AppState,
    token: &str,
) -> Result<crate::db::sessions::Session, ApiError> {
    let hash = crate::auth::token_hash(token);
    match state.db.sessions().find(&hash).await? {
        Some(s) if s.device_revoked => Err(device_revoked()),
        Some(s) => Ok(s),
        None if state.db.sessions().is_revoked_device_token(&hash).await? => Err(device_revoked()),
        None => Err(ApiError::Unauthorized(
            "the token is unknown, expired or revoked: log in again".into(),
        )),
    }
}

fn device_revoked() -> ApiError {
    ApiError::Forbidden {
        code: ErrorCode::DeviceRevoked,
        message: "this device was revoked: wipe its local data, then log in and enroll again"
            .into(),
    }
}

/// The token of an `Authorization: Bearer` header, if any.
pub fn bearer_token(parts: &axum::http::request::Parts) -> Option<&str> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}
