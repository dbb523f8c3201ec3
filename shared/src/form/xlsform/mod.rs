//! The XLSForm form model: the `survey`, `choices`, `external_choices` and `settings` sheets,
//! already read from a spreadsheet by the caller, turned into a validated [`Form`] — or every
//! [`Problem`] found, each with its sheet, row and column, in the spirit of ODK's pyxform 4.5
//! (legacy spellings, column aliases and languages included).
//!
//! Owns: header aliases and languages (`columns`), question types (`types`, read by
//! `type_cell`), the tree of groups and repeats (`survey`), loops over a choice list (`loops`),
//! choice lists (`choices`), settings (`settings`), and the whole-form checks of names, lists,
//! `${references}`, expressions and calculation cycles (`check`). Expressions are parsed with
//! [`crate::form::expr::parse`] and kept as source text.
//!
//! Must not read files or decide how a form is shown: spreadsheets are read by the caller,
//! rendering and evaluation happen on the device.

mod check;
mod choices;
mod columns;
mod loops;
mod model;
mod question;
mod refs;
mod report;
mod settings;
mod survey;
mod type_cell;
mod types;

#[cfg(test)]
mod tests;

pub use model::{Choice, Condition, Form, Group, GroupKind, Media, Node, Question, Settings, Text};
pub use report::{Problem, Sheet, Warning};
pub use types::{Metadata, QuestionType};

use columns::{Field, Table, Vocabulary};
use report::{At, Report};

/// Reads a form from its sheets (found by name in any case; other sheets are ignored).
///
/// Returns the form and its warnings, or every problem found: a form with any problem is
/// refused whole, since a half-read questionnaire would collect the wrong data.
// Long: the sheets read in order (survey, choices, external choices, settings), then the cross
// checks.
pub fn parse_form(sheets: &[Sheet]) -> Result<(Form, Vec<Warning>), Vec<Problem>> {
    let mut report = Report::default();
    // A sheet without a single filled cell is no sheet, as for pyxform (an empty `choices`
    // sheet left in a template is not a choices sheet missing its columns).
    let filled = |s: &&Sheet| s.rows.iter().flatten().any(|c| !c.trim().is_empty());
    let find = |name: &str| {
        sheets
            .iter()
            .filter(filled)
            .find(|s| s.name.trim().eq_ignore_ascii_case(name))
    };
    // pyxform reads the only sheet of a workbook as the survey, whatever its name.
    let only = match sheets {
        [only] => Some(only).filter(filled),
        _ => None,
    };
    let Some(survey_sheet) = find("survey").or(only) else {
        report.problem(At::sheet("survey"), no_survey_message(sheets));
        return Err(report.problems);
    };
    let (settings, settings_row) = settings::read(find("settings"), &mut report);
    let table = Table::read("survey", survey_sheet, Vocabulary::Survey, &mut report);
    let missing: Vec<&str> = [(Field::Type, "'type'"), (Field::Name, "'name'")]
        .into_iter()
        .filter(|(field, _)| !table.has(field))
        .map(|(_, name)| name)
        .collect();
    if !missing.is_empty() {
        report.problem(
            At::sheet("survey"),
            format!(
                "one or more required column headers were not found: {}",
                missing.join(", ")
            ),
        );
        return Err(report.problems);
    }
    let mut survey = survey::read(&table, &mut report);
    let allow = settings.allow_choice_duplicates;
    let choices = find("choices").map(|s| choices::read("choices", s, allow, &mut report));
    let external =
        find("external_choices").map(|s| choices::read("external_choices", s, allow, &mut report));
    check::lists(
        &survey,
        choices.as_ref().map(|(lists, _)| lists),
        external.as_ref().map(|(lists, _)| lists),
        &mut report,
    );
    let lists = choices.as_ref().map(|(lists, _)| lists);
    loops::expand(&mut survey.children, &survey.loops, lists);
    check::instances(&survey.children, lists, &mut report);
    let mut choice_tables = Vec::new();
    if let Some((_, table)) = &choices {
        choice_tables.push(("choices", table));
    }
    if let Some((_, table)) = &external {
        choice_tables.push(("external_choices", table));
    }
    let instance_name = settings.instance_name.as_deref().map(|v| (settings_row, v));
    check::references(&survey, &table, &choice_tables, instance_name, &mut report);
    if let Some(sheet) = find("entities") {
        check::entities(sheet, &survey.names, &mut report);
    }
    let mut tables = vec![&table];
    tables.extend(choice_tables.iter().map(|(_, t)| *t));
    let languages = columns::languages(tables);
    let untranslated = table
        .columns
        .iter()
        .any(|c| c.field.is_translatable() && c.language.is_none());
    if !untranslated {
        warn_default_language(&settings, &languages, settings_row, &mut report);
    }
    if !report.problems.is_empty() {
        return Err(report.problems);
    }
    let form = Form {
        settings,
        languages,
        children: survey.children,
        choices: choices.map(|(lists, _)| lists).unwrap_or_default(),
        external_choices: external.map(|(lists, _)| lists).unwrap_or_default(),
    };
    Ok((form, report.warnings))
}

/// pyxform's message, naming sheets that look like a misspelt `survey`.
fn no_survey_message(sheets: &[Sheet]) -> String {
    let similar: Vec<String> = sheets
        .iter()
        .filter(|s| s.name.to_lowercase().contains("surv"))
        .map(|s| format!("'{}'", s.name))
        .collect();
    let mut message = "you must have a sheet named 'survey'".to_owned();
    if !similar.is_empty() {
        message.push_str(&format!(
            "; sheets with similar names were found: {}",
            similar.join(", ")
        ));
    }
    message
}

/// With every column translated, a `default_language` that none of them uses is probably
/// misspelt: the device would open the form in a language it does not have.
fn warn_default_language(settings: &Settings, languages: &[String], row: u32, report: &mut Report) {
    let Some(default) = &settings.default_language else {
        return;
    };
    if !languages.is_empty() && !languages.contains(default) {
        report.warn(
            At::cell("settings", row, "default_language"),
            format!(
                "default_language '{default}' is not one of the languages of the form: {}",
                languages.join(", ")
            ),
        );
    }
}
