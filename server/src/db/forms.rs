//! Forms: validated XLSForm questionnaires of an organization, one row per version (the
//! `forms` table; see its migration). A stored version is never changed; importing the same
//! `(form_id, version)` again is refused with [`InsertFormError::Duplicate`] (409 over HTTP).
//! The definition is the shared form model as JSON, read back with the same type.
//!
//! Devices get every version through the pull feed, organization-wide: a `form` change (body
//! [`FormVersion`]) in the transaction that stores it. Which version new visits are filled with
//! is in [`super::visit_form`]. A version's media files are in [`super::form_media`]; the
//! version lists them (`forms.media`) so devices know what to download.

use anyhow::Context;
use serde::Serialize;
use terreno_shared::api::v1::forms::{FormMediaFile, FormVersion};
use terreno_shared::api::v1::sync::{Change, Record};
use terreno_shared::form::xlsform::Form;
use terreno_shared::ids::{FormId, OrgId, UserId};
use uuid::Uuid;

use super::changes::NewChange;
use super::tx::WriteTx;
use super::{Db, now_ms};
use crate::forms::ReadForm;
use crate::forms::media::NewMedia;
use crate::{on_read, on_tx};

/// A form version to store.
#[derive(Debug, Clone, Copy)]
pub struct NewForm<'a> {
    /// `form_id` (settings, else the file name).
    pub form_id: &'a str,
    /// `version`; empty when the form has none.
    pub version: &'a str,
    /// Title shown to people.
    pub title: &'a str,
    /// Questions in the tree (for listings).
    pub question_count: u32,
    /// The validated form.
    pub form: &'a Form,
    /// Who uploaded it; `None` from the command line.
    pub created_by: Option<UserId>,
    /// Its media files, checked by [`crate::forms::media::check`].
    pub media: &'a [NewMedia],
}

impl<'a> NewForm<'a> {
    /// The version a form file read by [`crate::forms`] is stored as.
    pub fn from_read(read: &'a ReadForm, created_by: Option<UserId>) -> NewForm<'a> {
        NewForm {
            form_id: &read.form_id,
            version: &read.version,
            title: &read.title,
            question_count: read.question_count,
            form: &read.form,
            created_by,
            media: &[],
        }
    }
}

/// A stored form version as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FormSummary {
    /// Server id of this version (a UUID).
    pub id: String,
    /// The form's id (settings `form_id`, else the file name).
    pub form_id: String,
    /// The settings' `version`; null when the form has none.
    pub version: Option<String>,
    /// Title.
    pub title: String,
    /// Questions in the form (groups and repeats not counted).
    pub questions: u32,
    /// When it was imported (ms since the epoch, UTC).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_ms: i64,
    /// Login name of who uploaded it; null when imported from the command line.
    pub created_by: Option<String>,
    /// Whether the organization's new visits are filled with this version.
    pub visit_form: bool,
}

/// A stored form version with its definition.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredForm {
    /// As listed.
    pub summary: FormSummary,
    /// The validated form.
    pub form: Form,
}

/// Why a form version was not stored.
#[derive(Debug, thiserror::Error)]
pub enum InsertFormError {
    /// This organization already has this version of this form.
    #[error(
        "form {form_id:?} {} is already stored; give the new one another version on the \
         settings sheet", version_words(.version)
    )]
    Duplicate {
        /// The form id.
        form_id: String,
        /// The version (empty: none).
        version: String,
    },
    /// Anything else (the database).
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

fn version_words(version: &str) -> String {
    match version {
        "" => "without a version".to_owned(),
        v => format!("version {v:?}"),
    }
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: String,
    form_id: String,
    version: String,
    title: String,
    question_count: i64,
    created_ms: i64,
    created_by: Option<String>,
    visit_form: bool,
}

#[derive(sqlx::FromRow)]
struct FullRow {
    definition: String,
    #[sqlx(flatten)]
    summary: SummaryRow,
}

impl From<SummaryRow> for FormSummary {
    fn from(r: SummaryRow) -> Self {
        FormSummary {
            id: r.id,
            form_id: r.form_id,
            version: Some(r.version).filter(|v| !v.is_empty()),
            title: r.title,
            questions: u32::try_from(r.question_count).unwrap_or(u32::MAX),
            created_ms: r.created_ms,
            created_by: r.created_by,
            visit_form: r.visit_form,
        }
    }
}

const SUMMARY_SELECT: &str = "select f.id, f.form_id, f.version, f.title, f.question_count,
        f.created_ms, u.username as created_by,
        coalesce(o.visit_form_id = f.id, false) as visit_form
    from forms f join orgs o on o.id = f.org_id left join users u on u.id = f.created_by";

area! {
    /// The form definitions stored per organization.
    Forms, forms
}

