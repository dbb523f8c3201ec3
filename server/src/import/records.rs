//! The reading layer under every spreadsheet import: a file's header row and its data rows as
//! cells, whatever its kind (CSV in any encoding and delimiter, XLSX/XLS), with the line each row
//! starts on and the file's decimal-separator evidence. Route files ([`super::RowReader`]) and
//! payment files ([`super::payments`]) map the headers onto their own fields and build their
//! own rows from the cells.
//!
//! A failure that ends the file (a record over the size cap, a workbook that cannot be read
//! further) is reported once, on the line it happened, and nothing is read after it.

use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::sync::mpsc::Receiver;

use super::bounds::WorkbookLimits;
use super::encoding::{self, DecodingReader, Kind};
use super::numbers::Decimal;
use super::row::{Cell, CellKind};
use super::sniff::{self, RecordGuard};
use super::{FileError, xlsx};

/// A failure that ended the file: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fatal {
    /// The line (row number in a workbook) where reading stopped.
    pub line: u64,
    /// Why.
    pub reason: String,
}

type CsvReader = csv::Reader<RecordGuard<Box<dyn Read + Send>>>;

enum Source {
    Csv(Box<CsvReader>),
    Sheet(Receiver<xlsx::Msg>),
    Done,
}

/// The rows of an opened file, as cells.
pub struct Records {
    headers: Vec<String>,
    decimal: Decimal,
    source: Source,
    record: csv::StringRecord,
    last_line: u64,
    failed_at: Option<u64>,
}

/// Opens a seekable source (a file, bytes in memory): a workbook or CSV, by content. `sheet`
/// names the workbook sheet to read (the first when `None`; ignored for CSV).
pub fn open<R: Read + Seek + Send + 'static>(
    mut reader: R,
    sheet: Option<&str>,
    limits: &WorkbookLimits,
) -> Result<Records, FileError> {
    let prefix = encoding::read_prefix(&mut reader)?;
    let format = match encoding::sniff(&prefix) {
        Kind::Xlsx => xlsx::Format::Xlsx,
        Kind::Xls => xlsx::Format::Xls,
        _ => return open_text(Cursor::new(prefix).chain(reader)),
    };
    reader.seek(SeekFrom::Start(0))?;
    let ((_, header_cells), rx) = xlsx::open(reader, format, sheet, limits)?;
    let mut headers: Vec<String> = header_cells
        .iter()
        .map(|c| c.text.trim().to_owned())
        .collect();
    while headers.last().is_some_and(String::is_empty) {
        headers.pop();
    }
    Ok(Records::new(headers, Decimal::Unknown, Source::Sheet(rx)))
}

/// Opens a CSV stream that cannot seek (an upload being received); workbooks are refused.
pub fn open_text<R: Read + Send + 'static>(mut reader: R) -> Result<Records, FileError> {
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
    // Excel writes `;` files exactly when its locale has a decimal comma (numbers module docs).
    let decimal = match delimiter {
        b';' => Decimal::Comma,
        b',' => Decimal::Point,
        _ => Decimal::Unknown,
    };
    Ok(Records::new(headers, decimal, Source::Csv(Box::new(csv))))
}

impl Records {
    fn new(headers: Vec<String>, decimal: Decimal, source: Source) -> Self {
        Records {
            headers,
            decimal,
            source,
            record: csv::StringRecord::new(),
            last_line: 1,
            failed_at: None,
        }
    }

    /// The file's headers as written (trimmed).
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The locale evidence for text cells.
    pub fn decimal(&self) -> Decimal {
        self.decimal
    }

    /// The line where reading stopped on a failure that ended the file (the rest is unread).
    pub fn failed_at(&self) -> Option<u64> {
        self.failed_at
    }

    /// The next row `build` makes something of: it gets each row's line and cells and answers
    /// `None` for a row to pass over (a blank one). `None` at the end of the file.
    pub fn next_with<T>(
        &mut self,
        mut build: impl FnMut(u64, &[Cell<'_>]) -> Option<T>,
    ) -> Option<Result<T, Fatal>> {
        loop {
            let step = match &self.source {
                Source::Csv(_) => self.next_csv(&mut build),
                Source::Sheet(_) => self.next_sheet(&mut build),
                Source::Done => return None,
            };
            if let Some(result) = step {
                return Some(result);
            }
        }
    }

    /// A failure that ends the file: reported on the line it happened, then nothing more.
    fn fatal<T>(&mut self, line: u64, reason: String) -> Option<Result<T, Fatal>> {
        self.source = Source::Done;
        self.failed_at = Some(line);
        Some(Err(Fatal { line, reason }))
    }

    /// One CSV record: `None` when `build` passed over it (or the file ended: the caller's
    /// loop sees `Source::Done`).
    fn next_csv<T>(
        &mut self,
        build: &mut impl FnMut(u64, &[Cell<'_>]) -> Option<T>,
    ) -> Option<Result<T, Fatal>> {
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
        build(line, &cells).map(Ok)
    }

    fn next_sheet<T>(
        &mut self,
        build: &mut impl FnMut(u64, &[Cell<'_>]) -> Option<T>,
    ) -> Option<Result<T, Fatal>> {
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
                build(line, &cells).map(Ok)
            }
            Ok(xlsx::Msg::Failed(reason)) => self.fatal(self.last_line + 1, reason),
            Err(_) => {
                self.source = Source::Done;
                None
            }
        }
    }
}
