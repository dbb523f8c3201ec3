//! Server-authored portfolio data: portfolios, persons, accounts, routes and stops, written by
//! a load (the demo, the route importer) in ONE transaction, chunk by chunk (`load`), with the
//! pull-feed changes devices need recorded in that same transaction.
//!
//! Owns the write side of `portfolios`, `persons`, `accounts`, `routes` and `stops`. Rows arrive
//! already validated (shared domain types); this module checks only what needs the database
//! (the collector exists, the currency is the portfolio's). It must not parse sheets.
//!
//! Feed rules (SYNC.md, server-authored data): an account reaches its collector (and the
//! supervisors of the collector's team) as a whole `AccountView` whose `version` grows only
//! when something changed; an unchanged row records nothing. When an account moves to another
//! collector (or to none), the old collector gets a `remove` for it and for its stops on their
//! routes, whose rows are deleted. A stop on the same collector's route for another date is
//! kept: the date orders the work, it does not forbid a visit.

use std::collections::HashMap;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use terreno_shared::api::v1::sync::{Change, EntityType};
use terreno_shared::contact::LocalWindow;
use terreno_shared::ids::{OrgId, PortfolioId, RouteId, TeamId, UserId};
use terreno_shared::model::{
    Currency, DaysPastDue, ExternalId, GeoPoint, Money, NationalId, Phone, Username,
};
use uuid::Uuid;

use super::changes::NewChange;
use crate::on_tx;

mod accounts;
mod close;
mod load;
mod load_plan;
mod route_edits;
mod stops;

pub use super::tx::WriteTx;
pub use close::Closed;
pub use load::Load;
pub(crate) use route_edits::collector_of;
pub use route_edits::{Reassigned, RouteEditError};
pub use stops::RoutePlan;

/// Rows per load chunk: a few statements each, whatever the size.
pub const LOAD_CHUNK: usize = 1000;

/// A portfolio as loads need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioRef {
    /// Id.
    pub id: PortfolioId,
    /// Organization.
    pub org: OrgId,
    /// Name (unique in the organization).
    pub name: String,
    /// Currency of its balances.
    pub currency: Currency,
}

/// One account of a load: a row of a sheet, validated (serde: an import stages it as JSON).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AccountRow {
    /// The creditor's code: the account's key within the portfolio.
    pub external_id: ExternalId,
    /// The debtor's identity document, when the sheet has one.
    pub national_id: Option<NationalId>,
    /// Debtor's name.
    pub debtor_name: String,
    /// Address.
    pub address: String,
    /// Neighbourhood.
    pub neighbourhood: Option<String>,
    /// Location of the address.
    pub location: Option<GeoPoint>,
    /// Phones.
    pub phones: Vec<Phone>,
    /// Balance, in the portfolio's currency.
    pub balance: Money,
    /// Days past due.
    pub days_past_due: DaysPastDue,
    /// Contact window in local time.
    pub contact_window: Option<LocalWindow>,
    /// Assigned collector's login name (none: unassigned, on no device).
    pub collector: Option<Username>,
    /// Planned visit date: puts a stop on the collector's route of that date.
    pub visit_date: Option<NaiveDate>,
}

/// Counts of a load.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct LoadSummary {
    /// Accounts created.
    pub accounts_created: usize,
    /// Accounts changed.
    pub accounts_updated: usize,
    /// Accounts already as loaded.
    pub accounts_unchanged: usize,
    /// Stops created.
    pub stops_created: usize,
    /// Stops moved (position or date).
    pub stops_updated: usize,
    /// Stops removed from other collectors' routes.
    pub stops_removed: usize,
    /// Accounts that went from a collector of one team to a collector of another.
    pub accounts_moved_between_teams: usize,
}

/// A collector a load assigns accounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Collector {
    /// The user.
    pub id: UserId,
    /// Their team: supervisors of it see what they see.
    pub team: Option<TeamId>,
}

/// A route as stops need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteRef {
    /// Id.
    pub id: RouteId,
    /// Whose route.
    pub collector: Collector,
    /// Its date.
    pub date: NaiveDate,
}

area! {
    /// Portfolios, their accounts and routes: loading, editing and reading them.
    Portfolio, portfolio
}

