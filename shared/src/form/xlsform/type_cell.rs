//! Reading the `type` column: every spelling pyxform accepts for a question type (legacy ones
//! included), select commands with their list or file, and the `begin`/`end` rows of groups and
//! repeats. Case matters, as in pyxform: `Select one from source` is an unknown type.
//!
//! Must not look at other columns or sheets: whether a select's list exists is checked once the
//! whole workbook is read.

use super::types::{Metadata, QuestionType};

/// Group, repeat or loop, as written after `begin`/`end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Group,
    Repeat,
    /// `begin loop over LIST`: a group per choice of the list (see `loops`).
    Loop,
}

impl Section {
    /// The word pyxform's messages use (`begin_group`, `end_repeat`).
    pub fn word(self) -> &'static str {
        match self {
            Section::Group => "group",
            Section::Repeat => "repeat",
            Section::Loop => "loop",
        }
    }
}

/// What a `type` cell says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RowType {
    Question(QuestionType),
    Begin(Section),
    /// `rank LIST or_other`: pyxform adds an `other` choice and a text box; Terreno ranks the
    /// list as it is (warned).
    RankOrOther(String),
    /// `begin loop over LIST` (`over` may be left out), with the list when there is one.
    BeginLoop(Option<String>),
    End(Section),
    /// A select written without its list (`select_one`).
    SelectWithoutList,
    /// A `*_from_file` whose file is not `.csv`, `.xml` or `.geojson`.
    BadFile(String),
    Unknown,
}

/// Builds the type a spelling stands for (a function: some types own strings).
type Make = fn() -> QuestionType;

/// Spellings of types that take no argument. Case matters, as in pyxform (`Text` is unknown).
const SIMPLE: &[(&[&str], Make)] = &[
    (&["text", "string", "q string", "add text prompt"], || {
        QuestionType::Text
    }),
    (&["integer", "int", "q int", "add integer prompt"], || {
        QuestionType::Integer
    }),
    (&["decimal", "q decimal", "add decimal prompt"], || {
        QuestionType::Decimal
    }),
    (&["date", "q date", "add date prompt"], || {
        QuestionType::Date
    }),
    (&["time"], || QuestionType::Time),
    (
        &[
            "datetime",
            "dateTime",
            "date time",
            "q date time",
            "q dateTime",
            "add date time prompt",
            "add dateTime prompt",
        ],
        || QuestionType::DateTime,
    ),
    (
        &[
            "geopoint",
            "gps",
            "location",
            "q geopoint",
            "q location",
            "add location prompt",
        ],
        || QuestionType::Geopoint,
    ),
    (&["geotrace", "q geotrace"], || QuestionType::Geotrace),
    (&["geoshape", "q geoshape"], || QuestionType::Geoshape),
    (
        &[
            "image",
            "photo",
            "q image",
            "q picture",
            "add image prompt",
            "add photo prompt",
        ],
        || QuestionType::Image,
    ),
    (&["audio", "q audio", "add audio prompt"], || {
        QuestionType::Audio
    }),
    (&["video", "q video", "add video prompt"], || {
        QuestionType::Video
    }),
    (&["file", "add file prompt"], || QuestionType::File),
    (&["barcode", "q barcode", "add barcode prompt"], || {
        QuestionType::Barcode
    }),
    (&["note", "q note", "add note prompt"], || {
        QuestionType::Note
    }),
    (
        &["calculate", "q calculate", "add calculate prompt"],
        || QuestionType::Calculate,
    ),
    (
        &[
            "acknowledge",
            "trigger",
            "q acknowledge",
            "add acknowledge prompt",
        ],
        || QuestionType::Acknowledge,
    ),
    (&["range"], || QuestionType::Range),
    (&["hidden"], || QuestionType::Hidden),
    (&["osm"], || QuestionType::Osm { list: None }),
    (&["xml-external"], || QuestionType::ExternalInstance {
        format: "xml".into(),
    }),
    (&["csv-external"], || QuestionType::ExternalInstance {
        format: "csv".into(),
    }),
];

