//! The validated form: what the device renders and the server re-checks, sent to devices as
//! JSON. Expressions stay source text here (the evaluator parses them where it runs them); every
//! one of them has already been parsed once by `parse_form`, so a form that exists is one whose
//! expressions parse and whose `${references}` resolve.
//!
//! Must not hold spreadsheet details beyond the row each element came from (kept so the app
//! can point an author at the row of a misbehaving question).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::types::QuestionType;

/// A questionnaire read from an XLSForm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Form {
    /// The `settings` sheet.
    pub settings: Settings,
    /// Languages named in translated columns (`label::Español (es)` gives `Español (es)`), in
    /// order of first appearance; untranslated columns are under [`Text::NO_LANGUAGE`].
    pub languages: Vec<String>,
    /// Top-level questions, groups and repeats, in sheet order.
    pub children: Vec<Node>,
    /// The `choices` sheet: choice lists by `list_name`, choices in sheet order.
    pub choices: BTreeMap<String, Vec<Choice>>,
    /// The `external_choices` sheet (lists of `select_one_external`), same shape.
    pub external_choices: BTreeMap<String, Vec<Choice>>,
}

/// The `settings` sheet (header row of keys, one row of values).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Settings {
    /// `form_id` (legacy `id_string`).
    pub form_id: Option<String>,
    /// `form_title` (legacy `title`, then `name`).
    pub form_title: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// `default_language`: the language untranslated columns are written in.
    pub default_language: Option<String>,
    /// `instance_name`: an expression naming each filled-in form.
    pub instance_name: Option<String>,
    /// `allow_choice_duplicates`: whether one list may repeat a choice name.
    pub allow_choice_duplicates: bool,
    /// Every other key (`style`, `submission_url`, `public_key`, ...), lower case, as written.
    pub other: BTreeMap<String, String>,
}

/// One element of the form tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "node", rename_all = "snake_case")]
pub enum Node {
    /// A question (including calculations, notes and metadata).
    Question(Box<Question>),
    /// A group or a repeat, with its children.
    Group(Box<Group>),
}

impl Node {
    /// The element's name (unique among its siblings).
    pub fn name(&self) -> &str {
        match self {
            Node::Question(q) => &q.name,
            Node::Group(g) => &g.name,
        }
    }

    /// The spreadsheet row of the `survey` sheet it was written on.
    pub fn row(&self) -> u32 {
        match self {
            Node::Question(q) => q.row,
            Node::Group(g) => g.row,
        }
    }
}

/// Text in one or more languages: language name to text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct Text(pub BTreeMap<String, String>);

impl Text {
    /// Key of a column written without a language (`label`): it is in the settings'
    /// `default_language` if there is one (the name pyxform gives it too).
    pub const NO_LANGUAGE: &'static str = "default";

    /// The text in `language`, else the untranslated text.
    pub fn get(&self, language: &str) -> Option<&str> {
        self.0
            .get(language)
            .or_else(|| self.0.get(Self::NO_LANGUAGE))
            .map(String::as_str)
    }

    /// Whether there is no text in any language.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A yes/no column that may also hold an expression (`required`, `read_only`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Empty, `no`, `false`, `false()`.
    #[default]
    Never,
    /// `yes`, `true`, `TRUE()`, ...
    Always,
    /// An expression, evaluated with the answers.
    When(String),
}

/// Media columns (`image`, `big-image`, `audio`, `video`) by kind, each in several languages.
pub type Media = BTreeMap<String, Text>;

/// A question row of the `survey` sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Question {
    /// Spreadsheet row on the `survey` sheet.
    pub row: u32,
    /// `name`: an XML name, unique among its siblings.
    pub name: String,
    /// `type`, with its list or file where it has one.
    pub kind: QuestionType,
    /// `label`.
    pub label: Text,
    /// `hint`.
    pub hint: Text,
    /// `guidance_hint`.
    pub guidance_hint: Text,
    /// `image`, `big-image`, `audio`, `video`.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, Text>))]
    pub media: Media,
    /// `required`.
    pub required: Condition,
    /// `required_message`.
    pub required_message: Text,
    /// `relevant`: shown only when this is true.
    pub relevant: Option<String>,
    /// `constraint`: the answer (`.`) is accepted only when this is true.
    pub constraint: Option<String>,
    /// `constraint_message`.
    pub constraint_message: Text,
    /// `calculation`.
    pub calculation: Option<String>,
    /// `default`: a literal, or an expression when it references other questions.
    pub default: Option<String>,
    /// `choice_filter`: which choices of the list are offered.
    pub choice_filter: Option<String>,
    /// `read_only`.
    pub read_only: Condition,
    /// `appearance`.
    pub appearance: Option<String>,
    /// `parameters`, parsed from `k=v k2=v2` (keys lower case).
    pub parameters: BTreeMap<String, String>,
    /// `trigger`: `${q}` whose change recomputes this question.
    pub trigger: Option<String>,
    /// Pass-through columns (`bind::x`, `body::x`, `instance::x`) and unknown columns, by header.
    pub extra: BTreeMap<String, String>,
}

/// Whether a group repeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GroupKind {
    /// `begin group`: shown once.
    Group,
    /// `begin repeat`: filled in as many times as the collector adds, or `repeat_count`.
    Repeat {
        /// `repeat_count`: a number or an expression.
        count: Option<String>,
    },
}

/// A `begin group` / `begin repeat` row with the rows up to its end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Group {
    /// Spreadsheet row of the `begin` row.
    pub row: u32,
    /// `name`.
    pub name: String,
    /// Group or repeat.
    pub kind: GroupKind,
    /// `label`.
    pub label: Text,
    /// `hint`.
    pub hint: Text,
    /// `relevant`: the whole group is skipped when false.
    pub relevant: Option<String>,
    /// `read_only`.
    pub read_only: Condition,
    /// `appearance` (`field-list`, `table-list`, ...).
    pub appearance: Option<String>,
    /// `parameters`.
    pub parameters: BTreeMap<String, String>,
    /// Pass-through and unknown columns, by header.
    pub extra: BTreeMap<String, String>,
    /// Questions and groups inside, in sheet order.
    // A group holds nodes that may be groups: the schema names them without descending again.
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub children: Vec<Node>,
}

/// One row of a choice list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Choice {
    /// Spreadsheet row on its sheet.
    pub row: u32,
    /// `name`: the value stored when chosen.
    pub name: String,
    /// `label`.
    pub label: Text,
    /// `image`, `audio`, ...
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, Text>))]
    pub media: Media,
    /// Other columns (those `choice_filter` expressions test), by header.
    pub properties: BTreeMap<String, String>,
}
