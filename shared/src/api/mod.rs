//! Wire types of the HTTP API, shared by the server and the device so both sides speak one
//! shape. Versioned under [`v1`]; every error answer of every endpoint is an [`ErrorBody`].

use serde::{Deserialize, Serialize};

pub mod v1;

/// The code of a `507 Insufficient Storage` answer: the server's disk is full. Nothing of the
/// request was stored; the device keeps what it sent and tries again later.
pub const INSUFFICIENT_STORAGE: &str = "insufficient_storage";

/// The body of every error answer: a stable machine-readable `code` (`device_fork`,
/// `invalid_json`, ...) and a sentence for people, saying what was being done and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    /// Stable code for programs.
    pub code: String,
    /// Explanation for people (lower case, no trailing period).
    pub message: String,
}
