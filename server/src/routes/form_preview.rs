//! `POST /api/v1/forms/versions/{id}/preview`: a stored form version filled with some answers,
//! as the collector's app would show it — which questions are relevant, computed values,
//! constraint and required messages, filtered choices, repeat instances — for the dashboard's
//! preview, where a form's author tries its skip logic before sending it to the field.
//!
//! The evaluation is the shared engine's (the compiled version comes from the server's cache
//! of engines, with the version's media files as lookup tables), so the preview cannot disagree
//! with the devices. Nothing is stored.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::routing::post;
use serde::{Deserialize, Serialize};
use terreno_shared::api::ErrorBody;
use terreno_shared::form::runtime::{Answers, Engine, Env, FormState};
use terreno_shared::form::xlsform::Text;
use terreno_shared::ids::FormId;
use utoipa::{OpenApi, ToSchema};

use crate::db::forms::{FormSummary, StoredForm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, AuthUser};
use crate::forms::engines::CompiledForm;
use crate::forms::media;
use crate::forms::preview::{self, ItemKind, PreviewChoice, PreviewItem};
use crate::state::AppState;

/// Most answers one preview takes: far above any real form, low enough to bound the work.
const MAX_ANSWERS: usize = 5_000;
/// Longest answer path or value taken, in bytes.
const MAX_TEXT: usize = 4_096;
/// Most repeat instances one preview adds, over all repeats: an author tries a few, and each
/// instance multiplies the evaluation's work.
const MAX_PREVIEW_INSTANCES: usize = 200;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new().route("/api/v1/forms/versions/{id}/preview", post(preview_form))
}

#[derive(OpenApi)]
#[openapi(
    paths(preview_form),
    components(schemas(PreviewRequest, Preview, PreviewItem, PreviewChoice, ItemKind))
)]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// The answers so far.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// Answers by path (`grp/q`, `hh[2]/age`), as text: select_multiple choices separated by
    /// spaces, dates `YYYY-MM-DD`. `""` is a cleared answer.
    #[serde(default)]
    answers: BTreeMap<String, String>,
    /// Instances added to repeats without `repeat_count`, by repeat path (`hh`).
    #[serde(default)]
    instances: BTreeMap<String, usize>,
    /// Language of labels and messages, as the form names it (`English (en)`); default: the
    /// form's default language.
    language: Option<String>,
}

/// The form as it shows for the answers.
#[derive(Debug, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Preview {
    /// The version previewed.
    form: FormSummary,
    /// The language shown.
    language: String,
    /// Every language the form has (`default` is text written without one).
    languages: Vec<String>,
    /// The rows to show, in form order, repeat instances expanded; hidden ones included with
    /// `relevant: false`.
    items: Vec<PreviewItem>,
    /// The engine's evaluation: the same shape the collector's app renders from.
    state: FormState,
}

/// Shows form version `id` filled with the answers so far. Any user of the organization may
/// preview its forms, as any may list them.
#[utoipa::path(post, path = "/api/v1/forms/versions/{id}/preview", tag = "forms",
    params(("id" = String, Path, description = "the stored version's id (`id` in the list)")),
    request_body = PreviewRequest,
    responses((status = 200, description = "the form's state for these answers", body = Preview),
        (status = 400, description = "the body does not fit", body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 404, description = "the organization has no such form version",
            body = ErrorBody),
        (status = 422, description = "too many answers, an answer too long, a repeat with too \
            many instances (`instances` over 200 in all), or a language the form does not have", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn preview_form(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PreviewRequest>,
) -> ApiResult<Json<Preview>> {
    let answers = answers_of(&request)?;
    let not_found = || ApiError::NotFound(format!("no form version {id} in this organization"));
    let version: FormId = id.parse().map_err(|_| not_found())?;
    let stored =
        (state.db.forms().find_version(who.org_id, version).await?).ok_or_else(not_found)?;
    let language =
        preview::language(&stored.form, request.language.as_deref()).map_err(ApiError::Invalid)?;
    let compiled = compiled(&state, who.org_id, version, &stored).await?;
    let env = Env {
        now: crate::clock::now().fixed_offset(),
        uuid: format!("preview-{version}"),
        language: Some(language.clone()).filter(|l| l != Text::NO_LANGUAGE),
    };
    // The evaluation is CPU work: off the async workers.
    let preview = tokio::task::spawn_blocking(move || {
        let form_state = FormState::new(&answers, compiled.engine.evaluate(&answers, &env));
        Preview {
            items: preview::items(
                &stored.form,
                compiled.engine.media(),
                &form_state,
                &language,
            ),
            languages: stored.form.languages.clone(),
            language,
            state: form_state,
            form: stored.summary,
        }
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("the preview task failed: {e}")))?;
    Ok(Json(preview))
}

/// The request's answers, refused with what is wrong and where when over a bound.
fn answers_of(request: &PreviewRequest) -> ApiResult<Answers> {
    if request.answers.len() > MAX_ANSWERS {
        return Err(ApiError::Invalid(format!(
            "{} answers sent; a preview takes at most {MAX_ANSWERS}",
            request.answers.len()
        )));
    }
    let mut answers = Answers::new();
    for (path, text) in &request.answers {
        if path.len() > MAX_TEXT || text.len() > MAX_TEXT {
            let shown: String = path.chars().take(60).collect();
            return Err(ApiError::Invalid(format!(
                "answer {shown:?} is over {MAX_TEXT} bytes (path or value)"
            )));
        }
        answers.set(path.clone(), text.clone());
    }
    for (path, &n) in &request.instances {
        if n > MAX_PREVIEW_INSTANCES {
            return Err(ApiError::Invalid(format!(
                "instances of repeat {path:?} is {n}; a preview adds at most \
                 {MAX_PREVIEW_INSTANCES} in all"
            )));
        }
        answers.set_instances(path.clone(), n);
    }
    let total = (request.instances.values()).fold(0usize, |sum, &n| sum.saturating_add(n));
    if total > MAX_PREVIEW_INSTANCES {
        return Err(ApiError::Invalid(format!(
            "instances: {total} repeat instances asked; a preview adds at most \
             {MAX_PREVIEW_INSTANCES} in all"
        )));
    }
    Ok(answers)
}

/// The compiled version with its lookup tables, from the cache the submission checks share.
async fn compiled(
    state: &AppState,
    org: terreno_shared::ids::OrgId,
    id: FormId,
    stored: &StoredForm,
) -> ApiResult<std::sync::Arc<CompiledForm>> {
    if let Some(form) = state.forms.get(id).filter(|f| f.org == org) {
        return Ok(form);
    }
    let media = media::tables(state.db.forms().data_files(org, id).await?);
    // Forms are compiled once at import and refused when they do not compile, so a failure
    // here is a stored definition gone bad.
    let engine = Engine::new(&stored.form).map_err(|problems| {
        let first = problems.first().map(ToString::to_string);
        ApiError::Internal(anyhow::anyhow!(
            "form version {id} does not compile: {}",
            first.unwrap_or_default()
        ))
    })?;
    Ok(state.forms.insert(
        id,
        CompiledForm {
            org,
            version: stored.summary.version.clone().unwrap_or_default(),
            language: stored.form.settings.default_language.clone(),
            engine: engine.with_media(media),
        },
    ))
}
