//! Spreadsheet workbooks (XLSX, and XLS) through calamine, as rows of text cells.
//!
//! An XLSX sheet is streamed cell by cell on a reader thread that owns the workbook and hands
//! rows over through a small bounded channel, so memory holds a few rows, not the sheet (plus
//! the workbook's shared-string table, which calamine loads whole). XLS has no streaming
//! reader in calamine; its sheets are at most 65,536 rows, so the sheet is read whole. Lines are
//! spreadsheet row numbers (1-based: the header row of a sheet starting at A1 is line 1).
//!
//! Numbers become canonical text the way Excel shows them (15 significant digits), so a balance
//! typed as `1885907.28` is that exact decimal; date cells become `yyyy-mm-dd`. This module
//! must not interpret columns.

use std::io::{Read, Seek};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use calamine::{Data, DataRef, ExcelDateTime, Reader, Xls, Xlsx};

use super::FileError;
use super::row::CellKind;

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

/// Opens a workbook's sheet (`sheet`, or the first one) and returns its header row and the
/// channel the remaining rows arrive on.
pub fn open<R: Read + Seek + Send + 'static>(
    reader: R,
    format: Format,
    sheet: Option<&str>,
) -> Result<(SheetRow, Receiver<Msg>), FileError> {
    let unreadable = |e: String| FileError::Unreadable(format!("the workbook: {e}"));
    let (tx, rx) = sync_channel::<Msg>(64);
    match format {
        Format::Xlsx => {
            let mut wb = Xlsx::new(reader).map_err(|e| unreadable(e.to_string()))?;
            let name = pick_sheet(wb.sheet_names(), sheet)?;
            std::thread::spawn(move || stream_xlsx(&mut wb, &name, &tx));
        }
        Format::Xls => {
            let mut wb = Xls::new(reader).map_err(|e| unreadable(e.to_string()))?;
            let name = pick_sheet(wb.sheet_names(), sheet)?;
            let range = wb
                .worksheet_range(&name)
                .map_err(|e| unreadable(e.to_string()))?;
            std::thread::spawn(move || {
                let (r0, c0) = range.start().unwrap_or((0, 0));
                for (i, cells) in range.rows().enumerate() {
                    let mut row = vec![empty(); c0 as usize];
                    row.extend(cells.iter().map(from_data));
                    if !send_row(&tx, (u64::from(r0) + i as u64 + 1, row)) {
                        return;
                    }
                }
            });
        }
    }
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

fn stream_xlsx<R: Read + Seek>(wb: &mut Xlsx<R>, name: &str, tx: &SyncSender<Msg>) {
    let mut cells = match wb.worksheet_cells_reader(name) {
        Ok(c) => c,
        Err(e) => {
            let _ = tx.send(Msg::Failed(e.to_string()));
            return;
        }
    };
    let mut current: Option<SheetRow> = None;
    loop {
        match cells.next_cell() {
            Ok(Some(cell)) => {
                let (r, c) = cell.get_position();
                let line = u64::from(r) + 1;
                if current.as_ref().is_some_and(|(l, _)| *l != line)
                    && !send_row(tx, current.take().unwrap_or_default())
                {
                    return;
                }
                let (_, row) = current.get_or_insert_with(|| (line, Vec::new()));
                let c = c as usize;
                if row.len() <= c {
                    row.resize(c + 1, empty());
                }
                row[c] = from_data_ref(cell.get_value());
            }
            Ok(None) => break,
            Err(e) => {
                let _ = tx.send(Msg::Failed(e.to_string()));
                return;
            }
        }
    }
    if let Some(row) = current {
        send_row(tx, row);
    }
}

/// Sends a row unless it is blank; false once the receiver is gone (the import stopped).
fn send_row(tx: &SyncSender<Msg>, row: SheetRow) -> bool {
    if row.1.iter().all(|c| c.text.trim().is_empty()) {
        return true;
    }
    tx.send(Msg::Row(row)).is_ok()
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

fn from_data_ref(v: &DataRef<'_>) -> SheetCell {
    match v {
        DataRef::Int(i) => number(i.to_string()),
        DataRef::Float(f) => number(excel_number(*f)),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text(s.clone()),
        DataRef::SharedString(s) => text((*s).to_owned()),
        DataRef::Bool(b) => text(if *b { "TRUE" } else { "FALSE" }.to_owned()),
        DataRef::DateTime(d) => date_time(d),
        DataRef::Error(e) => SheetCell {
            text: e.to_string(),
            kind: CellKind::Error,
        },
        DataRef::Empty => empty(),
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
