//! The one public error of the device core. Variants are named for what the caller can do about
//! them; the underlying rusqlite/reqwest/io error is kept as the source and never matched on
//! outside this crate.

use thiserror::Error;

/// What went wrong in a device use case.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The thing asked for does not exist on this device.
    #[error("{0}")]
    NotFound(String),
    /// The input is wrong: the message says what and where.
    #[error("{0}")]
    Invalid(String),
    /// The rules refuse the action (a check-in outside the fence or the contact hours, a
    /// visit completed twice); the message gives the reasons and, where known, when it will be
    /// allowed. The refusal itself may have been recorded as evidence.
    #[error("{message}")]
    Refused {
        /// Why, for people.
        message: String,
        /// The same, for programs.
        details: serde_json::Value,
    },
    /// The device is not enrolled yet (`terreno login`).
    #[error("this device is not enrolled: log in first")]
    NotEnrolled,
    /// The state on the server and on the device disagree in a way the device cannot fix
    /// alone.
    #[error("{0}")]
    Conflict(String),
    /// The server could not be reached (after retries); nothing is lost, sync again later.
    #[error("server unreachable: {message}")]
    Offline {
        /// What was being done.
        message: String,
        /// The transport error.
        #[source]
        source: Option<reqwest::Error>,
    },
    /// The server refused a request.
    #[error("the server refused {what}: {status} {code}: {message}")]
    Rejected {
        /// What was being done.
        what: String,
        /// HTTP status.
        status: u16,
        /// The error body's code.
        code: terreno_shared::api::ErrorCode,
        /// The error body's message.
        message: String,
    },
    /// The server's disk is full (`507 insufficient_storage`): it stored nothing of the request.
    /// Nothing is lost on the device either; sync again later (an operator must free space).
    #[error("the server is out of space ({what}): nothing is lost, sync again later")]
    ServerOutOfSpace {
        /// What was being done.
        what: String,
    },
    /// Another install used this device's id (a data folder copied to a second phone): the
    /// sync rotates to a new id by itself and re-sends what the server lacks.
    #[error("another install used this device's id: {0}")]
    Forked(String),
    /// The server revoked this device: its local data was wiped.
    #[error("this device was revoked by an administrator: its local data was deleted")]
    Revoked,
    /// The local database or a file of the data directory failed.
    #[error("{what}: {source}")]
    Storage {
        /// What was being done.
        what: String,
        /// The cause.
        #[source]
        source: StorageError,
    },
}

/// The storage failure behind [`Error::Storage`].
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StorageError {
    /// SQLite.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// A file.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A stored value does not decode: the database was altered or is corrupt.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
}

/// Result of the device core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn storage(what: impl Into<String>, source: impl Into<StorageError>) -> Self {
        Error::Storage {
            what: what.into(),
            source: source.into(),
        }
    }

    /// Whether this is the device's own disk being full (SQLite's `SQLITE_FULL`, or `ENOSPC`
    /// from a file write).
    pub fn is_disk_full(&self) -> bool {
        match self {
            Error::Storage {
                source: StorageError::Sqlite(e),
                ..
            } => e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull),
            Error::Storage {
                source: StorageError::Io(e),
                ..
            } => e.kind() == std::io::ErrorKind::StorageFull,
            _ => false,
        }
    }

    pub(crate) fn corrupt(what: impl Into<String>, detail: impl std::fmt::Display) -> Self {
        Error::storage(what, StorageError::Corrupt(detail.to_string()))
    }

    pub(crate) fn refused(message: impl Into<String>, details: serde_json::Value) -> Self {
        Error::Refused {
            message: message.into(),
            details,
        }
    }
}

/// Adds "what was being done" to storage results.
pub(crate) trait Context<T> {
    fn context(self, what: &str) -> Result<T>;
}

impl<T, E: Into<StorageError>> Context<T> for std::result::Result<T, E> {
    fn context(self, what: &str) -> Result<T> {
        self.map_err(|e| Error::storage(what, e))
    }
}
