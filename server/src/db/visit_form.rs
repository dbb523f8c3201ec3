//! The organization's visit form: the stored form version its new visits are filled with
//! (`orgs.visit_form_id`; see its migration). Every organization has one: created with the
//! shipped form ([`crate::forms::shipped`]), and one that predates visit forms gets it when the
//! server starts ([`Visits::ensure_forms`], idempotent). Importing with "use for visits", or a
//! new version of the form the visit form is a version of, moves it.
//!
//! Each move is sent to the organization's devices in its transaction: a `visit_form` change
//! (entity id [`VISIT_FORM_ID`], body [`VisitForm`]), after the `form` change of the version it
//! names, so a device never hears of a visit form it has not received.

use anyhow::Context;
use terreno_shared::api::v1::forms::{VISIT_FORM_ID, VisitForm};
use terreno_shared::api::v1::sync::{Change, Record};
use terreno_shared::ids::{FormId, OrgId};

use super::changes::NewChange;
use super::forms::{FormSummary, InsertFormError, NewForm};
use super::tx::WriteTx;
use super::visit_list::Visits;
use crate::forms::{ReadForm, shipped};
use crate::{on_read, on_tx};

impl Visits<'_> {
    /// The visit form of `org`, if it has one yet.
    pub async fn find_form(&self, org: OrgId) -> anyhow::Result<Option<FormId>> {
        let id: Option<Option<String>> = on_read!(self, |pool| {
            sqlx::query_scalar("select visit_form_id from orgs where id = $1")
                .bind(org.to_string())
                .fetch_optional(pool)
                .await
                .context("reading the visit form")?
        });
        id.flatten()
            .map(|s| s.parse().context("stored visit form id"))
            .transpose()
    }

    /// Makes version `id` of `org` the visit form (new visits are filled with it) and tells the
    /// devices; its summary, or `None` when `org` has no such version. Choosing the current
    /// visit form again changes nothing and sends nothing.
    pub async fn choose_form(&self, org: OrgId, id: FormId) -> anyhow::Result<Option<FormSummary>> {
        let mut tx = self.begin_write().await?;
        let found: Option<(String, Option<String>)> = on_tx!(tx, |c| {
            sqlx::query_as(
                "select f.id, o.visit_form_id from forms f join orgs o on o.id = f.org_id
                 where f.org_id = $1 and f.id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .fetch_optional(&mut **c)
            .await
            .context("finding the form version to use for visits")?
        });
        let Some((_, current)) = found else {
            return Ok(None);
        };
        if current.as_deref() != Some(id.to_string().as_str()) {
            tx.set_visit_form(org, id).await?;
        }
        tx.commit().await.context("choosing the visit form")?;
        self.summary_by_id(&id.to_string()).await
    }

    /// Gives every organization without a visit form the shipped one (reusing that version
    /// when the organization already imported it); how many got it. Run at startup.
    pub async fn ensure_forms(&self) -> anyhow::Result<usize> {
        let orgs: Vec<String> = on_read!(self, |pool| {
            sqlx::query_scalar("select id from orgs where visit_form_id is null order by id")
                .fetch_all(pool)
                .await
                .context("finding organizations without a visit form")?
        });
        if orgs.is_empty() {
            return Ok(0);
        }
        let read = shipped::visit_form().context("reading the shipped visit form")?;
        let mut given = 0;
        for org in orgs {
            let org: OrgId = org.parse().context("stored organization id")?;
            let mut tx = self.begin_write().await?;
            if tx.give_visit_form(org, &read).await? {
                given += 1;
            }
            tx.commit()
                .await
                .with_context(|| format!("giving organization {org} its visit form"))?;
        }
        Ok(given)
    }
}

impl WriteTx {
    /// Makes `id`, a version of form `form_id` just stored in `org`, the visit form when
    /// `use_for_visits` or when the current visit form is a version of the same form; whether
    /// it did.
    pub async fn adopt_visit_form(
        &mut self,
        org: OrgId,
        id: FormId,
        form_id: &str,
        use_for_visits: bool,
    ) -> anyhow::Result<bool> {
        let current: Option<String> = on_tx!(self, |c| {
            sqlx::query_scalar(
                "select f.form_id from orgs o join forms f on f.id = o.visit_form_id
                 where o.id = $1",
            )
            .bind(org.to_string())
            .fetch_optional(&mut **c)
            .await
            .context("reading the visit form")?
        });
        let adopt = use_for_visits || current.as_deref() == Some(form_id);
        if adopt {
            self.set_visit_form(org, id).await?;
        }
        Ok(adopt)
    }

    /// Makes `id` (a stored version of `org`) the visit form and tells the devices.
    pub async fn set_visit_form(&mut self, org: OrgId, id: FormId) -> anyhow::Result<()> {
        on_tx!(self, |c| {
            sqlx::query("update orgs set visit_form_id = $2 where id = $1")
                .bind(org.to_string())
                .bind(id.to_string())
                .execute(&mut **c)
                .await
                .context("setting the visit form")?;
        });
        let change = NewChange::org_wide(
            org,
            Change::upsert(VISIT_FORM_ID, Record::VisitForm(VisitForm { id })),
        );
        self.record_all(&[change]).await
    }

    /// Gives `org` the shipped visit form `read` unless it has a visit form; whether it did.
    /// A version of it the organization already stored is reused.
    pub async fn give_visit_form(&mut self, org: OrgId, read: &ReadForm) -> anyhow::Result<bool> {
        // PostgreSQL: two servers starting together wait for each other here, and the second
        // finds the visit form set. SQLite has one writer anyway.
        let lock = if self.is_pg() { " for update" } else { "" };
        let sql = format!("select visit_form_id from orgs where id = $1{lock}");
        let current: Option<String> = on_tx!(self, |c| {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.to_string())
                .fetch_one(&mut **c)
                .await
                .context("reading the visit form")?
        });
        if current.is_some() {
            return Ok(false);
        }
        let stored: Option<String> = on_tx!(self, |c| {
            sqlx::query_scalar(
                "select id from forms where org_id = $1 and form_id = $2 and version = $3",
            )
            .bind(org.to_string())
            .bind(&read.form_id)
            .bind(&read.version)
            .fetch_optional(&mut **c)
            .await
            .context("looking for the shipped visit form")?
        });
        let id = match stored {
            Some(id) => id.parse().context("stored form id")?,
            None => self
                .insert_form(org, &NewForm::from_read(read, None))
                .await
                .map_err(|e| match e {
                    InsertFormError::Other(e) => e,
                    duplicate => anyhow::Error::new(duplicate),
                })?,
        };
        self.set_visit_form(org, id).await?;
        Ok(true)
    }
}
