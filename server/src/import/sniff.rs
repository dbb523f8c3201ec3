//! Delimited text before the CSV parser sees it: finding the header line and its delimiter,
//! and capping the size of a record so that a 50 MB line without a newline (or an unclosed
//! quote) is refused at 1 MiB instead of growing the parser's buffers without bound.
//!
//! The quote rules tracked here mirror the `csv` crate's (RFC 4180): a quote opens a field
//! only at its start, `""` inside a quoted field is a quote, and CR or LF outside quotes ends a
//! record. This module must not interpret fields.

use std::collections::VecDeque;
use std::io::{self, Read};

use super::FileError;

/// The largest record (one row, all its fields and quoting) accepted, in decoded bytes.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the end of it, or the first of `""`.
    Closing,
}

/// Follows records byte by byte: where each starts (physical line) and how long it is.
#[derive(Debug, Clone)]
struct Tracker {
    delimiters: Vec<u8>,
    state: Quote,
    line: u64,
    record_line: u64,
    record_bytes: usize,
    at_boundary: bool,
    delimiter_counts: [usize; 3],
    /// Start lines of the records begun and not yet taken (see [`RecordGuard::take_line`]).
    starts: VecDeque<u64>,
}

impl Tracker {
    fn new(delimiters: &[u8]) -> Self {
        Tracker {
            delimiters: delimiters.to_vec(),
            state: Quote::FieldStart,
            line: 1,
            record_line: 1,
            record_bytes: 0,
            at_boundary: true,
            delimiter_counts: [0; 3],
            starts: VecDeque::new(),
        }
    }

    /// Feeds one byte; true when it ends a record that had content.
    fn push(&mut self, b: u8) -> bool {
        let terminator = b == b'\n' || b == b'\r';
        if b == b'\n' {
            self.line += 1;
        }
        if self.at_boundary && !terminator {
            self.at_boundary = false;
            self.record_line = self.line;
            self.record_bytes = 0;
            self.starts.push_back(self.line);
        }
        if !self.at_boundary {
            self.record_bytes += 1;
        }
        let is_delimiter = self.delimiters.contains(&b);
        let (next, ends) = match (self.state, b) {
            (Quote::Quoted, b'"') => (Quote::Closing, false),
            (Quote::Quoted, _) => (Quote::Quoted, false),
            (Quote::FieldStart, b'"') | (Quote::Closing, b'"') => (Quote::Quoted, false),
            (_, _) if terminator => (Quote::FieldStart, !self.at_boundary),
            (_, _) if is_delimiter => (Quote::FieldStart, false),
            (_, _) => (Quote::Unquoted, false),
        };
        if is_delimiter && next == Quote::FieldStart {
            if let Some(i) = DELIMITERS.iter().position(|d| *d == b) {
                self.delimiter_counts[i] += 1;
            }
        }
        self.state = next;
        if ends {
            self.at_boundary = true;
        }
        ends
    }
}

/// The decoded start of a CSV file: its bytes so far, the header record and its delimiter.
pub struct Peeked {
    /// Everything read while looking for the header (the header and maybe more).
    pub bytes: Vec<u8>,
    /// The delimiter sniffed from the header line.
    pub delimiter: u8,
}

/// Reads up to the end of the first non-blank record and sniffs its delimiter: the one of
/// `,` `;` and tab that occurs most often outside quotes (`;` wins ties, then tab; `,` when
/// there is none).
pub fn peek_header(reader: &mut impl Read) -> Result<Peeked, FileError> {
    let mut tracker = Tracker::new(&DELIMITERS);
    let mut bytes = Vec::with_capacity(8 * 1024);
    let mut chunk = [0u8; 8 * 1024];
    'read: loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(FileError::Io(e)),
        };
        for &b in &chunk[..n] {
            let ended = tracker.push(b);
            if tracker.record_bytes > MAX_RECORD_BYTES {
                return Err(FileError::HeaderTooLong {
                    limit: MAX_RECORD_BYTES,
                });
            }
            if ended {
                bytes.extend_from_slice(&chunk[..n]);
                break 'read;
            }
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(FileError::Empty);
    }
    let [commas, semicolons, tabs] = tracker.delimiter_counts;
    let delimiter = if semicolons > 0 && semicolons >= commas && semicolons >= tabs {
        b';'
    } else if tabs > 0 && tabs >= commas {
        b'\t'
    } else {
        b','
    };
    Ok(Peeked { bytes, delimiter })
}

