//! XLSX and XLS workbooks (through calamine) as [`Sheet`]s: every worksheet, every cell turned
//! into the text a person sees in it. A form is small (a few thousand rows at most), so sheets
//! are read whole.
//!
//! Row and column positions are kept: a sheet whose used range starts below row 1 or right of
//! column A is padded with empty cells, so `rows[i]` is spreadsheet row `i + 1` and problems
//! name the row the author sees. This module must not interpret columns.

use std::io::Cursor;

use calamine::{Data, ExcelDateTime, Range, Reader, Xls, Xlsx};
use terreno_shared::form::xlsform::Sheet;

use super::FormError;
use crate::import::xlsx::excel_number;

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
pub fn read(bytes: &[u8], format: Format) -> Result<Vec<Sheet>, FormError> {
    let unreadable = |e: calamine::Error| FormError::Unreadable {
        kind: format.name(),
        reason: e.to_string(),
    };
    let cursor = Cursor::new(bytes);
    match format {
        Format::Xlsx => {
            let mut wb = Xlsx::new(cursor).map_err(|e| unreadable(e.into()))?;
            sheets(&mut wb).map_err(unreadable)
        }
        Format::Xls => {
            let mut wb = Xls::new(cursor).map_err(|e| unreadable(e.into()))?;
            sheets(&mut wb).map_err(unreadable)
        }
    }
}

fn sheets<R, W>(wb: &mut W) -> Result<Vec<Sheet>, calamine::Error>
where
    R: std::io::Read + std::io::Seek,
    W: Reader<R>,
    W::Error: Into<calamine::Error>,
{
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).map_err(Into::into)?;
        out.push(Sheet::new(name, rows(&range)));
    }
    Ok(out)
}

/// The cells of a range as text, padded so that index = spreadsheet position - 1.
fn rows(range: &Range<Data>) -> Vec<Vec<String>> {
    let Some((r0, c0)) = range.start() else {
        return Vec::new();
    };
    let mut rows = vec![Vec::new(); r0 as usize];
    rows.extend(range.rows().map(|cells| {
        let mut row = vec![String::new(); c0 as usize];
        row.extend(cells.iter().map(cell_text));
        while row.last().is_some_and(String::is_empty) {
            row.pop();
        }
        row
    }));
    rows
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

    #[test]
    fn a_sheet_starting_at_c3_keeps_its_row_and_column_positions() {
        let mut range = Range::new((2, 2), (3, 3));
        range.set_value((2, 2), Data::String("type".into()));
        range.set_value((3, 3), Data::Float(3.0));

        let rows = rows(&range);

        assert_eq!(rows.len(), 4);
        assert!(rows[0].is_empty() && rows[1].is_empty());
        assert_eq!(rows[2], ["", "", "type"]);
        assert_eq!(rows[3], ["", "", "", "3"]);
    }
}
