//! Version 1 of the HTTP API (`/api/v1/...`).

pub mod auth;
mod changes;
pub mod forms;
pub mod org;
pub mod sync;
pub mod views;
