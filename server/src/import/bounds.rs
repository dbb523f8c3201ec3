//! The limits every workbook read obeys (route imports and XLSForm uploads alike), so a small
//! hostile file cannot make the server allocate gigabytes: a cell at `A4000000000` or a 1 GiB
//! cell packed into a 1 MB zip is refused with the sheet and cell, or the part and the cap,
//! before anything is sized after it.
//!
//! - Positions: row at most 1,048,576 and column at most XFD (16,384), Excel's own limits;
//!   an XLS (BIFF8) sheet at most 65,536 rows and 256 columns.
//! - Decompression: each part of an XLSX inflates to at most [`WorkbookLimits::max_part_bytes`]
//!   (64 MiB by default, `--workbook-part-mib`), all parts together to four times that.
//! - XML: no tag or text run longer than [`MAX_TOKEN_BYTES`] (Excel's longest cell is 32,767
//!   characters), so the parser never buffers a whole part.
//! - Text: a row's cells hold at most [`MAX_ROW_TEXT_BYTES`], as a CSV record, and all the
//!   cells read at most as much as the parts may inflate to (a shared string is copied into
//!   every cell that uses it); a reader that keeps the whole workbook (forms) gives a smaller
//!   total in its [`Budget`].
//!
//! This module only states and checks limits; it must not read files.

use std::fmt::Write as _;

use super::sniff::MAX_RECORD_BYTES;

/// Highest row number (1-based) of a sheet.
pub const MAX_ROWS: u64 = 1_048_576;
/// Highest column number (1-based, `XFD`) of a sheet.
pub const MAX_COLUMNS: u64 = 16_384;
/// Longest XML tag or text run in a workbook part.
pub const MAX_TOKEN_BYTES: u64 = 1 << 20;
/// Most text in one row's cells.
pub const MAX_ROW_TEXT_BYTES: usize = MAX_RECORD_BYTES;
/// The default of [`WorkbookLimits::max_part_bytes`].
pub const DEFAULT_MAX_PART_BYTES: u64 = 64 << 20;

/// The configurable part of the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkbookLimits {
    /// Most bytes one XLSX part may inflate to (and an XLS workbook stream may hold).
    pub max_part_bytes: u64,
}

impl Default for WorkbookLimits {
    fn default() -> Self {
        WorkbookLimits {
            max_part_bytes: DEFAULT_MAX_PART_BYTES,
        }
    }
}

impl WorkbookLimits {
    /// Most bytes all parts of an XLSX may inflate to together.
    pub fn max_total_bytes(&self) -> u64 {
        self.max_part_bytes.saturating_mul(4)
    }
}

/// `1,048,576`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// `MiB` figures for messages: `64 MiB`.
pub fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes >> 20)
}

