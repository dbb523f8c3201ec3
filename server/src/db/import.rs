//! The route import use case shared by `terreno-server import-routes` and
//! `POST /api/v1/imports/routes`, in ONE write transaction:
//! 1. every row of a [`RowReader`] goes to a staging table in chunks (`staging`), bad ones as
//!    markers of their id, with the per-row errors kept; rows in a second currency are bad;
//! 2. rows the database rules out are refused: a collector name held by a non-collector, a
//!    disabled user, another organization or, for a supervisor, another team (`collectors`);
//! 3. an all-or-nothing import with any bad row, or one with no good row, stops there and
//!    rolls back; otherwise the invited collectors the file names are created and the staged
//!    rows are loaded chunk by chunk (`portfolio::Load`) in file order, collectors' routes
//!    dated by the earliest visit date of their rows;
//! 4. with `close_missing`, the portfolio's open accounts the file does not name are closed.
//!
//! Memory stays bounded whatever the file size: a chunk of rows, the collectors' names, and
//! at most [`MAX_REPORTED`] rejected rows (the count is always exact).
//!
//! It must not parse files (the `import` module does) or print (it reports to a
//! [`Progress`]).

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use terreno_shared::ids::{OrgId, TeamId};
use terreno_shared::model::{Currency, Username};

use super::Db;
use super::portfolio::{AccountRow, LOAD_CHUNK, Load, RoutePlan};
use super::tx::WriteTx;
use crate::import::{Field, RowError, RowReader};
use crate::on_read;

mod collectors;
mod listing;
mod staging;

pub use listing::DebtorListing;
use staging::StageRow;

/// Rejected rows listed in a summary at most (the lowest lines); `rows_rejected_count` counts
/// them all.
pub const MAX_REPORTED: usize = 10_000;

/// Rows read per staging statement.
const STAGE_CHUNK: usize = 1000;

/// What an import reports as it goes (a progress bar on a terminal).
pub trait Progress: Send + Sync {
    /// `rows` data rows read so far.
    fn reading(&self, _rows: u64) {}
    /// Writing begins: `total` accounts to write.
    fn writing(&self, _total: u64) {}
    /// `rows` accounts written so far.
    fn written(&self, _rows: u64) {}
}

/// No progress reports.
impl Progress for () {}

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
    /// Close the portfolio's open accounts the file does not name.
    pub close_missing: bool,
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

/// The rejected rows of an import: the lowest [`MAX_REPORTED`] lines and the exact count.
#[derive(Debug, Default)]
struct Rejections {
    kept: Vec<Rejected>,
    count: u64,
}

impl Rejections {
    fn push(&mut self, r: Rejected) {
        self.count += 1;
        self.kept.push(r);
        if self.kept.len() >= 2 * MAX_REPORTED {
            self.trim();
        }
    }

    fn trim(&mut self) {
        self.kept.sort_by_key(|r| r.line);
        self.kept.truncate(MAX_REPORTED);
    }

