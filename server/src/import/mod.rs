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
//! The file-level reading (kind, encoding, delimiter, workbook streaming, line numbers) is
//! [`records`], shared with the payment files of [`payments`], which have their own header
//! vocabulary and rows.
//!
//! This module only reads: it must not write to the database, print, or decide what a bad row
//! means for the import (the caller chooses between skipping it and all-or-nothing).

pub mod bounds;
pub mod encoding;
pub mod headers;
pub mod numbers;
pub mod payments;
pub mod records;
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
use std::io::{self, BufReader, Read, Seek};
use std::path::Path;

use terreno_shared::model::Currency;

use crate::db::portfolio::AccountRow;
pub use headers::{Field, Mapping};
use records::Records;
use row::Rules;

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
    reader: R,
    options: &ImportOptions,
) -> Result<RowReader, FileError> {
    let records = records::open(reader, options.sheet.as_deref(), &options.limits)?;
    RowReader::new(records, options)
}

/// Opens a CSV stream that cannot seek (an upload being received); workbooks are refused.
pub fn open_text<R: Read + Send + 'static>(
    reader: R,
    options: &ImportOptions,
) -> Result<RowReader, FileError> {
    RowReader::new(records::open_text(reader)?, options)
}

/// The rows of an opened route file, one at a time.
pub struct RowReader {
    records: Records,
    mapping: Mapping,
    default_currency: Currency,
}

impl RowReader {
    fn new(records: Records, options: &ImportOptions) -> Result<Self, FileError> {
        let mapping = Mapping::new(records.headers(), &options.map, &options.ignore)?;
        Ok(RowReader {
            records,
            mapping,
            default_currency: options.default_currency,
        })
    }

    /// The file's headers as written (trimmed).
    pub fn headers(&self) -> &[String] {
        self.mapping.headers()
    }

    /// The line where reading stopped on a failure that ended the file (the rest is unread).
    pub fn failed_at(&self) -> Option<u64> {
        self.records.failed_at()
    }

    /// Which column holds which field.
    pub fn mapping(&self) -> &Mapping {
        &self.mapping
    }
}

impl Iterator for RowReader {
    type Item = Result<ImportRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rules = Rules {
            mapping: &self.mapping,
            decimal: self.records.decimal(),
            default_currency: self.default_currency,
        };
        let next = self
            .records
            .next_with(|line, cells| row::build(&rules, line, cells))?;
        Some(next.unwrap_or_else(|fatal| {
            Err(RowError {
                line: fatal.line,
                column: None,
                field: None,
                reason: fatal.reason,
                external_id: None,
            })
        }))
    }
}
