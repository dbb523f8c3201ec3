//! The collector's shift: positions are stored only while one is open.

use chrono::{DateTime, Utc};
use tauri::State;

use crate::error::CommandResult;
use crate::state::Shell;

/// Opens a shift; `conflict` when one is already open.
#[tauri::command]
pub async fn shift_start(shell: State<'_, Shell>) -> CommandResult<DateTime<Utc>> {
    shell.run(|core| core.shift_start()).await
}

/// Closes the open shift; `conflict` when none is.
#[tauri::command]
pub async fn shift_end(shell: State<'_, Shell>) -> CommandResult<DateTime<Utc>> {
    shell.run(|core| core.shift_end()).await
}
