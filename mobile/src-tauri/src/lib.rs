//! Terreno's collector app: a thin Tauri v2 shell over the `terreno-app` core, for Android, iOS
//! and the Linux desktop. The web UI (`mobile/ui`) talks to the core only through the commands
//! registered here.
//!
//! Crate map: [`run`] (the app, and the mobile entry point), [`register`] (the command set, also
//! used by the tests on Tauri's mock runtime), [`state`] (the core and the live position in
//! managed state), [`commands`] (one file per area), [`position`] (the desktop's track replay),
//! [`battery`], [`upload`] (files from the webview), [`error`] (`{code, message}`).
//!
//! Must not hold SQL, HTTP or business rules: those are the core's and the shared crate's.
#![forbid(unsafe_code)]

pub mod battery;
pub mod commands;
pub mod error;
pub mod position;
pub mod state;
pub mod upload;

use tauri::{Builder, Manager, Runtime};

pub use crate::error::CommandError;
pub use crate::state::{Shell, ShellConfig};

/// Adds every command to a builder (the app's, or a mock one in tests).
pub fn register<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::session::session_login,
        commands::session::session_status,
        commands::sync::sync_run,
        commands::route::route_list,
        commands::route::stop_get,
        commands::map::map_tile,
        commands::shift::shift_start,
        commands::shift::shift_end,
        commands::position::position_get,
        commands::position::position_record,
        commands::position::position_replay_to,
        commands::visit::checkin_create,
        commands::visit::visit_form,
        commands::visit::visit_get,
        commands::visit::visit_answer,
        commands::visit::visit_attach,
        commands::visit::visit_complete,
    ])
}

/// Runs the app: opens the core in the platform's app-data directory (desktop overrides in
/// [`ShellConfig::from_env`]) and shows the UI.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let builder = Builder::default();
    #[cfg(mobile)]
    let builder = builder.plugin(tauri_plugin_geolocation::init());
    register(builder)
        .setup(|app| {
            let data_dir = app.path().app_data_dir()?;
            let config = ShellConfig::from_env(data_dir)?;
            let shell = Shell::open(config).map_err(|e| e.message)?;
            app.manage(shell);
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("running the Terreno app");
}
