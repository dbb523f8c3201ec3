//! XLSX and XLS workbooks as [`Sheet`]s: every worksheet, every cell turned into the text a
//! person sees in it. Read through the import's bounded reader ([`xlsx::Workbook`]), so a form
//! obeys the same limits as a route file, and a form, being kept whole, at most
//! [`MAX_FORM_TEXT_BYTES`] of text and [`MAX_FORM_CELLS`] cells (counting the blank ones that
//! pad rows and columns).
//!
//! Row and column positions are kept: a sheet whose used range starts below row 1 or right of
//! column A is padded with empty cells, so `rows[i]` is spreadsheet row `i + 1` and problems
//! name the row the author sees. This module must not interpret columns.

use std::io::Cursor;

use calamine::{Data, ExcelDateTime};
use terreno_shared::form::xlsform::Sheet;

use super::FormError;
use crate::import::bounds::{Budget, WorkbookLimits};
use crate::import::xlsx::{self, Workbook, excel_number};

/// Most text a form workbook holds (the largest real forms hold well under a megabyte).
pub const MAX_FORM_TEXT_BYTES: usize = 16 << 20;
/// Most cells a form workbook spans, blanks before each cell included (24 MiB of cells).
pub const MAX_FORM_CELLS: u64 = 1 << 20;

/// Which workbook format the content says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Office Open XML (a ZIP container).
    Xlsx,
    /// Excel 97-2003 (an OLE2 compound file).
    Xls,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Xlsx => "XLSX",
            Format::Xls => "XLS",
        }
    }
}

/// Every worksheet of a workbook, in workbook order.
pub fn read(
    bytes: &[u8],
    format: Format,
    limits: &WorkbookLimits,
) -> Result<Vec<Sheet>, FormError> {
    let unreadable = |reason: String| FormError::Unreadable {
        kind: format.name(),
        reason,
    };
    let as_import = match format {
        Format::Xlsx => xlsx::Format::Xlsx,
        Format::Xls => xlsx::Format::Xls,
    };
    let mut wb = Workbook::open(Cursor::new(bytes), as_import, limits).map_err(unreadable)?;
    let mut budget = Budget::whole(MAX_FORM_TEXT_BYTES, MAX_FORM_CELLS);
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let mut rows: Vec<Vec<String>> = Vec::new();
        wb.cells(&name, &mut budget, |r, c, cell| {
            // Checked by the budget: at most MAX_FORM_CELLS rows and cells in all.
            let (r, c) = (r as usize, c as usize);
            if rows.len() <= r {
                rows.resize(r + 1, Vec::new());
            }
            let row = &mut rows[r];
            if row.len() <= c {
                row.resize(c + 1, String::new());
            }
            row[c] = cell_text(&cell);
            true
        })
        .map_err(unreadable)?;
        for row in &mut rows {
            while row.last().is_some_and(String::is_empty) {
                row.pop();
            }
        }
        out.push(Sheet::new(name, rows));
    }
    Ok(out)
}

/// A cell as a person sees it: `2.0` typed as a number is `2`, booleans `TRUE`/`FALSE` (as
/// pyxform writes them), dates `yyyy-mm-dd`, times `hh:mm:ss`, error cells their code.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => excel_number(*f),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(d) => date_time(d),
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    }
}

fn date_time(d: &ExcelDateTime) -> String {
    let (true, Some(dt)) = (d.is_datetime(), d.as_datetime()) else {
        return excel_number(d.as_f64());
    };
    let value = d.as_f64();
    if (0.0..1.0).contains(&value) {
        dt.format("%H:%M:%S").to_string()
    } else if dt.time() == chrono::NaiveTime::MIN {
        dt.format("%Y-%m-%d").to_string()
    } else {
        dt.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_people_see_them() {
        let cases = [
            (Data::Float(2.0), "2"),
            (Data::Float(1.5), "1.5"),
            (Data::Int(7), "7"),
            (Data::String(" ${a} < ${b} ".into()), " ${a} < ${b} "),
            (Data::Bool(true), "TRUE"),
            (Data::Empty, ""),
        ];
        for (cell, want) in cases {
            assert_eq!(cell_text(&cell), want, "{cell:?}");
        }
    }
}
