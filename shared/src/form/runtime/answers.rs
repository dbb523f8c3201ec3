//! The answers of one filled-in form, addressed by path, and the path syntax.
//!
//! A path names a question as the submission's XML does, without the root element: group and
//! repeat names from the top down, each repeat with its 1-based instance index — `consent`,
//! `debtor/phone`, `payments[2]/amount`, `household[1]/children[3]/age`. A repeat itself is
//! addressed without its index (`payments`, `household[1]/children`) when counting instances.
//!
//! Must not know the form: any path may be stored; the engine ignores paths the form lacks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Answers as text, the way XLSForm submissions hold them: select_multiple choices separated by
/// spaces, dates `YYYY-MM-DD`, geopoints `lat lon alt acc`.
///
/// An absent path is unanswered (a `default` may stand in); `""` is an answer the collector
/// cleared. Repeats without `repeat_count` have as many instances as [`Answers::set_instances`]
/// says, or as the highest index answered, whichever is more.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    values: BTreeMap<String, String>,
    instances: BTreeMap<String, usize>,
}

impl Answers {
    /// No answers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the answer at `path`.
    pub fn set(&mut self, path: impl Into<String>, text: impl Into<String>) {
        self.values.insert(path.into(), text.into());
    }

    /// With the answer at `path` set (for building answers in one expression).
    pub fn with(mut self, path: impl Into<String>, text: impl Into<String>) -> Self {
        self.set(path, text);
        self
    }

    /// Removes the answer at `path` (it becomes unanswered), returning it.
    pub fn remove(&mut self, path: &str) -> Option<String> {
        self.values.remove(path)
    }

    /// The answer at `path`, if any.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.values.get(path).map(String::as_str)
    }

    /// Sets how many instances the collector added to the repeat at `repeat_path` (`payments`,
    /// `household[1]/children`); ignored for repeats with a `repeat_count`.
    pub fn set_instances(&mut self, repeat_path: impl Into<String>, count: usize) {
        self.instances.insert(repeat_path.into(), count);
    }

    /// The instance count set for `repeat_path`, if any.
    pub fn instances(&self, repeat_path: &str) -> Option<usize> {
        self.instances.get(repeat_path).copied()
    }

    /// Every answer, by path in text order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(p, t)| (p.as_str(), t.as_str()))
    }

    /// Every instance count set, by repeat path.
    pub fn iter_instances(&self) -> impl Iterator<Item = (&str, usize)> {
        self.instances.iter().map(|(p, n)| (p.as_str(), *n))
    }

    /// The number of answers.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no answers.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// How many instances the answers imply for the repeat at `repeat_path`: the count set, or
    /// the highest index under it that holds an answer or a nested count.
    pub(super) fn implied_instances(&self, repeat_path: &str) -> usize {
        let prefix = format!("{repeat_path}[");
        let highest = |keys: &mut dyn Iterator<Item = &String>| {
            keys.take_while(|k| k.starts_with(&prefix))
                .filter_map(|k| leading_index(&k[prefix.len()..]))
                .max()
                .unwrap_or(0)
        };
        let answered = highest(&mut self.values.range(prefix.clone()..).map(|(k, _)| k));
        let nested = highest(&mut self.instances.range(prefix.clone()..).map(|(k, _)| k));
        let set = self.instances(repeat_path).unwrap_or(0);
        set.max(answered).max(nested)
    }
}

/// The index in `12]/rest`: digits up to `]`, at least 1.
fn leading_index(text: &str) -> Option<usize> {
    let (digits, _) = text.split_once(']')?;
    digits.parse().ok().filter(|&i| i >= 1)
}

impl Answers {
    /// Answers stored or submitted as JSON values, read as text by [`answer_text`]. The device
    /// (its stored registers) and the server (a submission's answers) both read them through
    /// this, so they evaluate a form on the same text.
    pub fn from_json<'a>(values: impl IntoIterator<Item = (&'a String, &'a Value)>) -> Answers {
        values
            .into_iter()
            .map(|(path, value)| (path.as_str(), answer_text(value)))
            .collect()
    }
}

