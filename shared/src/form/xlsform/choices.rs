//! The `choices` and `external_choices` sheets: choice lists by `list_name`.
//!
//! Must not decide which lists are needed: the survey says that, and `parse_form` checks it.

use std::collections::BTreeMap;

use super::columns::{Field, Table, Vocabulary};
use super::model::Choice;
use super::report::{At, Report, Sheet};

/// Choice lists by name.
pub(crate) type Lists = BTreeMap<String, Vec<Choice>>;

/// Reads a choices-shaped sheet (`label` is `choices` or `external_choices`).
// Long: reads a choices sheet row by row, reporting each kind of problem where it is found.
pub(crate) fn read<'s>(
    label: &'static str,
    sheet: &'s Sheet,
    allow_duplicates: bool,
    report: &mut Report,
) -> (Lists, Table<'s>) {
    let table = Table::read(label, sheet, Vocabulary::Choices, report);
    let mut lists = Lists::new();
    let missing: Vec<&str> = [(Field::ListName, "list_name"), (Field::Name, "name")]
        .into_iter()
        .filter(|(field, _)| !table.has(field))
        .map(|(_, name)| name)
        .collect();
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|m| format!("'{m}'")).collect();
        report.problem(
            At::sheet(label),
            format!(
                "one or more required column headers were not found: {}",
                names.join(", ")
            ),
        );
        return (lists, table);
    }
    // pyxform checks the rows of `choices` only: `external_choices` is data for the device's
    // lookup file, where a repeated name or a row without one is harmless (warned here).
    let external = label == "external_choices";
    // Row of each (list, name) seen, to name the first copy of a duplicate.
    let mut seen: BTreeMap<(String, String), u32> = BTreeMap::new();
    for row in table.rows() {
        let Some(list) = row.get(&Field::ListName) else {
            report.warn(
                At::row(label, row.number),
                "row without a list_name is skipped",
            );
            continue;
        };
        let name_header = row.header_of(&Field::Name, "name");
        let Some(name) = row.get(&Field::Name) else {
            let at = At::cell(label, row.number, &name_header);
            match external {
                true => report.warn(at, "row without a name is skipped"),
                false => report.problem(at, "choices must have a name"),
            }
            continue;
        };
        let key = (list.to_owned(), name.to_owned());
        if let Some(first) = seen.get(&key) {
            if external {
                report.warn(
                    At::cell(label, row.number, &name_header),
                    format!("'{name}' is already in list '{list}' on row {first}"),
                );
            } else if !allow_duplicates {
                report.problem(
                    At::cell(label, row.number, &name_header),
                    format!(
                        "choice names must be unique for each choice list: '{name}' is already \
                         in list '{list}' on row {first}; if this is intentional, use the \
                         setting 'allow_choice_duplicates'"
                    ),
                );
            }
        } else {
            seen.insert(key, row.number);
        }
        let choice = Choice {
            row: row.number,
            name: name.to_owned(),
            label: row.text(&Field::Label),
            media: row.media(),
            properties: row.extra(),
        };
        if choice.label.is_empty() && choice.media.is_empty() {
            report.warn(
                At::row(label, row.number),
                format!("choice '{name}' of list '{list}' has no label"),
            );
        }
        lists.entry(list.to_owned()).or_default().push(choice);
    }
    (lists, table)
}