/// pyxform's shorthand types: a plain type with a constraint and a hint the row's own columns
/// replace (`phone number` is text of digits only).
const IMPLIED: &[(&str, Make, &str, &str)] = &[
    (
        "phone number",
        || QuestionType::Text,
        "regex(., '^\\d*$')",
        "Enter numbers only.",
    ),
    (
        "percentage",
        || QuestionType::Integer,
        "0 <= . and . <= 100",
        "",
    ),
    (
        "number of days in last month",
        || QuestionType::Integer,
        "0 <= . and . <= 31",
        "Enter a number 0-31.",
    ),
    (
        "number of days in last six months",
        || QuestionType::Integer,
        "0 <= . and . <= 183",
        "Enter a number 0-183.",
    ),
    (
        "number of days in last year",
        || QuestionType::Integer,
        "0 <= . and . <= 365",
        "Enter a number 0-365.",
    ),
];

/// The constraint and hint a shorthand type implies (empty hint: none).
pub(crate) fn implied(cell: &str) -> Option<(&'static str, &'static str)> {
    IMPLIED
        .iter()
        .find(|(name, ..)| *name == cell)
        .map(|(_, _, constraint, hint)| (*constraint, *hint))
}

const METADATA: &[(&[&str], Metadata)] = &[
    (&["start", "start time", "get start time"], Metadata::Start),
    (&["end", "end time", "get end time"], Metadata::End),
    (&["today", "get today"], Metadata::Today),
    (
        &[
            "deviceid",
            "imei",
            "device id",
            "get device id",
            "uri:deviceid",
        ],
        Metadata::DeviceId,
    ),
    (
        &[
            "subscriberid",
            "subscriber id",
            "get subscriber id",
            "uri:subscriberid",
        ],
        Metadata::SubscriberId,
    ),
    (
        &["simserial", "sim id", "get sim id", "uri:simserial"],
        Metadata::SimSerial,
    ),
    (
        &["phonenumber", "get phone number", "uri:phonenumber"],
        Metadata::PhoneNumber,
    ),
    (&["username", "uri:username"], Metadata::Username),
    (&["email", "uri:email"], Metadata::Email),
    (&["audit"], Metadata::Audit),
    (&["start-geopoint"], Metadata::StartGeopoint),
    (&["background-audio"], Metadata::BackgroundAudio),
    (&["background-geopoint"], Metadata::BackgroundGeopoint),
];

#[derive(Clone, Copy)]
enum SelectCommand {
    One,
    Multiple,
    Rank,
    External,
    OneFromFile,
    MultipleFromFile,
}

/// Commands followed by a list or file name; longer first, so `select one from file x.csv`
/// is not read as `select one from` list `file`.
const SELECTS: &[(&str, SelectCommand)] = &[
    ("add select multiple prompt using", SelectCommand::Multiple),
    ("add select one prompt using", SelectCommand::One),
    ("select all that apply from", SelectCommand::Multiple),
    ("select multiple from file", SelectCommand::MultipleFromFile),
    ("select_multiple_from_file", SelectCommand::MultipleFromFile),
    ("select all that apply", SelectCommand::Multiple),
    ("select one from file", SelectCommand::OneFromFile),
    ("select multiple using", SelectCommand::Multiple),
    ("select_one_from_file", SelectCommand::OneFromFile),
    ("select_one_external", SelectCommand::External),
    ("select multiple from", SelectCommand::Multiple),
    ("select one using", SelectCommand::One),
    ("select_multiple", SelectCommand::Multiple),
    ("select one from", SelectCommand::One),
    ("select one", SelectCommand::One),
    ("select_one", SelectCommand::One),
    ("q select1", SelectCommand::One),
    ("q select", SelectCommand::Multiple),
    ("select1", SelectCommand::One),
    ("rank", SelectCommand::Rank),
];

