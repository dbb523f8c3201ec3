//! `POST /api/v1/imports/payments`: a supervisor or an administrator uploads a creditor's
//! payment file (multipart) and gets the import summary, the same as `terreno-server
//! import-payments --json`.
//!
//! Scope: the caller's organization; a supervisor's rows may not name accounts held by another
//! team's collector. Collectors are refused with 403 `forbidden`. The upload is held in memory
//! within the server's body limit (checked before the body is read), so a workbook can be read
//! as well as CSV. This module must not write rows itself: it calls `Payments::import`.

use std::io::Cursor;

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::routing::post;
use terreno_shared::api::ErrorCode;
use terreno_shared::model::Role;
use utoipa::{OpenApi, ToSchema};

use crate::db::import::Rejected;
use crate::db::payments::{PaymentSetup, PaymentSummary};
use crate::error::{ApiError, ApiResult};
use crate::extract::{AuthUser, multipart_error};
use crate::import::payments;
use crate::state::AppState;
use terreno_shared::api::ErrorBody;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new().route("/api/v1/imports/payments", post(upload))
}

#[derive(OpenApi)]
#[openapi(
    paths(upload),
    components(schemas(PaymentUploadForm, PaymentSummary, PaymentRefusalDoc, Rejected))
)]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// The multipart form of a payment upload.
#[derive(Debug, Default, ToSchema)]
#[allow(dead_code)] // Describes the form for the OpenAPI document; parts are read by name.
pub struct PaymentUploadForm {
    /// The CSV (any common encoding and delimiter) or XLSX/XLS file.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Look accounts up in this portfolio only (default: across the organization's
    /// portfolios, refusing an external id more than one holds).
    portfolio: Option<String>,
}

/// The two bodies of a 422: the refused rows, or why the file could not be read.
#[derive(ToSchema)]
#[schema(as = PaymentRefusal)]
#[serde(untagged)]
#[allow(dead_code)] // Documents the two bodies of a 422.
pub enum PaymentRefusalDoc {
    /// Bad rows: nothing stored (`written: false`).
    Summary(PaymentSummary),
    /// An unreadable file, missing columns or a form part that is not valid.
    Unreadable(ErrorBody),
}

/// Imports a payment file: payments by account and reference, all or nothing.
#[utoipa::path(post, path = "/api/v1/imports/payments", tag = "imports",
    request_body(content = PaymentUploadForm, content_type = "multipart/form-data"),
    responses((status = 200, description = "stored (new and unchanged counted)", body = PaymentSummary),
        (status = 400, description = "not a multipart form, or no `file` part", body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "`forbidden`: collectors cannot import", body = ErrorBody),
        (status = 413, description = "the file is over the body limit", body = ErrorBody),
        (status = 422, description = "nothing stored: an unreadable file or missing columns \
            (`{code, message}`), or bad rows (the summary, `written: false`)",
            body = PaymentRefusalDoc)),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<PaymentSummary>)> {
    let only_team = match (who.role, who.team_id) {
        (Role::Admin, _) => None,
        (Role::Supervisor, Some(team)) => Some(team),
        _ => return Err(forbidden()),
    };
    let form = read_form(multipart).await?;
    let reader = payments::open(Cursor::new(form.file), &state.config.workbook)
        .map_err(|e| ApiError::Invalid(e.to_string()))?;
    let setup = PaymentSetup {
        org: who.org_id,
        portfolio: form.portfolio.as_deref(),
        only_team,
        file_name: form.file_name.as_deref(),
    };
    let summary = state.db.payments().import(reader, &setup).await?;
    let status = match summary.written {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    Ok((status, Json(summary)))
}

fn forbidden() -> ApiError {
    ApiError::Forbidden {
        code: ErrorCode::Forbidden,
        message: "only supervisors and administrators can import payments".into(),
    }
}

struct Form {
    file: Vec<u8>,
    file_name: Option<String>,
    portfolio: Option<String>,
}

async fn read_form(mut multipart: Multipart) -> ApiResult<Form> {
    let (mut file, mut file_name, mut portfolio) = (None, None, None);
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "file" => {
                file_name = field.file_name().map(str::to_owned);
                file = Some(field.bytes().await.map_err(multipart_error)?.to_vec());
            }
            "portfolio" => {
                let text = field.text().await.map_err(multipart_error)?;
                portfolio = Some(text.trim().to_owned()).filter(|p| !p.is_empty());
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown form part {other:?}; parts: file, portfolio"
                )));
            }
        }
    }
    let file = file.ok_or_else(|| ApiError::bad_request("the form has no `file` part"))?;
    Ok(Form {
        file,
        file_name,
        portfolio,
    })
}