impl Portfolio<'_> {
    /// A portfolio of `org` by name, created with `currency` if absent. An existing portfolio
    /// in another currency is an error (its balances would be misread).
    pub async fn ensure(
        &self,
        org: OrgId,
        name: &str,
        currency: Currency,
    ) -> anyhow::Result<PortfolioRef> {
        let mut tx = self.begin_write().await?;
        let p = tx.ensure_portfolio(org, name, currency).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Loads accounts (persons, accounts, routes, stops and their feed changes) in one
    /// transaction: any error leaves the database as it was. The error names the row
    /// (1-based) and the account. External ids must be distinct.
    pub async fn load_accounts(
        &self,
        portfolio: &PortfolioRef,
        rows: &[AccountRow],
    ) -> anyhow::Result<LoadSummary> {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            if let Some(first) = seen.insert(row.external_id.as_str(), i) {
                bail!(
                    "row {} repeats account {} of row {}",
                    i + 1,
                    row.external_id,
                    first + 1
                );
            }
        }
        let mut tx = self.begin_write().await?;
        let mut load = Load::new(portfolio, RoutePlan::of(rows));
        for chunk in rows.chunks(LOAD_CHUNK) {
            tx.load_chunk(&mut load, chunk).await?;
        }
        tx.commit().await.context("committing the load")?;
        Ok(load.summary)
    }
}

impl WriteTx {
    /// See [`Portfolio::ensure`].
    pub async fn ensure_portfolio(
        &mut self,
        org: OrgId,
        name: &str,
        currency: Currency,
    ) -> anyhow::Result<PortfolioRef> {
        let name = name.trim();
        if name.is_empty() {
            bail!("a portfolio needs a name");
        }
        let new_id = PortfolioId::from_uuid(Uuid::now_v7());
        let (id, code): (String, String) = on_tx!(self, |c| {
            sqlx::query(
                "insert into portfolios (id, org_id, name, currency) values ($1, $2, $3, $4)
                 on conflict (org_id, name) do nothing",
            )
            .bind(new_id.to_string())
            .bind(org.to_string())
            .bind(name)
            .bind(currency.code())
            .execute(&mut **c)
            .await
            .context("creating a portfolio")?;
            sqlx::query_as("select id, currency from portfolios where org_id = $1 and name = $2")
                .bind(org.to_string())
                .bind(name)
                .fetch_one(&mut **c)
                .await?
        });
        if code != currency.code() {
            bail!("portfolio {name:?} holds balances in {code}, not {currency}");
        }
        Ok(PortfolioRef {
            id: id.parse().context("stored portfolio id")?,
            org,
            name: name.to_owned(),
            currency,
        })
    }

    /// An active collector of `org` by login name.
    pub async fn find_collector(
        &mut self,
        org: OrgId,
        username: &Username,
    ) -> anyhow::Result<Collector> {
        let row: Option<(String, Option<String>, String)> = on_tx!(self, |c| {
            sqlx::query_as(
                "select id, team_id, role from users
                 where org_id = $1 and username = $2 and active",
            )
            .bind(org.to_string())
            .bind(username.as_str())
            .fetch_optional(&mut **c)
            .await?
        });
        match row {
            Some((id, team, role)) if role == "collector" => Ok(Collector {
                id: id.parse().context("stored user id")?,
                team: team
                    .map(|t| t.parse())
                    .transpose()
                    .context("stored team id")?,
            }),
            Some((_, _, role)) => bail!("{username} is a {role}, not a collector"),
            None => bail!(
                "there is no active user named {:?} in this organization",
                username.as_str()
            ),
        }
    }
}

/// A `remove` change of an entity for the collector who no longer has it.
pub(super) fn removal(
    org: OrgId,
    entity_type: EntityType,
    id: &str,
    collector: &str,
    team: Option<&str>,
) -> anyhow::Result<NewChange> {
    Ok(NewChange {
        org_id: org,
        collector_id: Some(collector.parse().context("stored user id")?),
        team_id: team
            .map(|t| t.parse())
            .transpose()
            .context("stored team id")?,
        change: Change::remove(entity_type, id),
    })
}
