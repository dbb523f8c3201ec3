//! Login (enrollment) and the device's state at a glance.

use serde::Serialize;
use tauri::State;
use terreno_app::{Enrolled, Status};

use crate::error::CommandResult;
use crate::position::PositionView;
use crate::state::Shell;

/// Logs in on `server_url`; enrolls this device unless it already is for that user.
#[tauri::command(rename_all = "snake_case")]
pub async fn session_login(
    shell: State<'_, Shell>,
    server_url: String,
    username: String,
    password: String,
) -> CommandResult<Enrolled> {
    let label = shell.device_label.clone();
    shell
        .run(move |core| core.login(&server_url, &username, &password, &label))
        .await
}

/// What the status bar shows: pending changes, last sync, shift, position and battery.
#[derive(Debug, Clone, Serialize)]
pub struct SessionStatus {
    /// The core's status (fails `not_enrolled` before the first login).
    pub device: Status,
    /// Position, battery and their source.
    pub position: PositionView,
}

/// The device's state; `not_enrolled` before the first login.
#[tauri::command]
pub async fn session_status(shell: State<'_, Shell>) -> CommandResult<SessionStatus> {
    shell
        .with(|s| {
            Ok(SessionStatus {
                device: s.core().status()?,
                position: s.position(),
            })
        })
        .await
}
