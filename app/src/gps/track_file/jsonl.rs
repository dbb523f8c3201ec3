//! Terreno's own track format: one [`RawFix`] JSON object per line (`track_day.jsonl`).
//!
//! Owns the line splitting and the per-line error text; the shape and its strictness
//! (unknown keys refused) belong to [`RawFix`] and must not be loosened here. A bad line is
//! refused with its number and never stops the file; blank lines are skipped; a UTF-8 BOM is
//! accepted. Time order is not checked: these are the device's own facts, kept as recorded,
//! and the track filter flags disorder rather than dropping it.

use terreno_shared::model::{Fix, RawFix};

use super::{RefusedPoint, TrackFileError, TrackImport, finish};

/// Reads JSON Lines text. Every non-blank line is one fix or one refused point.
pub fn read_jsonl(text: &str) -> Result<TrackImport, TrackFileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut import = TrackImport {
        tracks: 1,
        ..TrackImport::default()
    };
    // `lines` also strips the `\r` of CRLF files.
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        match parse_line(line) {
            Ok(fix) => import.fixes.push(fix),
            Err(reason) => import.refused.push(RefusedPoint {
                line: number,
                what: format!("line {number}"),
                reason,
            }),
        }
    }
    finish(import)
}

fn parse_line(line: &str) -> Result<Fix, String> {
    let raw: RawFix = serde_json::from_str(line).map_err(|e| json_reason(&e))?;
    Fix::try_from(raw).map_err(|e| e.to_string())
}

/// serde_json ends its message with "at line 1 column N"; within one line only the column
/// means anything.
fn json_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match text.strip_suffix(&suffix) {
        Some(message) => format!("{message} (column {})", e.column()),
        None => text,
    }
}
