//! The `survey` sheet: rows into the tree of questions, groups and repeats, with the checks that
//! need the whole sheet's structure — names (missing, not XML names, reserved, repeated in one
//! scope), types (unknown, a select without list), and `begin`/`end` balance.
//!
//! Must not resolve `${references}` or parse expressions: that is `check`, once every name is
//! known. It does hand `check` the cells to look at.

use std::collections::BTreeMap;

use super::columns::{Field, Row, Table};
use super::model::{Group, Node, Text};
use super::question;
use super::refs::is_name;
use super::report::{At, Report};
use super::type_cell::{RowType, Section, implied, parse_type};
use super::types::QuestionType;

/// What the survey sheet gave, for the checks that follow.
#[derive(Debug, Default)]
pub(crate) struct Survey {
    pub children: Vec<Node>,
    /// Every element name with the rows it is on (more than one row: references are ambiguous).
    pub names: BTreeMap<String, Vec<u32>>,
    /// Rows of selects by list name, with the `type` header: the lists they need.
    pub selects: Vec<NeedsList>,
    /// Repeat names with their row: unique in the whole survey.
    pub repeats: BTreeMap<String, u32>,
    /// `begin loop` rows and the list each loops over: `loops::expand` makes their groups.
    pub loops: BTreeMap<u32, String>,
}

/// A question that needs a choice list.
#[derive(Debug, Clone)]
pub(crate) struct NeedsList {
    pub row: u32,
    pub column: String,
    pub list: String,
    /// `select_one_external`: the list is on the `external_choices` sheet.
    pub external: bool,
}

/// A scope being filled: the survey itself or an open group.
struct Frame {
    group: Option<(Group, Section)>,
    children: Vec<Node>,
    /// Names of this scope, with the row each is on.
    names: BTreeMap<String, u32>,
}

impl Frame {
    fn new(group: Option<(Group, Section)>) -> Self {
        Self {
            group,
            children: Vec::new(),
            names: BTreeMap::new(),
        }
    }
}

/// Reads the survey rows into a tree, reporting what is wrong with their structure.
// Long: one pass over the survey rows keeping the group/repeat stack; the cases share that stack.
pub(crate) fn read(table: &Table<'_>, report: &mut Report) -> Survey {
    let mut survey = Survey::default();
    let mut stack = vec![Frame::new(None)];
    for row in table.rows() {
        let type_header = row.header_of(&Field::Type, "type");
        let Some(cell) = row.get(&Field::Type) else {
            untyped(&row, &type_header, report);
            continue;
        };
        let written = cell.split_whitespace().collect::<Vec<_>>().join(" ");
        let at_type = At::cell("survey", row.number, &type_header);
        let mut parsed = parse_type(&written);
        if let RowType::RankOrOther(list) = parsed {
            report.warn(
                at_type.clone(),
                "'or_other' is ignored on a rank: add an 'other' choice to the list instead",
            );
            parsed = RowType::Question(QuestionType::Rank { list });
        }
        match parsed {
            RowType::RankOrOther(_) => {}
            RowType::Question(kind) => {
                // pyxform names a note that has none after its row, as ODK tools expect.
                let unnamed = matches!(kind, QuestionType::Note)
                    .then(|| format!("generated_note_name_{}", row.number));
                let Some(name) = name(&row, unnamed, &mut stack, &mut survey, report) else {
                    continue;
                };
                needs_list(&kind, row.number, &type_header, &mut survey);
                let mut question = question::question(&row, name, kind, report);
                question::check_parameter_keys(&row, &written, &question, report);
                if let Some((constraint, hint)) = implied(&written) {
                    question
                        .constraint
                        .get_or_insert_with(|| constraint.to_owned());
                    if question.hint.is_empty() && !hint.is_empty() {
                        question
                            .hint
                            .0
                            .insert(Text::NO_LANGUAGE.to_owned(), hint.to_owned());
                    }
                }
                top(&mut stack)
                    .children
                    .push(Node::Question(Box::new(question)));
            }
            RowType::Begin(section) => begin(&row, section, &mut stack, &mut survey, report),
            RowType::BeginLoop(Some(list)) => {
                survey.loops.insert(row.number, list.clone());
                survey.selects.push(NeedsList {
                    row: row.number,
                    column: type_header,
                    list,
                    external: false,
                });
                begin(&row, Section::Loop, &mut stack, &mut survey, report);
            }
            RowType::BeginLoop(None) => {
                report.problem(
                    at_type,
                    "'begin loop' needs the name of a choice list: 'begin loop over LIST'",
                );
                begin(&row, Section::Loop, &mut stack, &mut survey, report);
            }
            RowType::End(section) => end(&row, section, &mut stack, report),
            RowType::Unknown => {
                report.problem(at_type, format!("unknown question type '{written}'"))
            }
            RowType::SelectWithoutList => report.problem(
                at_type,
                format!("'{written}' needs the name of a choice list after it"),
            ),
            RowType::BadFile(file) => report.problem(
                at_type,
                format!("the file '{file}' must end in .csv, .xml or .geojson to hold choices"),
            ),
        }
    }
    while stack.len() > 1 {
        if let Some((group, section)) = &top(&mut stack).group {
            report.problem(
                At::row("survey", group.row),
                format!(
                    "unmatched 'begin_{w}': no matching 'end_{w}' was found for the name '{}'",
                    group.name,
                    w = section.word()
                ),
            );
        }
        close(&mut stack);
    }
    survey.children = stack.pop().map(|f| f.children).unwrap_or_default();
    survey
}

