//! Account upserts of a load: insert or update by `(portfolio, external_id)`, growing `version`
//! only when a stored value differs, and the account's feed changes (upsert for its collector,
//! remove for a collector who lost it).

use anyhow::{Context, bail};
use terreno_shared::api::v1::sync::ChangeOp;
use terreno_shared::api::v1::views::AccountView;
use terreno_shared::ids::{AccountId, PersonId};

use super::super::changes::NewChange;
use super::super::now_ms;
use super::{AccountRow, Collector, PortfolioRef, Upserted, WriteTx, removal};

/// The stored columns a load sets, compared to tell a change from a repeat.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
struct AccountCols {
    person_id: Option<String>,
    debtor_name: String,
    address: String,
    neighbourhood: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    phones: String,
    balance_minor: i64,
    currency: String,
    days_past_due: i64,
    contact_window: Option<String>,
    collector_id: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Existing {
    id: String,
    version: i64,
    collector_team: Option<String>,
    #[sqlx(flatten)]
    cols: AccountCols,
}

impl AccountCols {
    fn of(
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
        })
    }
}

impl WriteTx {
    /// Inserts or updates an account by `(portfolio, external_id)` and records what its
    /// collectors must learn. Returns the account as devices see it and what was done.
    pub async fn upsert_account(
        &mut self,
        portfolio: &PortfolioRef,
        row: &AccountRow,
        person: Option<PersonId>,
        collector: Option<Collector>,
    ) -> anyhow::Result<(AccountView, Upserted)> {
        let cols = AccountCols::of(portfolio, row, person, collector)?;
        let existing: Option<Existing> = on_tx!(self, |c| {
            sqlx::query_as(
                "select a.id, cast(a.version as bigint) as version, u.team_id as collector_team,
                        a.person_id, a.debtor_name, a.address, a.neighbourhood, a.lat, a.lon,
                        a.phones, cast(a.balance_minor as bigint) as balance_minor, a.currency,
                        cast(a.days_past_due as bigint) as days_past_due, a.contact_window,
                        a.collector_id
                 from accounts a left join users u on u.id = a.collector_id
                 where a.portfolio_id = $1 and a.external_id = $2",
            )
            .bind(portfolio.id.to_string())
            .bind(row.external_id.as_str())
            .fetch_optional(&mut **c)
            .await
            .context("reading an account")?
        });
        let (id, version, done) = match &existing {
            Some(e) if e.cols == cols => {
                let id = e.id.parse().context("stored account id")?;
                let view = view(portfolio, row, id, &cols, e.version)?;
                return Ok((view, Upserted::Unchanged));
            }
            Some(e) => {
                let id = e.id.parse().context("stored account id")?;
                self.write_account(portfolio, row, id, &cols).await?;
                (id, e.version + 1, Upserted::Updated)
            }
            None => {
                let id = AccountId::from_uuid(uuid::Uuid::now_v7());
                self.write_account(portfolio, row, id, &cols).await?;
                (id, 1, Upserted::Created)
            }
        };
        let view = view(portfolio, row, id, &cols, version)?;
        if let Some(old) = existing.filter(|e| e.cols.collector_id != cols.collector_id) {
            if let Some(old_collector) = &old.cols.collector_id {
                let change = removal(
                    portfolio.org,
                    "account",
                    &id.to_string(),
                    old_collector,
                    old.collector_team.as_deref(),
                )?;
                self.record(&change).await?;
            }
        }
        if let Some(c) = collector {
            self.record(&NewChange {
                org_id: portfolio.org,
                collector_id: Some(c.id),
                team_id: c.team,
                entity_type: "account",
                entity_id: id.to_string(),
                op: ChangeOp::Upsert,
                body: serde_json::to_value(&view).context("encoding an account")?,
            })
            .await?;
        }
        Ok((view, done))
    }

    /// Creates the account (version 1) or replaces its columns (next version).
    async fn write_account(
        &mut self,
        portfolio: &PortfolioRef,
        row: &AccountRow,
        id: AccountId,
        cols: &AccountCols,
    ) -> anyhow::Result<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "insert into accounts (id, portfolio_id, external_id, person_id, debtor_name,
                     address, neighbourhood, lat, lon, phones, balance_minor, currency,
                     days_past_due, contact_window, collector_id, version, updated_ms)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16)
                 on conflict (id) do update set person_id = excluded.person_id,
                     debtor_name = excluded.debtor_name, address = excluded.address,
                     neighbourhood = excluded.neighbourhood, lat = excluded.lat,
                     lon = excluded.lon, phones = excluded.phones,
                     balance_minor = excluded.balance_minor, currency = excluded.currency,
                     days_past_due = excluded.days_past_due,
                     contact_window = excluded.contact_window,
                     collector_id = excluded.collector_id, version = accounts.version + 1,
                     updated_ms = excluded.updated_ms",
            )
            .bind(id.to_string())
            .bind(portfolio.id.to_string())
            .bind(row.external_id.as_str())
            .bind(&cols.person_id)
            .bind(&cols.debtor_name)
            .bind(&cols.address)
            .bind(&cols.neighbourhood)
            .bind(cols.lat)
            .bind(cols.lon)
            .bind(&cols.phones)
            .bind(cols.balance_minor)
            .bind(&cols.currency)
            .bind(cols.days_past_due)
            .bind(&cols.contact_window)
            .bind(&cols.collector_id)
            .bind(now_ms())
            .execute(&mut **c)
            .await
            .context("writing an account")?;
        });
        Ok(())
    }
}

fn view(
    portfolio: &PortfolioRef,
    row: &AccountRow,
    id: AccountId,
    cols: &AccountCols,
    version: i64,
) -> anyhow::Result<AccountView> {
    Ok(AccountView {
        id,
        portfolio: portfolio.id,
        portfolio_name: portfolio.name.clone(),
        external_id: row.external_id.to_string(),
        person: cols
            .person_id
            .as_deref()
            .map(str::parse)
            .transpose()
            .context("person id")?,
        national_id: row.national_id.as_ref().map(|n| n.number().to_owned()),
        name: cols.debtor_name.clone(),
        address: cols.address.clone(),
        neighbourhood: cols.neighbourhood.clone(),
        lat: cols.lat,
        lon: cols.lon,
        phones: row.phones.iter().map(|p| p.as_str().to_owned()).collect(),
        balance_minor: cols.balance_minor,
        currency: cols.currency.clone(),
        days_past_due: row.days_past_due.days(),
        bucket: row.days_past_due.bucket().label().to_owned(),
        contact_window: cols.contact_window.clone(),
        collector: cols
            .collector_id
            .as_deref()
            .map(str::parse)
            .transpose()
            .context("collector id")?,
        version,
    })
}
