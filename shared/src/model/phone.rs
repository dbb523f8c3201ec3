//! Phone numbers as collectors dial them. Only normalizes the written form; it must not add or
//! guess a country code, nor tell mobile from landline.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::ValidationError;

/// A phone number: an optional leading `+` and 7 to 15 digits (the E.164 maximum).
///
/// Spaces, dashes, dots and parentheses are stripped, so `(315) 612-6116` and `315 612 6116`
/// are the same `3156126116`. Normalizing twice changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Normalizes and validates a phone number.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let text = raw.trim();
        let (plus, rest) = match text.strip_prefix('+') {
            Some(rest) => ("+", rest),
            None => ("", text),
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => {
                    return Err(ValidationError::new(
                        "phone",
                        format!(
                            "{raw:?} contains {c:?}; only digits, a leading '+' and separators are allowed"
                        ),
                    ));
                }
            }
        }
        if !(7..=15).contains(&digits.len()) {
            return Err(ValidationError::new(
                "phone",
                format!("{raw:?} has {} digits, expected 7 to 15", digits.len()),
            ));
        }
        Ok(Self(format!("{plus}{digits}")))
    }

    /// The normalized number (`+573156126116` or `3156126116`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the number was written with its country code (`+57...`).
    pub fn is_international(&self) -> bool {
        self.0.starts_with('+')
    }
}

impl FromStr for Phone {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Phone {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, ValidationError> {
        Self::parse(&s)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn written_forms_normalize_to_digits_with_an_optional_plus() {
        for (raw, want) in [
            ("3156126116", "3156126116"),
            ("(315) 612-6116", "3156126116"),
            ("315.612.61.16", "3156126116"),
            (" +57 315 612 6116 ", "+573156126116"),
            ("601 2345678", "6012345678"),
            ("2345678", "2345678"),
        ] {
            assert_eq!(Phone::parse(raw).unwrap().as_str(), want, "{raw:?}");
        }
        assert!(Phone::parse("+57 3156126116").unwrap().is_international());
    }

    #[test]
    fn invalid_phones_are_refused_with_the_field_named() {
        for raw in [
            "",
            "123456",
            "1234567890123456",
            "315-ABC-6116",
            "315 612 6116 ext 2",
            "++573156126116",
            "57+3156126116",
        ] {
            assert_eq!(Phone::parse(raw).unwrap_err().field, "phone", "{raw:?}");
        }
        assert!(serde_json::from_str::<Phone>("\"12\"").is_err());
    }

    #[test]
    fn a_phone_round_trips_through_json_as_a_string() {
        let p = Phone::parse("+57 (315) 612-6116").unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, "\"+573156126116\"");
        assert_eq!(serde_json::from_str::<Phone>(&json).unwrap(), p);
    }

    proptest! {
        #[test]
        fn normalizing_is_idempotent(raw in r"\+?[0-9 .()\-]{0,24}") {
            if let Ok(p) = Phone::parse(&raw) {
                prop_assert_eq!(Phone::parse(p.as_str()).unwrap(), p);
            }
        }
    }
}
