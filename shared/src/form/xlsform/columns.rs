//! Column headers: case-insensitive names, the aliases pyxform accepts (`relevance`,
//! `bind:relevant`, `caption`, ...), languages (`label::Español (es)`) and pass-through prefixes
//! (`bind::`, `body::`, `instance::`); and the data rows as cells under known columns.
//!
//! Must not interpret cell values (types, expressions, yes/no): the sheet modules do.

use std::collections::BTreeMap;

use super::model::{Media, Text};
use super::report::{At, Report, Sheet};

/// What a column holds, whatever it was called.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Field {
    Type,
    Name,
    ListName,
    Label,
    Hint,
    GuidanceHint,
    Media(String),
    Required,
    RequiredMessage,
    Relevant,
    Constraint,
    ConstraintMessage,
    Calculation,
    Default,
    ChoiceFilter,
    ReadOnly,
    Appearance,
    Parameters,
    RepeatCount,
    Trigger,
    /// Kept verbatim under its header: pass-through, choice properties, unknown columns.
    Extra(String),
}

impl Field {
    /// Whether the column may carry a language (`label::English`).
    pub fn is_translatable(&self) -> bool {
        matches!(
            self,
            Field::Label
                | Field::Hint
                | Field::GuidanceHint
                | Field::Media(_)
                | Field::RequiredMessage
                | Field::ConstraintMessage
        )
    }
}

/// One header cell, understood.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    /// The header as written, trimmed (used in messages and as the key of extra columns).
    pub header: String,
    pub field: Field,
    pub language: Option<String>,
    index: usize,
}

/// Which sheet's vocabulary applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Vocabulary {
    Survey,
    Choices,
}

/// A sheet's known columns and its non-empty data rows.
#[derive(Debug)]
pub(crate) struct Table<'s> {
    pub columns: Vec<Column>,
    sheet: &'s Sheet,
}

/// One non-empty data row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row<'t> {
    /// Spreadsheet row number (the header is row 1).
    pub number: u32,
    columns: &'t [Column],
    cells: &'t [String],
}

impl<'s> Table<'s> {
    /// Reads the header row, reporting duplicated columns (the later copy is dropped) and, for
    /// the survey, unknown ones (kept as extra columns).
    pub fn read(
        label: &'static str,
        sheet: &'s Sheet,
        vocabulary: Vocabulary,
        report: &mut Report,
    ) -> Self {
        let header = sheet.rows.first().map(Vec::as_slice).unwrap_or_default();
        let mut columns: Vec<Column> = Vec::new();
        for (index, raw) in header.iter().enumerate() {
            let written = raw.trim();
            if written.is_empty() {
                continue;
            }
            let (field, language) = understand(written, vocabulary);
            let at = At::cell(label, 1, written);
            if let Some(same) = columns
                .iter()
                .find(|c| c.header.eq_ignore_ascii_case(written))
            {
                report.problem(at, format!("duplicate column header: {}", same.header));
                continue;
            }
            if let Some(other) = columns
                .iter()
                .find(|c| c.field == field && c.language == language)
            {
                report.problem(
                    at,
                    format!(
                        "headers that are different names for the same column were found: \
                         '{}', '{written}'; rename or remove one of these columns",
                        other.header
                    ),
                );
                continue;
            }
            if vocabulary == Vocabulary::Survey || written.contains("::") {
                warn_if_unknown(&field, written, at, report);
            }
            columns.push(Column {
                header: written.to_owned(),
                field,
                language,
                index,
            });
        }
        Self { columns, sheet }
    }

    /// Whether a column holds `field` (in any language).
    pub fn has(&self, field: &Field) -> bool {
        self.columns.iter().any(|c| &c.field == field)
    }

    /// The data rows that have at least one non-blank cell under a known column.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.sheet
            .rows
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, cells)| Row {
                number: u32::try_from(i + 1).unwrap_or(u32::MAX),
                columns: &self.columns,
                cells,
            })
            .filter(|row| !row.is_blank())
    }
}

impl<'t> Row<'t> {
    fn cell(&self, column: &Column) -> &'t str {
        self.cells.get(column.index).map_or("", |c| c.trim())
    }

    fn is_blank(&self) -> bool {
        self.columns.iter().all(|c| self.cell(c).is_empty())
    }

    /// The non-empty value of the untranslated `field` column.
    pub fn get(&self, field: &Field) -> Option<&'t str> {
        self.columns
            .iter()
            .filter(|c| &c.field == field)
            .map(|c| self.cell(c))
            .find(|v| !v.is_empty())
    }

    /// The header `field` was written under (for messages), or its usual name.
    pub fn header_of(&self, field: &Field, usual: &str) -> String {
        self.columns
            .iter()
            .find(|c| &c.field == field)
            .map_or_else(|| usual.to_owned(), |c| c.header.clone())
    }

    /// Every non-empty cell as (column, value).
    pub fn cells(&self) -> impl Iterator<Item = (&'t Column, &'t str)> + '_ {
        self.columns
            .iter()
            .map(|c| (c, self.cell(c)))
            .filter(|(_, v)| !v.is_empty())
    }

    /// A translatable field in every language written.
    pub fn text(&self, field: &Field) -> Text {
        let mut text = Text::default();
        for (column, value) in self.cells().filter(|(c, _)| &c.field == field) {
            let language = column.language.as_deref().unwrap_or(Text::NO_LANGUAGE);
            text.0.insert(language.to_owned(), value.to_owned());
        }
        text
    }

    /// The media columns, by kind.
    pub fn media(&self) -> Media {
        let mut media = Media::new();
        for (column, value) in self.cells() {
            if let Field::Media(kind) = &column.field {
                let language = column.language.as_deref().unwrap_or(Text::NO_LANGUAGE);
                let text: &mut Text = media.entry(kind.clone()).or_default();
                text.0.insert(language.to_owned(), value.to_owned());
            }
        }
        media
    }

    /// Extra columns, by header.
    pub fn extra(&self) -> BTreeMap<String, String> {
        self.cells()
            .filter(|(c, _)| matches!(c.field, Field::Extra(_)))
            .map(|(c, v)| (c.header.clone(), v.to_owned()))
            .collect()
    }
}

