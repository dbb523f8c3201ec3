//! Debtors as people: the identity document that identifies them across portfolios, their
//! name, and the phone numbers collectors call.
//!
//! This module normalizes what spreadsheets write (`1.020.304`, `(315) 612-6116`) so equal
//! documents and phones compare equal. It must not guess a country code or look anything up:
//! a number without `+` stays national.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::text::{MAX_NAME_CHARS, one_line};
use crate::ValidationError;
use crate::ids::{OrgId, PersonId};

pub use super::phone::Phone;

/// The kind of identity document (Colombian abbreviations, as creditors write them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum DocumentKind {
    /// Cédula de ciudadanía (national id card). The default: most sheets carry only these.
    #[default]
    Cc,
    /// Cédula de extranjería (foreign resident card).
    Ce,
    /// NIT, the tax id of a company or a person.
    Nit,
    /// Passport.
    Pp,
    /// Tarjeta de identidad (minors).
    Ti,
    /// Any other document (PPT, PEP, foreign ids...).
    Other,
}

impl DocumentKind {
    /// All kinds.
    pub const ALL: [DocumentKind; 6] = [
        DocumentKind::Cc,
        DocumentKind::Ce,
        DocumentKind::Nit,
        DocumentKind::Pp,
        DocumentKind::Ti,
        DocumentKind::Other,
    ];

    /// The abbreviation used on the wire (`CC`, `NIT`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Cc => "CC",
            DocumentKind::Ce => "CE",
            DocumentKind::Nit => "NIT",
            DocumentKind::Pp => "PP",
            DocumentKind::Ti => "TI",
            DocumentKind::Other => "OTHER",
        }
    }

    /// Whether numbers of this kind are digits only (separators are stripped).
    fn is_numeric(self) -> bool {
        matches!(
            self,
            DocumentKind::Cc | DocumentKind::Nit | DocumentKind::Ti
        )
    }
}

impl FromStr for DocumentKind {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_uppercase();
        DocumentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == wanted)
            .ok_or_else(|| {
                ValidationError::new(
                    "document kind",
                    format!("{s:?} is not one of CC, CE, NIT, PP, TI, OTHER"),
                )
            })
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A person's identity document: its kind and normalized number.
///
/// Normalization: dots, spaces and dashes are stripped; CC, TI and NIT must then be digits
/// only, the others ASCII letters and digits (upper-cased). The result has 3 to 20 characters.
///
/// NIT check digit: a NIT written with a dash (`900.123.456-7`) carries the DIAN check digit
/// after it; it is verified and *not stored*, because it is derived from the base number and
/// sheets disagree on whether to write it. So `900.123.456-7` and `900123456` are the same NIT.
/// A NIT written without a dash is taken as the base number as it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawNationalId", into = "RawNationalId")]
pub struct NationalId {
    kind: DocumentKind,
    number: String,
}

/// The JSON shape of a [`NationalId`]: `{"kind": "CC", "number": "1020304"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNationalId {
    /// Document kind; CC when absent.
    #[serde(default)]
    pub kind: DocumentKind,
    /// The number, normalized or not.
    pub number: String,
}

