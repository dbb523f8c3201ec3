//! The decisions of a route import, made without the database (the plan half of
//! `Imports::run`): how each read row is staged or refused, whether what was read may be
//! imported at all, which collectors are invited or refused, which staged rows are loaded, and
//! what the summary says. The apply half runs the statements around them.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use terreno_shared::model::{Currency, Username};

use super::collectors::NameHolder;
use super::staging::{StageRow, Staged};
use super::{ImportSummary, Rejected, Setup};
use crate::db::portfolio::{AccountRow, LoadSummary, RoutePlan};
use crate::import::{ImportRow, RowError};

/// What reading the file found besides the staged rows.
#[derive(Debug, Default)]
pub(super) struct Read {
    /// The import's currency: the first good row's.
    pub currency: Option<Currency>,
    /// The team cell of each collector's first row.
    pub teams: BTreeMap<String, Option<String>>,
    /// The collector column's header.
    pub collector_column: Option<String>,
    /// The external id column's header.
    pub id_column: Option<String>,
    /// The balance column's header.
    pub balance_column: Option<String>,
    /// Rows rejected while reading.
    pub rejected_reading: u64,
    /// The line where the file stopped being readable (the rest is unread).
    pub failed_at: Option<u64>,
}

/// How row `seq` of the file is staged: a good row with `date` where it has none; a bad one (or
/// one in a second currency) refused, and staged as a marker of its id when the id is readable
/// (`--close-missing` must not close an account the file names).
pub(super) fn stage_row(
    row: Result<ImportRow, RowError>,
    seq: u64,
    date: NaiveDate,
    read: &mut Read,
) -> anyhow::Result<(Option<StageRow>, Option<Rejected>)> {
    let marker = |external_id: String, line: u64| StageRow {
        external_id,
        seq,
        line,
        collector: None,
        visit_date: None,
        row: None,
    };
    let mut r = match row {
        Ok(r) => r,
        Err(e) => {
            read.rejected_reading += 1;
            let staged = e.external_id.clone().map(|id| marker(id, e.line));
            return Ok((staged, Some(e.into())));
        }
    };
    let account = &mut r.account;
    account.visit_date.get_or_insert(date);
    let currency = account.balance.currency();
    let expected = *read.currency.get_or_insert(currency);
    let staged = marker(account.external_id.to_string(), r.line);
    if currency != expected {
        read.rejected_reading += 1;
        let rejected = Rejected {
            line: r.line,
            column: read.balance_column.clone(),
            reason: format!("the balance is in {currency}, but this import is in {expected}"),
        };
        return Ok((Some(staged), Some(rejected)));
    }
    if let Some(c) = &account.collector {
        read.teams
            .entry(c.as_str().to_owned())
            .or_insert_with(|| r.team.clone());
    }
    let staged = StageRow {
        collector: account.collector.as_ref().map(|c| c.as_str().to_owned()),
        visit_date: account.visit_date.map(|d| d.to_string()),
        row: Some(serde_json::to_string(account).context("staging a row")?),
        ..staged
    };
    Ok((Some(staged), None))
}

/// Whether what was read may be imported: `Ok(false)` for a file without data rows (imported
/// as it is: nothing to write), an error where `--close-missing` would close accounts of rows
/// never read.
pub(super) fn check_read(read: &Read, rows_read: u64, setup: &Setup<'_>) -> anyhow::Result<bool> {
    if rows_read == 0 {
        if setup.close_missing {
            bail!(
                "the file has no data rows: --close-missing would close every account of \
                 portfolio {:?}, so nothing was done",
                setup.portfolio
            );
        }
        return Ok(false);
    }
    if let (true, Some(line)) = (setup.close_missing, read.failed_at) {
        bail!(
            "the file could not be read past line {line}: --close-missing would close the \
             accounts of the unread rest, so nothing was written"
        );
    }
    Ok(true)
}

/// The collectors the staged rows name, decided.
#[derive(Debug, Default)]
pub(super) struct Collectors {
    /// The routes of the collectors whose rows load, dated by their earliest visit date.
    pub routes: RoutePlan,
    /// Names nobody holds: invited collectors to create.
    pub invite: Vec<String>,
    /// Names whose rows are refused, and why.
    pub refused: BTreeMap<String, String>,
}

/// Decides each staged collector (`name`, earliest visit date, who holds the name): a free
/// name is invited, a holder the import may not assign to refuses its rows.
pub(super) fn collectors(
    staged: Vec<(String, Option<String>, Option<NameHolder>)>,
    setup: &Setup<'_>,
) -> anyhow::Result<Collectors> {
    let mut out = Collectors::default();
    for (name, date, holder) in staged {
        let username = Username::parse(&name).context("a staged collector")?;
        let date: NaiveDate = date
            .as_deref()
            .unwrap_or_default()
            .parse()
            .context("a staged visit date")?;
        match holder.map(|h| h.refusal(setup.org, setup.only_team)) {
            None => out.invite.push(name),
            Some(Some(why)) => {
                out.refused.insert(name, why);
                continue;
            }
            Some(None) => {}
        }
        out.routes.add(&username, date);
    }
    Ok(out)
}

/// The team of an invited collector: a supervisor's own, else the team cell of the
/// collector's first row, else the import's.
pub(super) fn invite_team<'a>(
    name: &str,
    own_team: Option<&'a str>,
    read: &'a Read,
    setup: &Setup<'a>,
) -> Option<&'a str> {
    own_team
        .or(read.teams.get(name).and_then(Option::as_deref))
        .or(setup.team)
}

/// The staged rows of a chunk to load: those of refused collectors are left out. Counts the
/// accounts without a location.
pub(super) fn rows_to_load(
    staged: Vec<Staged>,
    refused: &BTreeMap<String, String>,
    summary: &mut ImportSummary,
) -> anyhow::Result<Vec<AccountRow>> {
    let mut rows = Vec::with_capacity(staged.len());
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
    Ok(rows)
}

/// The counts of a committed load, in the summary's words.
pub(super) fn loaded(summary: &mut ImportSummary, load: &LoadSummary) {
    summary.written = true;
    summary.debtors_created = load.accounts_created;
    summary.debtors_updated = load.accounts_updated;
    summary.debtors_unchanged = load.accounts_unchanged;
    summary.debtors_moved_between_teams = load.accounts_moved_between_teams;
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
