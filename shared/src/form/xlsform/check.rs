//! Checks that need the whole form: every `${reference}` (well formed, naming one existing
//! question), expressions that parse, choice lists that exist, and calculations that do not
//! depend on themselves.
//!
//! Must not change the form: it only reports.

use std::collections::{BTreeMap, BTreeSet};

use super::choices::Lists;
use super::columns::{Field, Table};
use super::model::Node;
use super::refs::{MALFORMED, scan};
use super::report::{At, Report, Sheet};
use super::settings::yes_no;
use super::survey::Survey;
use super::types::QuestionType;
use crate::form::expr;

/// How a cell is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// Text with `${name}` placeholders (labels, hints, messages, `trigger`, `parameters`).
    Text,
    /// An expression that must parse.
    Expression,
    /// A constraint: an expression in which an unknown function is kept, with a warning (ODK
    /// evaluates a constraint only when it checks an answer; see `expr::parse_constraint`).
    Constraint,
}

/// Which survey columns hold references, and how they are read.
fn reading(field: &Field, value: &str) -> Option<Reading> {
    Some(match field {
        Field::Label
        | Field::Hint
        | Field::GuidanceHint
        | Field::RequiredMessage
        | Field::ConstraintMessage
        | Field::Trigger
        | Field::Parameters => Reading::Text,
        // A choice filter compares choice columns written as bare names (`district =
        // ${district}`), which the expression parser refuses elsewhere: references only.
        Field::ChoiceFilter => Reading::Text,
        Field::Constraint => Reading::Constraint,
        Field::Relevant | Field::Calculation | Field::RepeatCount => Reading::Expression,
        Field::Required | Field::ReadOnly if yes_no(value).is_some() => return None,
        Field::Required | Field::ReadOnly => Reading::Expression,
        // A default is a literal unless it reads another question (pyxform's dynamic default).
        Field::Default if value.contains("${") => Reading::Expression,
        Field::Default => Reading::Text,
        _ => return None,
    })
}

/// Checks references and expressions of the survey, the choice labels and `instance_name`,
/// then looks for calculation cycles.
pub(crate) fn references(
    survey: &Survey,
    table: &Table<'_>,
    choice_tables: &[(&'static str, &Table<'_>)],
    instance_name: Option<(u32, &str)>,
    report: &mut Report,
) {
    let names = &survey.names;
    let mut calculations: Vec<(String, u32, String, Vec<String>)> = Vec::new();
    for row in table.rows() {
        let owner = row.get(&Field::Name);
        for (column, value) in row.cells() {
            let Some(how) = reading(&column.field, value) else {
                continue;
            };
            let at = At::cell("survey", row.number, &column.header);
            let Some(refs) = cell(value, how, names, at, report) else {
                continue;
            };
            if let (Field::Calculation, Some(owner)) = (&column.field, owner) {
                calculations.push((owner.to_owned(), row.number, column.header.clone(), refs));
            }
        }
    }
    for (sheet, table) in choice_tables {
        for row in table.rows() {
            for (column, value) in row.cells().filter(|(c, _)| c.field == Field::Label) {
                let at = At::cell(sheet, row.number, &column.header);
                cell(value, Reading::Text, names, at, report);
            }
        }
    }
    if let Some((row, value)) = instance_name {
        let at = At::cell("settings", row, "instance_name");
        cell(value, Reading::Expression, names, at, report);
    }
    cycles(&calculations, names, report);
}

/// The `entities` sheet (ODK's entity declarations: `dataset`, `label`, `entity_id`,
/// `create_if`, `update_if`): Terreno keeps no entities, but their `${references}` must name
/// questions, as pyxform checks, since a form that names a missing question is a broken form.
pub(crate) fn entities(sheet: &Sheet, names: &BTreeMap<String, Vec<u32>>, report: &mut Report) {
    let Some((header, rows)) = sheet.rows.split_first() else {
        return;
    };
    for (index, cells) in rows.iter().enumerate() {
        let row = index as u32 + 2;
        for (column, value) in header.iter().zip(cells) {
            if value.contains("${") {
                let at = At::cell("entities", row, column.trim());
                cell(value, Reading::Text, names, at, report);
            }
        }
    }
}