impl NationalId {
    /// Normalizes and validates a document number of the given kind.
    pub fn parse(kind: DocumentKind, number: &str) -> Result<Self, ValidationError> {
        let refuse = |why: &str| {
            Err(ValidationError::new(
                "document number",
                format!("{kind} {number:?} {why}"),
            ))
        };
        let mut text = number.trim();
        let mut check_digit = None;
        if kind == DocumentKind::Nit {
            if let Some((base, dv)) = text.rsplit_once('-') {
                if let [d @ b'0'..=b'9'] = dv.trim().as_bytes() {
                    check_digit = Some(d - b'0');
                    text = base;
                }
            }
        }
        let clean: String = text
            .chars()
            .filter(|c| !matches!(c, '.' | ' ' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let ok = if kind.is_numeric() {
            clean.chars().all(|c| c.is_ascii_digit())
        } else {
            clean.chars().all(|c| c.is_ascii_alphanumeric())
        };
        if !ok {
            return refuse(if kind.is_numeric() {
                "must be digits only"
            } else {
                "must be letters and digits only"
            });
        }
        let max = if kind == DocumentKind::Nit { 15 } else { 20 };
        if !(3..=max).contains(&clean.len()) {
            return refuse(&format!("must have 3 to {max} characters"));
        }
        if let Some(dv) = check_digit {
            let want = nit_check_digit(&clean);
            if dv != want {
                return refuse(&format!("has check digit {dv}, expected {want}"));
            }
        }
        Ok(Self {
            kind,
            number: clean,
        })
    }

    /// The document kind.
    pub fn kind(&self) -> DocumentKind {
        self.kind
    }

    /// The normalized number (a NIT without its check digit).
    pub fn number(&self) -> &str {
        &self.number
    }

    /// For a NIT, its DIAN check digit (dígito de verificación); `None` for other kinds.
    pub fn check_digit(&self) -> Option<u8> {
        (self.kind == DocumentKind::Nit).then(|| nit_check_digit(&self.number))
    }
}

/// DIAN's modulo-11 check digit over a NIT base of at most 15 digits (validated by the caller).
fn nit_check_digit(digits: &str) -> u8 {
    const WEIGHTS: [u32; 15] = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71];
    let sum: u32 = digits
        .bytes()
        .rev()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    // The remainder is below 11, so the digit always fits in a u8.
    let r = (sum % 11) as u8;
    if r >= 2 { 11 - r } else { r }
}

impl TryFrom<RawNationalId> for NationalId {
    type Error = ValidationError;
    fn try_from(raw: RawNationalId) -> Result<Self, ValidationError> {
        Self::parse(raw.kind, &raw.number)
    }
}

impl From<NationalId> for RawNationalId {
    fn from(id: NationalId) -> Self {
        RawNationalId {
            kind: id.kind,
            number: id.number,
        }
    }
}

/// `CC 1020304`, `NIT 900123456-7`.
impl fmt::Display for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.number)?;
        match self.check_digit() {
            Some(dv) => write!(f, "-{dv}"),
            None => Ok(()),
        }
    }
}

/// A debtor as a person, known across accounts and portfolios by their document. Uniqueness
/// of `(org, national_id)` is enforced by storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawPerson", into = "RawPerson")]
pub struct Person {
    id: PersonId,
    org: OrgId,
    national_id: NationalId,
    name: String,
}

/// The unvalidated JSON shape of a [`Person`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPerson {
    /// Person id.
    pub id: PersonId,
    /// Owning organization.
    pub org: OrgId,
    /// Identity document.
    pub national_id: NationalId,
    /// Full name.
    pub name: String,
}

impl Person {
    /// Validates the name (trimmed, inner spaces collapsed, 1 to 200 characters).
    pub fn new(
        id: PersonId,
        org: OrgId,
        national_id: NationalId,
        name: &str,
    ) -> Result<Self, ValidationError> {
        let name = one_line("person name", name, MAX_NAME_CHARS)?;
        Ok(Self {
            id,
            org,
            national_id,
            name,
        })
    }
    /// The person's id.
    pub fn id(&self) -> PersonId {
        self.id
    }
    /// The organization whose records hold this person.
    pub fn org(&self) -> OrgId {
        self.org
    }
    /// Identity document.
    pub fn national_id(&self) -> &NationalId {
        &self.national_id
    }
    /// Full name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl TryFrom<RawPerson> for Person {
    type Error = ValidationError;
    fn try_from(r: RawPerson) -> Result<Self, ValidationError> {
        Self::new(r.id, r.org, r.national_id, &r.name)
    }
}

impl From<Person> for RawPerson {
    fn from(p: Person) -> Self {
        RawPerson {
            id: p.id,
            org: p.org,
            national_id: p.national_id,
            name: p.name,
        }
    }
}

#[cfg(test)]
mod tests;