/// A `begin` row: opens its group, repeat or loop.
fn begin(
    row: &Row<'_>,
    section: Section,
    stack: &mut Vec<Frame>,
    survey: &mut Survey,
    report: &mut Report,
) {
    let name = name(row, None, stack, survey, report).unwrap_or_default();
    if section == Section::Repeat && !name.is_empty() {
        if let Some(first) = survey.repeats.insert(name.clone(), row.number) {
            report.problem(
                At::cell("survey", row.number, &row.header_of(&Field::Name, "name")),
                format!(
                    "the name '{name}' is already used by the repeat on row {first}; repeat \
                     names must be unique anywhere in the survey"
                ),
            );
        }
    }
    let group = question::group(row, name, section, report);
    stack.push(Frame::new(Some((group, section))));
}

fn top(stack: &mut [Frame]) -> &mut Frame {
    stack
        .last_mut()
        .expect("the survey frame is never popped before the end")
}

/// A row with no type: an error if it names or labels something, else a skipped note.
fn untyped(row: &Row<'_>, type_header: &str, report: &mut Report) {
    if row.get(&Field::Name).is_some() || !row.text(&Field::Label).is_empty() {
        report.problem(
            At::cell("survey", row.number, type_header),
            "question with no type",
        );
    } else {
        report.warn(
            At::row("survey", row.number),
            "row without name, text, or label is being skipped",
        );
    }
}

/// Checks the row's name (else `unnamed`, when the row may go without) in the current scope;
/// `None` when there is none to use.
fn name(
    row: &Row<'_>,
    unnamed: Option<String>,
    stack: &mut [Frame],
    survey: &mut Survey,
    report: &mut Report,
) -> Option<String> {
    let at = At::cell("survey", row.number, &row.header_of(&Field::Name, "name"));
    let Some(name) = row.get(&Field::Name).map(str::to_owned).or(unnamed) else {
        report.problem(at, "question or group with no name");
        return None;
    };
    let name = name.as_str();
    if !is_name(name) {
        report.problem(
            at.clone(),
            format!(
                "the name '{name}' is invalid: names must begin with a letter or underscore; \
                 after the first character, names may contain letters, digits, underscores, \
                 hyphens, or periods"
            ),
        );
    }
    // pyxform reserves it in every group, not only at the top.
    if name == "meta" {
        report.problem(at.clone(), "the name 'meta' is reserved for form metadata");
    }
    let scope = top(stack);
    if let Some(first) = scope.names.get(name) {
        report.problem(
            at,
            format!(
                "the name '{name}' is already used on row {first}; questions, groups, and \
                 repeats must be unique within their nearest parent group or repeat, or the \
                 survey if not inside a group or repeat"
            ),
        );
    } else if let Some((other, first)) = scope
        .names
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        report.warn(
            at,
            format!(
                "the name '{name}' differs only in case from '{other}' on row {first}; some \
                 data tools do not tell them apart"
            ),
        );
    }
    scope.names.entry(name.to_owned()).or_insert(row.number);
    survey
        .names
        .entry(name.to_owned())
        .or_default()
        .push(row.number);
    Some(name.to_owned())
}

fn needs_list(kind: &QuestionType, row: u32, column: &str, survey: &mut Survey) {
    let (list, external) = match kind {
        QuestionType::SelectOne { list, .. }
        | QuestionType::SelectMultiple { list, .. }
        | QuestionType::Rank { list } => (list, false),
        QuestionType::SelectOneExternal { list } => (list, true),
        _ => return,
    };
    survey.selects.push(NeedsList {
        row,
        column: column.to_owned(),
        list: list.clone(),
        external,
    });
}

/// An `end group`/`end repeat` row: closes the innermost open group, reporting an end without
/// a begin or one of the other kind (which still closes it, so the rows after stay in place).
fn end(row: &Row<'_>, section: Section, stack: &mut Vec<Frame>, report: &mut Report) {
    let w = section.word();
    let at = At::cell("survey", row.number, &row.header_of(&Field::Type, "type"));
    match &top(stack).group {
        None => {
            let name = row.get(&Field::Name).unwrap_or_default();
            report.problem(
                at,
                format!(
                    "unmatched 'end_{w}': no matching 'begin_{w}' was found for the name '{name}'"
                ),
            );
            return;
        }
        Some((group, open)) if *open != section => report.problem(
            at,
            format!(
                "'end_{w}' closes 'begin_{}' '{}' of row {}; end it with 'end_{}' first",
                open.word(),
                group.name,
                group.row,
                open.word()
            ),
        ),
        Some(_) => {}
    }
    close(stack);
}

/// Pops the innermost group into its parent.
fn close(stack: &mut Vec<Frame>) {
    let Some(frame) = stack.pop() else { return };
    if let Some((mut group, _)) = frame.group {
        group.children = frame.children;
        top(stack).children.push(Node::Group(Box::new(group)));
    }
}
