//! Terreno's collector-side core: what the mobile app and the `terreno` CLI run on the device.
//! Works for days with the server unreachable; everything is written locally first and synced
//! later as the device's signed, append-only event log (`../shared/SYNC.md`, client side).
//!
//! Crate map:
//! - [`Core`]: the only entry point, one method per use case. Synchronous: the shell runs it
//!   off its UI thread.
//! - [`config`]: what the shell passes in (data directory, retention, clock).
//! - `store`: the encrypted SQLite database (rusqlite on SQLCipher), one file per aggregate.
//! - `sync`: the HTTP client and the sync driver (push from the server's head, pull pages).
//! - [`gps`]: track files and the fix recorder; [`visit`]: route, check-in, answers, completion.
//! - [`tiles`]: the stop map's tiles, cached in the store for offline use.
//! - [`cli`]: the `terreno` command line.
//!
//! Must not: read environment variables or platform directories (the shell passes them), or
//! decide any rule itself (geofence, contact rules, merge and route planning are the shared
//! crate's, so device and server agree).
#![forbid(unsafe_code)]

mod blobs;
pub mod cli;
pub mod config;
pub mod error;
pub mod gps;
mod keys;
mod status;
pub mod store;
pub mod sync;
pub mod tiles;
pub mod visit;

mod core;

pub use crate::config::{Clock, CoreConfig};
pub use crate::core::{Core, Enrolled};
pub use crate::error::{Error, Result};
pub use crate::status::Status;
