//! The stop map's tiles, from the core's offline cache or the organization's tile server.

use tauri::State;
use tauri::ipc::{InvokeResponseBody, Response};

use crate::error::CommandResult;
use crate::state::Shell;

/// Tile `z/x/y` (web mercator) as raw image bytes (an `ArrayBuffer` in the webview), or `null`
/// when there is none to show (no tile server, or never seen and offline); `invalid` for an
/// address out of range.
#[tauri::command]
pub async fn map_tile(shell: State<'_, Shell>, z: u32, x: u32, y: u32) -> CommandResult<Response> {
    let tile = shell.run(move |core| core.map_tile(z, x, y)).await?;
    Ok(tile.map_or_else(
        || Response::new(InvokeResponseBody::Json("null".to_owned())),
        |t| Response::new(t.bytes),
    ))
}