/// Languages of translated columns, in order of first appearance, across tables.
pub(crate) fn languages<'a>(tables: impl IntoIterator<Item = &'a Table<'a>>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for table in tables {
        for language in table.columns.iter().filter_map(|c| c.language.as_ref()) {
            if !out.contains(language) {
                out.push(language.clone());
            }
        }
    }
    out
}

fn warn_if_unknown(field: &Field, written: &str, at: At, report: &mut Report) {
    let known_prefix = ["bind:", "body:", "control:", "instance:"]
        .iter()
        .any(|p| written.to_lowercase().starts_with(p));
    if matches!(field, Field::Extra(_)) && !known_prefix {
        report.warn(
            at,
            format!("unknown column '{written}' is kept but not used by the form"),
        );
    }
}

/// Splits a header into tokens: on `::` when present, else on `:` (the legacy delimiter),
/// keeping `jr:x` together as pyxform does.
fn tokens(header: &str) -> Vec<String> {
    if header.contains("::") {
        return header.split("::").map(|t| t.trim().to_owned()).collect();
    }
    let mut out: Vec<String> = Vec::new();
    let mut parts = header.split(':').map(str::trim);
    while let Some(part) = parts.next() {
        if part.eq_ignore_ascii_case("jr") {
            let next = parts.next().unwrap_or_default();
            out.push(format!("jr:{next}"));
        } else {
            out.push(part.to_owned());
        }
    }
    out
}

/// `Constraint Message` -> `constraint_message`.
fn snake(token: &str) -> String {
    token
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("_")
        .to_lowercase()
}

/// Header text to (field, language).
fn understand(header: &str, vocabulary: Vocabulary) -> (Field, Option<String>) {
    let tokens = tokens(header);
    let first = snake(&tokens[0]);
    let second = tokens.get(1).map(|t| snake(t));
    let third = tokens.get(2).cloned();
    let extra = || (Field::Extra(header.to_owned()), None);
    // A column named without a prefix: `label`, or `label::English` for translatable ones.
    let plain = |field: Field| match (field.is_translatable(), tokens.len()) {
        (_, 1) => (field, None),
        (true, 2) => (field, Some(tokens[1].clone())),
        _ => extra(),
    };
    match (vocabulary, first.as_str()) {
        (Vocabulary::Survey, "bind") => match second.as_deref().and_then(bind_field) {
            Some(field) if field.is_translatable() || third.is_none() => (field, third),
            _ => extra(),
        },
        (Vocabulary::Survey, "control" | "body") => match second.as_deref() {
            Some("appearance") if third.is_none() => (Field::Appearance, None),
            Some("jr:count") if third.is_none() => (Field::RepeatCount, None),
            _ => extra(),
        },
        (_, "media") => match second.as_deref() {
            Some(kind @ ("image" | "big-image" | "audio" | "video")) => {
                (Field::Media(kind.to_owned()), third)
            }
            _ => extra(),
        },
        (Vocabulary::Survey, name) => survey_field(name).map_or_else(extra, plain),
        (Vocabulary::Choices, name) => choices_field(name).map_or_else(extra, plain),
    }
}

fn bind_field(attribute: &str) -> Option<Field> {
    Some(match attribute {
        "relevant" => Field::Relevant,
        "constraint" => Field::Constraint,
        "required" => Field::Required,
        "calculate" => Field::Calculation,
        "readonly" => Field::ReadOnly,
        "jr:constraintmsg" => Field::ConstraintMessage,
        "jr:requiredmsg" => Field::RequiredMessage,
        _ => return None,
    })
}

fn survey_field(name: &str) -> Option<Field> {
    Some(match name {
        "type" | "command" => Field::Type,
        "name" | "tag" | "value" => Field::Name,
        "label" | "caption" => Field::Label,
        "hint" => Field::Hint,
        "guidance_hint" => Field::GuidanceHint,
        "relevant" | "relevance" => Field::Relevant,
        "required" => Field::Required,
        "required_message" | "requiredmsg" | "jr:requiredmsg" => Field::RequiredMessage,
        "constraint" => Field::Constraint,
        "constraint_message" | "constraining_message" | "constraintmsg" | "jr:constraintmsg" => {
            Field::ConstraintMessage
        }
        "calculation" | "calculate" => Field::Calculation,
        "read_only" | "readonly" => Field::ReadOnly,
        "appearance" => Field::Appearance,
        "default" => Field::Default,
        "choice_filter" => Field::ChoiceFilter,
        "parameters" => Field::Parameters,
        "repeat_count" | "count" | "jr:count" => Field::RepeatCount,
        "trigger" => Field::Trigger,
        "image" | "big-image" | "audio" | "video" => Field::Media(name.to_owned()),
        _ => return None,
    })
}

fn choices_field(name: &str) -> Option<Field> {
    Some(match name {
        "list_name" => Field::ListName,
        "name" | "value" => Field::Name,
        "label" | "caption" => Field::Label,
        "image" | "big-image" | "audio" | "video" => Field::Media(name.to_owned()),
        _ => return None,
    })
}
