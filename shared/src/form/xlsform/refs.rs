//! `${name}` references and names: the XML name rule pyxform applies to question and group
//! names, and a scanner that finds every reference in a cell and refuses malformed ones
//! (`${a -> ${a}`) before the expression parser sees them, so the author gets pyxform's message
//! rather than a parser's.
//!
//! Must not check that a referenced name exists: the caller knows the names.

/// Whether `name` is a valid question, group or repeat name: it begins with a letter or an
/// underscore, then letters, digits, underscores, hyphens or periods (XML names without `:`).
pub(crate) fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_alphabetic() || first == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The message for a malformed reference, in pyxform's words.
pub(crate) const MALFORMED: &str = "reference variables must start with '${', then a question \
     name, and end with '}'";

/// Every `${name}` in `text`, in order (a name may repeat), or `None` when one is malformed: no
/// closing `}`, or something other than a name inside. `${last-saved#q}` refers to `q`.
pub(crate) fn scan(text: &str) -> Option<Vec<String>> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        let inside = &after[..end];
        let name = inside.strip_prefix("last-saved#").unwrap_or(inside);
        if !is_name(name) {
            return None;
        }
        names.push(name.to_owned());
        rest = &after[end + 1..];
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_xml_rule() {
        for good in ["a", "_a", "a1", "a-b.c", "año", "Q_1"] {
            assert!(is_name(good), "{good}");
        }
        for bad in ["", "1a", "-a", "a b", "a:b", "a$", ".a"] {
            assert!(!is_name(bad), "{bad}");
        }
    }

    #[test]
    fn scanning_finds_references_and_refuses_malformed_ones() {
        let cases: &[(&str, Option<&[&str]>)] = &[
            ("", Some(&[])),
            ("${a} + ${b_2}", Some(&["a", "b_2"])),
            ("costs $5 {not a ref}", Some(&[])),
            ("${last-saved#q}", Some(&["q"])),
            ("${current_fp_method -> ${current_fp_method}", None),
            ("${a", None),
            ("${}", None),
            ("${a b}", None),
            ("${1a}", None),
        ];
        for (text, expected) in cases {
            let expected = expected.map(|e| e.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(scan(text), expected, "{text}");
        }
    }
}
