//! Tests of the XLSForm reader: small workbooks built inline (no spreadsheet reader here).

mod corpus;
mod expressions;
mod fixtures;
mod forms;
mod problems;
mod settings;
mod structure;

use super::{Form, Node, Problem, Sheet, Warning, parse_form};

/// A sheet from rows of cells; the first row is the header.
pub(super) fn sheet(name: &str, rows: &[&[&str]]) -> Sheet {
    Sheet::new(
        name,
        rows.iter()
            .map(|row| row.iter().map(|c| (*c).to_owned()).collect())
            .collect(),
    )
}

/// Parses a workbook that must be accepted.
pub(super) fn accept(sheets: &[Sheet]) -> (Form, Vec<Warning>) {
    match parse_form(sheets) {
        Ok(ok) => ok,
        Err(problems) => panic!(
            "expected the form to be accepted, got:\n{}",
            render(&problems)
        ),
    }
}

/// Parses a workbook that must be refused.
pub(super) fn refuse(sheets: &[Sheet]) -> Vec<Problem> {
    match parse_form(sheets) {
        Ok((form, _)) => panic!("expected problems, the form was accepted: {form:#?}"),
        Err(problems) => problems,
    }
}

pub(super) fn render(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("  {p}\n")).collect()
}

/// Asserts one problem is at `sheet`/`row`/`column` with a message containing `text`.
pub(super) fn assert_problem(
    problems: &[Problem],
    sheet: &str,
    row: Option<u32>,
    column: Option<&str>,
    text: &str,
) {
    let found = problems.iter().any(|p| {
        p.sheet == sheet
            && p.row == row
            && p.column.as_deref() == column
            && p.message.contains(text)
    });
    assert!(
        found,
        "no problem at {sheet}/{row:?}/{column:?} containing {text:?}; got:\n{}",
        render(problems)
    );
}

/// The top-level node named `name`.
pub(super) fn node<'f>(form: &'f Form, name: &str) -> &'f Node {
    form.children
        .iter()
        .find(|n| n.name() == name)
        .unwrap_or_else(|| panic!("no top-level node {name}"))
}

/// The survey sheet of a minimal valid workbook around some rows.
pub(super) fn survey(rows: &[&[&str]]) -> Sheet {
    sheet("survey", rows)
}

/// A choices sheet with one list `yn` (yes/no).
pub(super) fn yes_no_choices() -> Sheet {
    sheet(
        "choices",
        &[
            &["list_name", "name", "label"],
            &["yn", "yes", "Yes"],
            &["yn", "no", "No"],
        ],
    )
}
