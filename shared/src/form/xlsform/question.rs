//! One `survey` row turned into a [`Question`] or a [`Group`]: yes/no-or-expression columns,
//! `parameters`, and the checks that concern the row alone (a `calculate` without calculation,
//! a required group, a question without label).
//!
//! Must not look at other rows: names, nesting and references are checked by `survey` and
//! `check`, which see the whole sheet.

use std::collections::BTreeMap;

use super::columns::{Field, Row};
use super::model::{Condition, Group, GroupKind, Question};
use super::report::{At, Report};
use super::settings::yes_no;
use super::type_cell::Section;
use super::types::QuestionType;

/// Builds a question from its row.
pub(crate) fn question(
    row: &Row<'_>,
    name: String,
    kind: QuestionType,
    report: &mut Report,
) -> Question {
    let q = Question {
        row: row.number,
        name,
        label: row.text(&Field::Label),
        hint: row.text(&Field::Hint),
        guidance_hint: row.text(&Field::GuidanceHint),
        media: row.media(),
        required: condition(row.get(&Field::Required)),
        required_message: row.text(&Field::RequiredMessage),
        relevant: owned(row.get(&Field::Relevant)),
        constraint: owned(row.get(&Field::Constraint)),
        constraint_message: row.text(&Field::ConstraintMessage),
        calculation: owned(row.get(&Field::Calculation)),
        default: owned(row.get(&Field::Default)),
        choice_filter: owned(row.get(&Field::ChoiceFilter)),
        read_only: condition(row.get(&Field::ReadOnly)),
        appearance: owned(row.get(&Field::Appearance)),
        parameters: parameters(row, report),
        trigger: owned(row.get(&Field::Trigger)),
        extra: row.extra(),
        kind,
    };
    // pyxform accepts a calculate with no calculation only when a dynamic default computes it.
    let dynamic_default = q
        .default
        .as_deref()
        .is_some_and(|d| d.contains("${") || d.contains('('));
    if q.kind == QuestionType::Calculate && q.calculation.is_none() && !dynamic_default {
        report.problem(
            At::cell(
                "survey",
                row.number,
                &row.header_of(&Field::Calculation, "calculation"),
            ),
            "missing calculation",
        );
    }
    check_label(row, &q, report);
    q
}

/// pyxform refuses a question the collector would see with nothing to show: no label, no
/// media, no hint (a guidance hint alone is hidden by default).
fn check_label(row: &Row<'_>, q: &Question, report: &mut Report) {
    let label_optional = matches!(
        q.kind,
        QuestionType::Calculate
            | QuestionType::Hidden
            | QuestionType::Metadata { .. }
            | QuestionType::ExternalInstance { .. }
    );
    let unlabelled = q.label.is_empty() && q.hint.is_empty() && q.media.is_empty();
    if unlabelled && !label_optional {
        report.problem(
            At::cell("survey", row.number, &row.header_of(&Field::Label, "label")),
            format!(
                "the question '{}' has no label or hint: give it a label (or a hint, or an \
                 image) to show the collector",
                q.name
            ),
        );
    }
}

/// Builds a group or repeat (without children yet) from its `begin` row.
pub(crate) fn group(row: &Row<'_>, name: String, section: Section, report: &mut Report) -> Group {
    if row
        .get(&Field::Required)
        .is_some_and(|r| yes_no(r) != Some(false))
    {
        // pyxform 4.5 accepts it and ODK ignores it; refusing a working form over it helps
        // nobody, but the author should know it does nothing.
        report.warn(
            At::cell(
                "survey",
                row.number,
                &row.header_of(&Field::Required, "required"),
            ),
            "groups and repeats cannot be required; the 'required' value in this row is \
             ignored: move it to the questions inside",
        );
    }
    let kind = match section {
        // A loop is a group of groups once `loops` has read its list.
        Section::Group | Section::Loop => GroupKind::Group,
        Section::Repeat => GroupKind::Repeat {
            count: owned(row.get(&Field::RepeatCount)),
        },
    };
    Group {
        row: row.number,
        name,
        kind,
        label: row.text(&Field::Label),
        hint: row.text(&Field::Hint),
        relevant: owned(row.get(&Field::Relevant)),
        read_only: condition(row.get(&Field::ReadOnly)),
        appearance: owned(row.get(&Field::Appearance)),
        parameters: parameters(row, report),
        extra: row.extra(),
        children: Vec::new(),
    }
}

