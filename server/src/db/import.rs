//! The route import use case shared by `terreno-server import-routes` and
//! `POST /api/v1/imports/routes`: read every row of a [`RowReader`], refuse rows the database
//! rules out (a collector name held by a non-collector, a disabled user, another organization
//! or, for a supervisor, another team; a second currency), then create the collectors the file
//! names as invited users and write the good rows in one `Db::load_accounts`.
//!
//! Nothing is written unless the load goes ahead: the file is read to the end first, an
//! all-or-nothing import with a bad row stops there, and collectors are created just before
//! the load and deleted again if it rolls back, so a failed import leaves the data as it was.
//! The good rows are held in memory until the load, since the load dates each collector's
//! route by the earliest visit date of all their rows.
//!
//! Owns no table: it reads `users` and `teams` and deletes only the invited users its own
//! failed load created. It must not parse files (the `import` module does) or print.

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use chrono::NaiveDate;
use terreno_shared::ids::{OrgId, TeamId, UserId};
use terreno_shared::model::{Currency, Role};

use super::Db;
use super::portfolio::AccountRow;
use super::users::NewUser;
use crate::import::{Field, ImportRow, RowError, RowReader};
use crate::{on_read, on_write};

mod listing;

pub use listing::DebtorListing;

/// How an import treats its rows.
#[derive(Debug, Clone)]
pub struct Setup<'a> {
    /// The organization.
    pub org: OrgId,
    /// Portfolio name.
    pub portfolio: &'a str,
    /// Visit date of rows without one.
    pub date: NaiveDate,
    /// Team (by name) of created collectors whose row has no team cell.
    pub team: Option<&'a str>,
    /// A supervisor's import: only this team's collectors, and new ones join it.
    pub only_team: Option<TeamId>,
    /// Write nothing if any row is bad.
    pub all_or_nothing: bool,
}

/// A bad row as reported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Rejected {
    /// Line in the file (row number in a workbook).
    pub line: u64,
    /// Column header as written; none when the row as a whole is wrong.
    pub column: Option<String>,
    /// Why.
    pub reason: String,
}

impl From<RowError> for Rejected {
    fn from(e: RowError) -> Rejected {
        Rejected {
            line: e.line,
            column: e.column,
            reason: e.reason,
        }
    }
}

/// What an import did (or, when `written` is false, what kept it from writing).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    /// Whether the import was committed.
    pub written: bool,
    /// Portfolio name.
    pub portfolio: String,
    /// Data rows read.
    pub rows_read: u64,
    /// Accounts created.
    pub debtors_created: usize,
    /// Accounts changed.
    pub debtors_updated: usize,
    /// Accounts already as imported.
    pub debtors_unchanged: usize,
    /// Bad rows, by line.
    pub rows_rejected: Vec<Rejected>,
    /// Login names of the invited collectors created.
    pub collectors_created: Vec<String>,
    /// Imported accounts without a location (the first visit captures one).
    pub needs_location: usize,
}

#[derive(sqlx::FromRow)]
struct NameHolder {
    username: String,
    org_id: String,
    team_id: Option<String>,
    role: String,
    active: bool,
}

impl Db {
    /// Imports the rows of `reader` (see the module docs).
    pub async fn import_routes(
        &self,
        reader: RowReader,
        setup: &Setup<'_>,
    ) -> anyhow::Result<ImportSummary> {
        let collector_column = reader
            .mapping()
            .column(Field::Collector)
            .map(|i| reader.headers()[i].clone());
        let mut summary = ImportSummary {
            portfolio: setup.portfolio.to_owned(),
            ..ImportSummary::default()
        };
        let good = read_all(reader, setup.date, &mut summary);
        let currency = good
            .first()
            .map_or(Currency::COP, |r| r.account.balance.currency());
        let (good, new_collectors) = self
            .check_rows(good, currency, collector_column, setup, &mut summary)
            .await?;
        if good.is_empty() || (setup.all_or_nothing && !summary.rows_rejected.is_empty()) {
            // A file with no data rows at all is imported as it is: there was nothing to write.
            summary.written = summary.rows_read == 0;
            return Ok(summary);
        }
        let portfolio = self
            .ensure_portfolio(setup.org, setup.portfolio, currency)
            .await?;
        let team_name = match setup.only_team {
            Some(t) => Some(self.team_name(t).await?),
            None => None,
        };
        let mut created: Vec<UserId> = Vec::new();
        for (name, team) in &new_collectors {
            let team = team_name.as_deref().or(team.as_deref()).or(setup.team);
            let user = NewUser {
                username: name,
                role: Role::Collector,
                team,
                display_name: None,
            };
            match self.insert_user(setup.org, &user).await {
                Ok(info) => created.push(info.id),
                Err(e) => {
                    self.delete_invited_users(setup.org, &created).await?;
                    return Err(e.context(format!("creating collector {name}")));
                }
            }
        }
        summary.needs_location = good.iter().filter(|r| r.location.is_none()).count();
        let loaded = match self.load_accounts(&portfolio, &good).await {
            Ok(l) => l,
            Err(e) => {
                self.delete_invited_users(setup.org, &created).await?;
                return Err(e.context("loading the accounts; nothing was written"));
            }
        };
        summary.written = true;
        summary.debtors_created = loaded.accounts_created;
        summary.debtors_updated = loaded.accounts_updated;
        summary.debtors_unchanged = loaded.accounts_unchanged;
        summary.collectors_created = new_collectors.into_iter().map(|(n, _)| n).collect();
        Ok(summary)
    }

