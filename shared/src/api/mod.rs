//! Wire types of the HTTP API, shared by the server and the device so both sides speak one
//! shape. Versioned under [`v1`]; every error answer of every endpoint is an [`ErrorBody`] whose
//! code is an [`ErrorCode`].

mod error;
pub mod v1;

#[cfg(feature = "ts")]
pub use error::KnownErrorCode;
pub use error::{ErrorBody, ErrorCode};
