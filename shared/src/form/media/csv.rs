//! CSV lookup files as ODK reads them: the first row names the columns, every other row is an
//! item; fields are separated by commas and may be quoted (`"a, b"`, `""` for a quote, line
//! breaks inside quotes). A row shorter than the header has empty trailing columns.
//!
//! Refused, with the line: an unterminated quote, text after a closing quote, a row with more
//! fields than the header, an empty or repeated column name.

use std::collections::BTreeMap;

use super::{MAX_COLUMNS, MediaError, row_choice};
use crate::form::xlsform::Choice;

/// The rows of CSV `text` (of file `file`).
pub(super) fn rows(file: &str, text: &str) -> Result<Vec<Choice>, MediaError> {
    let mut records = Records {
        chars: text.char_indices().peekable(),
        line: 1,
        file,
    };
    let Some((_, header)) = records.next_record()? else {
        return Err(MediaError::new(
            file,
            Some(1),
            "the file is empty: the first row names the columns",
        ));
    };
    let header = check_header(file, header)?;
    let mut rows = Vec::new();
    while let Some((line, fields)) = records.next_record()? {
        if fields.iter().all(String::is_empty) {
            continue;
        }
        if fields.len() > header.len() {
            return Err(MediaError::new(
                file,
                Some(line),
                format!(
                    "{} fields, but the header names {} columns",
                    fields.len(),
                    header.len()
                ),
            ));
        }
        let mut columns: BTreeMap<String, String> = BTreeMap::new();
        for (i, column) in header.iter().enumerate() {
            columns.insert(column.clone(), fields.get(i).cloned().unwrap_or_default());
        }
        rows.push(row_choice(line, columns, "name", "label"));
    }
    Ok(rows)
}

fn check_header(file: &str, header: Vec<String>) -> Result<Vec<String>, MediaError> {
    if header.len() > MAX_COLUMNS {
        return Err(MediaError::new(
            file,
            Some(1),
            format!("more than {MAX_COLUMNS} columns"),
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(header.len());
    for (i, name) in header.into_iter().enumerate() {
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(MediaError::new(
                file,
                Some(1),
                format!("column {} of the header row has no name", i + 1),
            ));
        }
        if !seen.insert(name.clone()) {
            return Err(MediaError::new(
                file,
                Some(1),
                format!("column {name:?} is named twice in the header row"),
            ));
        }
        out.push(name);
    }
    Ok(out)
}

struct Records<'t> {
    chars: std::iter::Peekable<std::str::CharIndices<'t>>,
    line: u32,
    file: &'t str,
}

impl Records<'_> {
    /// The next record and the line it starts on; `None` at the end.
    fn next_record(&mut self) -> Result<Option<(u32, Vec<String>)>, MediaError> {
        if self.chars.peek().is_none() {
            return Ok(None);
        }
        let start = self.line;
        let mut fields = Vec::new();
        loop {
            let (field, end) = self.field()?;
            fields.push(field);
            if fields.len() > MAX_COLUMNS {
                return Err(MediaError::new(
                    self.file,
                    Some(start),
                    format!("more than {MAX_COLUMNS} fields"),
                ));
            }
            if end {
                return Ok(Some((start, fields)));
            }
        }
    }

    /// One field, and whether it ended its record.
    fn field(&mut self) -> Result<(String, bool), MediaError> {
        let mut out = String::new();
        if self.chars.peek().is_some_and(|&(_, c)| c == '"') {
            let opened = self.line;
            self.chars.next();
            loop {
                match self.chars.next() {
                    None => {
                        return Err(MediaError::new(
                            self.file,
                            Some(opened),
                            "a quoted field is never closed",
                        ));
                    }
                    Some((_, '"')) if self.chars.peek().is_some_and(|&(_, c)| c == '"') => {
                        self.chars.next();
                        out.push('"');
                    }
                    Some((_, '"')) => break,
                    Some((_, c)) => {
                        if c == '\n' {
                            self.line += 1;
                        }
                        out.push(c);
                    }
                }
            }
            return match self.end_of_field() {
                Some(end) => Ok((out, end)),
                None => Err(MediaError::new(
                    self.file,
                    Some(self.line),
                    "text after a closing quote (a quote inside a quoted field is written \"\")",
                )),
            };
        }
        loop {
            if let Some(end) = self.end_of_field() {
                return Ok((out, end));
            }
            if let Some((_, c)) = self.chars.next() {
                out.push(c);
            }
        }
    }

    /// Consumes a separator: `Some(false)` after a comma, `Some(true)` at a line end or the
    /// end of text, `None` when the next character is field text.
    fn end_of_field(&mut self) -> Option<bool> {
        match self.chars.peek().map(|&(_, c)| c) {
            None => Some(true),
            Some(',') => {
                self.chars.next();
                Some(false)
            }
            Some('\n') => {
                self.chars.next();
                self.line += 1;
                Some(true)
            }
            Some('\r') => {
                self.chars.next();
                if self.chars.peek().is_some_and(|&(_, c)| c == '\n') {
                    self.chars.next();
                }
                self.line += 1;
                Some(true)
            }
            Some(_) => None,
        }
    }
}
