//! A visit's answers labelled with the form version they were filled with: the version its
//! submission names, or (while the visit is open) the organization's visit form. Loads the
//! version and the visit's attachments; the labelling itself is [`crate::forms::labels`].

use std::collections::BTreeMap;

use anyhow::Context;
use serde::Serialize;
use serde_json::Value;
use terreno_shared::form::xlsform::Form;
use terreno_shared::ids::OrgId;

use super::visit_list::Visits;
use crate::forms::labels::{AnswerAttachment, LabelledAnswer, label_answers};
use crate::on_read;

/// The form version a visit's answers are labelled with.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AnswerForm {
    /// The stored version's id.
    pub id: String,
    /// The form's id.
    pub form_id: String,
    /// Its version string (empty when none).
    pub version: String,
    /// Its title.
    pub title: String,
    /// Its languages, in the form's order (labels are keyed by these).
    pub languages: Vec<String>,
    /// The language of columns written without one.
    pub default_language: Option<String>,
}

/// Labelled answers and the form that labelled them (none when no version could be found).
#[derive(Debug, Clone)]
pub struct VisitAnswers {
    /// The form.
    pub form: Option<AnswerForm>,
    /// The answers, in form order.
    pub answers: Vec<LabelledAnswer>,
}

#[derive(sqlx::FromRow)]
struct FormRow {
    id: String,
    form_id: String,
    version: String,
    title: String,
    definition: String,
}

#[derive(sqlx::FromRow)]
struct FileRow {
    attachment_id: String,
    sha256: String,
    media_type: Option<String>,
}

impl Visits<'_> {
    /// Labels `answers` of visit `visit_id` of `org`; `named` is the form version its submission
    /// names, if any.
    pub async fn label_answers(
        &self,
        org: OrgId,
        visit_id: &str,
        named: Option<&str>,
        answers: &BTreeMap<String, Value>,
    ) -> anyhow::Result<VisitAnswers> {
        let (row, files): (Option<FormRow>, Vec<FileRow>) = on_read!(self, |pool| {
            let row = sqlx::query_as(
                "select f.id, f.form_id, f.version, f.title, f.definition
                     from forms f join orgs o on o.id = f.org_id
                     where f.org_id = $1 and f.id = coalesce($2, o.visit_form_id)",
            )
            .bind(org.to_string())
            .bind(named)
            .fetch_optional(&mut *pool)
            .await
            .context("reading a visit's form version")?;
            let files = sqlx::query_as(
                "select attachment_id, sha256, media_type from visit_attachments
                     where visit_id = $1 and not removed and sha256 is not null",
            )
            .bind(visit_id)
            .fetch_all(pool)
            .await
            .context("reading a visit's attachments")?;
            (row, files)
        });
        let attachments = files
            .into_iter()
            .map(|f| {
                let file = AnswerAttachment {
                    sha256: f.sha256,
                    media_type: f.media_type,
                };
                (f.attachment_id, file)
            })
            .collect();
        let form = row
            .map(|r| -> anyhow::Result<(AnswerForm, Form)> {
                let form: Form =
                    serde_json::from_str(&r.definition).context("stored form definition")?;
                let info = AnswerForm {
                    id: r.id,
                    form_id: r.form_id,
                    version: r.version,
                    title: r.title,
                    languages: form.languages.clone(),
                    default_language: form.settings.default_language.clone(),
                };
                Ok((info, form))
            })
            .transpose()?;
        let answers = label_answers(form.as_ref().map(|(_, f)| f), answers, &attachments);
        Ok(VisitAnswers {
            form: form.map(|(info, _)| info),
            answers,
        })
    }
}
