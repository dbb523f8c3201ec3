//! Reading route and portfolio spreadsheets as agencies really have them: CSV in UTF-8 (with
//! or without BOM), Windows-1252/Latin-1 or UTF-16, `,` `;` or tab separated, Spanish or
//! English headers, Spanish or plain numbers; and XLSX/XLS workbooks. Each row becomes a
//! validated [`ImportRow`] (an [`AccountRow`] for `Portfolio::load_accounts`, plus its line and team)
//! or a [`RowError`] saying the line, the column as written in the file, and why.
//!
//! ```text
//! let mut rows = import::open_path(path, &ImportOptions::new(Currency::COP))?; // FileError
//! rows.headers(); rows.mapping();                  // what was recognized
//! for row in rows { match row { Ok(r) => ..., Err(row_error) => ... } }
//! ```
//!
//! Streaming: rows are read one at a time, with bounded memory whatever the file size. CSV is
//! decoded chunk by chunk and a record is capped at 1 MiB ([`sniff::MAX_RECORD_BYTES`]): a
//! longer one (a 50 MB line with no line end, an unclosed quote) is reported on its line and
//! ends the file, since no row boundary can be trusted after it. XLSX streams on a reader
//! thread (see [`xlsx`]); a workbook is checked against [`bounds`] (Excel's grid, a cap on
//! each inflated part, 1 MiB of text a row) before anything is sized after it.
//!
//! The file kind is decided by content, not extension ([`encoding`]); headers by normalized
//! synonyms ([`headers`], which also documents the `identificación` and phone decisions);
//! numbers and dates by the locale rule in [`numbers`]; row defaults in [`row`]. Required
//! columns: external id, debtor name, address, balance. The collector column is optional:
//! without it (or with a blank cell) an account is imported unassigned.
//!
//! This module only reads: it must not write to the database, print, or decide what a bad row
//! means for the import (the caller chooses between skipping it and all-or-nothing).

pub mod bounds;
pub mod encoding;
pub mod headers;
pub mod numbers;
pub mod row;
pub mod sniff;
pub mod xlscheck;
pub mod xlsx;
pub mod xmlscan;
pub mod zipcheck;

#[cfg(test)]
mod tests;

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::mpsc::Receiver;

use terreno_shared::model::Currency;

use crate::db::portfolio::AccountRow;
use encoding::{DecodingReader, Kind};
pub use headers::{Field, Mapping};
use numbers::Decimal;
use row::{Cell, CellKind, Rules};
use sniff::RecordGuard;

/// How to read a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOptions {
    /// The workbook sheet to read (by name); the first sheet when `None`. Ignored for CSV.
    pub sheet: Option<String>,
    /// `--map COLUMN=FIELD` overrides: a column (by its header) and the field it holds.
    pub map: Vec<(String, Field)>,
    /// Columns to leave out even though their header looks like a field.
    pub ignore: Vec<String>,
    /// Currency of balances in rows without a currency column or cell.
    pub default_currency: Currency,
    /// Limits of a workbook (the inflated size of its parts).
    pub limits: bounds::WorkbookLimits,
}

impl ImportOptions {
    /// No overrides, the first sheet, balances in `currency`.
    pub fn new(currency: Currency) -> Self {
        ImportOptions {
            sheet: None,
            map: Vec::new(),
            ignore: Vec::new(),
            default_currency: currency,
            limits: bounds::WorkbookLimits::default(),
        }
    }
}

/// A good row.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// Physical line (CSV) or row number (workbook) where the row starts.
    pub line: u64,
    /// The account, ready for `Portfolio::load_accounts`.
    pub account: AccountRow,
    /// The collector's team, when the file has a team column.
    pub team: Option<String>,
}