/// Passes bytes through to the CSV parser, failing once a record grows past
/// [`MAX_RECORD_BYTES`].
pub struct RecordGuard<R> {
    inner: R,
    tracker: Tracker,
    too_long: Option<u64>,
}

impl<R: Read> RecordGuard<R> {
    /// Guards `inner`, which starts at the file's first line, split by `delimiter`.
    pub fn new(inner: R, delimiter: u8) -> Self {
        RecordGuard {
            inner,
            tracker: Tracker::new(&[delimiter]),
            too_long: None,
        }
    }

    /// The physical line where the parser's next record starts. The `csv` crate's own
    /// positions lag a line behind after CRLF and blank lines, so records are counted here:
    /// this tracker sees every byte before the parser does and splits records the same way,
    /// so the n-th record begun here is the parser's n-th record.
    pub fn take_line(&mut self) -> Option<u64> {
        self.tracker.starts.pop_front()
    }

    /// The line of the record that was too long, once one was.
    pub fn too_long_at(&self) -> Option<u64> {
        self.too_long
    }
}

impl<R: Read> Read for RecordGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(line) = self.too_long {
            return Err(too_long(line));
        }
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            self.tracker.push(b);
            if self.tracker.record_bytes > MAX_RECORD_BYTES {
                self.too_long = Some(self.tracker.record_line);
                return Err(too_long(self.tracker.record_line));
            }
        }
        Ok(n)
    }
}

fn too_long(line: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "the record starting on line {line} is longer than {} MiB (a missing line end or \
             an unclosed quote?)",
            MAX_RECORD_BYTES >> 20
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delimiter_of(text: &str) -> u8 {
        peek_header(&mut text.as_bytes()).unwrap().delimiter
    }

    #[test]
    fn the_delimiter_is_the_most_frequent_one_outside_quotes() {
        assert_eq!(delimiter_of("a,b,c\n1,2,3\n"), b',');
        assert_eq!(delimiter_of("Código;Nombre;Saldo\r\n"), b';');
        assert_eq!(delimiter_of("a\tb\tc\n"), b'\t');
        assert_eq!(delimiter_of("\"a,b,c\";\"d,e\";f\n"), b';');
        assert_eq!(delimiter_of("\n\n a;b\n"), b';');
        assert_eq!(delimiter_of("solo"), b',');
    }

    #[test]
    fn a_blank_file_has_no_header() {
        assert!(matches!(
            peek_header(&mut " \r\n\n".as_bytes()),
            Err(FileError::Empty)
        ));
    }

    #[test]
    fn records_are_tracked_across_quoted_newlines() {
        let mut t = Tracker::new(b",");
        let text = b"h1,h2\r\na,\"x\ny\"\"\"\r\n\r\nb,c\n";
        let ends: Vec<u64> = text
            .iter()
            .filter_map(|b| t.push(*b).then_some(t.record_line))
            .collect();
        assert_eq!(ends, vec![1, 2, 5]);
    }

    #[test]
    fn an_endless_record_is_cut_at_the_limit_with_its_line() {
        let text = format!("a,b\n1,2\n{}", "x".repeat(MAX_RECORD_BYTES + 10));
        let mut guard = RecordGuard::new(text.as_bytes(), b',');
        let err = io::copy(&mut guard, &mut io::sink()).unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
        assert_eq!(guard.too_long_at(), Some(3));
    }
}
