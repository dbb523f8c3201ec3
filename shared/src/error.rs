//! Errors of the pure core. Each concern has its own small enum; they carry enough context for
//! the caller to say what was wrong and where, and nothing about I/O (there is none here).

use thiserror::Error;

/// A value that does not satisfy a domain type's invariants.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("invalid {field}: {reason}")]
pub struct ValidationError {
    /// The field or type that was being validated (`latitude`, `currency`, ...).
    pub field: &'static str,
    /// Why the value was refused, in plain words, with the offending value where it helps.
    pub reason: String,
}

impl ValidationError {
    /// Builds an error for `field` with a reason.
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}
