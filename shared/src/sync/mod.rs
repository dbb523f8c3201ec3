//! The event log and its merge, as designed in SYNC.md.
//!
//! - [`hlc`]: hybrid logical clock stamps and the server's future-stamp clamp.
//! - [`event`]: the event envelope, its canonical encoding and hash.
//! - [`log`]: the writer side of a device's log (gapless seq, HLC stamp, chain link).
//! - [`batch`]: device keys and the push batch signed over its head; chain verification.
//! - [`payload`]: typed payloads per kind and schema version (upcast, future versions kept).
//! - [`cursor`]: pull cursors and snapshot page tokens (opaque, strictly parsed).
//! - [`merge`]: the join that folds events into state (facts, registers, status, attachments,
//!   deletions).
//!
//! Nothing here does I/O: the store and the server persist what these functions compute.

pub mod batch;
pub mod cursor;
pub mod event;
pub mod hlc;
pub mod log;
pub mod merge;
pub mod payload;
pub mod stamp;

pub use batch::{DeviceKey, PublicKey, PushBatch, Signature, VerifiedBatch};
pub use event::{Draft, Event, EventHash, EventKey, EventKind};
pub use hlc::{Hlc, HlcClock};
pub use log::LogHead;
pub use merge::State;
pub use stamp::Stamp;
