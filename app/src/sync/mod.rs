//! Talking to the server: [`client`] is HTTP only; [`driver`] runs a sync over the store.

pub(crate) mod client;
pub mod driver;
mod media;
mod upload;

pub use driver::{SyncProgress, SyncReport};