    /// Refuses the rows the database rules out (into `summary`) and returns the rows to load
    /// with the collectors to create (and the team of their first row).
    async fn check_rows(
        &self,
        rows: Vec<ImportRow>,
        currency: Currency,
        collector_column: Option<String>,
        setup: &Setup<'_>,
        summary: &mut ImportSummary,
    ) -> anyhow::Result<(Vec<AccountRow>, Vec<(String, Option<String>)>)> {
        let mut named: Vec<(String, Option<String>)> = Vec::new();
        for r in &rows {
            if let Some(c) = &r.account.collector
                && !named.iter().any(|(n, _)| n == c.as_str())
            {
                named.push((c.as_str().to_owned(), r.team.clone()));
            }
        }
        let mut refused: HashMap<String, String> = HashMap::new();
        let mut held: HashSet<String> = HashSet::new();
        for (name, _) in &named {
            let Some(h) = self.name_holder(name).await? else {
                continue;
            };
            let why = if h.org_id != setup.org.to_string() {
                Some("belongs to a user of another organization")
            } else if h.role != "collector" {
                Some("is not a collector")
            } else if !h.active {
                Some("is a disabled collector")
            } else if setup
                .only_team
                .is_some_and(|t| h.team_id != Some(t.to_string()))
            {
                Some("is a collector of another team")
            } else {
                None
            };
            if let Some(why) = why {
                refused.insert(h.username.clone(), format!("{:?} {why}", h.username));
            }
            held.insert(h.username);
        }
        named.retain(|(n, _)| !held.contains(n));
        let mut good = Vec::new();
        for r in rows {
            let refusal = r
                .account
                .collector
                .as_ref()
                .and_then(|c| refused.get(c.as_str()));
            let (column, reason) = if let Some(reason) = refusal {
                (collector_column.clone(), reason.clone())
            } else if r.account.balance.currency() != currency {
                let other = r.account.balance.currency();
                (
                    None,
                    format!("the balance is in {other}, but this import is in {currency}"),
                )
            } else {
                good.push(r.account);
                continue;
            };
            summary.rows_rejected.push(Rejected {
                line: r.line,
                column,
                reason,
            });
        }
        // Collectors of refused rows only are not created.
        named.retain(|(n, _)| {
            good.iter()
                .any(|a| a.collector.as_ref().is_some_and(|c| c.as_str() == n))
        });
        summary.rows_rejected.sort_by_key(|r| r.line);
        Ok((good, named))
    }

    /// The holder of a login name, in any organization (login names are unique overall).
    async fn name_holder(&self, username: &str) -> anyhow::Result<Option<NameHolder>> {
        Ok(on_read!(self, |pool| {
            sqlx::query_as(
                "select username, org_id, team_id, role, active from users where username = $1",
            )
            .bind(username)
            .fetch_optional(pool)
            .await
            .context("looking up a collector")?
        }))
    }

    /// Today's date in the organization's time zone: the visit date of rows without one.
    pub async fn today_in(&self, org: OrgId) -> anyhow::Result<NaiveDate> {
        let zone: String = on_read!(self, |pool| {
            sqlx::query_scalar("select time_zone from orgs where id = $1")
                .bind(org.to_string())
                .fetch_one(pool)
                .await
                .context("looking up the organization's time zone")?
        });
        let zone: chrono_tz::Tz = zone
            .parse()
            .map_err(|e| anyhow::anyhow!("stored time zone {zone:?}: {e}"))?;
        Ok(chrono::Utc::now().with_timezone(&zone).date_naive())
    }

    async fn team_name(&self, team: TeamId) -> anyhow::Result<String> {
        Ok(on_read!(self, |pool| {
            sqlx::query_scalar("select name from teams where id = $1")
                .bind(team.to_string())
                .fetch_one(pool)
                .await
                .context("looking up the supervisor's team")?
        }))
    }

    /// Deletes invited users an import created before its load rolled back (nothing refers to
    /// them: the load that would have was never committed).
    async fn delete_invited_users(&self, org: OrgId, ids: &[UserId]) -> anyhow::Result<()> {
        for id in ids {
            on_write!(self, |pool| {
                sqlx::query(
                    "delete from users where id = $1 and org_id = $2 and password_hash is null",
                )
                .bind(id.to_string())
                .bind(org.to_string())
                .execute(pool)
                .await
                .map(|_| ())
                .context("removing a collector of a failed import")?
            });
        }
        Ok(())
    }
}

/// Reads every row: good ones (the last row of an id wins, in the place of the first) with
/// `date` where they have none; bad ones into `summary`.
fn read_all(reader: RowReader, date: NaiveDate, summary: &mut ImportSummary) -> Vec<ImportRow> {
    let mut good: Vec<ImportRow> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for row in reader {
        summary.rows_read += 1;
        match row {
            Ok(mut r) => {
                r.account.visit_date.get_or_insert(date);
                match by_id.get(r.account.external_id.as_str()) {
                    Some(&i) => good[i] = r,
                    None => {
                        by_id.insert(r.account.external_id.as_str().to_owned(), good.len());
                        good.push(r);
                    }
                }
            }
            Err(e) => summary.rows_rejected.push(e.into()),
        }
    }
    good
}
