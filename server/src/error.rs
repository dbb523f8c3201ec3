//! The one error type of HTTP handlers. 4xx answers carry a useful `{code, message}`; 5xx
//! answers carry a generic message and the cause is logged once, inside the request span.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use terreno_shared::api::ErrorBody;
use terreno_shared::api::ErrorCode;
use terreno_shared::form::xlsform::Problem;

/// An error a handler answers with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed.
    #[error("{message}")]
    BadRequest {
        /// Stable code (`invalid_json`, `bad_request`...).
        code: ErrorCode,
        /// What was wrong.
        message: String,
    },
    /// 401: no valid credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// 403 with a code (e.g. `device_revoked`: the device must wipe its data).
    #[error("{message}")]
    Forbidden {
        /// Stable code.
        code: ErrorCode,
        /// Why.
        message: String,
    },
    /// 404: absent, or not visible to the caller (the same answer, so ids do not leak).
    #[error("{0}")]
    NotFound(String),
    /// 409 with a code (`device_fork`, `resync`, `already_exists`...).
    #[error("{message}")]
    Conflict {
        /// Stable code.
        code: ErrorCode,
        /// Why.
        message: String,
    },
    /// 413: over a size limit.
    #[error("{0}")]
    TooLarge(String),
    /// 422: well-formed but invalid content.
    #[error("{0}")]
    Invalid(String),
    /// 422 `invalid_form`: an uploaded questionnaire with problems; the body lists every one
    /// (`{code, message, problems: [{sheet, row, column, message}]}`).
    #[error("{message}")]
    InvalidForm {
        /// Summary sentence.
        message: String,
        /// Every problem, located by sheet, row and column.
        problems: Vec<Problem>,
    },
    /// 429: slow down; retry after the given seconds.
    #[error("{message}")]
    TooManyRequests {
        /// Why, and when to retry.
        message: String,
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// 503 `busy`: the server is saturated (say, checking passwords); retry after the seconds.
    #[error("{message}")]
    Busy {
        /// What is busy.
        message: String,
        /// Seconds until a retry is worth it.
        retry_after_secs: u64,
    },
    /// 500: a bug or an unavailable dependency. Logged, never shown. A cause that is a full
    /// disk (see [`storage_full`]) answers `507 insufficient_storage` instead: a condition the
    /// client waits out, not a bug.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// 400 with the generic `bad_request` code.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code: ErrorCode::BadRequest,
            message: message.into(),
        }
    }

    fn parts(&self) -> (StatusCode, ErrorCode) {
        match self {
            ApiError::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, code.clone()),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized),
            ApiError::Forbidden { code, .. } => (StatusCode::FORBIDDEN, code.clone()),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            ApiError::Conflict { code, .. } => (StatusCode::CONFLICT, code.clone()),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge),
            ApiError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Invalid),
            ApiError::InvalidForm { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidForm)
            }
            ApiError::TooManyRequests { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyRequests)
            }
            ApiError::Busy { .. } => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Busy),
            ApiError::Internal(e) if storage_full(e) => (
                StatusCode::INSUFFICIENT_STORAGE,
                ErrorCode::InsufficientStorage,
            ),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => ApiError::NotFound("not found".into()),
            other => ApiError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<crate::auth::HashError> for ApiError {
    fn from(e: crate::auth::HashError) -> Self {
        match e {
            crate::auth::HashError::Busy => ApiError::Busy {
                message: e.to_string(),
                retry_after_secs: 1,
            },
            crate::auth::HashError::Failed(e) => ApiError::Internal(e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.parts();
        if let ApiError::InvalidForm { message, problems } = &self {
            let body = ProblemsBody {
                code,
                message,
                problems,
            };
            return (status, Json(body)).into_response();
        }
        let message = match &self {
            ApiError::Internal(e) if storage_full(e) => {
                // An operator must free space: logged as an error, answered as retryable.
                tracing::error!(error = format!("{e:#}"), "request failed: the disk is full");
                "the server is out of storage space: nothing of this request was stored; try \
                 again later"
                    .to_owned()
            }
            ApiError::Internal(e) => {
                tracing::error!(error = format!("{e:#}"), "request failed");
                "internal error; it was logged".to_owned()
            }
            other => other.to_string(),
        };
        let mut resp = (status, Json(ErrorBody { code, message })).into_response();
        if let ApiError::TooManyRequests {
            retry_after_secs, ..
        }
        | ApiError::Busy {
            retry_after_secs, ..
        } = self
        {
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

/// A full disk met where the original error could not be kept (one failed commit answers several
/// pushers): [`storage_full`] recognizes it like the database's own error.
#[derive(Debug, thiserror::Error)]
#[error("the disk is full: {0}")]
pub struct StorageFull(pub String);

/// Whether a failure's cause is a full disk: SQLite's `SQLITE_FULL` (result code 13, which
/// `PRAGMA max_page_count` also gives), PostgreSQL's `53100 disk_full`, an `ENOSPC` from a
/// file write, or a [`StorageFull`]. The rest of PostgreSQL's class 53 (out of memory, too many
/// connections) is not about storage and stays a 500.
pub fn storage_full(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        if let Some(db) = c.downcast_ref::<sqlx::Error>() {
            return sqlx_storage_full(db);
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return io.kind() == std::io::ErrorKind::StorageFull;
        }
        c.is::<StorageFull>()
    })
}

/// [`storage_full`] for a database error.
pub fn sqlx_storage_full(e: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = e else {
        return matches!(e, sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::StorageFull);
    };
    let Some(code) = db.code() else {
        return false;
    };
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        sqlite_full_code(&code)
    } else {
        pg_full_code(&code)
    }
}

/// Whether a PostgreSQL SQLSTATE is `53100 disk_full`.
fn pg_full_code(code: &str) -> bool {
    code == PG_DISK_FULL
}

/// PostgreSQL's SQLSTATE for "could not extend file": no space left on device.
const PG_DISK_FULL: &str = "53100";
/// SQLite's primary result code for a full disk (or a database at its `max_page_count`).
const SQLITE_FULL: i32 = 13;

/// Whether a SQLite (extended) result code, as sqlx prints it, is `SQLITE_FULL`: the primary
/// code is its low byte.
fn sqlite_full_code(code: &str) -> bool {
    code.parse::<i32>().is_ok_and(|c| c & 0xff == SQLITE_FULL)
}

/// The body of `invalid_form`: the common error body plus the problems.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = InvalidForm)]
pub struct ProblemsBody<'a> {
    /// `invalid_form`.
    code: ErrorCode,
    /// Summary sentence.
    #[schema(value_type = String)]
    message: &'a str,
    /// Every problem found.
    #[schema(value_type = Vec<Problem>)]
    problems: &'a [Problem],
}

/// Handler result.
pub type ApiResult<T> = Result<T, ApiError>;

/// Gives every error answer the `{code, message}` body, including those made outside the
/// handlers: the body-size layers (413), a caught panic (500), an unknown route (404) or method
/// (405). Answers that already carry JSON pass through untouched.
pub async fn json_error_bodies(resp: Response) -> Response {
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return resp;
    }
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            ErrorCode::TooLarge,
            "the request body is over the size limit",
        ),
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "there is no such endpoint"),
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorCode::MethodNotAllowed,
            "the endpoint does not take this method",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            ErrorCode::InvalidContentType,
            "the request body has an unsupported content type or encoding",
        ),
        s if s.is_server_error() => (ErrorCode::Internal, "internal error; it was logged"),
        _ => (ErrorCode::BadRequest, "the request could not be read"),
    };
    let (mut parts, _) = resp.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = Json(ErrorBody {
        code,
        message: message.to_owned(),
    });
    let mut out = (status, body).into_response();
    for (k, v) in parts.headers.iter() {
        if k != header::CONTENT_TYPE && !out.headers().contains_key(k) {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_disk_full_codes_of_each_backend_count_as_a_full_disk() {
        let sqlite = [
            ("13", true),
            ("1", false),
            ("10", false),
            ("787", false),
            ("x", false),
        ];
        for (code, full) in sqlite {
            assert_eq!(sqlite_full_code(code), full, "SQLite {code}");
        }
        let pg = [
            ("53100", true),
            ("53000", false),
            ("53200", false),
            ("53300", false),
            ("40001", false),
        ];
        for (code, full) in pg {
            assert_eq!(pg_full_code(code), full, "PostgreSQL {code}");
        }
    }

    #[test]
    fn a_full_disk_anywhere_in_the_cause_chain_answers_507_insufficient_storage() {
        let causes = [
            anyhow::Error::new(StorageFull("database or disk is full".into())),
            anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::StorageFull))
                .context("writing a blob"),
        ];
        for cause in causes {
            let resp = ApiError::Internal(cause.context("storing a push batch")).into_response();
            assert_eq!(resp.status(), StatusCode::INSUFFICIENT_STORAGE);
        }
        let other = ApiError::Internal(anyhow::anyhow!("a bug")).into_response();
        assert_eq!(other.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