/// A bad row: where and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
pub struct RowError {
    /// Physical line (CSV) or row number (workbook) where the row starts.
    pub line: u64,
    /// The column's header as written in the file; `None` when the row as a whole is wrong.
    pub column: Option<String>,
    /// The field of that column.
    pub field: Option<Field>,
    /// Why, with the offending value where it helps.
    pub reason: String,
    /// The row's external id as written, when its cell is not blank: a bad row still names
    /// an account the file lists (`--close-missing` must not close it).
    #[serde(skip)]
    pub external_id: Option<String>,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column {c:?}: {}", self.line, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// A file that cannot be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Reading failed.
    #[error("reading the file: {0}")]
    Io(#[from] io::Error),
    /// Nothing in it.
    #[error("the file is empty")]
    Empty,
    /// Not text and not a workbook.
    #[error("the file is binary, not CSV text or an XLSX/XLS workbook")]
    Binary,
    /// A workbook calamine could not read.
    #[error("cannot read {0}")]
    Unreadable(String),
    /// A workbook given as a stream that cannot seek.
    #[error("the file is an {0} workbook; it must be read from a file or from memory")]
    NeedsSeek(&'static str),
    /// The requested sheet is not in the workbook.
    #[error("the workbook has no sheet {wanted:?}; its sheets: {sheets:?}")]
    SheetNotFound {
        /// The sheet asked for (`None`: the first, and there is none).
        wanted: Option<String>,
        /// The sheets it has.
        sheets: Vec<String>,
    },
    /// The header line is over the record limit.
    #[error("the header line is longer than {limit} bytes")]
    HeaderTooLong {
        /// The limit.
        limit: usize,
    },
    /// Required fields found in no column.
    #[error("no column found for {}; the file's headers are {headers:?} (use --map COLUMN=FIELD)", field_list(.missing))]
    MissingColumns {
        /// The headers as written.
        headers: Vec<String>,
        /// The required fields not matched.
        missing: Vec<Field>,
    },
    /// Two columns for one field.
    #[error(
        "columns {first:?} and {second:?} are both {field}; keep one with --map or ignore the other"
    )]
    DuplicateColumn {
        /// The field.
        field: Field,
        /// The first column.
        first: String,
        /// The second column.
        second: String,
    },
    /// A `--map` or ignore column that is not in the file.
    #[error("there is no column {column:?}; the file's headers are {headers:?}")]
    MapColumnNotFound {
        /// The column asked for.
        column: String,
        /// The headers as written.
        headers: Vec<String>,
    },
    /// Latitude without longitude or the reverse.
    #[error("column {column:?} holds one coordinate but no column holds the other")]
    UnpairedCoordinate {
        /// The coordinate column found.
        column: String,
    },
}

fn field_list(fields: &[Field]) -> String {
    let names: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
    names.join(", ")
}

/// Opens a file from disk: a workbook or CSV, by content.
pub fn open_path(path: &Path, options: &ImportOptions) -> Result<RowReader, FileError> {
    open(BufReader::new(File::open(path)?), options)
}

/// Opens a seekable source (a file, bytes in memory): a workbook or CSV, by content.
pub fn open<R: Read + Seek + Send + 'static>(
    mut reader: R,
    options: &ImportOptions,
) -> Result<RowReader, FileError> {
    let prefix = encoding::read_prefix(&mut reader)?;
    let format = match encoding::sniff(&prefix) {
        Kind::Xlsx => xlsx::Format::Xlsx,
        Kind::Xls => xlsx::Format::Xls,
        _ => return open_text(Cursor::new(prefix).chain(reader), options),
    };
    reader.seek(SeekFrom::Start(0))?;
    let ((_, header_cells), rx) =
        xlsx::open(reader, format, options.sheet.as_deref(), &options.limits)?;
    let mut headers: Vec<String> = header_cells
        .iter()
        .map(|c| c.text.trim().to_owned())
        .collect();
    while headers.last().is_some_and(String::is_empty) {
        headers.pop();
    }
    let mapping = Mapping::new(&headers, &options.map, &options.ignore)?;
    Ok(RowReader::new(
        mapping,
        Decimal::Unknown,
        options,
        Source::Sheet(rx),
    ))
}

/// Opens a CSV stream that cannot seek (an upload being received); workbooks are refused.
pub fn open_text<R: Read + Send + 'static>(
    mut reader: R,
    options: &ImportOptions,
) -> Result<RowReader, FileError> {
    let prefix = encoding::read_prefix(&mut reader)?;
    let start = match encoding::sniff(&prefix) {
        Kind::Text(start) => start,
        Kind::Empty => return Err(FileError::Empty),
        Kind::Binary => return Err(FileError::Binary),
        Kind::Xlsx => return Err(FileError::NeedsSeek("XLSX")),
        Kind::Xls => return Err(FileError::NeedsSeek("XLS")),
    };
    let mut decoded = DecodingReader::new(Cursor::new(prefix).chain(reader), start);
    let peeked = sniff::peek_header(&mut decoded)?;
    let delimiter = peeked.delimiter;
    let text: Box<dyn Read + Send> = Box::new(Cursor::new(peeked.bytes).chain(decoded));
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(RecordGuard::new(text, delimiter));
    let headers: Vec<String> = csv
        .headers()
        .map_err(|e| FileError::Io(io::Error::new(io::ErrorKind::InvalidData, e.to_string())))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    csv.get_mut().take_line();
    let mapping = Mapping::new(&headers, &options.map, &options.ignore)?;
    // Excel writes `;` files exactly when its locale has a decimal comma (numbers module docs).
    let decimal = match delimiter {
        b';' => Decimal::Comma,
        b',' => Decimal::Point,
        _ => Decimal::Unknown,
    };
    let source = Source::Csv(Box::new(csv));
    Ok(RowReader::new(mapping, decimal, options, source))
}

