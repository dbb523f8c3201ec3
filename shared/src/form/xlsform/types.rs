//! Question types as the form model holds them: what each question collects, with its list or
//! file. Reading them from `type` cells is `type_cell`'s job.
//!
//! Must not know spreadsheet spellings: those live in `type_cell`.

use serde::{Deserialize, Serialize};

/// What a question collects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionType {
    /// `text` (`string`).
    Text,
    /// `integer` (`int`).
    Integer,
    /// `decimal`.
    Decimal,
    /// `date`.
    Date,
    /// `time`.
    Time,
    /// `datetime` (`dateTime`).
    DateTime,
    /// `geopoint` (`gps`, `location`).
    Geopoint,
    /// `geotrace`.
    Geotrace,
    /// `geoshape`.
    Geoshape,
    /// `image` (`photo`).
    Image,
    /// `audio`.
    Audio,
    /// `video`.
    Video,
    /// `file`.
    File,
    /// `barcode`.
    Barcode,
    /// `note`: shows its label, collects nothing.
    Note,
    /// `calculate`: a hidden value computed from its `calculation`.
    Calculate,
    /// `acknowledge` (`trigger`): an OK button.
    Acknowledge,
    /// `range`: a number picked on a scale (`parameters` start/end/step).
    Range,
    /// `hidden`: a value with no widget.
    Hidden,
    /// `select_one list` (`select one from list`, `select1 list`).
    SelectOne {
        /// The `list_name` on the `choices` sheet.
        list: String,
        /// `or_other`: an extra "other" choice with a text box.
        or_other: bool,
    },
    /// `select_multiple list` (`select all that apply from list`).
    SelectMultiple {
        /// The `list_name` on the `choices` sheet.
        list: String,
        /// `or_other`.
        or_other: bool,
    },
    /// `rank list`: order the choices.
    Rank {
        /// The `list_name` on the `choices` sheet.
        list: String,
    },
    /// `select_one_from_file file.csv`: choices from a file attached to the form.
    SelectOneFromFile {
        /// The attached file (`.csv`, `.xml` or `.geojson`).
        file: String,
    },
    /// `select_multiple_from_file file.csv`.
    SelectMultipleFromFile {
        /// The attached file.
        file: String,
    },
    /// `select_one_external list`: choices from the `external_choices` sheet.
    SelectOneExternal {
        /// The `list_name` on the `external_choices` sheet.
        list: String,
    },
    /// `xml-external` / `csv-external`: a data file attached to the form, named by the row.
    ExternalInstance {
        /// `xml` or `csv`.
        format: String,
    },
    /// `osm` (with an optional tag list).
    Osm {
        /// The tag list, when given.
        list: Option<String>,
    },
    /// A value the device fills in by itself.
    Metadata {
        /// Which one.
        kind: Metadata,
    },
}

impl QuestionType {
    /// The type as XLSForm writes it, with its list or file (`select_one contact_result`);
    /// metadata questions are `metadata`.
    pub fn xlsform_name(&self) -> String {
        let base = serde_json::to_value(self)
            .ok()
            .and_then(|v| v["type"].as_str().map(str::to_owned))
            .unwrap_or_default();
        let list = match self {
            QuestionType::SelectOne { list, .. }
            | QuestionType::SelectMultiple { list, .. }
            | QuestionType::Rank { list }
            | QuestionType::SelectOneExternal { list } => Some(list.as_str()),
            QuestionType::SelectOneFromFile { file }
            | QuestionType::SelectMultipleFromFile { file } => Some(file.as_str()),
            _ => None,
        };
        match list {
            Some(list) => format!("{base} {list}"),
            None => base,
        }
    }
}

/// Values recorded without a widget (`start`, `deviceid`, `audit`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Metadata {
    /// `start`: when the form was opened.
    Start,
    /// `end`: when it was last saved.
    End,
    /// `today`.
    Today,
    /// `deviceid` (`imei`).
    DeviceId,
    /// `subscriberid`.
    SubscriberId,
    /// `simserial`.
    SimSerial,
    /// `phonenumber`.
    PhoneNumber,
    /// `username`.
    Username,
    /// `email`.
    Email,
    /// `audit`: a log of how the form was filled in.
    Audit,
    /// `start-geopoint`: where the form was opened.
    StartGeopoint,
    /// `background-audio`: a recording of the whole interview.
    BackgroundAudio,
    /// `background-geopoint`: a location taken when its trigger question changes.
    BackgroundGeopoint,
}
