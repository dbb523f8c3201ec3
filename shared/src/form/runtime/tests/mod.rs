//! Tests of the runtime: hand-written forms that encode the intended behaviour (`collection`:
//! skip logic, required answers, constraints; `structure`: cascading selects, repeats, results;
//! `compile`: refused forms and incremental updates) and property tests (`proptests`; `generated`:
//! forms whose expressions come from the grammar).

mod collection;
mod compile;
mod generated;
mod lookups;
mod proptests;
mod structure;

use chrono::DateTime;

use super::*;
use crate::form::xlsform::{Sheet, parse_form};

/// A sheet from rows of cells; the first row is the header.
pub(super) fn sheet(name: &str, rows: &[&[&str]]) -> Sheet {
    Sheet::new(
        name,
        rows.iter()
            .map(|row| row.iter().map(|c| (*c).to_owned()).collect())
            .collect(),
    )
}

/// Compiles a workbook of a survey and an optional choices sheet; both must be accepted.
pub(super) fn engine(survey: &[&[&str]], choices: &[&[&str]]) -> Engine {
    let mut sheets = vec![sheet("survey", survey)];
    if !choices.is_empty() {
        sheets.push(sheet("choices", choices));
    }
    let (form, _) = parse_form(&sheets).unwrap_or_else(|p| panic!("form refused: {p:#?}"));
    Engine::new(&form).unwrap_or_else(|p| panic!("engine refused: {p:#?}"))
}

/// 2024-03-15, 10:30 in Bogotá, no language chosen.
pub(super) fn env() -> Env {
    Env {
        now: DateTime::parse_from_rfc3339("2024-03-15T10:30:00-05:00").expect("valid instant"),
        uuid: "uuid:6f1c1f4e-3a57-4c1e-9a55-8d2f6b0f7a10".to_owned(),
        language: None,
    }
}

/// Answers from `(path, text)` pairs.
pub(super) fn answers(pairs: &[(&str, &str)]) -> Answers {
    pairs.iter().copied().collect()
}

/// Paths of issues, in order.
pub(super) fn paths(issues: &[Issue]) -> Vec<&str> {
    issues.iter().map(|i| i.path.as_str()).collect()
}

/// Whether `path` is relevant (failing the test when the evaluation does not know it).
pub(super) fn relevant(e: &Evaluation, path: &str) -> bool {
    *e.relevant
        .get(path)
        .unwrap_or_else(|| panic!("no relevance for {path}: {:?}", e.relevant))
}

/// A yes/no list.
pub(super) const YES_NO: &[&[&str]] = &[
    &["list_name", "name", "label"],
    &["yn", "yes", "Yes"],
    &["yn", "no", "No"],
];