type CsvReader = csv::Reader<RecordGuard<Box<dyn Read + Send>>>;

enum Source {
    Csv(Box<CsvReader>),
    Sheet(Receiver<xlsx::Msg>),
    Done,
}

/// The rows of an opened file, one at a time.
pub struct RowReader {
    mapping: Mapping,
    decimal: Decimal,
    default_currency: Currency,
    source: Source,
    record: csv::StringRecord,
    last_line: u64,
    failed_at: Option<u64>,
}

impl RowReader {
    fn new(mapping: Mapping, decimal: Decimal, options: &ImportOptions, source: Source) -> Self {
        RowReader {
            mapping,
            decimal,
            default_currency: options.default_currency,
            source,
            record: csv::StringRecord::new(),
            last_line: 1,
            failed_at: None,
        }
    }

    /// The file's headers as written (trimmed).
    pub fn headers(&self) -> &[String] {
        self.mapping.headers()
    }

    /// The line where reading stopped on a failure that ended the file (the rest is unread).
    pub fn failed_at(&self) -> Option<u64> {
        self.failed_at
    }

    /// Which column holds which field.
    pub fn mapping(&self) -> &Mapping {
        &self.mapping
    }

    fn rules(&self) -> Rules<'_> {
        Rules {
            mapping: &self.mapping,
            decimal: self.decimal,
            default_currency: self.default_currency,
        }
    }

    /// A failure that ends the file: reported on the line it happened, then nothing more.
    fn fatal(&mut self, line: u64, reason: String) -> Option<Result<ImportRow, RowError>> {
        self.source = Source::Done;
        self.failed_at = Some(line);
        Some(Err(RowError {
            line,
            column: None,
            field: None,
            reason,
            external_id: None,
        }))
    }

    fn next_csv(&mut self) -> Option<Result<ImportRow, RowError>> {
        loop {
            let Source::Csv(csv) = &mut self.source else {
                return None;
            };
            match csv.read_record(&mut self.record) {
                Ok(false) => {
                    self.source = Source::Done;
                    return None;
                }
                Ok(true) => {}
                Err(e) => {
                    let line = csv.get_ref().too_long_at().unwrap_or(self.last_line + 1);
                    // The error's own sentence: its Debug form would show Rust type names.
                    let reason = e.to_string();
                    return self.fatal(line, reason);
                }
            }
            let line = csv.get_mut().take_line().unwrap_or(self.last_line + 1);
            self.last_line = line;
            let cells: Vec<Cell<'_>> = self
                .record
                .iter()
                .map(|text| Cell {
                    text,
                    kind: CellKind::Text,
                })
                .collect();
            if let Some(result) = row::build(&self.rules(), line, &cells) {
                return Some(result);
            }
        }
    }

    fn next_sheet(&mut self) -> Option<Result<ImportRow, RowError>> {
        let Source::Sheet(rx) = &self.source else {
            return None;
        };
        match rx.recv() {
            Ok(xlsx::Msg::Row((line, owned))) => {
                self.last_line = line;
                let cells: Vec<Cell<'_>> = owned
                    .iter()
                    .map(|c| Cell {
                        text: &c.text,
                        kind: c.kind,
                    })
                    .collect();
                row::build(&self.rules(), line, &cells)
            }
            Ok(xlsx::Msg::Failed(reason)) => self.fatal(self.last_line + 1, reason),
            Err(_) => {
                self.source = Source::Done;
                None
            }
        }
    }
}

impl Iterator for RowReader {
    type Item = Result<ImportRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.source {
            Source::Csv(_) => self.next_csv(),
            Source::Sheet(_) => self.next_sheet(),
            Source::Done => None,
        }
    }
}
