//! `/api/v1/forms`: XLSForm questionnaires of the caller's organization. `POST` (multipart, a
//! `file` part, an optional `use_for_visits` part, `true` or `false`, and any number of `media`
//! parts: the version's media files, see [`super::form_media`]) is for supervisors and
//! administrators and answers the stored summary with the form's warnings (a file the form
//! reads but was not given is one), or 422
//! `invalid_form` listing every problem with its sheet, row and column; `GET` lists the stored
//! versions for any user of the organization, marking the visit form.
//!
//! The upload is held in memory (within the server's body limit). This module must not read
//! spreadsheets or write rows itself: it calls [`crate::forms`] and `Forms::insert`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::Serialize;
use terreno_shared::api::{ErrorBody, ErrorCode};
use terreno_shared::form::media::MAX_MEDIA_FILES;
use terreno_shared::form::xlsform::Warning;
use terreno_shared::model::Role;
use utoipa::{OpenApi, ToSchema};

use crate::db::forms::{FormSummary, InsertFormError, NewForm};
use crate::error::{ApiError, ApiResult, ProblemsBody};
use crate::extract::{AuthUser, multipart_error};
use crate::forms::media::{self, MediaUpload, NewMedia};
use crate::forms::{self, FormError, ReadForm};
use crate::import::bounds::WorkbookLimits;
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new().route("/api/v1/forms", get(list).post(upload))
}

#[derive(OpenApi)]
#[openapi(
    paths(upload, list),
    components(schemas(FormUpload, FormSummary, ImportedForm, Warning, ProblemsBody))
)]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// The multipart form of a form upload.
#[derive(Debug, Default, ToSchema)]
#[allow(dead_code)] // Describes the form for the OpenAPI document; parts are read by name.
pub struct FormUpload {
    /// The XLSForm: an XLSX or XLS workbook, or a CSV of the survey sheet. Its file name gives
    /// the form id when the settings sheet has no `form_id`.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// `true`: new visits are filled with this version. A new version of the current visit
    /// form becomes the visit form anyway. Default `false`.
    use_for_visits: Option<bool>,
    /// Media files (repeat the part): CSV, XML and GeoJSON files the form reads with
    /// `pulldata`, `instance()` and `select_one_from_file`, and images, audio and video it
    /// shows; each named by its part's file name, at most 10 MiB.
    #[schema(value_type = Vec<String>, format = Binary)]
    media: Vec<Vec<u8>>,
}

/// A stored form and what looked wrong in it without refusing it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportedForm {
    /// The stored version.
    #[serde(flatten)]
    pub form: FormSummary,
    /// Warnings (a missing label, an unknown column...), located like problems.
    pub warnings: Vec<Warning>,
}

/// The 422 answer to an upload: the form's problems, or `{code, message}` for a file that is
/// not a readable spreadsheet.
#[derive(ToSchema)]
#[schema(as = FormRefusal)]
#[serde(untagged)]
#[allow(dead_code)] // Documents the two bodies of a 422.
pub enum FormRefusalDoc {
    /// `invalid_form`.
    Problems(ProblemsBody<'static>),
    /// `invalid`.
    Unreadable(ErrorBody),
}

/// Imports an XLSForm questionnaire as a new form version; with `use_for_visits=true` (or as
/// a new version of the current visit form) new visits are filled with it.
#[utoipa::path(post, path = "/api/v1/forms", tag = "forms",
    request_body(content = FormUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "stored (and sent to the organization's devices)",
            body = ImportedForm),
        (status = 400, description = "not a multipart form, no `file` part, an unknown part, \
            `use_for_visits` neither true nor false, or a media part without a file name",
            body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "`forbidden`: collectors cannot import forms", body = ErrorBody),
        (status = 409, description = "`form_version_exists`: this version of the form is already \
            stored", body = ErrorBody),
        (status = 413, description = "the body is over its limit, or a media file over 10 MiB",
            body = ErrorBody),
        (status = 422, description = "`invalid_form` with every problem, or `invalid` for a file \
            that is not a readable spreadsheet or a media file refused (its name and line)",
            body = FormRefusalDoc)),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<ImportedForm>)> {
    if !matches!(who.role, Role::Admin | Role::Supervisor) {
        return Err(ApiError::Forbidden {
            code: ErrorCode::Forbidden,
            message: "only supervisors and administrators can import forms".into(),
        });
    }
    let parts = read_parts(multipart).await?;
    let (read, media) =
        read_form(parts.name, parts.bytes, parts.media, state.config.workbook).await?;
    let mut new = NewForm::from_read(&read, Some(who.user_id));
    new.media = &media.files;
    let form = state
        .db
        .forms()
        .insert(who.org_id, &new, parts.use_for_visits)
        .await?;
    let warnings = [read.warnings, media.warnings].concat();
    Ok((StatusCode::CREATED, Json(ImportedForm { form, warnings })))
}

