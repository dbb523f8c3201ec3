//! The Tauri commands, one file per area, each one line over the core (or the shell's state):
//! extract, call, map. Named `<area>_<verb>`; arguments are snake_case in the IPC payload.

pub mod map;
pub mod position;
pub mod route;
pub mod session;
pub mod shift;
pub mod sync;
pub mod visit;
