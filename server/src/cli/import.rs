//! `terreno-server import-routes`: opens a route spreadsheet with [`crate::import`], runs the
//! import (`Imports::run`, which documents what is written and when), and reports what
//! happened: a table for people or `--json` for scripts. Exit 1 (after the summary) when
//! nothing was written.

use std::path::PathBuf;

use anyhow::bail;
use chrono::NaiveDate;
use clap::Args;
use terreno_shared::model::Currency;

use super::progress::Bar;
use super::users::{print, table};
use super::{Cli, DEFAULT_DB};
use crate::db::Db;
use crate::db::import::{ImportSummary, Setup};
use crate::db::orgs::Org;
use crate::import::{self, Field, ImportOptions};

/// Flags of `import-routes`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV (any common encoding and delimiter) or XLSX/XLS file.
    pub file: PathBuf,
    /// Write nothing if any row is bad.
    #[arg(long)]
    pub all_or_nothing: bool,
    /// Visit date (YYYY-MM-DD) of rows without one; default: today in the organization's zone.
    #[arg(long)]
    pub date: Option<NaiveDate>,
    /// The day the file's balances are as of (YYYY-MM-DD): payments dated after it lower them,
    /// earlier ones are taken as included; default: the import day in the organization's zone.
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    /// The creditor portfolio the accounts belong to.
    #[arg(long, default_value = "default")]
    pub portfolio: String,
    /// Team of the collectors the import creates, unless the file has a team column.
    #[arg(long)]
    pub team: Option<String>,
    /// Close the portfolio's open accounts the file does not name (they leave the collectors'
    /// devices; a later file naming them reopens them).
    #[arg(long)]
    pub close_missing: bool,
    /// Read column COLUMN as FIELD (e.g. `--map "Cod. cliente=external_id"`); repeatable.
    #[arg(long = "map", value_name = "COLUMN=FIELD", value_parser = parse_map)]
    pub map: Vec<(String, Field)>,
    /// Workbook sheet to read (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
pub async fn run(cli: &Cli, args: &ImportArgs) -> anyhow::Result<()> {
    let (db, org) = cli.open(DEFAULT_DB).await?;
    let result = import_file(&db, &org, args).await;
    db.close().await;
    let summary = result?;
    if args.json {
        print(&format!("{}\n", serde_json::to_string_pretty(&summary)?))?;
    } else {
        print(&human(&summary))?;
    }
    if !summary.written {
        bail!(
            "nothing was written: {} of {} rows are bad{}",
            summary.rows_rejected_count,
            summary.rows_read,
            if args.all_or_nothing {
                " and --all-or-nothing was given"
            } else {
                ""
            }
        );
    }
    Ok(())
}

async fn import_file(db: &Db, org: &Org, args: &ImportArgs) -> anyhow::Result<ImportSummary> {
    let options = ImportOptions {
        sheet: args.sheet.clone(),
        map: args.map.clone(),
        ignore: Vec::new(),
        ..ImportOptions::new(Currency::COP)
    };
    let reader = import::open_path(&args.file, &options)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let today = crate::clock::now()
        .with_timezone(&org.time_zone)
        .date_naive();
    let setup = Setup {
        org: org.id,
        portfolio: &args.portfolio,
        date: args.date.unwrap_or(today),
        as_of: args.as_of.unwrap_or(today),
        team: args.team.as_deref(),
        only_team: None,
        all_or_nothing: args.all_or_nothing,
        close_missing: args.close_missing,
    };
    let bar = Bar::stderr();
    let summary = db.imports().run(reader, &setup, &bar).await;
    bar.finish();
    summary
}

fn human(s: &ImportSummary) -> String {
    let mut out = table(
        &[
            "rows read",
            "created",
            "updated",
            "unchanged",
            "closed",
            "rejected",
            "needs location",
        ],
        [vec![
            s.rows_read.to_string(),
            s.debtors_created.to_string(),
            s.debtors_updated.to_string(),
            s.debtors_unchanged.to_string(),
            s.debtors_closed.to_string(),
            s.rows_rejected_count.to_string(),
            s.needs_location.to_string(),
        ]],
    );
    if s.debtors_moved_between_teams > 0 {
        out.push_str(&format!(
            "\naccounts moved to a collector of another team: {}\n",
            s.debtors_moved_between_teams
        ));
    }
    if !s.rows_rejected.is_empty() {
        let shown = s.rows_rejected.len() as u64;
        if shown < s.rows_rejected_count {
            out.push_str(&format!(
                "\nrejected rows (the first {shown} of {}):\n",
                s.rows_rejected_count
            ));
        } else {
            out.push_str("\nrejected rows:\n");
        }
        out.push_str(&table(
            &["line", "column", "reason"],
            s.rows_rejected.iter().map(|r| {
                vec![
                    r.line.to_string(),
                    r.column.clone().unwrap_or_default(),
                    r.reason.clone(),
                ]
            }),
        ));
    }
    if !s.collectors_created.is_empty() {
        out.push_str(&format!(
            "\ninvited collectors created (set a password with `user passwd`): {}\n",
            s.collectors_created.join(", ")
        ));
    }
    out
}

/// A `--map COLUMN=FIELD` flag, refused as bad usage before anything is opened.
fn parse_map(s: &str) -> Result<(String, Field), String> {
    let (column, field) = s
        .rsplit_once('=')
        .ok_or_else(|| format!("{s:?} is not COLUMN=FIELD"))?;
    let field: Field = field.trim().parse()?;
    Ok((column.trim().to_owned(), field))
}
