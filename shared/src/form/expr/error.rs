//! Errors of parsing (with a position in the source) and of evaluation.

use thiserror::Error;

/// An expression that cannot be accepted: bad syntax, an unknown or unsupported function, wrong
/// arity, or a limit exceeded. Reported when a form is imported.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("at character {offset}: {message}")]
pub struct ExprError {
    /// Offset in characters (not bytes) from the start of the source, 0-based, of the token
    /// where the problem was found (for a function, its name).
    pub offset: usize,
    /// What is wrong, in plain words, lower case.
    pub message: String,
}

impl ExprError {
    pub(super) fn new(offset: usize, message: impl Into<String>) -> Self {
        Self {
            offset,
            message: message.into(),
        }
    }
}

/// An evaluation that could not produce a value. Most bad inputs do not error (an unanswered
/// number is NaN, an invalid date formats as `""`, as in ODK); these are the few that must.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EvalError {
    /// A string result would exceed [`super::MAX_STRING_BYTES`].
    #[error("string result longer than {limit} bytes")]
    StringTooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// A pattern built from answers is not a valid regular expression (or is too large).
    #[error("invalid regular expression: {0}")]
    InvalidRegex(String),
    /// A function Terreno does not know, kept in a constraint (see [`super::parse_constraint`]).
    #[error("unknown function '{function}'")]
    UnknownFunction {
        /// Its name as written.
        function: String,
    },
    /// A value that a function cannot convert, e.g. `date('next monday')`.
    #[error("{function}(): {message}")]
    InvalidArgument {
        /// The function being evaluated.
        function: &'static str,
        /// What was wrong with the argument.
        message: String,
    },
}

/// Fails with [`EvalError::StringTooLong`] if a string of `len` bytes would exceed the limit.
pub(super) fn check_len(len: usize) -> Result<(), EvalError> {
    if len > super::MAX_STRING_BYTES {
        Err(EvalError::StringTooLong {
            limit: super::MAX_STRING_BYTES,
        })
    } else {
        Ok(())
    }
}
