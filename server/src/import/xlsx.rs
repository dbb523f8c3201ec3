//! Spreadsheet workbooks (XLSX, and XLS) through calamine, as streams of text cells: the one
//! bounded reader of route imports and XLSForm uploads alike. A workbook is checked before
//! calamine opens it ([`zipcheck`](super::zipcheck), [`xlscheck`](super::xlscheck)) and every
//! cell is taken against a [`Budget`] before it is stored, so nothing is sized after what a
//! file claims ([`bounds`](super::bounds) states the limits).
//!
//! An XLSX sheet is streamed cell by cell; for an import, on a reader thread that owns the
//! workbook and hands rows over through a small bounded channel, so memory holds a few rows,
//! not the sheet (plus the workbook's shared-string table, which calamine loads whole). XLS has
//! no streaming reader in calamine; its sheets are at most 65,536 rows, so a sheet is read
//! whole. Lines are spreadsheet row numbers (1-based: the header row of a sheet starting at A1
//! is line 1).
//!
//! Numbers become canonical text the way Excel shows them (15 significant digits), so a balance
//! typed as `1885907.28` is that exact decimal; date cells become `yyyy-mm-dd`. This module
//! must not interpret columns.

use std::io::{Cursor, Read, Seek, SeekFrom};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use calamine::{Data, DataRef, ExcelDateTime, Reader, Xls, Xlsx, XlsxError};

use super::FileError;
use super::bounds::{Budget, WorkbookLimits};
use super::row::CellKind;
use super::{xlscheck, zipcheck};

/// Rows in flight between the reader thread and the import (each at most 1 MiB of text).
const ROWS_IN_FLIGHT: usize = 16;

/// An owned cell.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetCell {
    /// Text as the row builder reads it.
    pub text: String,
    /// How the workbook stored it.
    pub kind: CellKind,
}

/// A sheet row: its row number and cells from column A.
pub type SheetRow = (u64, Vec<SheetCell>);

/// What the reader thread sends.
pub enum Msg {
    /// The next non-blank row.
    Row(SheetRow),
    /// The sheet could not be read further.
    Failed(String),
}

/// Which workbook format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Office Open XML.
    Xlsx,
    /// Excel 97-2003.
    Xls,
}

/// A checked workbook.
pub enum Workbook<R: Read + Seek> {
    /// Office Open XML.
    Xlsx(Box<Xlsx<R>>),
    /// Excel 97-2003, as a clean copy of its workbook stream.
    Xls(Box<Xls<Cursor<Vec<u8>>>>),
}

impl<R: Read + Seek> Workbook<R> {
    /// Checks the container against `limits`, then opens it.
    pub fn open(reader: R, format: Format, limits: &WorkbookLimits) -> Result<Self, String> {
        match format {
            Format::Xlsx => {
                let mut reader = zipcheck::check(reader, limits)?;
                reader.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
                let wb = Xlsx::new(reader).map_err(|e| e.to_string())?;
                Ok(Workbook::Xlsx(Box::new(wb)))
            }
            Format::Xls => {
                let clean = xlscheck::check(reader, limits)?;
                let wb = Xls::new(Cursor::new(clean)).map_err(|e| e.to_string())?;
                Ok(Workbook::Xls(Box::new(wb)))
            }
        }
    }

    /// The sheets, in workbook order.
    pub fn sheet_names(&self) -> Vec<String> {
        match self {
            Workbook::Xlsx(wb) => wb.sheet_names(),
            Workbook::Xls(wb) => wb.sheet_names(),
        }
    }

    /// Hands `visit` the non-empty cells of `sheet` with their 0-based (row, column), in
    /// reading order, each taken against `budget` first; `visit` answers false to stop. A
    /// chart sheet has no cells.
    pub fn cells(
        &mut self,
        sheet: &str,
        budget: &mut Budget,
        mut visit: impl FnMut(u64, u64, Data) -> bool,
    ) -> Result<(), String> {
        budget.next_sheet();
        match self {
            Workbook::Xlsx(wb) => {
                let mut cells = match wb.worksheet_cells_reader(sheet) {
                    Ok(c) => c,
                    Err(XlsxError::NotAWorksheet(_)) => return Ok(()),
                    Err(e) => return Err(e.to_string()),
                };
                while let Some(cell) = cells.next_cell().map_err(|e| e.to_string())? {
                    let value = cell.get_value();
                    if matches!(value, DataRef::Empty) {
                        continue;
                    }
                    let (r, c) = cell.get_position();
                    let (r, c) = (u64::from(r), u64::from(c));
                    budget.take(sheet, r, c, text_len_ref(value))?;
                    if !visit(r, c, Data::from(value.clone())) {
                        return Ok(());
                    }
                }
                Ok(())
            }
            Workbook::Xls(wb) => {
                let range = wb.worksheet_range(sheet).map_err(|e| e.to_string())?;
                let (r0, c0) = range.start().unwrap_or((0, 0));
                for (r, c, value) in range.used_cells() {
                    let r = u64::from(r0) + r as u64;
                    let c = u64::from(c0) + c as u64;
                    budget.take(sheet, r, c, text_len(value))?;
                    if !visit(r, c, value.clone()) {
                        return Ok(());
                    }
                }
                Ok(())
            }
        }
    }
}