impl Forms<'_> {
    /// Stores a form version of `org` and sends it to the organization's devices; with
    /// `use_for_visits` (or when it is a new version of the visit form) it becomes the visit
    /// form.
    pub async fn insert(
        &self,
        org: OrgId,
        new: &NewForm<'_>,
        use_for_visits: bool,
    ) -> Result<FormSummary, InsertFormError> {
        let mut tx = self.begin_write().await?;
        let id = tx.insert_form(org, new).await?;
        tx.adopt_visit_form(org, id, new.form_id, use_for_visits)
            .await?;
        tx.commit().await.context("storing a form")?;
        let stored = self
            .summary_by_id(&id.to_string())
            .await?
            .context("reading back a stored form")?;
        Ok(stored)
    }

    /// The forms of `org`, by form id, then newest version first.
    pub async fn list(&self, org: OrgId) -> anyhow::Result<Vec<FormSummary>> {
        let sql = format!(
            "{SUMMARY_SELECT} where f.org_id = $1 order by f.form_id, f.created_ms desc, f.id desc"
        );
        let rows: Vec<SummaryRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.to_string())
                .fetch_all(pool)
                .await
                .context("listing forms")?
        });
        Ok(rows.into_iter().map(FormSummary::from).collect())
    }

    /// A form of `org` with its definition: `version`, or (with `None`) the newest imported.
    pub async fn find(
        &self,
        org: OrgId,
        form_id: &str,
        version: Option<&str>,
    ) -> anyhow::Result<Option<StoredForm>> {
        let mut sql = format!(
            "select f.definition, s.* from forms f join ({SUMMARY_SELECT}) s on s.id = f.id
             where f.org_id = $1 and f.form_id = $2"
        );
        if version.is_some() {
            sql.push_str(" and f.version = $3");
        }
        sql.push_str(" order by s.created_ms desc, s.id desc limit 1");
        let row: Option<FullRow> = on_read!(self, |pool| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.to_string())
                .bind(form_id);
            if let Some(v) = version {
                query = query.bind(v);
            }
            query.fetch_optional(pool).await.context("finding a form")?
        });
        row.map(|r| {
            Ok(StoredForm {
                summary: r.summary.into(),
                form: serde_json::from_str(&r.definition).context("stored form definition")?,
            })
        })
        .transpose()
    }

    /// Form version `id` of `org` with its definition; `None` when `org` has no such version.
    pub async fn find_version(&self, org: OrgId, id: FormId) -> anyhow::Result<Option<StoredForm>> {
        let sql = format!(
            "select f.definition, s.* from forms f join ({SUMMARY_SELECT}) s on s.id = f.id
             where f.org_id = $1 and f.id = $2"
        );
        let row: Option<FullRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(pool)
                .await
                .context("finding a form version")?
        });
        row.map(|r| {
            Ok(StoredForm {
                summary: r.summary.into(),
                form: serde_json::from_str(&r.definition).context("stored form definition")?,
            })
        })
        .transpose()
    }
}

impl Db {
    pub(super) async fn summary_by_id(&self, id: &str) -> anyhow::Result<Option<FormSummary>> {
        let sql = format!("{SUMMARY_SELECT} where f.id = $1");
        let row: Option<SummaryRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(id)
                .fetch_optional(pool)
                .await
                .context("reading a form")?
        });
        Ok(row.map(FormSummary::from))
    }
}

impl WriteTx {
    /// Stores a form version of `org` and records its `form` change for the organization's
    /// devices; its id.
    pub async fn insert_form(
        &mut self,
        org: OrgId,
        new: &NewForm<'_>,
    ) -> Result<FormId, InsertFormError> {
        let id = FormId::from_uuid(Uuid::now_v7());
        let definition = serde_json::to_string(new.form).context("encoding a form")?;
        let media: Vec<FormMediaFile> = new.media.iter().map(|m| m.file.clone()).collect();
        let manifest = serde_json::to_string(&media).context("encoding a form's media list")?;
        let created_ms = now_ms();
        let result = on_tx!(self, |c| {
            sqlx::query(
                "insert into forms (id, org_id, form_id, version, title, definition,
                                    question_count, created_ms, created_by, media)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(id.to_string())
            .bind(org.to_string())
            .bind(new.form_id)
            .bind(new.version)
            .bind(new.title)
            .bind(&definition)
            .bind(i64::from(new.question_count))
            .bind(created_ms)
            .bind(new.created_by.map(|u| u.to_string()))
            .bind(&manifest)
            .execute(&mut **c)
            .await
            .map(|_| ())
        });
        match result {
            Ok(()) => {}
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(InsertFormError::Duplicate {
                    form_id: new.form_id.to_owned(),
                    version: new.version.to_owned(),
                });
            }
            Err(e) => return Err(anyhow::Error::new(e).context("storing a form").into()),
        }
        self.insert_form_media(id, new.media).await?;
        let body = FormVersion {
            id,
            form_id: new.form_id.to_owned(),
            version: new.version.to_owned(),
            title: new.title.to_owned(),
            created_ms,
            definition: new.form.clone(),
            media,
        };
        let change = NewChange::org_wide(
            org,
            Change::upsert(id.to_string(), Record::Form(Box::new(body))),
        );
        self.record_all(&[change]).await?;
        Ok(id)
    }
}
