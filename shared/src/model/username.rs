//! Login names. Only the canonical form is owned here; it must not check that a name is free
//! (storage does, per organization) nor hold anything about passwords.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::ValidationError;

/// A login name such as `gestor.ramirez`: 1 to 64 of lower-case ASCII letters, digits, `.`,
/// `_` and `-`, starting with a letter or digit. Input is trimmed and lower-cased, so the
/// spreadsheet's `Gestor.Ramirez` and the login form's `gestor.ramirez` are the same user.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

impl Username {
    /// Longest login name accepted.
    pub const MAX_LEN: usize = 64;

    /// Normalizes and validates a login name.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let name = raw.trim().to_ascii_lowercase();
        let refuse = |why: &str| Err(ValidationError::new("username", format!("{raw:?} {why}")));
        if name.is_empty() || name.len() > Self::MAX_LEN {
            return refuse("must have 1 to 64 characters");
        }
        if let Some(c) = name
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(*c)))
        {
            return refuse(&format!(
                "contains {c:?}; only letters a-z, digits, '.', '_' and '-' are allowed"
            ));
        }
        if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return refuse("must start with a letter or a digit");
        }
        Ok(Self(name))
    }

    /// The canonical (lower-case) login name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Username {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Username {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, ValidationError> {
        Self::parse(&s)
    }
}

impl From<Username> for String {
    fn from(u: Username) -> String {
        u.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