/// Opens a workbook's sheet (`sheet`, or the first one) and returns its header row and the
/// channel the remaining rows arrive on.
pub fn open<R: Read + Seek + Send + 'static>(
    reader: R,
    format: Format,
    sheet: Option<&str>,
    limits: &WorkbookLimits,
) -> Result<(SheetRow, Receiver<Msg>), FileError> {
    let unreadable = |e: String| FileError::Unreadable(format!("the workbook: {e}"));
    let (tx, rx) = sync_channel::<Msg>(ROWS_IN_FLIGHT);
    let mut wb = Workbook::open(reader, format, limits).map_err(unreadable)?;
    let name = pick_sheet(wb.sheet_names(), sheet)?;
    let budget = Budget::streaming(limits);
    std::thread::spawn(move || stream_rows(&mut wb, &name, budget, &tx));
    match rx.recv() {
        Ok(Msg::Row(header)) => Ok((header, rx)),
        Ok(Msg::Failed(e)) => Err(unreadable(e)),
        Err(_) => Err(FileError::Empty),
    }
}

fn pick_sheet(names: Vec<String>, wanted: Option<&str>) -> Result<String, FileError> {
    let found = match wanted {
        Some(w) => names.iter().find(|n| n.as_str() == w).or_else(|| {
            names
                .iter()
                .find(|n| n.trim().eq_ignore_ascii_case(w.trim()))
        }),
        None => names.first(),
    };
    found.cloned().ok_or_else(|| FileError::SheetNotFound {
        wanted: wanted.map(str::to_owned),
        sheets: names.clone(),
    })
}

/// Groups a sheet's cells into rows padded from column A and sends them.
fn stream_rows<R: Read + Seek>(
    wb: &mut Workbook<R>,
    name: &str,
    mut budget: Budget,
    tx: &SyncSender<Msg>,
) {
    let mut current: Option<SheetRow> = None;
    let mut stopped = false;
    let result = wb.cells(name, &mut budget, |r, c, cell| {
        let line = r + 1;
        if current.as_ref().is_some_and(|(l, _)| *l != line)
            && !send_row(tx, current.take().unwrap_or_default())
        {
            stopped = true;
            return false;
        }
        let (_, row) = current.get_or_insert_with(|| (line, Vec::new()));
        // The position was checked against the column limit: at most 16,384 cells.
        let c = c as usize;
        if row.len() <= c {
            row.resize(c + 1, empty());
        }
        row[c] = from_data(&cell);
        true
    });
    match result {
        _ if stopped => {}
        Ok(()) => {
            if let Some(row) = current {
                send_row(tx, row);
            }
        }
        Err(e) => {
            let _ = tx.send(Msg::Failed(e));
        }
    }
}

/// Sends a row unless it is blank; false once the receiver is gone (the import stopped).
fn send_row(tx: &SyncSender<Msg>, row: SheetRow) -> bool {
    if row.1.iter().all(|c| c.text.trim().is_empty()) {
        return true;
    }
    tx.send(Msg::Row(row)).is_ok()
}

/// The text a cell will hold, before it is copied out of the workbook.
fn text_len_ref(v: &DataRef<'_>) -> usize {
    match v {
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
        DataRef::SharedString(s) => s.len(),
        _ => 32,
    }
}

fn text_len(v: &Data) -> usize {
    match v {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.len(),
        _ => 32,
    }
}

fn empty() -> SheetCell {
    text(String::new())
}

fn text(text: String) -> SheetCell {
    SheetCell {
        text,
        kind: CellKind::Text,
    }
}

fn number(text: String) -> SheetCell {
    SheetCell {
        text,
        kind: CellKind::Number,
    }
}

fn from_data(v: &Data) -> SheetCell {
    match v {
        Data::Int(i) => number(i.to_string()),
        Data::Float(f) => number(excel_number(*f)),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => text(s.clone()),
        Data::Bool(b) => text(if *b { "TRUE" } else { "FALSE" }.to_owned()),
        Data::DateTime(d) => date_time(d),
        Data::Error(e) => SheetCell {
            text: e.to_string(),
            kind: CellKind::Error,
        },
        Data::Empty => empty(),
    }
}

fn date_time(d: &ExcelDateTime) -> SheetCell {
    match d.as_datetime() {
        Some(dt) if d.is_datetime() => {
            if dt.time() == chrono::NaiveTime::MIN {
                text(dt.format("%Y-%m-%d").to_string())
            } else {
                text(dt.format("%Y-%m-%d %H:%M:%S").to_string())
            }
        }
        _ => number(excel_number(d.as_f64())),
    }
}

/// A float as Excel displays it: at most 15 significant digits, no exponent, no trailing
/// zeros (`1885907.2800000001` is `1885907.28`).
pub fn excel_number(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let sci = format!("{f:.14e}");
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return f.to_string();
    };
    let Ok(exp) = exp.parse::<i64>() else {
        return f.to_string();
    };
    let sign = if mantissa.starts_with('-') { "-" } else { "" };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let point = exp + 1;
    let (whole, frac) = if point <= 0 {
        (
            "0".to_owned(),
            format!("{}{digits}", "0".repeat((-point) as usize)),
        )
    } else if point as usize >= digits.len() {
        let zeros = "0".repeat(point as usize - digits.len());
        (format!("{digits}{zeros}"), String::new())
    } else {
        let (w, f) = digits.split_at(point as usize);
        (w.to_owned(), f.to_owned())
    };
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_read_as_excel_shows_them() {
        for (f, want) in [
            (1885907.28, "1885907.28"),
            (1885907.28 + 1e-9, "1885907.28"),
            (200.0, "200"),
            (-74.046819, "-74.046819"),
            (4.739473, "4.739473"),
            (0.000123, "0.000123"),
            (3156126116.0, "3156126116"),
            (1e16, "10000000000000000"),
            (13030965.51, "13030965.51"),
        ] {
            assert_eq!(excel_number(f), want, "{f}");
        }
    }
}
