//! A light scan of expression sources for the bare names the expression API does not expose:
//! the questions named by location paths (`../amount`, `/data/debt/balance`), which are
//! dependencies just like `${amount}`, and the choice columns of a `choice_filter`
//! (`district = ${district}`), which are rewritten into lookups the parser accepts.
//!
//! Must not judge syntax: sources are parsed by `expr::parse`, before (paths) or after (choice
//! filters) this scan; the scan only has to find names where the parser would accept them.

/// What a bare name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bare {
    /// The last step of a location path: the question it reads.
    PathEnd,
    /// A name standing alone (in a choice filter: a choice column).
    Alone,
}

/// The instance name choice columns are looked up in: a list name cannot start with a space,
/// so it never shadows a real list.
pub(super) const CHOICE_INSTANCE: &str = " choice";

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
            '\'' | '"' => {
                i += 1;
                while at(i).is_some_and(|q| q != c) {
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

/// A choice filter with each bare name `col` replaced by a lookup of the choice's column
/// (`pulldata(' choice', 'col', '', '')`), and a map from character offsets in the rewritten
/// source back to the original, for error messages.
pub(super) fn rewrite_choice_filter(source: &str) -> (String, OffsetMap) {
    let mut out = String::with_capacity(source.len() * 2);
    let mut map = OffsetMap::default();
    let mut last = 0;
    for (range, kind) in bare_names(source) {
        if kind != Bare::Alone {
            continue;
        }
        out.push_str(&source[last..range.start]);
        let original_at = source[..range.start].chars().count();
        let replacement = format!(
            "pulldata('{CHOICE_INSTANCE}', '{}', '', '')",
            &source[range.clone()]
        );
        map.spans.push(Span {
            rewritten_at: out.chars().count(),
            original_at,
            rewritten_len: replacement.chars().count(),
            original_len: source[range.clone()].chars().count(),
        });
        out.push_str(&replacement);
        last = range.end;
    }
    out.push_str(&source[last..]);
    (out, map)
}

/// Replacements made by [`rewrite_choice_filter`], in order.
#[derive(Debug, Default)]
pub(super) struct OffsetMap {
    spans: Vec<Span>,
}

#[derive(Debug)]
struct Span {
    rewritten_at: usize,
    original_at: usize,
    rewritten_len: usize,
    original_len: usize,
}

impl OffsetMap {
    /// The original character offset of `offset` in the rewritten source (a point inside a
    /// replacement maps to the name it replaced).
    pub(super) fn original(&self, offset: usize) -> usize {
        let mut shift = 0_isize;
        for span in &self.spans {
            if offset < span.rewritten_at {
                break;
            }
            if offset < span.rewritten_at + span.rewritten_len {
                return span.original_at;
            }
            shift += span.rewritten_len as isize - span.original_len as isize;
        }
        offset.saturating_sub(shift.max(0) as usize)
    }
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

    #[test]
    fn choice_columns_become_lookups_and_offsets_map_back() {
        let (rewritten, map) = rewrite_choice_filter("district = ${d} and x");
        assert_eq!(
            rewritten,
            "pulldata(' choice', 'district', '', '') = ${d} and pulldata(' choice', 'x', '', '')"
        );
        assert!(crate::form::expr::parse(&rewritten).is_ok());
        assert_eq!(map.original(0), 0);
        assert_eq!(map.original(5), 0);
        let after_first = "pulldata(' choice', 'district', '', '')".len();
        assert_eq!(map.original(after_first + 1), "district ".len());
        assert_eq!(
            map.original(rewritten.chars().count() - 1),
            "district = ${d} and ".len()
        );
    }
}