/// Reads a `type` cell (already trimmed, inner whitespace collapsed to single spaces).
pub(crate) fn parse_type(cell: &str) -> RowType {
    if let Some(section) = parse_section(cell) {
        return section;
    }
    if let Some((_, make)) = SIMPLE.iter().find(|(names, _)| names.contains(&cell)) {
        return RowType::Question(make());
    }
    if let Some((_, make, ..)) = IMPLIED.iter().find(|(name, ..)| *name == cell) {
        return RowType::Question(make());
    }
    if let Some((_, kind)) = METADATA.iter().find(|(names, _)| names.contains(&cell)) {
        return RowType::Question(QuestionType::Metadata { kind: *kind });
    }
    if let Some(list) = cell.strip_prefix("osm ") {
        return RowType::Question(QuestionType::Osm {
            list: Some(list.to_owned()),
        });
    }
    parse_select(cell)
}

/// `begin group`, `begin_group`, `begingroup`, `end repeat`, `begin lgroup`, `begin loop over
/// list`, ...
fn parse_section(cell: &str) -> Option<RowType> {
    let (begin, rest) = if let Some(rest) = cell.strip_prefix("begin") {
        (true, rest)
    } else {
        (false, cell.strip_prefix("end")?)
    };
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let rest = rest.strip_prefix('_').unwrap_or(rest);
    let section = match rest {
        "group" => Section::Group,
        "repeat" | "lgroup" | "looped group" => Section::Repeat,
        "loop" => Section::Loop,
        _ if begin && rest.starts_with("loop ") => {
            // pyxform: `begin loop [over] LIST`, the list one word.
            let words: Vec<&str> = rest["loop ".len()..].split(' ').collect();
            return match words.as_slice() {
                ["over", list] | [list] if *list != "over" => {
                    Some(RowType::BeginLoop(Some((*list).to_owned())))
                }
                _ => None,
            };
        }
        _ => return None,
    };
    Some(if begin && section == Section::Loop {
        RowType::BeginLoop(None)
    } else if begin {
        RowType::Begin(section)
    } else {
        RowType::End(section)
    })
}

fn parse_select(cell: &str) -> RowType {
    let Some((command, rest)) = SELECTS.iter().find_map(|(prefix, command)| {
        let rest = cell.strip_prefix(prefix)?;
        (rest.is_empty() || rest.starts_with(' ')).then(|| (*command, rest.trim()))
    }) else {
        return RowType::Unknown;
    };
    let words: Vec<&str> = rest.split(' ').filter(|w| !w.is_empty()).collect();
    let (list, or_other) = match words.as_slice() {
        [] => return RowType::SelectWithoutList,
        [list] => (list.to_string(), false),
        [list, "or_other"] | [list, "or", "specify", "other"] => (list.to_string(), true),
        _ => return RowType::Unknown,
    };
    let question = match command {
        SelectCommand::One => QuestionType::SelectOne { list, or_other },
        SelectCommand::Multiple => QuestionType::SelectMultiple { list, or_other },
        SelectCommand::Rank if or_other => return RowType::RankOrOther(list),
        _ if or_other => return RowType::Unknown,
        SelectCommand::Rank => QuestionType::Rank { list },
        SelectCommand::External => QuestionType::SelectOneExternal { list },
        SelectCommand::OneFromFile | SelectCommand::MultipleFromFile => {
            let lower = list.to_lowercase();
            if ![".csv", ".xml", ".geojson"]
                .iter()
                .any(|e| lower.ends_with(e))
            {
                return RowType::BadFile(list);
            }
            match command {
                SelectCommand::OneFromFile => QuestionType::SelectOneFromFile { file: list },
                _ => QuestionType::SelectMultipleFromFile { file: list },
            }
        }
    };
    RowType::Question(question)
}
