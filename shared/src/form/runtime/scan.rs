//! A light scan of expression sources for the bare names the expression API does not expose:
//! the questions named by location paths (`../amount`, `/data/debt/balance`), which are
//! dependencies just like `${amount}`.
//!
//! Must not judge syntax: sources are parsed by `expr::parse`; the scan only has to find names
//! where the parser would accept them.

use crate::form::expr::closing_quotes;

/// What a bare name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bare {
    /// The last step of a location path: the question it reads.
    PathEnd,
    /// A name standing alone (in a choice filter: a choice column).
    Alone,
}

/// Every bare name of `source` with its byte range, skipping literals, `${...}`, function names,
/// operators spelt as words, intermediate path steps and the parts of `instance(...)` lookups.
pub(super) fn bare_names(source: &str) -> Vec<(std::ops::Range<usize>, Bare)> {
    let chars: Vec<(usize, char)> = source.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let byte = |i: usize| chars.get(i).map_or(source.len(), |&(b, _)| b);
    let mut out = Vec::new();
    let (mut i, mut brackets, mut in_lookup) = (0, 0_usize, false);
    while let Some(c) = at(i) {
        match c {
            c if closing_quotes(c).is_some() => {
                let closing = closing_quotes(c).unwrap_or_default();
                i += 1;
                while at(i).is_some_and(|q| !closing.contains(&q)) {
                    i += 1;
                }
                i += 1;
            }
            '$' if at(i + 1) == Some('{') => {
                while at(i).is_some_and(|q| q != '}') {
                    i += 1;
                }
                i += 1;
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while at(i).is_some_and(|n| n.is_alphanumeric() || "_-.:".contains(n)) {
                    i += 1;
                }
                let name = &source[byte(start)..byte(i)];
                let next = (i..).map(at).find(|n| !n.is_some_and(char::is_whitespace));
                let prev = (0..start)
                    .rev()
                    .map(at)
                    .find(|p| !p.is_some_and(char::is_whitespace));
                if next == Some(Some('(')) {
                    in_lookup |= name == "instance";
                } else if in_lookup || brackets > 0 || is_operator(name) {
                } else if prev == Some(Some('/')) || next == Some(Some('/')) {
                    if next != Some(Some('/')) {
                        out.push((byte(start)..byte(i), Bare::PathEnd));
                    }
                } else {
                    out.push((byte(start)..byte(i), Bare::Alone));
                }
            }
            _ => {
                match c {
                    '[' => brackets += 1,
                    ']' => brackets = brackets.saturating_sub(1),
                    // A lookup runs from `instance(` to the first character outside its shape.
                    '/' | '(' | ')' => {}
                    _ if brackets == 0 => in_lookup = false,
                    _ => {}
                }
                i += 1;
            }
        }
    }
    out
}

fn is_operator(name: &str) -> bool {
    matches!(name, "and" | "or" | "div" | "mod")
}

/// The questions named by location paths in `source`.
pub(super) fn path_questions(source: &str) -> Vec<String> {
    bare_names(source)
        .into_iter()
        .filter(|(_, kind)| *kind == Bare::PathEnd)
        .map(|(range, _)| source[range].to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(source: &str) -> Vec<(&str, Bare)> {
        bare_names(source)
            .into_iter()
            .map(|(r, k)| (&source[r], k))
            .collect()
    }

    #[test]
    fn path_ends_and_lone_names_are_found_and_everything_else_skipped() {
        use Bare::{Alone, PathEnd};
        let cases: &[(&str, &[(&str, Bare)])] = &[
            ("${a} + 1", &[]),
            ("'name' = \"label\"", &[]),
            (
                "../amount > /data/debt/balance",
                &[("amount", PathEnd), ("balance", PathEnd)],
            ),
            ("current()/../q", &[("q", PathEnd)]),
            (
                "district = ${district} and name != 'x'",
                &[("district", Alone), ("name", Alone)],
            ),
            (
                "selected(${q}, name) or x div 2",
                &[("name", Alone), ("x", Alone)],
            ),
            ("jr:choice-name(${q}, '${q}')", &[]),
            (
                "instance('towns')/root/item[name = ${t}]/label = zone",
                &[("zone", Alone)],
            ),
            ("count(${hh}) > 2 mod 3", &[]),
        ];
        for (source, expected) in cases {
            assert_eq!(names(source), expected.to_vec(), "{source}");
        }
    }
}
