//! The XML layer of GPX reading: parses text into a roxmltree document safely, and turns
//! byte offsets into the line numbers people see.
//!
//! Owns the whole-file XML errors (empty, not well-formed with line:column, nested too deep).
//! Must not know anything about GPX itself.

use roxmltree::Document;

use super::TrackFileError;

/// Deepest element nesting read. A GPX point's speed sits 7 levels down
/// (`gpx/trk/trkseg/trkpt/extensions/TrackPointExtension/speed`); roxmltree's tokenizer
/// recurses once per level and overflows a 2 MiB thread stack a few hundred levels down
/// (unoptimized), so hostile input must be stopped before it, with room for small stacks.
pub const MAX_DEPTH: usize = 32;

/// Parses XML text (without BOM), refusing empty text and nesting deeper than [`MAX_DEPTH`].
pub(super) fn parse(text: &str) -> Result<Document<'_>, TrackFileError> {
    if text.trim().is_empty() {
        return Err(TrackFileError::NotXml {
            line: 1,
            column: 1,
            message: "the file is empty".to_string(),
        });
    }
    check_depth(text)?;
    Document::parse(text).map_err(|e| not_xml(text, &e))
}

/// roxmltree reports "ran out of text" at 1:1; the end of the text is where it really stopped,
/// and that is where a user looks for a truncated file. The position is also cut out of the
/// message, since the error carries it in fields.
fn not_xml(text: &str, e: &roxmltree::Error) -> TrackFileError {
    use roxmltree::Error as X;
    let pos = e.pos();
    let (line, column) = match e {
        X::UnexpectedEndOfStream | X::UnclosedRootNode => end_position(text),
        _ => (pos.row, pos.col),
    };
    TrackFileError::NotXml {
        line,
        column,
        message: e.to_string().replace(&format!(" at {pos}"), ""),
    }
}

/// Refuses text nesting elements deeper than [`MAX_DEPTH`] before roxmltree recurses into it.
/// A light scan: it skips comments, CDATA, processing instructions and quoted attribute
/// values as XML does, and leaves every other judgement to the parser.
fn check_depth(text: &str) -> Result<(), TrackFileError> {
    let bytes = text.as_bytes();
    let (mut i, mut depth) = (0, 0_usize);
    while let Some(found) = find(bytes, i, b"<") {
        let rest = &bytes[found..];
        i = if rest.starts_with(b"<!--") {
            skip_past(bytes, found, b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            skip_past(bytes, found, b"]]>")
        } else if rest.starts_with(b"<?") {
            skip_past(bytes, found, b"?>")
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            skip_past(bytes, found, b">")
        } else {
            let end = tag_end(bytes, found + 1);
            if rest
                .get(1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_' || *c >= 0x80)
                && bytes.get(end.wrapping_sub(2)) != Some(&b'/')
            {
                depth += 1;
            }
            if depth > MAX_DEPTH {
                let (line, column) = LineIndex::new(text).position(text, found);
                return Err(TrackFileError::TooDeep {
                    line,
                    column,
                    limit: MAX_DEPTH,
                });
            }
            end
        };
    }
    Ok(())
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let hay = bytes.get(from..)?;
    hay.windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// Index just past `needle` found at or after `from`, or the end of the text.
fn skip_past(bytes: &[u8], from: usize, needle: &[u8]) -> usize {
    find(bytes, from + 1, needle).map_or(bytes.len(), |p| p + needle.len())
}

/// Index just past the `>` closing a start tag, skipping quoted attribute values (which may
/// hold `>`), or the end of the text.
fn tag_end(bytes: &[u8], mut i: usize) -> usize {
    let mut quote = None;
    while let Some(&c) = bytes.get(i) {
        i += 1;
        match (quote, c) {
            (None, b'"' | b'\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, b'>') => return i,
            _ => {}
        }
    }
    i
}

fn end_position(text: &str) -> (u32, u32) {
    let last = text.rsplit('\n').next().unwrap_or("");
    let line = text.bytes().filter(|&b| b == b'\n').count() + 1;
    (to_u32(line), to_u32(last.chars().count() + 1))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Byte offsets of line starts: roxmltree's own `text_pos_at` rescans the text on every call,
/// which is quadratic over a large track.
pub(super) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(super) fn new(text: &str) -> Self {
        let newlines = text.match_indices('\n').map(|(i, _)| i + 1);
        Self {
            starts: std::iter::once(0).chain(newlines).collect(),
        }
    }

    /// 1-based line of a byte offset.
    pub(super) fn line_of(&self, offset: usize) -> u32 {
        to_u32(self.starts.partition_point(|&s| s <= offset))
    }

    /// 1-based line and column (in characters) of a byte offset on a character boundary.
    fn position(&self, text: &str, offset: usize) -> (u32, u32) {
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts.get(line.wrapping_sub(1)).copied().unwrap_or(0);
        let column = text.get(start..offset).map_or(0, |s| s.chars().count());
        (to_u32(line), to_u32(column + 1))
    }
}
