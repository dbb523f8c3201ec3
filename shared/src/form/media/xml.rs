//! XML lookup files in the shape of ODK's secondary instances: one root element, one child per
//! item, and in each item one child element per column holding text
//! (`<root><item><name>a</name><label>A</label></item></root>`). Root and item names are free,
//! as in JavaRosa; attributes are allowed and ignored.
//!
//! A small reader for that shape only: the declaration, comments, CDATA and the five named and
//! numeric character references are understood; a `DOCTYPE` is refused (no entity expansion),
//! as is nesting deeper than root/item/column, text outside columns, and a mismatched tag —
//! each with its line.

use std::collections::BTreeMap;

use super::{MAX_COLUMNS, MediaError, row_choice};
use crate::form::xlsform::Choice;

/// The rows of XML `text` (of file `file`).
pub(super) fn rows(file: &str, text: &str) -> Result<Vec<Choice>, MediaError> {
    let mut reader = Reader {
        text,
        at: 0,
        line: 1,
        file,
        pending_end: None,
    };
    let mut shape = Shape::default();
    while let Some(event) = reader.next_event()? {
        let line = reader.line;
        let step = match event {
            Event::Text(t) => shape.text(&t),
            Event::Start(name) => shape.start(name, line),
            Event::End(name) => shape.end(name),
        };
        step.map_err(|message| reader.error(line, message))?;
    }
    if let Some((top, line)) = shape.open.last() {
        return Err(reader.error(*line, format!("<{top}> is never closed")));
    }
    if !shape.seen_root {
        return Err(reader.error(1, "no root element"));
    }
    Ok(shape.rows)
}

/// The root/item/column shape as it is read.
#[derive(Default)]
struct Shape {
    /// Open elements with the line each opened on.
    open: Vec<(String, u32)>,
    rows: Vec<Choice>,
    /// The item being read: its line and columns so far.
    item: Option<(u32, BTreeMap<String, String>)>,
    /// The text of the column being read.
    value: String,
    seen_root: bool,
}

impl Shape {
    fn text(&mut self, text: &str) -> Result<(), String> {
        if self.open.len() == 3 {
            self.value.push_str(text);
        } else if !text.trim().is_empty() {
            return Err("text outside a column element".into());
        }
        Ok(())
    }

    fn start(&mut self, name: String, line: u32) -> Result<(), String> {
        match self.open.len() {
            0 if self.seen_root => return Err("a second root element".into()),
            0 => self.seen_root = true,
            1 => self.item = Some((line, BTreeMap::new())),
            2 => self.value.clear(),
            _ => return Err(format!("<{name}> is nested deeper than root/item/column")),
        }
        self.open.push((name, line));
        Ok(())
    }

    fn end(&mut self, name: String) -> Result<(), String> {
        let Some((top, _)) = self.open.pop() else {
            return Err(format!("</{name}> closes nothing"));
        };
        if top != name {
            return Err(format!("</{name}> closes <{top}>"));
        }
        match (self.open.len(), self.item.as_mut()) {
            (2, Some((_, columns))) => {
                if columns.len() >= MAX_COLUMNS {
                    return Err(format!("more than {MAX_COLUMNS} columns"));
                }
                columns.insert(name, std::mem::take(&mut self.value));
            }
            (1, Some(_)) => {
                if let Some((row, columns)) = self.item.take() {
                    self.rows.push(row_choice(row, columns, "name", "label"));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

enum Event {
    Start(String),
    End(String),
    Text(String),
}

struct Reader<'t> {
    text: &'t str,
    at: usize,
    line: u32,
    file: &'t str,
    /// The end of an empty element (`<x/>`) just started.
    pending_end: Option<String>,
}

impl Reader<'_> {
    fn error(&self, line: u32, message: impl Into<String>) -> MediaError {
        MediaError::new(self.file, Some(line), message)
    }

    /// Moves past `len` bytes, counting lines; the skipped text.
    fn take(&mut self, len: usize) -> &str {
        let taken = &self.text[self.at..self.at + len];
        self.line += u32::try_from(taken.matches('\n').count()).unwrap_or(u32::MAX);
        self.at += len;
        taken
    }

    /// The text up to `end` (consumed with it), or an error naming what is not closed.
    fn until(&mut self, end: &str, what: &str) -> Result<String, MediaError> {
        let line = self.line;
        let rest = &self.text[self.at..];
        let Some(len) = rest.find(end) else {
            return Err(self.error(line, format!("{what} is never closed")));
        };
        let inner = self.take(len).to_owned();
        self.take(end.len());
        Ok(inner)
    }

    fn next_event(&mut self) -> Result<Option<Event>, MediaError> {
        if let Some(name) = self.pending_end.take() {
            return Ok(Some(Event::End(name)));
        }
        loop {
            let rest = &self.text[self.at..];
            if rest.is_empty() {
                return Ok(None);
            }
            if !rest.starts_with('<') {
                let len = rest.find('<').unwrap_or(rest.len());
                let line = self.line;
                let raw = self.take(len).to_owned();
                return decode(&raw)
                    .map(|t| Some(Event::Text(t)))
                    .map_err(|m| self.error(line, m));
            }
            if rest.starts_with("<?") {
                self.until("?>", "a <? declaration")?;
            } else if rest.starts_with("<!--") {
                self.until("-->", "a comment")?;
            } else if rest.starts_with("<![CDATA[") {
                self.take("<![CDATA[".len());
                return self
                    .until("]]>", "a CDATA section")
                    .map(|t| Some(Event::Text(t)));
            } else if rest.starts_with("<!") {
                return Err(self.error(
                    self.line,
                    "DOCTYPE and entity declarations are not accepted",
                ));
            } else {
                return self.tag().map(Some);
            }
        }
    }

    fn tag(&mut self) -> Result<Event, MediaError> {
        let line = self.line;
        self.take(1);
        let inner = self.until(">", "a tag")?;
        if let Some(name) = inner.strip_prefix('/') {
            return Ok(Event::End(self.name(name.trim(), line)?));
        }
        let (inner, empty) = match inner.strip_suffix('/') {
            Some(i) => (i, true),
            None => (inner.as_str(), false),
        };
        let name = inner.split_whitespace().next().unwrap_or_default();
        let name = self.name(name, line)?;
        if empty {
            // `<x/>`: an empty element, read as a start then an end.
            self.pending_end = Some(name.clone());
        }
        Ok(Event::Start(name))
    }

    fn name(&self, name: &str, line: u32) -> Result<String, MediaError> {
        let ok = name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || "_-.:".contains(c));
        if ok {
            Ok(name.to_owned())
        } else {
            Err(self.error(line, format!("{name:?} is not an element name")))
        }
    }
}

/// Text with its character references replaced.
fn decode(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let Some(end) = after.find(';') else {
            return Err("an & that starts no character reference (write &amp;)".into());
        };
        let name = &after[..end];
        let c = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => name
                .strip_prefix("#x")
                .map(|h| u32::from_str_radix(h, 16))
                .or_else(|| name.strip_prefix('#').map(str::parse))
                .and_then(Result::ok)
                .and_then(char::from_u32)
                .ok_or_else(|| format!("unknown character reference &{name};"))?,
        };
        out.push(c);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}
