//! Form media: the files a form version carries beside its definition (ODK's "form
//! attachments"), and the lookup tables read from its data files — CSV, XML and GeoJSON — that
//! `pulldata('name', ...)`, `instance('name')/root/item[...]` and `select_one_from_file` read.
//!
//! - [`check_name`]: whether a file name is acceptable (one plain name, an allowed extension).
//! - [`parse_table`]: a data file's bytes into a [`MediaTable`], or a [`MediaError`] naming the
//!   file and line. Rows are [`Choice`]s, so a file's rows are choices of a
//!   `select_one_from_file` question with no translation step: `name` is the value column (CSV
//!   and XML `name`, GeoJSON the feature `id`), `label` the label column(s) (`label`,
//!   `label::Lang`; GeoJSON `title`), and `properties` holds every column as written.
//! - [`MediaTables`]: the tables of one form version by instance name (the file name without
//!   its extension, as ODK names `instance('name')` and `pulldata('name', ...)`), handed to the
//!   runtime with `Engine::with_media`.
//! - [`referenced_files`]: the files a form needs, so an import can warn about missing ones.
//!
//! Must not read files: the caller (server import, device store) brings the bytes.

mod csv;
mod geojson;
mod refs;
mod xml;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

pub use refs::{MediaRef, missing_files, referenced_files, shown_files};

use super::xlsform::{Choice, Text};

/// The largest media file accepted, in bytes (ODK Central's practical limit for form
/// attachments is far higher, but a lookup table a phone searches should stay small).
pub const MAX_MEDIA_BYTES: usize = 10 << 20;

/// Most media files one form version carries.
pub const MAX_MEDIA_FILES: usize = 64;

/// Longest media file name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Most columns of a data file (bounds a hostile header).
pub const MAX_COLUMNS: usize = 500;

/// What kind of file a media file is, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// `.csv`: a lookup table, header row first.
    Csv,
    /// `.xml`: a secondary instance `root/item/field`.
    Xml,
    /// `.geojson`: a feature collection.
    GeoJson,
    /// An image, audio or video a question or choice shows; stored and delivered, never read.
    Display,
}

impl MediaKind {
    /// The kind of `file_name` by its extension (case-insensitive); `None` when not allowed.
    pub fn of(file_name: &str) -> Option<MediaKind> {
        let (_, ext) = file_name.rsplit_once('.')?;
        match ext.to_ascii_lowercase().as_str() {
            "csv" => Some(MediaKind::Csv),
            "xml" => Some(MediaKind::Xml),
            "geojson" => Some(MediaKind::GeoJson),
            "png" | "jpg" | "jpeg" | "gif" | "svg" | "webp" | "mp3" | "m4a" | "ogg" | "wav"
            | "amr" | "mp4" | "3gp" => Some(MediaKind::Display),
            _ => None,
        }
    }

    /// Whether the file holds lookup rows.
    pub fn is_data(self) -> bool {
        self != MediaKind::Display
    }

    /// The media type a file of this kind is served with.
    pub fn media_type(file_name: &str) -> &'static str {
        let ext = file_name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("csv") => "text/csv",
            Some("xml") => "application/xml",
            Some("geojson") => "application/geo+json",
            Some("png") => "image/png",
            Some("jpg" | "jpeg") => "image/jpeg",
            Some("gif") => "image/gif",
            Some("svg") => "image/svg+xml",
            Some("webp") => "image/webp",
            Some("mp3") => "audio/mpeg",
            Some("m4a") => "audio/mp4",
            Some("ogg") => "audio/ogg",
            Some("wav") => "audio/wav",
            Some("amr") => "audio/amr",
            Some("mp4") => "video/mp4",
            Some("3gp") => "video/3gpp",
            _ => "application/octet-stream",
        }
    }
}

/// Whether `name` may name a media file: one plain file name (no folder, no `..`, no control
/// characters, no leading dot), at most [`MAX_NAME_CHARS`] characters, with an allowed
/// extension. Devices store files by content hash, never by this name, but the name is shown
/// and matched against the form, so it is held to what a form can reference.
pub fn check_name(name: &str) -> Result<MediaKind, MediaError> {
    let refuse = |message: String| Err(MediaError::new(name, None, message));
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return refuse(format!(
            "a media file name has 1 to {MAX_NAME_CHARS} characters"
        ));
    }
    if name.contains(['/', '\\', ':']) || name.starts_with('.') || name.contains("..") {
        return refuse("a media file name is one plain file name, without folders".into());
    }
    if name.chars().any(char::is_control) {
        return refuse("a media file name has no control characters".into());
    }
    MediaKind::of(name).map_or_else(
        || {
            refuse(
                "media files are .csv, .xml or .geojson data, or images, audio or video \
                 (.png, .jpg, .gif, .svg, .webp, .mp3, .m4a, .ogg, .wav, .amr, .mp4, .3gp)"
                    .into(),
            )
        },
        Ok,
    )
}