    fn into_summary(mut self, summary: &mut ImportSummary) {
        self.trim();
        summary.rows_rejected = self.kept;
        summary.rows_rejected_count = self.count;
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
    /// Open accounts of the portfolio the file does not name, closed (`close_missing`).
    pub debtors_closed: usize,
    /// Accounts moved from a collector of one team to a collector of another (only an
    /// administrator's import can: a supervisor's rows naming another team's accounts are
    /// refused).
    pub debtors_moved_between_teams: usize,
    /// Bad rows, by line (the first 10,000).
    pub rows_rejected: Vec<Rejected>,
    /// How many rows are bad.
    pub rows_rejected_count: u64,
    /// Login names of the invited collectors created.
    pub collectors_created: Vec<String>,
    /// Imported accounts without a location (the first visit captures one).
    pub needs_location: usize,
}

impl Db {
    /// Imports the rows of `reader` (see the module docs).
    pub async fn import_routes(
        &self,
        reader: RowReader,
        setup: &Setup<'_>,
        progress: &dyn Progress,
    ) -> anyhow::Result<ImportSummary> {
        let mut summary = ImportSummary {
            portfolio: setup.portfolio.to_owned(),
            ..ImportSummary::default()
        };
        let mut rejected = Rejections::default();
        let mut tx = self.begin_write().await?;
        tx.create_staging().await?;
        let read = stage_all(
            &mut tx,
            reader,
            setup,
            &mut summary,
            &mut rejected,
            progress,
        )
        .await?;
        if summary.rows_read == 0 {
            if setup.close_missing {
                bail!(
                    "the file has no data rows: --close-missing would close every account of \
                     portfolio {:?}, so nothing was done",
                    setup.portfolio
                );
            }
            // A file with no data rows at all is imported as it is: there was nothing to write.
            summary.written = true;
            return Ok(summary);
        }
        if let (true, Some(line)) = (setup.close_missing, read.failed_at) {
            bail!(
                "the file could not be read past line {line}: --close-missing would close the \
                 accounts of the unread rest, so nothing was written"
            );
        }
        // A supervisor changes only their team's accounts: a row naming another team's (or an
        // unassigned one another team has visited) would move it, visits and photos along.
        let mut foreign = 0;
        if let Some(team) = setup.only_team {
            let (count, rows) = tx
                .unstage_foreign(
                    &setup.org.to_string(),
                    setup.portfolio,
                    &team.to_string(),
                    MAX_REPORTED,
                )
                .await?;
            for r in &rows {
                rejected.push(Rejected {
                    line: r.line.unsigned_abs(),
                    column: read.id_column.clone(),
                    reason: format!(
                        "account {:?} is held by another team: only an administrator can \
                         change it or move it between teams",
                        r.external_id
                    ),
                });
            }
            rejected.count += count - rows.len() as u64;
            foreign = count;
        }
        let mut plan = RoutePlan::default();
        let mut refused: HashMap<String, String> = HashMap::new();
        let mut invite: Vec<String> = Vec::new();
        for (name, date, _) in tx.staged_collectors().await? {
            let username = Username::parse(&name).context("a staged collector")?;
            let date: NaiveDate = date
                .as_deref()
                .unwrap_or_default()
                .parse()
                .context("a staged visit date")?;
            let Some(holder) = tx.name_holder(&name).await? else {
                invite.push(name);
                plan.add(&username, date);
                continue;
            };
            if let Some(why) = holder.refusal(setup.org, setup.only_team) {
                let (count, lines) = tx.staged_lines_of(&name, MAX_REPORTED).await?;
                for line in &lines {
                    rejected.push(Rejected {
                        line: line.unsigned_abs(),
                        column: read.collector_column.clone(),
                        reason: why.clone(),
                    });
                }
                rejected.count += count - lines.len() as u64;
                refused.insert(name, why);
                continue;
            }
            plan.add(&username, date);
        }
        // Rows refused for their collector are still staged; those of other teams' accounts no
        // longer are.
        let refused_rows: u64 = rejected.count - read.rejected_reading - foreign;
        let good = tx.staged_count().await? - refused_rows;
        if good == 0 || (setup.all_or_nothing && rejected.count > 0) {
            // Dropping `tx` rolls everything back.
            rejected.into_summary(&mut summary);
            return Ok(summary);
        }
        let currency = read.currency.unwrap_or(Currency::COP);
        let portfolio = tx
            .ensure_portfolio(setup.org, setup.portfolio, currency)
            .await?;
        let own_team = match setup.only_team {
            Some(t) => Some(tx.team_name(t).await?),
            None => None,
        };
        for name in &invite {
            let team = own_team
                .as_deref()
                .or(read.teams.get(name).and_then(Option::as_deref))
                .or(setup.team);
            tx.insert_invited_collector(setup.org, name, team).await?;
        }
        summary.collectors_created = invite;
        progress.writing(good);
        let mut load = Load::new(&portfolio, plan);
        let mut after = 0;
        let mut written = 0;
        loop {
            let staged = tx.staged_after(after, LOAD_CHUNK).await?;
            let Some(last) = staged.last() else { break };
            after = last.seq;
            let mut rows: Vec<AccountRow> = Vec::with_capacity(staged.len());
            for s in staged {
                if s.collector
                    .as_ref()
                    .is_some_and(|c| refused.contains_key(c))
                {
                    continue;
                }
                let row: AccountRow = serde_json::from_str(&s.row)
                    .with_context(|| format!("reading back the staged row of line {}", s.line))?;
                if row.location.is_none() {
                    summary.needs_location += 1;
                }
                rows.push(row);
            }
            tx.load_chunk(&mut load, &rows).await?;
            written += rows.len() as u64;
            progress.written(written);
        }
        if setup.close_missing {
            let closed = tx.close_accounts_not_in(&portfolio, staging::TABLE).await?;
            summary.debtors_closed = closed.accounts;
        }
        tx.drop_staging().await?;
        tx.commit().await.context("committing the import")?;
        summary.written = true;
        summary.debtors_created = load.summary.accounts_created;
        summary.debtors_updated = load.summary.accounts_updated;
        summary.debtors_unchanged = load.summary.accounts_unchanged;
        summary.debtors_moved_between_teams = load.summary.accounts_moved_between_teams;
        rejected.into_summary(&mut summary);
        Ok(summary)
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
}

/// What reading the file found besides the staged rows.
struct Read {
    /// The import's currency: the first good row's.
    currency: Option<Currency>,
    /// The team cell of each collector's first row.
    teams: BTreeMap<String, Option<String>>,
    /// The collector column's header.
    collector_column: Option<String>,
    /// The external id column's header.
    id_column: Option<String>,
    /// Rows rejected while reading.
    rejected_reading: u64,
    /// The line where the file stopped being readable (the rest is unread).
    failed_at: Option<u64>,
}

/// Reads every row into the staging table: good ones with `setup.date` where they have no
/// visit date, bad ones into `rejected` (and as markers of their id when it is readable).
async fn stage_all(
    tx: &mut WriteTx,
    reader: RowReader,
    setup: &Setup<'_>,
    summary: &mut ImportSummary,
    rejected: &mut Rejections,
    progress: &dyn Progress,
) -> anyhow::Result<Read> {
    let collector_column = header_of(&reader, Field::Collector);
    let id_column = header_of(&reader, Field::ExternalId);
    let balance_column = header_of(&reader, Field::Balance);
    let mut reader = reader;
    let mut read = Read {
        currency: None,
        teams: BTreeMap::new(),
        collector_column,
        id_column,
        rejected_reading: 0,
        failed_at: None,
    };
    let mut chunk: Vec<StageRow> = Vec::with_capacity(STAGE_CHUNK);
    for row in reader.by_ref() {
        summary.rows_read += 1;
        let seq = summary.rows_read;
        let staged = match row {
            Ok(mut r) => {
                let account = &mut r.account;
                account.visit_date.get_or_insert(setup.date);
                let currency = account.balance.currency();
                let expected = *read.currency.get_or_insert(currency);
                let marker = StageRow {
                    external_id: account.external_id.to_string(),
                    seq,
                    line: r.line,
                    collector: None,
                    visit_date: None,
                    row: None,
                };
                if currency != expected {
                    rejected.push(Rejected {
                        line: r.line,
                        column: balance_column.clone(),
                        reason: format!(
                            "the balance is in {currency}, but this import is in {expected}"
                        ),
                    });
                    read.rejected_reading += 1;
                    marker
                } else {
                    if let Some(c) = &account.collector {
                        read.teams
                            .entry(c.as_str().to_owned())
                            .or_insert_with(|| r.team.clone());
                    }
                    StageRow {
                        collector: account.collector.as_ref().map(|c| c.as_str().to_owned()),
                        visit_date: account.visit_date.map(|d| d.to_string()),
                        row: Some(serde_json::to_string(account).context("staging a row")?),
                        ..marker
                    }
                }
            }
            Err(e) => {
                let marker = e.external_id.clone().map(|id| StageRow {
                    external_id: id,
                    seq,
                    line: e.line,
                    collector: None,
                    visit_date: None,
                    row: None,
                });
                rejected.push(e.into());
                read.rejected_reading += 1;
                match marker {
                    Some(m) => m,
                    None => continue,
                }
            }
        };
        chunk.push(staged);
        if chunk.len() >= STAGE_CHUNK {
            tx.stage(&chunk).await?;
            chunk.clear();
            progress.reading(summary.rows_read);
        }
    }
    tx.stage(&chunk).await?;
    progress.reading(summary.rows_read);
    read.failed_at = reader.failed_at();
    Ok(read)
}

/// The header of the column holding `field`.
fn header_of(reader: &RowReader, field: Field) -> Option<String> {
    let i = reader.mapping().column(field)?;
    reader.headers().get(i).cloned()
}
