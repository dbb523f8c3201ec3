//! Accounts and persons of a load chunk, in bulk: the chunk's persons upserted and read back in
//! two statements, its stored accounts read in one, and its new or changed accounts written in
//! one. An account's `version` grows only when a stored value differs (`status` included: a
//! closed account in the file is reopened).

use std::collections::HashMap;

use anyhow::{Context, bail};
use sqlx::AssertSqlSafe;
use terreno_shared::api::v1::views::AccountView;
use terreno_shared::ids::{AccountId, OrgId, PersonId};

use super::super::json_rows::{self, Ty};
use super::super::now_ms;
use super::{AccountRow, Collector, PortfolioRef, WriteTx};
use crate::on_tx;

/// The stored columns a load sets, compared to tell a change from a repeat.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub(super) struct AccountCols {
    pub person_id: Option<String>,
    pub debtor_name: String,
    pub address: String,
    pub neighbourhood: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub phones: String,
    pub balance_minor: i64,
    pub currency: String,
    pub days_past_due: i64,
    pub contact_window: Option<String>,
    pub collector_id: Option<String>,
    pub status: String,
}

/// An account as stored before the load touched it.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct Existing {
    pub id: String,
    pub external_id: String,
    pub version: i64,
    pub collector_team: Option<String>,
    #[sqlx(flatten)]
    pub cols: AccountCols,
}

/// An account to insert or replace.
pub(super) struct AccountWrite<'a> {
    pub id: AccountId,
    pub row: &'a AccountRow,
    pub cols: AccountCols,
}

impl AccountCols {
    pub(super) fn of(
        portfolio: &PortfolioRef,
        row: &AccountRow,
        person: Option<PersonId>,
        collector: Option<Collector>,
    ) -> anyhow::Result<AccountCols> {
        if row.balance.currency() != portfolio.currency {
            bail!(
                "the balance is in {} but portfolio {:?} is in {}",
                row.balance.currency(),
                portfolio.name,
                portfolio.currency
            );
        }
        if row.balance.is_negative() {
            bail!("the balance {} is negative", row.balance);
        }
        let debtor_name = row.debtor_name.trim();
        let address = row.address.trim();
        if debtor_name.is_empty() || address.is_empty() {
            bail!("an account needs the debtor's name and address");
        }
        let phones: Vec<&str> = row.phones.iter().map(|p| p.as_str()).collect();
        Ok(AccountCols {
            person_id: person.map(|p| p.to_string()),
            debtor_name: debtor_name.to_owned(),
            address: address.to_owned(),
            neighbourhood: row
                .neighbourhood
                .as_deref()
                .map(str::trim)
                .map(str::to_owned),
            lat: row.location.map(|l| l.lat()),
            lon: row.location.map(|l| l.lon()),
            phones: serde_json::to_string(&phones).context("encoding phones")?,
            balance_minor: row.balance.minor_units(),
            currency: portfolio.currency.code().to_owned(),
            days_past_due: i64::from(row.days_past_due.days()),
            contact_window: row.contact_window.map(|w| w.to_string()),
            collector_id: collector.map(|c| c.id.to_string()),
            status: "open".to_owned(),
        })
    }

    /// The account as devices see it.
    pub(super) fn view(
        &self,
        portfolio: &PortfolioRef,
        row: &AccountRow,
        id: AccountId,
        version: i64,
    ) -> anyhow::Result<AccountView> {
        Ok(AccountView {
            id,
            portfolio: portfolio.id,
            portfolio_name: portfolio.name.clone(),
            external_id: row.external_id.to_string(),
            person: self
                .person_id
                .as_deref()
                .map(str::parse)
                .transpose()
                .context("person id")?,
            national_id: row.national_id.as_ref().map(|n| n.number().to_owned()),
            name: self.debtor_name.clone(),
            address: self.address.clone(),
            neighbourhood: self.neighbourhood.clone(),
            lat: self.lat,
            lon: self.lon,
            phones: row.phones.iter().map(|p| p.as_str().to_owned()).collect(),
            balance_minor: self.balance_minor,
            currency: self.currency.clone(),
            days_past_due: row.days_past_due.days(),
            bucket: row.days_past_due.bucket().label().to_owned(),
            contact_window: self.contact_window.clone(),
            collector: self
                .collector_id
                .as_deref()
                .map(str::parse)
                .transpose()
                .context("collector id")?,
            version,
        })
    }
}

impl WriteTx {
    /// Creates the chunk's persons (by document) or renames them to their last row's debtor
    /// name, and gives each document's person id, keyed `(kind, number)`.
    // Long: one bulk statement per backend, written out with its binds.
    pub(super) async fn upsert_persons(
        &mut self,
        org: OrgId,
        rows: &[AccountRow],
    ) -> anyhow::Result<HashMap<(String, String), PersonId>> {
        // One row per document: PostgreSQL refuses to update a row twice in one statement.
        let mut by_doc: HashMap<(&str, &str), &str> = HashMap::new();
        for row in rows {
            if let Some(n) = &row.national_id {
                by_doc.insert((n.kind().as_str(), n.number()), &row.debtor_name);
            }
        }
        if by_doc.is_empty() {
            return Ok(HashMap::new());
        }
        let docs: Vec<_> = by_doc
            .iter()
            .map(|((kind, number), name)| {
                let id = PersonId::from_uuid(uuid::Uuid::now_v7()).to_string();
                (id, kind, number, name)
            })
            .collect();
        let pg = self.is_pg();
        let cols = [
            ("id", Ty::Text),
            ("kind", Ty::Text),
            ("number", Ty::Text),
            ("name", Ty::Text),
        ];
        let upsert = format!(
            "insert into persons (id, org_id, doc_kind, doc_number, name)
             select r.id, $1, r.kind, r.number, r.name from {} where true
             on conflict (org_id, doc_kind, doc_number) do update set name = excluded.name
             where persons.name <> excluded.name",
            json_rows::table(pg, 2, &cols, "r")
        );
        // `cross join` puts the chunk first on SQLite: a lookup per row, not a scan of persons.
        let select = format!(
            "select p.id, p.doc_kind, p.doc_number from {} cross join persons p
             where p.org_id = $1 and p.doc_kind = r.kind and p.doc_number = r.number",
            json_rows::table(pg, 2, &cols, "r")
        );
        let param = json_rows::param(&docs);
        let found: Vec<(String, String, String)> = on_tx!(self, |c| {
            sqlx::query(AssertSqlSafe(upsert))
                .bind(org.to_string())
                .bind(&param)
                .execute(&mut **c)
                .await
                .context("saving persons")?;
            sqlx::query_as(AssertSqlSafe(select))
                .bind(org.to_string())
                .bind(&param)
                .fetch_all(&mut **c)
                .await
                .context("reading persons")?
        });
        found
            .into_iter()
            .map(|(id, kind, number)| Ok(((kind, number), id.parse().context("stored person id")?)))
            .collect()
    }

