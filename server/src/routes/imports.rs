//! `POST /api/v1/imports/routes`: a supervisor or an administrator uploads a route spreadsheet
//! (multipart) and gets the import summary, the same as `terreno-server import-routes --json`.
//!
//! Scope: the caller's organization; a supervisor's import may assign accounts only to their
//! team's collectors, and the collectors it creates join their team. Collectors are refused
//! with 403 `forbidden`. The upload is held in memory (within the server's body limit) so a
//! workbook can be read as well as CSV. This module must not write rows itself: it calls
//! `Imports::run`.

use std::io::Cursor;
use terreno_shared::api::{ErrorBody, ErrorCode};

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::routing::post;
use chrono::NaiveDate;
use terreno_shared::model::{Currency, Role};
use utoipa::{OpenApi, ToSchema};

use crate::db::import::{ImportSummary, Rejected, Setup};
use crate::error::{ApiError, ApiResult};
use crate::extract::{AuthUser, multipart_error};
use crate::import::{self, ImportOptions};
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new().route("/api/v1/imports/routes", post(upload))
}

#[derive(OpenApi)]
#[openapi(
    paths(upload),
    components(schemas(UploadForm, ImportSummary, Rejected))
)]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// The multipart form of an upload.
#[derive(Debug, Default, ToSchema)]
#[allow(dead_code)] // Describes the form for the OpenAPI document; parts are read by name.
pub struct UploadForm {
    /// The CSV (any common encoding and delimiter) or XLSX/XLS file.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Portfolio name (default `default`).
    portfolio: Option<String>,
    /// Visit date (YYYY-MM-DD) of rows without one; default today in the organization's zone.
    date: Option<String>,
    /// The day the file's balances are as of (YYYY-MM-DD); default: the import day in the
    /// organization's zone.
    as_of: Option<String>,
    /// Team of created collectors (administrators only; a supervisor's go to their team).
    team: Option<String>,
    /// `true`: write nothing if any row is bad.
    all_or_nothing: Option<bool>,
    /// `true`: close the portfolio's open accounts the file does not name (administrators
    /// only: it reaches every team's accounts).
    close_missing: Option<bool>,
    /// Workbook sheet (default: the first).
    sheet: Option<String>,
}

/// The 422 answer to an upload: the summary of an import that wrote nothing, or
/// `{code, message}` for a file or a form part that cannot be used.
#[derive(ToSchema)]
#[schema(as = ImportRefusal)]
#[serde(untagged)]
#[allow(dead_code)] // Documents the two bodies of a 422.
pub enum ImportRefusalDoc {
    /// Bad rows under `all_or_nothing`, or no good row (`written: false`).
    Summary(ImportSummary),
    /// An unreadable file, unusable columns or a form part that is not valid.
    Unreadable(ErrorBody),
}

/// Imports a route spreadsheet: debtors, their collectors (created invited) and routes.
#[utoipa::path(post, path = "/api/v1/imports/routes", tag = "imports",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 200, description = "written; bad rows listed", body = ImportSummary),
        (status = 400, description = "not a multipart form, or no `file` part", body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "`forbidden`: collectors cannot import; supervisors \
            cannot `close_missing`", body = ErrorBody),
        (status = 413, description = "the file is over the body limit", body = ErrorBody),
        (status = 422, description = "nothing written: an unreadable file or unusable columns \
            (`{code, message}`), or bad rows under `all_or_nothing` or no good row (the \
            summary, `written: false`)", body = ImportRefusalDoc)),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<ImportSummary>)> {
    let only_team = match (who.role, who.team_id) {
        (Role::Admin, _) => None,
        (Role::Supervisor, Some(team)) => Some(team),
        _ => return Err(forbidden()),
    };
    let mut form = read_form(multipart).await?;
    form.options.limits = state.config.workbook;
    if form.close_missing && who.role != Role::Admin {
        return Err(ApiError::Forbidden {
            code: ErrorCode::Forbidden,
            message: "only administrators can close missing accounts: it reaches every team's \
                      accounts"
                .into(),
        });
    }
    let reader = import::open(Cursor::new(form.file), &form.options)
        .map_err(|e| ApiError::Invalid(e.to_string()))?;
    let today = state.db.imports().today_in(who.org_id).await?;
    let date = form.date.unwrap_or(today);
    let setup = Setup {
        org: who.org_id,
        portfolio: form.portfolio.as_deref().unwrap_or("default"),
        date,
        as_of: form.as_of.unwrap_or(today),
        team: form.team.as_deref().filter(|_| only_team.is_none()),
        only_team,
        all_or_nothing: form.all_or_nothing,
        close_missing: form.close_missing,
    };
    let summary = state.db.imports().run(reader, &setup, &()).await?;
    let status = match summary.written {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    Ok((status, Json(summary)))
}

fn forbidden() -> ApiError {
    ApiError::Forbidden {
        code: ErrorCode::Forbidden,
        message: "only supervisors and administrators can import routes".into(),
    }
}

struct Form {
    file: Vec<u8>,
    options: ImportOptions,
    portfolio: Option<String>,
    date: Option<NaiveDate>,
    as_of: Option<NaiveDate>,
    team: Option<String>,
    all_or_nothing: bool,
    close_missing: bool,
}

async fn read_form(mut multipart: Multipart) -> ApiResult<Form> {
    let mut file = None;
    let mut form = Form {
        file: Vec::new(),
        options: ImportOptions::new(Currency::COP),
        portfolio: None,
        date: None,
        as_of: None,
        team: None,
        all_or_nothing: false,
        close_missing: false,
    };
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            file = Some(field.bytes().await.map_err(multipart_error)?.to_vec());
            continue;
        }
        let text = field.text().await.map_err(multipart_error)?;
        let text = text.trim().to_owned();
        match name.as_str() {
            "portfolio" => form.portfolio = Some(text),
            "team" => form.team = Some(text),
            "sheet" => form.options.sheet = Some(text),
            "date" => form.date = Some(text.parse().map_err(|_| bad_part("date", &text))?),
            "as_of" => form.as_of = Some(text.parse().map_err(|_| bad_part("as_of", &text))?),
            "all_or_nothing" => {
                form.all_or_nothing = text
                    .parse()
                    .map_err(|_| bad_part("all_or_nothing", &text))?
            }
            "close_missing" => {
                form.close_missing = text.parse().map_err(|_| bad_part("close_missing", &text))?
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown form part {other:?}; parts: file, portfolio, date, as_of, team, \
                     all_or_nothing, close_missing, sheet"
                )));
            }
        }
    }
    form.file = file.ok_or_else(|| ApiError::bad_request("the form has no `file` part"))?;
    Ok(form)
}

fn bad_part(name: &str, value: &str) -> ApiError {
    ApiError::Invalid(format!("form part {name}: {value:?} is not valid"))
}
