//! XLSForms as CSV text, in either of the two layouts authors have, told apart by content:
//!
//! - **pyxform's one-file layout**: every sheet in one file. A row whose first cell is not
//!   empty starts the sheet it names (`survey`, `choices`, `settings`, ...); the next row with
//!   content is that sheet's header, the ones after it its rows, all with an empty first cell.
//!   A file is read this way when the first cell of its first row with content names a sheet
//!   pyxform knows ([`SHEET_NAMES`], any case): a survey sheet's header starts with a column
//!   name, never a sheet name.
//! - **a spreadsheet's export of the `survey` sheet** alone, read as the survey.
//!
//! Text is decoded like route files (UTF-8 with or without BOM, UTF-16, Windows-1252; see
//! [`crate::import::encoding`]) and delimited by `,` `;` or tab (whichever the first non-blank
//! line has most of). Text with no delimiter on its first line is not a spreadsheet (a survey
//! sheet has at least `type` and `name` columns).
//!
//! Row numbers are the ones problems must name, which differ by layout. A survey export keeps
//! its spreadsheet numbers: a blank line is an empty row (the csv reader skips it, so it is put
//! back), and a quoted cell spanning lines is one row. In the one-file layout pyxform 4.5 drops
//! rows without content and numbers each sheet's rows from 2 after its header, whatever line
//! they are on; Terreno numbers them the same way, so both tools name the same row of a form.
//!
//! This module must not interpret columns.

use std::io::{Cursor, Read};

use terreno_shared::form::xlsform::Sheet;

use super::FormError;
use crate::import::encoding::{DecodingReader, Start};

const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// The sheet names that start pyxform's one-file layout (pyxform's `SUPPORTED_SHEET_NAMES`).
pub const SHEET_NAMES: [&str; 6] = [
    "survey",
    "choices",
    "settings",
    "external_choices",
    "entities",
    "osm",
];

/// One CSV record: the line it starts on, the blank lines just before it, and its cells.
struct Record {
    line: u64,
    blanks_before: u64,
    cells: Vec<String>,
}

/// Reads `bytes` (text starting in `start`) as the sheets of a form, in file order.
pub fn read(bytes: &[u8], start: Start) -> Result<Vec<Sheet>, FormError> {
    let mut text = String::new();
    DecodingReader::new(Cursor::new(bytes), start)
        .read_to_string(&mut text)
        .map_err(|e| FormError::NotASpreadsheet(format!("its text cannot be decoded: {e}")))?;
    let delimiter = delimiter(&text).ok_or_else(|| {
        FormError::NotASpreadsheet(
            "it is neither an XLSX/XLS workbook nor CSV text (its first line has no `,`, `;` \
             or tab between columns)"
                .into(),
        )
    })?;
    let records = records(&text, delimiter)?;
    if is_one_file_layout(&records) {
        sheets(records)
    } else {
        Ok(vec![survey_export(records)])
    }
}

/// Every record of the text, with the line it starts on.
fn records(text: &str, delimiter: u8) -> Result<Vec<Record>, FormError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut next_line = 1;
    for record in reader.records() {
        let record = record.map_err(|e| FormError::NotASpreadsheet(format!("bad CSV: {e}")))?;
        let line = record.position().map_or(next_line, |p| start_line(text, p));
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        let inner_breaks: u64 = cells.iter().map(|c| c.matches('\n').count() as u64).sum();
        out.push(Record {
            line,
            blanks_before: line.saturating_sub(next_line),
            cells,
        });
        next_line = line + 1 + inner_breaks;
    }
    Ok(out)
}

/// Whether the first record with content starts with a sheet name pyxform knows.
fn is_one_file_layout(records: &[Record]) -> bool {
    records
        .iter()
        .find(|r| has_content(&r.cells))
        .and_then(|r| r.cells.first())
        .is_some_and(|first| is_sheet_name(first))
}

fn is_sheet_name(cell: &str) -> bool {
    let cell = cell.trim();
    SHEET_NAMES.iter().any(|s| cell.eq_ignore_ascii_case(s))
}

/// The survey export, with an empty row for each blank line.
fn survey_export(records: Vec<Record>) -> Sheet {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for record in records {
        rows.extend((0..record.blanks_before).map(|_| Vec::new()));
        rows.push(record.cells);
    }
    Sheet::new("survey", rows)
}

/// pyxform's one-file layout: a sheet per name in the first column, its header, its rows.
fn sheets(records: Vec<Record>) -> Result<Vec<Sheet>, FormError> {
    let mut sheets: Vec<(Sheet, u64)> = Vec::new();
    for Record {
        line, mut cells, ..
    } in records
    {
        let first = cells
            .first()
            .map(|c| c.trim().to_owned())
            .unwrap_or_default();
        if !first.is_empty() {
            if let Some((_, started)) = sheets
                .iter()
                .find(|(s, _)| s.name.eq_ignore_ascii_case(&first))
            {
                // pyxform would read the second header over the first sheet's rows, so a row
                // would be read under columns it was not written for.
                return Err(FormError::NotASpreadsheet(format!(
                    "the CSV starts the sheet `{first}` twice, on lines {started} and {line}; \
                     put all of its rows under one header"
                )));
            }
            sheets.push((Sheet::new(first, Vec::new()), line));
        }
        let content = if cells.is_empty() {
            cells
        } else {
            cells.split_off(1)
        };
        if !has_content(&content) {
            continue;
        }
        // Records before the first sheet have no content: the layout was chosen because the
        // first record with content names a sheet.
        if let Some((sheet, _)) = sheets.last_mut() {
            sheet.rows.push(content);
        }
    }
    Ok(sheets.into_iter().map(|(sheet, _)| sheet).collect())
}

