//! Terreno's pure domain core, shared unchanged by the collector's device and the sync server.
//!
//! Crate map:
//! - [`api`]: wire types of the HTTP API (`v1`) and the common error body.
//! - [`hex`]: the hex text form of hashes and keys.
//! - [`ids`]: identifier newtypes (UUIDs minted by the caller, never here).
//! - [`model`]: validated domain types — organizations, people, debtor accounts, routes, visits,
//!   GPS fixes. Invalid values cannot be built: every type is made through `parse`/`TryFrom`.
//! - [`sync`]: the event log of `SYNC.md` — hybrid logical clocks, canonical encoding, the
//!   per-device hash chain, batch signatures, and the merge that folds events into state.
//! - [`geofence`]: the check-in verdict from a debtor's location and the recent fixes.
//! - [`track`]: flags bad fixes in a track and simplifies it for display.
//! - [`contact`]: debt-collection contact rules (hours, frequency, holidays; Ley 2300 de 2023).
//! - [`form`]: the XLSForm-compatible questionnaire engine (expressions, form model).
//! - `openapi` (feature `openapi`): OpenAPI schemas the derives cannot give (hand-written JSON,
//!   raw shapes, JSON values).
//! - [`plan`]: today's visiting order for a collector (nearest neighbour + 2-opt in time windows).
//! - [`collection`]: the collection loop — agreement schedules, promise and instalment follow-up,
//!   each account's state and its history, a stop's priority and reason.
//!
//! What this crate must not do: read a clock, draw random numbers, touch files or the network.
//! Time, keys and new ids are arguments, so the device, the server and the property tests get the
//! same verdicts from the same inputs.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod api;
pub mod collection;
pub mod contact;
pub mod error;
pub mod form;
pub mod geofence;
pub mod hex;
pub mod ids;
pub mod model;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod plan;
pub mod sync;
pub mod track;

pub use error::ValidationError;
