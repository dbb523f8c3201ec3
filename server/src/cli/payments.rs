//! `terreno-server import-payments`: opens a creditor's payment file with
//! [`crate::import::payments`], runs the import (`Payments::import`, which documents what is
//! written and when), and reports: a table for people or `--json` for scripts. Exit 1 (after
//! the summary) when a bad row kept anything from being stored.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;

use super::users::{print, table};
use super::{Cli, DEFAULT_DB};
use crate::db::payments::{PaymentSetup, PaymentSummary};
use crate::import::bounds::WorkbookLimits;
use crate::import::payments;

/// Flags of `import-payments`.
#[derive(Debug, Args)]
pub struct ImportPaymentsArgs {
    /// The CSV (any common encoding and delimiter) or XLSX/XLS file.
    pub file: PathBuf,
    /// Look accounts up in this portfolio only (default: across the organization's portfolios,
    /// refusing an external id that more than one holds).
    #[arg(long)]
    pub portfolio: Option<String>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
pub async fn run(cli: &Cli, args: &ImportPaymentsArgs) -> anyhow::Result<()> {
    let reader = payments::open_path(&args.file, &WorkbookLimits::default())
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let (db, org) = cli.open(DEFAULT_DB).await?;
    let file_name = args.file.file_name().and_then(|n| n.to_str());
    let setup = PaymentSetup {
        org: org.id,
        portfolio: args.portfolio.as_deref(),
        only_team: None,
        file_name,
    };
    let result = db.payments().import(reader, &setup).await;
    db.close().await;
    let summary = result?;
    if args.json {
        print(&format!("{}\n", serde_json::to_string_pretty(&summary)?))?;
    } else {
        print(&human(&summary))?;
    }
    if !summary.written {
        bail!(
            "nothing was stored: {} of {} rows are bad",
            summary.rows_rejected_count,
            summary.rows_read
        );
    }
    Ok(())
}

fn human(s: &PaymentSummary) -> String {
    let mut out = table(
        &["rows read", "new", "unchanged", "rejected"],
        [vec![
            s.rows_read.to_string(),
            s.payments_new.to_string(),
            s.payments_unchanged.to_string(),
            s.rows_rejected_count.to_string(),
        ]],
    );
    if !s.rows_rejected.is_empty() {
        out.push_str("\nrejected rows:\n");
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
    out
}