/// The instance name of a data file: its name without the extension (`fruits.csv` is
/// `instance('fruits')` and `pulldata('fruits', ...)`).
pub fn instance_name(file_name: &str) -> &str {
    file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem)
}

/// A media file that cannot be used, with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", .line.map(|l| format!(", line {l}")).unwrap_or_default())]
pub struct MediaError {
    /// The file name.
    pub file: String,
    /// The line (1-based) where the problem is, when it is about one.
    pub line: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl MediaError {
    pub(crate) fn new(file: &str, line: Option<u32>, message: impl Into<String>) -> Self {
        MediaError {
            file: file.to_owned(),
            line,
            message: message.into(),
        }
    }
}

/// The rows of one data file.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaTable {
    /// The file name.
    pub file: String,
    /// The rows, in file order; `row` is the line (CSV, XML) or the feature's position.
    pub rows: Vec<Choice>,
}

/// Reads a data file (`.csv`, `.xml`, `.geojson`) into its rows, refusing it with the file and
/// line of the first problem. Bytes past [`MAX_MEDIA_BYTES`] are refused before reading.
pub fn parse_table(file_name: &str, bytes: &[u8]) -> Result<MediaTable, MediaError> {
    let kind = check_name(file_name)?;
    if bytes.len() > MAX_MEDIA_BYTES {
        return Err(MediaError::new(
            file_name,
            None,
            format!("the file is over {} MiB", MAX_MEDIA_BYTES >> 20),
        ));
    }
    let rows = match kind {
        MediaKind::Csv => csv::rows(file_name, text(file_name, bytes)?)?,
        MediaKind::Xml => xml::rows(file_name, text(file_name, bytes)?)?,
        MediaKind::GeoJson => geojson::rows(file_name, bytes)?,
        MediaKind::Display => {
            return Err(MediaError::new(file_name, None, "not a data file"));
        }
    };
    Ok(MediaTable {
        file: file_name.to_owned(),
        rows,
    })
}

/// The bytes as UTF-8 text without a byte-order mark, or the line of the first bad byte.
fn text<'b>(file: &str, bytes: &'b [u8]) -> Result<&'b str, MediaError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        MediaError::new(file, Some(line_number(line)), "not UTF-8 text")
    })
}

fn line_number(line: usize) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}

/// Makes a row from its columns (header, value): `value_column` gives the name, the `label`
/// column(s) (`label`, `label::Lang`), else `fallback_label`, give the label.
pub(crate) fn row_choice(
    row: u32,
    columns: BTreeMap<String, String>,
    value_column: &str,
    fallback_label: &str,
) -> Choice {
    let mut label = BTreeMap::new();
    for (column, value) in &columns {
        if column == "label" {
            label.insert(Text::NO_LANGUAGE.to_owned(), value.clone());
        } else if let Some(language) = column.strip_prefix("label::") {
            label.insert(language.trim().to_owned(), value.clone());
        }
    }
    if label.is_empty()
        && let Some(value) = columns.get(fallback_label)
    {
        label.insert(Text::NO_LANGUAGE.to_owned(), value.clone());
    }
    Choice {
        row,
        name: columns.get(value_column).cloned().unwrap_or_default(),
        label: Text(label),
        media: BTreeMap::new(),
        properties: columns,
    }
}

/// The data files of one form version, by instance name. Cheap to clone: tables are shared.
#[derive(Clone, Default, PartialEq)]
pub struct MediaTables {
    by_instance: BTreeMap<String, Arc<MediaTable>>,
}

impl MediaTables {
    /// No tables: every lookup is empty, as in ODK Collect when a form's file is missing.
    pub fn new() -> MediaTables {
        MediaTables::default()
    }

    /// Adds a table under its instance name (replacing one of the same name: the last wins).
    pub fn insert(&mut self, table: MediaTable) {
        let name = instance_name(&table.file).to_owned();
        self.by_instance.insert(name, Arc::new(table));
    }

    /// The table `instance('name')` and `pulldata('name', ...)` read.
    pub fn get(&self, instance: &str) -> Option<&MediaTable> {
        self.by_instance.get(instance).map(Arc::as_ref)
    }

    /// The table of the file `file_name` (`select_one_from_file fruits.csv`).
    pub fn file(&self, file_name: &str) -> Option<&MediaTable> {
        self.get(instance_name(file_name))
            .filter(|t| t.file.eq_ignore_ascii_case(file_name))
    }

    /// Whether there is no table.
    pub fn is_empty(&self) -> bool {
        self.by_instance.is_empty()
    }

    /// How many tables there are.
    pub fn len(&self) -> usize {
        self.by_instance.len()
    }
}

impl fmt::Debug for MediaTables {
    // Tables may hold many thousands of rows: name them and count rows only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.by_instance
                    .values()
                    .map(|t| (&t.file, format!("{} rows", t.rows.len()))),
            )
            .finish()
    }
}
