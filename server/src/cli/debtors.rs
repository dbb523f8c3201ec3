//! `terreno-server debtors list`: the organization's accounts as stored, as a table for people
//! or `--json` (an array of objects) for scripts and tests. It only reads.

use super::users::{print, table};
use super::{Cli, DEFAULT_DB, DebtorsCommand};

/// Runs the command.
pub async fn run(cli: &Cli, cmd: &DebtorsCommand) -> anyhow::Result<()> {
    let DebtorsCommand::List { portfolio, json } = cmd;
    let (db, org) = cli.open(DEFAULT_DB).await?;
    let result = db.imports().debtors(org.id, portfolio.as_deref()).await;
    db.close().await;
    let debtors = result?;
    if *json {
        return print(&format!("{}\n", serde_json::to_string_pretty(&debtors)?));
    }
    let rows = debtors.iter().map(|d| {
        vec![
            d.portfolio.clone(),
            d.external_id.clone(),
            d.name.clone(),
            format!("{} {}", d.balance_minor, d.currency),
            d.days_past_due.to_string(),
            d.collector.clone().unwrap_or_default(),
            if d.needs_location {
                "needs location"
            } else {
                ""
            }
            .to_owned(),
        ]
    });
    print(&table(
        &[
            "portfolio",
            "external id",
            "name",
            "balance (minor)",
            "days past due",
            "collector",
            "location",
        ],
        rows,
    ))
}