    /// The chunk's accounts already stored, by external id.
    pub(super) async fn existing_accounts(
        &mut self,
        portfolio: &PortfolioRef,
        rows: &[AccountRow],
    ) -> anyhow::Result<HashMap<String, Existing>> {
        let ids: Vec<_> = rows.iter().map(|r| (r.external_id.as_str(),)).collect();
        let sql = format!(
            "select a.id, a.external_id, cast(a.version as bigint) as version,
                    u.team_id as collector_team, a.person_id, a.debtor_name, a.address,
                    a.neighbourhood, a.lat, a.lon, a.phones,
                    cast(a.balance_minor as bigint) as balance_minor, a.currency,
                    cast(a.days_past_due as bigint) as days_past_due, a.contact_window,
                    a.collector_id, a.status
             from accounts a left join users u on u.id = a.collector_id
             where a.portfolio_id = $1 and a.external_id in (select r.external_id from {})",
            json_rows::table(self.is_pg(), 2, &[("external_id", Ty::Text)], "r")
        );
        let param = json_rows::param(&ids);
        let found: Vec<Existing> = on_tx!(self, |c| {
            sqlx::query_as(AssertSqlSafe(sql))
                .bind(portfolio.id.to_string())
                .bind(&param)
                .fetch_all(&mut **c)
                .await
                .context("reading accounts")?
        });
        Ok(found
            .into_iter()
            .map(|e| (e.external_id.clone(), e))
            .collect())
    }

    /// Inserts the new accounts (version 1) and replaces the changed ones (next version).
    // Long: one bulk statement per backend, written out with its binds.
    pub(super) async fn write_accounts(
        &mut self,
        portfolio: &PortfolioRef,
        writes: &[AccountWrite<'_>],
    ) -> anyhow::Result<()> {
        if writes.is_empty() {
            return Ok(());
        }
        let rows: Vec<_> = writes
            .iter()
            .map(|w| {
                let c = &w.cols;
                (
                    w.id.to_string(),
                    w.row.external_id.as_str(),
                    &c.person_id,
                    &c.debtor_name,
                    &c.address,
                    &c.neighbourhood,
                    c.lat,
                    c.lon,
                    &c.phones,
                    c.balance_minor,
                    &c.currency,
                    c.days_past_due,
                    &c.contact_window,
                    &c.collector_id,
                )
            })
            .collect();
        let cols = [
            ("id", Ty::Text),
            ("external_id", Ty::Text),
            ("person_id", Ty::Text),
            ("debtor_name", Ty::Text),
            ("address", Ty::Text),
            ("neighbourhood", Ty::Text),
            ("lat", Ty::Real),
            ("lon", Ty::Real),
            ("phones", Ty::Text),
            ("balance_minor", Ty::Int),
            ("currency", Ty::Text),
            ("days_past_due", Ty::Int),
            ("contact_window", Ty::Text),
            ("collector_id", Ty::Text),
        ];
        let sql = format!(
            "insert into accounts (id, portfolio_id, external_id, person_id, debtor_name,
                 address, neighbourhood, lat, lon, phones, balance_minor, currency,
                 days_past_due, contact_window, collector_id, status, version, updated_ms)
             select r.id, $1, r.external_id, r.person_id, r.debtor_name, r.address,
                 r.neighbourhood, r.lat, r.lon, r.phones, r.balance_minor, r.currency,
                 r.days_past_due, r.contact_window, r.collector_id, 'open', 1, $3
             from {} where true
             on conflict (id) do update set person_id = excluded.person_id,
                 debtor_name = excluded.debtor_name, address = excluded.address,
                 neighbourhood = excluded.neighbourhood, lat = excluded.lat,
                 lon = excluded.lon, phones = excluded.phones,
                 balance_minor = excluded.balance_minor, currency = excluded.currency,
                 days_past_due = excluded.days_past_due,
                 contact_window = excluded.contact_window,
                 collector_id = excluded.collector_id, status = 'open',
                 version = accounts.version + 1, updated_ms = excluded.updated_ms",
            json_rows::table(self.is_pg(), 2, &cols, "r")
        );
        let param = json_rows::param(&rows);
        on_tx!(self, |c| {
            sqlx::query(AssertSqlSafe(sql))
                .bind(portfolio.id.to_string())
                .bind(&param)
                .bind(now_ms())
                .execute(&mut **c)
                .await
                .context("writing accounts")?;
        });
        Ok(())
    }
}