/// The letters of a 1-based column: 1 is `A`, 16,384 is `XFD`.
pub fn column_letters(mut col: u64) -> String {
    let mut letters = Vec::new();
    while col > 0 {
        let rem = (col - 1) % 26;
        letters.push(b'A' + rem as u8);
        col = (col - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// A cell's name from 0-based coordinates: `(0, 0)` is `A1`.
pub fn cell_name(row0: u64, col0: u64) -> String {
    let mut s = column_letters(col0 + 1);
    let _ = write!(s, "{}", row0 + 1);
    s
}

/// A 1-based (row, column) from a reference such as `XFD1048576`, `a1` or `5` (a row alone),
/// saturating instead of overflowing so that `FXSHRXW1` is simply far beyond the limit. `None`
/// when it is not a reference.
pub fn parse_ref(text: &[u8]) -> Option<(u64, u64)> {
    let letters = text.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let (cols, rows) = text.split_at(letters);
    if rows.is_empty() || !rows.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let fold = |acc: u64, d: u64, base: u64| acc.saturating_mul(base).saturating_add(d);
    let col = cols.iter().fold(0, |acc, b| {
        fold(acc, u64::from(b.to_ascii_uppercase() - b'A') + 1, 26)
    });
    let row = rows
        .iter()
        .fold(0, |acc, b| fold(acc, u64::from(b - b'0'), 10));
    Some((row, col))
}

/// Why a 1-based position is out of bounds, if it is.
pub fn position_problem(row: u64, col: u64) -> Option<String> {
    if row > MAX_ROWS {
        Some(format!("row beyond {}", thousands(MAX_ROWS)))
    } else if col > MAX_COLUMNS {
        Some(format!(
            "column beyond XFD ({} columns)",
            thousands(MAX_COLUMNS)
        ))
    } else {
        None
    }
}

/// Checks a cell's 0-based position (as calamine gives it) on `sheet`.
pub fn check_position(sheet: &str, row0: u64, col0: u64) -> Result<(), String> {
    match position_problem(row0 + 1, col0 + 1) {
        None => Ok(()),
        Some(why) => Err(format!(
            "sheet '{sheet}', cell {}: {why}",
            cell_name(row0, col0)
        )),
    }
}

/// What a reader may hold: the text of a row, the text of everything it keeps, and its cells
/// counting the blank ones it pads in before each (so positions stay indexes).
#[derive(Debug, Clone)]
pub struct Budget {
    max_total_text: usize,
    max_cells: u64,
    row: Option<u64>,
    row_text: usize,
    total_text: usize,
    cells: u64,
    last_col: u64,
}

impl Budget {
    /// A streaming reader that keeps a few rows at a time: besides the row limit, at most as
    /// much text in all as the parts may inflate to, since a shared string repeated in every
    /// row is copied each time (2 million references to a 1 MiB string would be 2 TB).
    pub fn streaming(limits: &WorkbookLimits) -> Budget {
        let total = usize::try_from(limits.max_total_bytes()).unwrap_or(usize::MAX);
        Budget::whole(total, u64::MAX)
    }

    /// A reader that keeps everything: at most `max_total_text` bytes and `max_cells` cells.
    pub fn whole(max_total_text: usize, max_cells: u64) -> Budget {
        Budget {
            max_total_text,
            max_cells,
            row: None,
            row_text: 0,
            total_text: 0,
            cells: 0,
            last_col: 0,
        }
    }

    /// Takes a cell of `text_len` bytes at a 0-based position in reading order.
    pub fn take(
        &mut self,
        sheet: &str,
        row0: u64,
        col0: u64,
        text_len: usize,
    ) -> Result<(), String> {
        check_position(sheet, row0, col0)?;
        let where_ = || format!("sheet '{sheet}', cell {}", cell_name(row0, col0));
        if self.row != Some(row0) {
            let gap = self.row.map_or(row0, |r| row0.saturating_sub(r));
            self.cells = self.cells.saturating_add(gap);
            self.row = Some(row0);
            self.row_text = 0;
            self.last_col = 0;
        }
        self.cells = self
            .cells
            .saturating_add((col0 + 1).saturating_sub(self.last_col));
        self.last_col = self.last_col.max(col0 + 1);
        self.row_text = self.row_text.saturating_add(text_len);
        self.total_text = self.total_text.saturating_add(text_len);
        if self.row_text > MAX_ROW_TEXT_BYTES {
            return Err(format!(
                "{}: the row holds more than {} of text",
                where_(),
                mib(MAX_ROW_TEXT_BYTES as u64)
            ));
        }
        if self.total_text > self.max_total_text {
            return Err(format!(
                "{}: the workbook holds more than {} of text",
                where_(),
                mib(self.max_total_text as u64)
            ));
        }
        if self.cells > self.max_cells {
            return Err(format!(
                "{}: the workbook spans more than {} cells",
                where_(),
                thousands(self.max_cells)
            ));
        }
        Ok(())
    }

    /// Starts a new sheet (text and cell totals carry on).
    pub fn next_sheet(&mut self) {
        self.row = None;
        self.row_text = 0;
        self.last_col = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_without_overflow_and_name_cells_back() {
        assert_eq!(parse_ref(b"A1"), Some((1, 1)));
        assert_eq!(parse_ref(b"xfd1048576"), Some((1_048_576, 16_384)));
        assert_eq!(parse_ref(b"7"), Some((7, 0)));
        assert_eq!(parse_ref(b"A"), None);
        let (_, col) = parse_ref(b"FXSHRXW1").expect("a reference");
        assert!(col > MAX_COLUMNS);
        assert_eq!(parse_ref(b"A99999999999999999999999"), Some((u64::MAX, 1)));
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
        assert_eq!(column_letters(28), "AB");
    }

    #[test]
    fn positions_beyond_excel_are_refused_naming_the_cell() {
        assert!(check_position("s", 1_048_575, 16_383).is_ok());
        assert_eq!(
            check_position("survey", 1_048_576, 16_383).unwrap_err(),
            "sheet 'survey', cell XFD1048577: row beyond 1,048,576"
        );
        assert_eq!(
            check_position("s", 0, 16_384).unwrap_err(),
            "sheet 's', cell XFE1: column beyond XFD (16,384 columns)"
        );
    }

    #[test]
    fn a_budget_counts_the_blank_cells_padded_before_each_cell() {
        let mut b = Budget::whole(usize::MAX, 10);
        b.take("s", 0, 2, 1).expect("3 cells");
        b.take("s", 0, 4, 1).expect("5 cells");
        b.take("s", 2, 1, 1).expect("a blank row, then 2 cells: 9");
        assert!(b.take("s", 2, 3, 1).is_err(), "11 cells");
    }

    #[test]
    fn a_row_over_a_mebibyte_of_text_is_refused() {
        let mut b = Budget::streaming(&WorkbookLimits::default());
        b.take("s", 0, 0, MAX_ROW_TEXT_BYTES)
            .expect("exactly the limit");
        let e = b.take("s", 0, 1, 1).unwrap_err();
        assert!(e.contains("cell B1") && e.contains("1 MiB"), "{e}");
        b.take("s", 1, 0, 10).expect("a new row starts afresh");
    }

    #[test]
    fn a_stream_reads_at_most_as_much_text_as_the_parts_may_inflate_to() {
        let limits = WorkbookLimits {
            max_part_bytes: 1 << 20,
        };
        let mut b = Budget::streaming(&limits);
        for row in 0..4 {
            b.take("s", row, 0, MAX_ROW_TEXT_BYTES)
                .expect("4 MiB in all");
        }
        let e = b.take("s", 4, 0, 1).unwrap_err();
        assert_eq!(
            e,
            "sheet 's', cell A5: the workbook holds more than 4 MiB of text"
        );
    }
}
