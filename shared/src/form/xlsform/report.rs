//! What goes in and what comes out besides the form: the sheets as the caller read them, and the
//! problems (which refuse the form) and warnings (which do not) found on the way, each located by
//! sheet, spreadsheet row and column so an author can find the cell.
//!
//! Must not decide what is a problem: the other modules of `xlsform` do; this one only carries
//! and formats their findings.

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// One worksheet as read by the caller: every cell already turned into text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sheet {
    /// The worksheet's name as written (`survey`, `SURVEY`, `choices`, ...).
    pub name: String,
    /// The cells, row by row; `rows[0]` is the header row (spreadsheet row 1).
    pub rows: Vec<Vec<String>>,
}

impl Sheet {
    /// Builds a sheet from its name and rows.
    pub fn new(name: impl Into<String>, rows: Vec<Vec<String>>) -> Self {
        Self {
            name: name.into(),
            rows,
        }
    }
}

/// Something that makes the spreadsheet unusable as a form; the import is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[error("{}", render(.sheet, *.row, .column.as_deref(), .message))]
pub struct Problem {
    /// The sheet it is on, in lower case (`survey`, `choices`, `settings`).
    pub sheet: String,
    /// The 1-based spreadsheet row (the header is row 1), when it is about one row.
    pub row: Option<u32>,
    /// The column, as written in the header, when it is about one cell.
    pub column: Option<String>,
    /// What is wrong and, where it helps, how to fix it.
    pub message: String,
}

/// Something suspicious that does not stop the form from working (a missing label, an unknown
/// column); shown to the author, the form is still imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Warning {
    /// The sheet it is on, in lower case.
    pub sheet: String,
    /// The 1-based spreadsheet row, when it is about one row.
    pub row: Option<u32>,
    /// The column, as written in the header, when it is about one cell.
    pub column: Option<String>,
    /// What looks wrong.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = render(&self.sheet, self.row, self.column.as_deref(), &self.message);
        f.write_str(&text)
    }
}

/// `survey sheet, row 4, column relevant: message`, leaving out what is not known.
fn render(sheet: &str, row: Option<u32>, column: Option<&str>, message: &str) -> String {
    let mut out = format!("{sheet} sheet");
    if let Some(row) = row {
        out.push_str(&format!(", row {row}"));
    }
    if let Some(column) = column {
        out.push_str(&format!(", column {column}"));
    }
    out.push_str(": ");
    out.push_str(message);
    out
}

/// A place in the workbook: the parts every finding shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct At {
    pub sheet: &'static str,
    pub row: Option<u32>,
    pub column: Option<String>,
}

impl At {
    /// A whole sheet.
    pub fn sheet(sheet: &'static str) -> Self {
        Self {
            sheet,
            row: None,
            column: None,
        }
    }

    /// One row of a sheet.
    pub fn row(sheet: &'static str, row: u32) -> Self {
        Self {
            sheet,
            row: Some(row),
            column: None,
        }
    }

    /// One cell of a sheet.
    pub fn cell(sheet: &'static str, row: u32, column: &str) -> Self {
        Self {
            sheet,
            row: Some(row),
            column: Some(column.to_owned()),
        }
    }
}

/// Collects findings as the modules walk the workbook, so every problem is reported, not only
/// the first.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub problems: Vec<Problem>,
    pub warnings: Vec<Warning>,
}

impl Report {
    /// Records a problem that refuses the form.
    pub fn problem(&mut self, at: At, message: impl Into<String>) {
        self.problems.push(Problem {
            sheet: at.sheet.to_owned(),
            row: at.row,
            column: at.column,
            message: message.into(),
        });
    }

    /// Records a warning.
    pub fn warn(&mut self, at: At, message: impl Into<String>) {
        self.warnings.push(Warning {
            sheet: at.sheet.to_owned(),
            row: at.row,
            column: at.column,
            message: message.into(),
        });
    }
}
