//! Position: what the shell knows now, fixes from the phone's location services, and the
//! desktop's track-file replay.

use chrono::{DateTime, Utc};
use tauri::State;
use terreno_app::gps::recorder::Recorded;
use terreno_shared::model::Fix;

use crate::error::CommandResult;
use crate::position::PositionView;
use crate::state::Shell;

/// Position, battery and their source.
#[tauri::command]
pub async fn position_get(shell: State<'_, Shell>) -> CommandResult<PositionView> {
    shell.with(|s| Ok(s.position())).await
}

/// Fixes from the platform (the UI's geolocation watch); stored only during a shift.
#[tauri::command]
pub async fn position_record(shell: State<'_, Shell>, fixes: Vec<Fix>) -> CommandResult<Recorded> {
    shell.with(move |s| s.record(fixes)).await
}

/// Desktop: moves the track replay and the clock to `at`, recording the fixes up to it.
#[tauri::command]
pub async fn position_replay_to(
    shell: State<'_, Shell>,
    at: DateTime<Utc>,
) -> CommandResult<PositionView> {
    shell.with(move |s| s.replay_to(at)).await
}
