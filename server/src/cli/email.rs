//! `terreno-server email list`: the visit-email outbox, so admins see what was sent, what
//! waits, and what was given up and why.

use super::users::{print, table};
use super::{Cli, DEFAULT_DB, EmailCommand};

/// Runs the command.
pub async fn run(cli: &Cli, cmd: &EmailCommand) -> anyhow::Result<()> {
    let (db, _org) = cli.open(DEFAULT_DB).await?;
    let EmailCommand::List { failed, json } = cmd;
    let result = db.outbox().list(*failed).await;
    db.close().await;
    let items = result?;
    if *json {
        return print(&format!("{}\n", serde_json::to_string_pretty(&items)?));
    }
    print(&table(
        &["VISIT", "STATE", "ATTEMPTS", "LAST ERROR"],
        items.iter().map(|i| {
            vec![
                i.visit_id.clone(),
                i.state.clone(),
                i.attempts.to_string(),
                i.last_error.clone().unwrap_or_default(),
            ]
        }),
    ))
}