/// Lists the organization's form versions, by form id, newest version first.
#[utoipa::path(get, path = "/api/v1/forms", tag = "forms",
    responses((status = 200, description = "the stored versions", body = Vec<FormSummary>),
        (status = 401, description = "not logged in", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
) -> ApiResult<Json<Vec<FormSummary>>> {
    Ok(Json(state.db.forms().list(who.org_id).await?))
}

impl From<InsertFormError> for ApiError {
    fn from(e: InsertFormError) -> Self {
        match e {
            InsertFormError::Duplicate { .. } => ApiError::Conflict {
                code: ErrorCode::FormVersionExists,
                message: e.to_string(),
            },
            InsertFormError::Other(e) => ApiError::Internal(e),
        }
    }
}

/// Reads the form and checks its media files off the executor: a large workbook or lookup
/// table takes a noticeable time to parse.
async fn read_form(
    name: Option<String>,
    bytes: Bytes,
    uploads: Vec<MediaUpload>,
    limits: WorkbookLimits,
) -> ApiResult<(ReadForm, CheckedMedia)> {
    tokio::task::spawn_blocking(move || {
        let read = forms::read_limited(&bytes, name.as_deref(), &limits)
            .map_err(|e| form_error(name.as_deref(), e))?;
        let (files, warnings) = media::check(&read.form, uploads)
            .map_err(|e| ApiError::Invalid(format!("{e}; nothing was stored")))?;
        Ok((read, CheckedMedia { files, warnings }))
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("reading a form")))?
}

fn form_error(name: Option<&str>, e: FormError) -> ApiError {
    let name = name.unwrap_or("the upload");
    match e {
        FormError::Refused(problems) => ApiError::InvalidForm {
            message: format!(
                "{name}: the form has {} problem(s); nothing was stored",
                problems.len()
            ),
            problems,
        },
        FormError::TooLarge => ApiError::TooLarge(format!("{name}: {e}")),
        other => ApiError::Invalid(format!("{name}: {other}")),
    }
}

/// The checked media files of an upload and the warnings for those the form lacks.
struct CheckedMedia {
    files: Vec<NewMedia>,
    warnings: Vec<Warning>,
}

/// The parts of an upload.
struct Parts {
    /// The file name, if sent.
    name: Option<String>,
    bytes: Bytes,
    use_for_visits: bool,
    media: Vec<MediaUpload>,
}

/// The `file` part and the `use_for_visits` flag.
async fn read_parts(mut multipart: Multipart) -> ApiResult<Parts> {
    let mut file = None;
    let mut use_for_visits = false;
    let mut media = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "file" => {
                let name = field.file_name().map(str::to_owned);
                let bytes = field.bytes().await.map_err(multipart_error)?;
                file = Some((name, bytes));
            }
            "use_for_visits" => {
                let text = field.text().await.map_err(multipart_error)?;
                use_for_visits = match text.trim() {
                    "true" => true,
                    "false" => false,
                    other => {
                        return Err(ApiError::bad_request(format!(
                            "use_for_visits is {other:?}; send true or false"
                        )));
                    }
                };
            }
            "media" if media.len() >= MAX_MEDIA_FILES => {
                return Err(ApiError::Invalid(format!(
                    "a form version has at most {MAX_MEDIA_FILES} media files"
                )));
            }
            "media" => media.push(super::form_media::read_part(field).await?),
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown form part {other:?}; parts: file, use_for_visits, media"
                )));
            }
        }
    }
    let (name, bytes) = file.ok_or_else(|| ApiError::bad_request("the form has no `file` part"))?;
    Ok(Parts {
        name,
        bytes,
        use_for_visits,
        media,
    })
}