/// Whether any cell holds more than blanks (pyxform strips cells before looking).
fn has_content(cells: &[String]) -> bool {
    cells.iter().any(|c| !c.trim().is_empty())
}

/// The line a record starts on. The csv reader positions a record where it began looking for
/// it, before the blank lines it skips; those are counted here.
fn start_line(text: &str, at: &csv::Position) -> u64 {
    let skipped = text
        .as_bytes()
        .get(at.byte() as usize..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .filter(|b| **b == b'\n')
        .count();
    at.line() + skipped as u64
}

/// The delimiter the first non-blank line uses most, if it uses one at all. In the one-file
/// layout that line may be a sheet name alone (pyxform writes `survey` with no delimiter), and
/// the line after it decides.
fn delimiter(text: &str) -> Option<u8> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let mut first = lines.next()?;
    if is_sheet_name(first) {
        first = lines.next()?;
    }
    DELIMITERS
        .into_iter()
        .map(|d| (first.bytes().filter(|b| *b == d).count(), d))
        .filter(|(n, _)| *n > 0)
        .max_by_key(|(n, _)| *n)
        .map(|(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Vec<Sheet> {
        read(text.as_bytes(), Start::Guess).expect("sheets")
    }

    #[test]
    fn blank_lines_and_multi_line_cells_keep_spreadsheet_row_numbers() {
        let text = "\r\ntype;name;label\r\n\r\ntext;a;\"two\nlines\"\r\ninteger;b;B\r\n";

        let sheets = read_text(text);

        assert_eq!(sheets.len(), 1);
        let sheet = &sheets[0];
        assert_eq!(sheet.name, "survey");
        assert!(sheet.rows[0].is_empty());
        assert_eq!(sheet.rows[1], ["type", "name", "label"]);
        assert!(sheet.rows[2].is_empty());
        assert_eq!(sheet.rows[3], ["text", "a", "two\nlines"]);
        assert_eq!(sheet.rows[4], ["integer", "b", "B"]);
        assert_eq!(sheet.rows.len(), 5);
    }

    #[test]
    fn a_word_with_no_columns_is_not_a_spreadsheet() {
        let err = read(b"corrupt", Start::Guess).expect_err("refused");

        assert!(matches!(err, FormError::NotASpreadsheet(_)), "{err}");
        assert!(err.to_string().contains("neither an XLSX/XLS workbook"));
    }

    #[test]
    fn the_one_file_layout_gives_each_sheet_its_header_and_rows() {
        let text = "survey,,,\n,type,name,label\n,select_one yn,ok,OK?\n\
                    choices,,,\n,list_name,name,label\n,yn,y,Yes\n,yn,n,No\n\
                    settings\n,form_id,version\n,visita,3\n";

        let sheets = read_text(text);

        let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["survey", "choices", "settings"]);
        assert_eq!(
            sheets[0].rows,
            [
                vec!["type", "name", "label"],
                vec!["select_one yn", "ok", "OK?"]
            ]
        );
        assert_eq!(sheets[1].rows.len(), 3);
        assert_eq!(sheets[1].rows[2], ["yn", "n", "No"]);
        assert_eq!(
            sheets[2].rows,
            [vec!["form_id", "version"], vec!["visita", "3"]]
        );
    }

    #[test]
    fn the_one_file_layout_numbers_rows_as_pyxform_skipping_those_without_content() {
        // Lines 4 and 6 carry no content: pyxform drops them, so the `c` row is row 4.
        let text = "\n SURVEY \n,type,name\n,,\n,text,a\n\n,text,b\n,text,c\n";

        let sheets = read_text(text);

        assert_eq!(sheets.len(), 1);
        assert_eq!(sheets[0].name, "SURVEY");
        assert_eq!(sheets[0].rows[3], ["text", "c"]);
        assert_eq!(sheets[0].rows.len(), 4);
    }

    #[test]
    fn a_sheet_name_row_with_cells_after_it_is_also_the_header() {
        let text = "survey;type;name\n;text;a\n";

        let sheets = read_text(text);

        assert_eq!(sheets[0].rows, [vec!["type", "name"], vec!["text", "a"]]);
    }

    #[test]
    fn other_names_in_the_first_column_start_sheets_the_form_ignores() {
        let text = "survey,,\n,type,name\n,text,a\nnotes,,\n,who,what\n,me,todo\n";

        let sheets = read_text(text);

        assert_eq!(sheets.len(), 2);
        assert_eq!(sheets[1].name, "notes");
        assert_eq!(sheets[0].rows.len(), 2);
    }

    #[test]
    fn a_sheet_started_twice_is_refused_naming_both_lines() {
        let text = "survey,,\n,type,name\n,text,a\nSurvey,,\n,name,type\n";

        let err = read(text.as_bytes(), Start::Guess).expect_err("refused");

        assert!(
            err.to_string()
                .contains("starts the sheet `Survey` twice, on lines 1 and 4"),
            "{err}"
        );
    }

    #[test]
    fn a_survey_export_whose_first_column_is_not_a_sheet_name_is_the_survey() {
        let text = "type,name,label\nsurvey_note,n,Survey\n";

        let sheets = read_text(text);

        assert_eq!(sheets.len(), 1);
        assert_eq!(sheets[0].name, "survey");
        assert_eq!(sheets[0].rows[1], ["survey_note", "n", "Survey"]);
    }
}