/// Whether a typographic quote delimits a string (one inside a string of the other family is
/// text).
fn has_typographic_quote(value: &str) -> bool {
    let mut closing: Option<&[char]> = None;
    for c in value.chars() {
        match closing {
            Some(family) if family.contains(&c) => {
                closing = None;
                if c != '\'' && c != '"' {
                    return true;
                }
            }
            Some(_) => {}
            None => {
                closing = expr::closing_quotes(c);
                if closing.is_some() && c != '\'' && c != '"' {
                    return true;
                }
            }
        }
    }
    false
}

/// The warning for bare names in an expression: what ODK makes of them and what was meant.
fn bare_name_warning(names: &[String]) -> String {
    let quoted = names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let boolean = names
        .iter()
        .any(|n| matches!(n.to_lowercase().as_str(), "true" | "false"));
    let hint = if boolean {
        "write true() or false() for a boolean"
    } else {
        "quote a text ('yes') or reference a question as ${name}"
    };
    format!(
        "the bare name {quoted} reads a child node the question does not have, so ODK \
         evaluates it as empty (false, \"\", not a number), and so does Terreno: {hint}"
    )
}

/// Checks one cell; returns its references when they are well formed.
// Long: one reference check after another over the same cell, each reporting at its place.
fn cell(
    value: &str,
    how: Reading,
    names: &BTreeMap<String, Vec<u32>>,
    at: At,
    report: &mut Report,
) -> Option<Vec<String>> {
    let Some(mut refs) = scan(value) else {
        report.problem(at, MALFORMED);
        return None;
    };
    // `${last-saved#q}` must name a question too, but is no dependency (an earlier submission's
    // value).
    let mut last_saved = Vec::new();
    if how != Reading::Text {
        let parsed = if how == Reading::Constraint {
            expr::parse_constraint(value)
        } else {
            expr::parse(value)
        };
        match parsed {
            Ok(parsed) => {
                refs = parsed.references();
                if has_typographic_quote(value) {
                    report.warn(
                        at.clone(),
                        "typographic quotes (‘ ’ “ ”) delimit strings here: they are read as \
                         plain quotes (' and \"), as pyxform does, but other tools may refuse \
                         them: type ' or \" instead",
                    );
                }
                let bare = parsed.bare_names();
                if !bare.is_empty() {
                    report.warn(at.clone(), bare_name_warning(&bare));
                }
                last_saved = parsed.last_saved();
                for name in parsed.unknown_functions() {
                    report.warn(
                        at.clone(),
                        format!(
                            "unknown function '{name}': ODK loads the form but fails when it \
                             checks this constraint, and so does Terreno, which reports the \
                             failure and lets the answer through"
                        ),
                    );
                }
            }
            Err(e) => report.problem(
                at.clone(),
                format!(
                    "the expression does not parse at character {}: {}",
                    e.offset, e.message
                ),
            ),
        }
    }
    let mut reported = BTreeSet::new();
    for name in refs.iter().chain(&last_saved) {
        if !reported.insert(name.clone()) {
            continue;
        }
        match names.get(name).map(Vec::as_slice) {
            None | Some([]) => report.problem(
                at.clone(),
                format!(
                    "the reference ${{{name}}} names no question: '{name}' was not found in \
                     the 'name' column of the survey sheet"
                ),
            ),
            Some([_]) => {}
            Some(rows) => report.problem(
                at.clone(),
                format!(
                    "the reference ${{{name}}} is ambiguous: the name '{name}' occurs more than \
                     once in the survey sheet (rows {})",
                    rows.iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }
    }
    Some(refs)
}

/// Reports each cycle of calculations once, at the row of the calculation it was found from.
fn cycles(
    calculations: &[(String, u32, String, Vec<String>)],
    names: &BTreeMap<String, Vec<u32>>,
    report: &mut Report,
) {
    // Only uniquely named calculations: an ambiguous reference is already a problem.
    let graph: BTreeMap<&str, (&[String], u32, &str)> = calculations
        .iter()
        .filter(|(name, ..)| names.get(name).is_some_and(|rows| rows.len() == 1))
        .map(|(name, row, header, refs)| (name.as_str(), (refs.as_slice(), *row, header.as_str())))
        .collect();
    let mut seen_cycles: BTreeSet<Vec<&str>> = BTreeSet::new();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut order: Vec<(&str, u32)> = graph.iter().map(|(n, (_, row, _))| (*n, *row)).collect();
    order.sort_by_key(|(_, row)| *row);
    for (start, _) in order {
        let mut path = Vec::new();
        walk(start, &graph, &mut path, &mut done, &mut |cycle| {
            let mut key: Vec<&str> = cycle.to_vec();
            key.sort_unstable();
            if seen_cycles.insert(key) {
                let (_, row, header) = graph[cycle[0]];
                let mut shown: Vec<&str> = cycle.to_vec();
                shown.push(cycle[0]);
                report.problem(
                    At::cell("survey", row, header),
                    format!(
                        "calculations depend on each other in a cycle: {}",
                        shown.join(" -> ")
                    ),
                );
            }
        });
    }
}

/// Depth-first search; calls `found` with each cycle met (from its first node on the path).
fn walk<'g>(
    node: &'g str,
    graph: &BTreeMap<&'g str, (&'g [String], u32, &'g str)>,
    path: &mut Vec<&'g str>,
    done: &mut BTreeSet<&'g str>,
    found: &mut dyn FnMut(&[&'g str]),
) {
    if let Some(at) = path.iter().position(|n| *n == node) {
        found(&path[at..]);
        return;
    }
    if done.contains(node) {
        return;
    }
    let Some((refs, ..)) = graph.get(node) else {
        return;
    };
    path.push(node);
    for next in refs.iter() {
        if let Some((key, _)) = graph.get_key_value(next.as_str()) {
            walk(key, graph, path, done, found);
        }
    }
    path.pop();
    done.insert(node);
}

/// Reports select questions whose list is missing (once, for the whole sheet, when there is no
/// choices sheet at all).
pub(crate) fn lists(
    survey: &Survey,
    choices: Option<&Lists>,
    external: Option<&Lists>,
    report: &mut Report,
) {
    let mut sheet_missing_reported = [false, false];
    for need in &survey.selects {
        let (lists, sheet, article, slot) = if need.external {
            (external, "external_choices", "an", 1)
        } else {
            (choices, "choices", "a", 0)
        };
        let at = At::cell("survey", need.row, &need.column);
        match lists {
            None if !sheet_missing_reported[slot] => {
                sheet_missing_reported[slot] = true;
                report.problem(
                    at,
                    format!(
                        "There should be {article} {sheet} sheet in this xlsform. Please ensure that \
                         the {sheet} sheet has the mandatory columns 'list_name', 'name', and \
                         'label'"
                    ),
                );
            }
            None => {}
            Some(lists) if !lists.contains_key(&need.list) => report.problem(
                at,
                format!(
                    "the list name '{}' was not found in the '{sheet}' sheet; add rows for \
                     this list_name, or check the spelling of the list name in the 'type' column",
                    need.list
                ),
            ),
            Some(_) => {}
        }
    }
}

/// Where the device finds a question's choices or data: every attached file, and each list of
/// the choices sheet, becomes an XForm instance named by the file's name without its extension
/// (a data question: by the question's name) or by the list's name. Two sources under one name
/// would overwrite each other, which pyxform refuses ("the same instance id will be
/// generated"); reported at the row of the second.
pub(crate) fn instances(nodes: &[Node], choices: Option<&Lists>, report: &mut Report) {
    let mut seen: BTreeMap<String, String> = choices
        .into_iter()
        .flat_map(|lists| lists.keys())
        .map(|list| (list.clone(), format!("the choice list '{list}'")))
        .collect();
    let mut files = Vec::new();
    collect_files(nodes, &mut files);
    for (row, id, source) in files {
        match seen.get(&id) {
            Some(first) if *first != source => report.problem(
                At::cell("survey", row, "type"),
                format!(
                    "{source} and {first} would both be the form's instance '{id}'; rename \
                     one of them"
                ),
            ),
            Some(_) => {}
            None => {
                seen.insert(id, source);
            }
        }
    }
}

/// `(row, instance name, source)` of every question reading an attached file, in sheet order.
fn collect_files(nodes: &[Node], out: &mut Vec<(u32, String, String)>) {
    for node in nodes {
        match node {
            Node::Group(g) => collect_files(&g.children, out),
            Node::Question(q) => match &q.kind {
                QuestionType::SelectOneFromFile { file }
                | QuestionType::SelectMultipleFromFile { file } => {
                    let id = file
                        .rsplit_once('.')
                        .map_or(file.as_str(), |(stem, _)| stem);
                    out.push((q.row, id.to_owned(), format!("the file '{file}'")));
                }
                QuestionType::ExternalInstance { format } => out.push((
                    q.row,
                    q.name.clone(),
                    format!("the file '{}.{format}'", q.name),
                )),
                _ => {}
            },
        }
    }
}
