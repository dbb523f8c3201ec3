//! Sync on demand (the UI also calls it when the network returns and on a timer).

use tauri::State;
use terreno_app::sync::SyncReport;

use crate::error::CommandResult;
use crate::state::Shell;

/// Pushes the outbox and pulls the route; `offline` when the server cannot be reached (nothing
/// is lost), `revoked` when the server revoked the device (its data is wiped).
#[tauri::command]
pub async fn sync_run(shell: State<'_, Shell>) -> CommandResult<SyncReport> {
    shell.run(|core| core.sync(&mut |_| {})).await
}
