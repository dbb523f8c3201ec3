//! Free-text cleaning shared by the model's name and address fields.
//!
//! Spreadsheets bring stray spaces, doubled blanks and CRLF line ends; cleaning them here, once,
//! means two imports of the same sheet store the same text. This module only normalizes and
//! checks length and characters; it must not guess meaning (casing, abbreviations, accents).

use crate::ValidationError;

/// Longest name (organization, team, person, portfolio...) accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Longest address accepted, in characters.
pub const MAX_ADDRESS_CHARS: usize = 500;

/// A one-line name: trimmed, inner runs of whitespace (newlines included) collapsed to one
/// space, not empty, at most `max_chars` characters, no control characters.
pub fn one_line(
    field: &'static str,
    raw: &str,
    max_chars: usize,
) -> Result<String, ValidationError> {
    let clean = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    check(field, raw, &clean, max_chars)?;
    Ok(clean)
}

/// Multi-line text (an address with "Torre 2 / Interior 5" on its own line): each line cleaned
/// like [`one_line`], blank lines dropped, lines joined with `\n`.
pub fn multi_line(
    field: &'static str,
    raw: &str,
    max_chars: usize,
) -> Result<String, ValidationError> {
    let clean = raw
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    check(field, raw, &clean, max_chars)?;
    Ok(clean)
}

/// `None` for absent or blank text (an empty spreadsheet cell), else [`one_line`].
pub fn optional_line(
    field: &'static str,
    raw: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, ValidationError> {
    match raw {
        Some(s) if !s.trim().is_empty() => one_line(field, s, max_chars).map(Some),
        _ => Ok(None),
    }
}

fn check(field: &'static str, raw: &str, clean: &str, max: usize) -> Result<(), ValidationError> {
    if clean.is_empty() {
        return Err(ValidationError::new(field, format!("{raw:?} is empty")));
    }
    if let Some(c) = clean.chars().find(|c| c.is_control() && *c != '\n') {
        return Err(ValidationError::new(
            field,
            format!("{raw:?} contains the control character {c:?}"),
        ));
    }
    let n = clean.chars().count();
    if n > max {
        return Err(ValidationError::new(
            field,
            format!("{n} characters is over the limit of {max}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_inner_whitespace_collapsed() {
        assert_eq!(
            one_line("name", "  José \t González\nVargas ", 200).unwrap(),
            "José González Vargas"
        );
    }

    #[test]
    fn addresses_keep_their_lines_but_lose_blank_ones() {
        let raw = " Avenida Carrera 21 # 7-94, Torre 2\r\n\r\n  Interior 5 ";
        assert_eq!(
            multi_line("address", raw, 500).unwrap(),
            "Avenida Carrera 21 # 7-94, Torre 2\nInterior 5"
        );
    }

    #[test]
    fn empty_overlong_and_control_text_is_refused_with_the_field_named() {
        for raw in ["", "   ", "a\u{7}b", &"x".repeat(201)] {
            let err = one_line("name", raw, 200).unwrap_err();
            assert_eq!(err.field, "name", "{raw:?}");
        }
    }

    #[test]
    fn blank_optional_text_is_none() {
        assert_eq!(optional_line("barrio", Some("  "), 200).unwrap(), None);
        assert_eq!(optional_line("barrio", None, 200).unwrap(), None);
        assert_eq!(
            optional_line("barrio", Some(" Bosa "), 200)
                .unwrap()
                .as_deref(),
            Some("Bosa")
        );
    }
}