fn owned(value: Option<&str>) -> Option<String> {
    value.map(str::to_owned)
}

/// `yes`/`no` spellings, or an expression.
pub(crate) fn condition(value: Option<&str>) -> Condition {
    match value.map(|v| (v, yes_no(v))) {
        None | Some((_, Some(false))) => Condition::Never,
        Some((_, Some(true))) => Condition::Always,
        Some((expression, None)) => Condition::When(expression.to_owned()),
    }
}

/// The `parameters` cell, reporting it when it is not `key=value` pairs.
fn parameters(row: &Row<'_>, report: &mut Report) -> BTreeMap<String, String> {
    let Some(raw) = row.get(&Field::Parameters) else {
        return BTreeMap::new();
    };
    parse_parameters(raw).unwrap_or_else(|| {
        report.problem(
            At::cell(
                "survey",
                row.number,
                &row.header_of(&Field::Parameters, "parameters"),
            ),
            "parameters must be in the form 'key1=value1 key2=value2'",
        );
        BTreeMap::new()
    })
}

/// The `parameters` keys pyxform accepts for a type as written (it checks only these spellings:
/// `photo` is checked, `image` is not), or `None` where it accepts any.
fn accepted_keys(written: &str, kind: &QuestionType) -> Option<&'static [&'static str]> {
    const GEO: &[&str] = &["allow-mock-accuracy", "incremental", "reference-geometry"];
    Some(match written {
        "range" => &[
            "end",
            "placeholder",
            "start",
            "step",
            "tick_interval",
            "tick_labelset",
        ],
        "text" => &["rows"],
        "photo" => &["app", "max-pixels"],
        "audio" | "background-audio" => &["quality"],
        "audit" => &[
            "identify-user",
            "location-max-age",
            "location-min-interval",
            "location-priority",
            "track-changes",
            "track-changes-reasons",
        ],
        "geopoint" => &[
            "allow-mock-accuracy",
            "capture-accuracy",
            "reference-geometry",
            "warning-accuracy",
        ],
        "geoshape" | "geotrace" => GEO,
        _ if written.starts_with("select_one_from_file ")
            || written.starts_with("select_multiple_from_file ") =>
        {
            &["label", "randomize", "seed", "value"]
        }
        _ => match kind {
            QuestionType::SelectOne { .. }
            | QuestionType::SelectMultiple { .. }
            | QuestionType::Rank { .. }
            | QuestionType::SelectOneExternal { .. }
            | QuestionType::SelectOneFromFile { .. }
            | QuestionType::SelectMultipleFromFile { .. } => &["randomize", "seed"],
            _ => return None,
        },
    })
}

/// Reports `parameters` keys the question's type does not take, in pyxform's words.
pub(crate) fn check_parameter_keys(
    row: &Row<'_>,
    written: &str,
    question: &Question,
    report: &mut Report,
) {
    let Some(accepted) = accepted_keys(written, &question.kind) else {
        return;
    };
    let rejected: Vec<&str> = question
        .parameters
        .keys()
        .map(String::as_str)
        .filter(|k| !accepted.contains(k))
        .collect();
    if !rejected.is_empty() {
        report.problem(
            At::cell(
                "survey",
                row.number,
                &row.header_of(&Field::Parameters, "parameters"),
            ),
            format!(
                "the accepted parameter keys for this question type are '{}'; the following \
                 are invalid parameter key(s): '{}'",
                accepted.join(", "),
                rejected.join(", ")
            ),
        );
    }
}

/// `k=v k2=v2` (or separated by `;` or `,`, as pyxform allows); keys lower case. `None` when a
/// part has no `=` or no key.
pub(crate) fn parse_parameters(raw: &str) -> Option<BTreeMap<String, String>> {
    // Spaces around `=` would otherwise split a pair in two.
    let mut compact = raw.trim().to_owned();
    while compact.contains(" =") || compact.contains("= ") {
        compact = compact.replace(" =", "=").replace("= ", "=");
    }
    let parts: Vec<&str> = if compact.contains(';') {
        compact.split(';').collect()
    } else if compact.contains(',') {
        compact.split(',').collect()
    } else {
        compact.split_whitespace().collect()
    };
    let mut out = BTreeMap::new();
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=')?;
        let key = key.trim().to_lowercase();
        if key.is_empty() {
            return None;
        }
        out.insert(key, value.trim().to_owned());
    }
    Some(out)
}
