//! Which media files a form reads, found in its definition: `select_one_from_file FILE` and
//! `select_multiple_from_file FILE`, `csv-external` / `xml-external` rows, `pulldata('name', ...)`
//! (`name.csv`) and `instance('name')` where `name` is no choice list (`name` with any data
//! extension); and which files it shows (the `image`, `audio`, `video` columns). An import
//! compares them with the files it was given and warns about each one missing — the form still
//! imports, and its lookups are empty, as in ODK Collect.
//!
//! The expression scan is textual (a call name, `(` and a quoted first argument), over every
//! string of each survey row: it needs no parse, so it keeps up with whatever the expression
//! parser accepts.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

use super::{MediaKind, instance_name};
use crate::form::xlsform::{Form, Node, QuestionType, Warning};

/// A file a form reads, and the first survey row that reads it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MediaRef {
    /// The file name (`fruits.csv`), or for `instance('name')` the instance name (`fruits`).
    pub name: String,
    /// Whether `name` is a whole file name; otherwise any data file with that instance name.
    pub exact: bool,
    /// The survey row.
    pub row: u32,
    /// How the row reads it (`pulldata('fruits', ...)`).
    pub by: String,
}

impl MediaRef {
    /// Whether one of `files` is the file this reads.
    pub fn is_met_by<S: AsRef<str>>(&self, files: &[S]) -> bool {
        files.iter().map(AsRef::as_ref).any(|f| {
            if self.exact {
                f.eq_ignore_ascii_case(&self.name)
            } else {
                instance_name(f) == self.name && MediaKind::of(f).is_some_and(MediaKind::is_data)
            }
        })
    }

    /// The warning for a missing file.
    pub fn missing_warning(&self) -> Warning {
        Warning {
            sheet: "survey".to_owned(),
            row: Some(self.row),
            column: None,
            message: format!(
                "the form reads {self} ({}), which is not among its media files: its lookups \
                 are empty until a version with the file is imported",
                self.by
            ),
        }
    }
}

impl fmt::Display for MediaRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.exact {
            f.write_str(&self.name)
        } else {
            let n = &self.name;
            write!(f, "{n}.csv, {n}.xml or {n}.geojson")
        }
    }
}

/// The data files `form` reads, each once (at the first row that reads it), in row order.
pub fn referenced_files(form: &Form) -> Vec<MediaRef> {
    let mut found: Vec<MediaRef> = Vec::new();
    let mut walk = |node: &Node| visit(node, form, &mut found);
    form.children.iter().for_each(&mut walk);
    let mut seen = BTreeSet::new();
    found.retain(|r| seen.insert((r.name.to_lowercase(), r.exact)));
    found
}

/// Warnings for the files `form` reads that are not among `files`.
pub fn missing_files<S: AsRef<str>>(form: &Form, files: &[S]) -> Vec<Warning> {
    referenced_files(form)
        .iter()
        .filter(|r| !r.is_met_by(files))
        .map(MediaRef::missing_warning)
        .collect()
}

/// The files `form` shows in its `image`, `audio`, `video` (and `big-image`) columns, of
/// questions and choices.
pub fn shown_files(form: &Form) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let value = serde_json::to_value(form).unwrap_or(Value::Null);
    collect_media(&value, &mut out);
    out
}

fn collect_media(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if key == "media" {
                    strings(v, &mut |s| {
                        out.insert(s.to_owned());
                    });
                } else {
                    collect_media(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_media(v, out)),
        _ => {}
    }
}

fn visit(node: &Node, form: &Form, found: &mut Vec<MediaRef>) {
    let (row, value) = match node {
        Node::Question(q) => {
            let by = |what: &str, file: &str| MediaRef {
                name: file.to_owned(),
                exact: true,
                row: q.row,
                by: format!("{what} {file}"),
            };
            match &q.kind {
                QuestionType::SelectOneFromFile { file } => {
                    found.push(by("select_one_from_file", file));
                }
                QuestionType::SelectMultipleFromFile { file } => {
                    found.push(by("select_multiple_from_file", file));
                }
                QuestionType::ExternalInstance { format } => {
                    let file = format!("{}.{format}", q.name);
                    found.push(by(&format!("{format}-external"), &file));
                }
                _ => {}
            }
            (q.row, serde_json::to_value(q).unwrap_or(Value::Null))
        }
        Node::Group(g) => {
            g.children.iter().for_each(|c| visit(c, form, found));
            let mut own = serde_json::to_value(g).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut own {
                map.remove("children");
            }
            (g.row, own)
        }
    };
    strings(&value, &mut |text| calls(text, row, form, found));
}

/// Every string inside `value`.
fn strings(value: &Value, f: &mut dyn FnMut(&str)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().for_each(|v| strings(v, f)),
        Value::Object(map) => map.values().for_each(|v| strings(v, f)),
        _ => {}
    }
}

/// `pulldata('x'` and `instance('x'` calls in `text`.
fn calls(text: &str, row: u32, form: &Form, found: &mut Vec<MediaRef>) {
    static CALL: OnceLock<Regex> = OnceLock::new();
    let call = CALL.get_or_init(|| {
        Regex::new(r#"\b(pulldata|instance)\s*\(\s*(?:'([^']*)'|"([^"]*)")"#)
            .expect("the call pattern is valid")
    });
    for m in call.captures_iter(text) {
        let name = m.get(2).or(m.get(3)).map_or("", |g| g.as_str()).trim();
        // `__last-saved` is the device's own last submission, not a file.
        if name.is_empty() || name.starts_with("__") {
            continue;
        }
        let pulldata = &m[1] == "pulldata";
        if !pulldata
            && (form.choices.contains_key(name) || form.external_choices.contains_key(name))
        {
            continue;
        }
        found.push(MediaRef {
            name: if pulldata {
                format!("{name}.csv")
            } else {
                name.to_owned()
            },
            exact: pulldata,
            row,
            by: format!("{}('{name}', ...)", &m[1]),
        });
    }
}
