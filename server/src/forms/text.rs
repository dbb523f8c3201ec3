//! A CSV export of the `survey` sheet as one [`Sheet`]: decoded like route files (UTF-8 with or
//! without BOM, UTF-16, Windows-1252; see [`crate::import::encoding`]), delimited by `,` `;` or
//! tab (whichever the first non-blank line has most of).
//!
//! Rows keep their spreadsheet numbers: a blank line is an empty row (the csv reader skips it,
//! so it is put back), and a quoted cell spanning lines is one row, as a spreadsheet shows it.
//! Text with no delimiter on its first line is not a spreadsheet (a survey sheet has at least
//! `type` and `name` columns). This module must not interpret columns.

use std::io::{Cursor, Read};

use terreno_shared::form::xlsform::Sheet;

use super::FormError;
use crate::import::encoding::{DecodingReader, Start};

const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// Reads `bytes` (text starting in `start`) as the survey sheet.
pub fn read(bytes: &[u8], start: Start) -> Result<Sheet, FormError> {
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
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut next_line = 1;
    for record in reader.records() {
        let record = record.map_err(|e| FormError::NotASpreadsheet(format!("bad CSV: {e}")))?;
        let line = record
            .position()
            .map_or(next_line, |p| start_line(&text, p));
        rows.extend((next_line..line).map(|_| Vec::new()));
        let row: Vec<String> = record.iter().map(str::to_owned).collect();
        let inner_breaks: u64 = row.iter().map(|c| c.matches('\n').count() as u64).sum();
        next_line = line + 1 + inner_breaks;
        rows.push(row);
    }
    Ok(Sheet::new("survey", rows))
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

/// The delimiter the first non-blank line uses most, if it uses one at all.
fn delimiter(text: &str) -> Option<u8> {
    let first = text.lines().find(|l| !l.trim().is_empty())?;
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

    #[test]
    fn blank_lines_and_multi_line_cells_keep_spreadsheet_row_numbers() {
        let text = "\r\ntype;name;label\r\n\r\ntext;a;\"two\nlines\"\r\ninteger;b;B\r\n";

        let sheet = read(text.as_bytes(), Start::Guess).expect("a sheet");

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
}