/// One answer's JSON value as the text an XLSForm submission holds:
///
/// - a string as it is; a number as its decimal text; a boolean `true` / `false`;
/// - an array (a select_multiple) its items' texts joined by spaces, as the choices of a
///   select_multiple are;
/// - an object (the attachment reference of a photo or signature) its `attachment_id`, else its
///   JSON text: any non-empty text, since only "answered" matters to the form;
/// - `null` the empty text: a register is `null` once the collector cleared it, and a cleared
///   answer is an answer (ODK keeps a cleared question empty; its `default` does not come back).
///   A question never answered has no value at all, and there a default stands in.
pub fn answer_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) => items
            .iter()
            .map(answer_text)
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        Value::Object(fields) => match fields.get("attachment_id") {
            Some(Value::String(id)) if !id.is_empty() => id.clone(),
            _ => value.to_string(),
        },
    }
}

impl<P: Into<String>, T: Into<String>> FromIterator<(P, T)> for Answers {
    fn from_iter<I: IntoIterator<Item = (P, T)>>(iter: I) -> Self {
        let mut answers = Self::new();
        for (path, text) in iter {
            answers.set(path, text);
        }
        answers
    }
}

/// Splits a path into its names without indices (`hh[2]/q` → `hh/q`) and its indices (`[2]`);
/// `None` when a segment is malformed (`hh[0]`, `hh[x]`, `hh[2`, an empty name).
pub(super) fn split_path(path: &str) -> Option<(String, Vec<usize>)> {
    let mut template = String::with_capacity(path.len());
    let mut indices = Vec::new();
    for (i, segment) in path.split('/').enumerate() {
        let name = match segment.split_once('[') {
            Some((name, rest)) => {
                let digits = rest.strip_suffix(']')?;
                indices.push(digits.parse().ok().filter(|&n: &usize| n >= 1)?);
                name
            }
            None => segment,
        };
        if name.is_empty() {
            return None;
        }
        if i > 0 {
            template.push('/');
        }
        template.push_str(name);
    }
    Some((template, indices))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path and its expected template and indices.
    type Case = (&'static str, Option<(&'static str, &'static [usize])>);

    #[test]
    fn paths_split_into_names_and_instance_indices() {
        let cases: &[Case] = &[
            ("q", Some(("q", &[]))),
            ("grp/q", Some(("grp/q", &[]))),
            ("hh[2]/q", Some(("hh/q", &[2]))),
            ("hh[1]/kids[3]/age", Some(("hh/kids/age", &[1, 3]))),
            ("hh[0]/q", None),
            ("hh[x]/q", None),
            ("hh[2/q", None),
            ("a//b", None),
            ("", None),
        ];
        for (path, expected) in cases {
            let expected = expected.map(|(t, i)| (t.to_owned(), i.to_vec()));
            assert_eq!(split_path(path), expected, "{path}");
        }
    }

    #[test]
    fn instances_are_implied_by_the_highest_index_answered_or_set() {
        let mut answers = Answers::new()
            .with("hh[2]/name", "Ana")
            .with("hh[10]/name", "Caio")
            .with("hhx[40]/name", "not this repeat");
        assert_eq!(answers.implied_instances("hh"), 10);
        answers.set_instances("hh", 12);
        assert_eq!(answers.implied_instances("hh"), 12);
        answers.set_instances("hh[14]/kids", 1);
        assert_eq!(answers.implied_instances("hh"), 14);
        assert_eq!(answers.implied_instances("hh[14]/kids"), 1);
        assert_eq!(answers.implied_instances("other"), 0);
    }
}

#[cfg(test)]
mod json_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_values_read_as_submission_text() {
        let values: BTreeMap<String, Value> = serde_json::from_value(json!({
            "n": 12.5, "i": 3, "s": "x", "b": true, "many": ["a", "b"], "cleared": null,
            "photo": {"attachment_id": "0193a0b0-0000-7000-8000-000000000001", "bytes": 10},
            "odd": {"x": 1},
        }))
        .expect("an object");

        let a = Answers::from_json(&values);

        assert_eq!(a.get("n"), Some("12.5"));
        assert_eq!(a.get("i"), Some("3"));
        assert_eq!(a.get("s"), Some("x"));
        assert_eq!(a.get("b"), Some("true"));
        assert_eq!(a.get("many"), Some("a b"), "a select_multiple");
        assert_eq!(a.get("cleared"), Some(""), "cleared, not unanswered");
        assert_eq!(a.get("photo"), Some("0193a0b0-0000-7000-8000-000000000001"));
        assert_eq!(a.get("odd"), Some(r#"{"x":1}"#));
        assert_eq!(a.get("never"), None, "never answered");
    }

    #[test]
    fn a_select_multiple_skips_empty_items() {
        assert_eq!(answer_text(&json!(["a", null, "", 2])), "a 2");
        assert_eq!(answer_text(&json!([])), "");
    }
}
