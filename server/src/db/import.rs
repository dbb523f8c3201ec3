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
//! 4. every account of a good row gets the file's balance date (`as_of`);
//! 5. with `close_missing`, the portfolio's open accounts the file does not name are closed.
//!
//! Memory stays bounded whatever the file size: a chunk of rows, the collectors' names, and
//! at most [`MAX_REPORTED`] rejected rows (the count is always exact).
//!
//! It must not parse files (the `import` module does) or print (it reports to a
//! [`Progress`]).

use anyhow::Context;
use chrono::NaiveDate;
use terreno_shared::ids::{OrgId, TeamId};
use terreno_shared::model::Currency;

use sqlx::AssertSqlSafe;

use super::json_rows::{self, Ty};
use super::portfolio::{AccountRow, LOAD_CHUNK, Load, LoadSummary, PortfolioRef};
use super::tx::WriteTx;
use crate::import::{Field, RowError, RowReader};
use crate::on_tx;

mod collectors;
mod listing;
mod plan;
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
    /// The day the file's balances are as of (the creditor's cut): payments dated after it
    /// lower them, earlier ones are taken as included.
    pub as_of: NaiveDate,
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rejected {
    /// Line in the file (row number in a workbook).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
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

    /// Refuses the listed ones of `count` rows (`(line, column, why)`): only the lowest lines
    /// are listed, the count is exact.
    fn extend<'c>(
        &mut self,
        count: u64,
        listed: impl ExactSizeIterator<Item = (i64, &'c Option<String>, String)>,
    ) {
        let n = listed.len() as u64;
        for (line, column, reason) in listed {
            self.push(Rejected {
                line: line.unsigned_abs(),
                column: column.clone(),
                reason,
            });
        }
        self.count += count - n;
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportSummary {
    /// Whether the import was committed.
    pub written: bool,
    /// Portfolio name.
    pub portfolio: String,
    /// Data rows read.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
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
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub rows_rejected_count: u64,
    /// Login names of the invited collectors created.
    pub collectors_created: Vec<String>,
    /// Imported accounts without a location (the first visit captures one).
    pub needs_location: usize,
}

area! {
    /// Importing route files, and the debtor listing they feed.
    Imports, imports
}

impl Imports<'_> {
    /// Imports the rows of `reader` (see the module docs). The decisions are `plan`'s; this
    /// runs the statements around them, in one transaction.
    pub async fn run(
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
        );
        let read = read.await?;
        if !plan::check_read(&read, summary.rows_read, setup)? {
            summary.written = true;
            return Ok(summary);
        }
        let foreign = tx.refuse_foreign(setup, &read, &mut rejected).await?;
        let mut staged = Vec::new();
        for (name, date, _) in tx.staged_collectors().await? {
            let holder = tx.name_holder(&name).await?;
            staged.push((name, date, holder));
        }
        let collectors = plan::collectors(staged, setup)?;
        for (name, why) in &collectors.refused {
            let (count, lines) = tx.staged_lines_of(name, MAX_REPORTED).await?;
            let column = &read.collector_column;
            rejected.extend(count, lines.iter().map(|line| (*line, column, why.clone())));
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
        progress.writing(good);
        let load = tx.load_staged(setup, &read, collectors, &mut summary, progress);
        let load = load.await?;
        tx.drop_staging().await?;
        tx.commit().await.context("committing the import")?;
        plan::loaded(&mut summary, &load);
        rejected.into_summary(&mut summary);
        Ok(summary)
    }

    /// Today's date in the organization's time zone: the visit date of rows without one.
    pub async fn today_in(&self, org: OrgId) -> anyhow::Result<NaiveDate> {
        let zone = self.org_zone(&org.to_string()).await?;
        Ok(crate::clock::now().with_timezone(&zone).date_naive())
    }
}

impl WriteTx {
    /// A supervisor changes only their team's accounts: a row naming another team's (or an
    /// unassigned one another team has visited) would move it, visits and photos along. Such
    /// rows leave the staging table, refused; answers how many.
    async fn refuse_foreign(
        &mut self,
        setup: &Setup<'_>,
        read: &plan::Read,
        rejected: &mut Rejections,
    ) -> anyhow::Result<u64> {
        let Some(team) = setup.only_team else {
            return Ok(0);
        };
        let (org, team) = (setup.org.to_string(), team.to_string());
        let (count, rows) = self
            .unstage_foreign(&org, setup.portfolio, &team, MAX_REPORTED)
            .await?;
        let why = |id: &str| {
            format!(
                "account {id:?} is held by another team: only an administrator can change it \
                 or move it between teams"
            )
        };
        let refused = rows
            .iter()
            .map(|r| (r.line, &read.id_column, why(&r.external_id)));
        rejected.extend(count, refused);
        Ok(count)
    }

    /// Creates the invited collectors and loads the staged rows chunk by chunk, in file order;
    /// with `close_missing`, closes the portfolio's open accounts the file does not name.
    async fn load_staged(
        &mut self,
        setup: &Setup<'_>,
        read: &plan::Read,
        collectors: plan::Collectors,
        summary: &mut ImportSummary,
        progress: &dyn Progress,
    ) -> anyhow::Result<LoadSummary> {
        let currency = read.currency.unwrap_or(Currency::COP);
        let portfolio = self
            .ensure_portfolio(setup.org, setup.portfolio, currency)
            .await?;
        let own_team = match setup.only_team {
            Some(t) => Some(self.team_name(t).await?),
            None => None,
        };
        for name in &collectors.invite {
            let team = plan::invite_team(name, own_team.as_deref(), read, setup);
            self.insert_invited_collector(setup.org, name, team).await?;
        }
        summary.collectors_created = collectors.invite;
        let mut load = Load::new(&portfolio, collectors.routes);
        let (mut after, mut written) = (0, 0);
        loop {
            let staged = self.staged_after(after, LOAD_CHUNK).await?;
            let Some(last) = staged.last() else { break };
            after = last.seq;
            let rows = plan::rows_to_load(staged, &collectors.refused, summary)?;
            self.load_chunk(&mut load, &rows).await?;
            self.set_balance_as_of(&portfolio, &rows, setup.as_of)
                .await?;
            written += rows.len() as u64;
            progress.written(written);
        }
        if setup.close_missing {
            let closed = self
                .close_accounts_not_in(&portfolio, staging::TABLE)
                .await?;
            summary.debtors_closed = closed.accounts;
        }
        Ok(load.summary)
    }
}

impl WriteTx {
    /// Dates the balances of a loaded chunk's accounts: the file's balances are as of `as_of`.
    async fn set_balance_as_of(
        &mut self,
        portfolio: &PortfolioRef,
        rows: &[AccountRow],
        as_of: NaiveDate,
    ) -> anyhow::Result<()> {
        let ids: Vec<(&str,)> = rows.iter().map(|r| (r.external_id.as_str(),)).collect();
        let sql = format!(
            "update accounts set balance_as_of = $1
             where portfolio_id = $2 and external_id in (select r.id from {})",
            json_rows::table(self.is_pg(), 3, &[("id", Ty::Text)], "r")
        );
        let param = json_rows::param(&ids);
        on_tx!(self, |c| {
            sqlx::query(AssertSqlSafe(sql))
                .bind(as_of.to_string())
                .bind(portfolio.id.to_string())
                .bind(&param)
                .execute(&mut **c)
                .await
                .context("dating the imported balances")?;
        });
        Ok(())
    }
}

/// Reads every row into the staging table (see [`plan::stage_row`]), a chunk at a time.
async fn stage_all(
    tx: &mut WriteTx,
    reader: RowReader,
    setup: &Setup<'_>,
    summary: &mut ImportSummary,
    rejected: &mut Rejections,
    progress: &dyn Progress,
) -> anyhow::Result<plan::Read> {
    let mut read = plan::Read {
        collector_column: header_of(&reader, Field::Collector),
        id_column: header_of(&reader, Field::ExternalId),
        balance_column: header_of(&reader, Field::Balance),
        ..plan::Read::default()
    };
    let mut reader = reader;
    let mut chunk: Vec<StageRow> = Vec::with_capacity(STAGE_CHUNK);
    for row in reader.by_ref() {
        summary.rows_read += 1;
        let (staged, refused) = plan::stage_row(row, summary.rows_read, setup.date, &mut read)?;
        if let Some(r) = refused {
            rejected.push(r);
        }
        let Some(staged) = staged else { continue };
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
