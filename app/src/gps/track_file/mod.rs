//! Track files: reads the GPS tracks a collector's phone or a GPS logger wrote (GPX 1.0/1.1
//! and Terreno's own JSON Lines) into validated [`Fix`]es, and says which points it left out
//! and why.
//!
//! Owns [`read_track_file`], [`read_gpx`], [`read_jsonl`], [`TrackImport`], [`RefusedPoint`]
//! and [`TrackFileError`]. A bad point never fails the file: it becomes a [`RefusedPoint`]
//! with its line and reason, and only a file that yields no usable fix at all is an error.
//! Must not filter, smooth or reorder the fixes it keeps (that is the track filter's job in
//! `terreno_shared::track`, which flags, never drops), and must not touch the store: the
//! caller decides what to keep.
//!
//! GPX rules (what a GPX point becomes) are documented in `gpx.rs`, the JSON Lines rules in
//! `jsonl.rs`; `xml.rs` keeps hostile XML (too deep for the parser's recursion) out.

mod gpx;
mod jsonl;
mod xml;

use std::fmt;
use std::path::{Path, PathBuf};

use terreno_shared::model::Fix;

pub use gpx::{DEFAULT_ACCURACY_M, EARLIEST_PLAUSIBLE_TIME, HDOP_TO_ACCURACY_M, read_gpx};
pub use jsonl::read_jsonl;
pub use xml::MAX_DEPTH;

/// What a track file yielded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrackImport {
    /// Usable fixes, in file order.
    pub fixes: Vec<Fix>,
    /// Every point not imported, with why, in file order.
    pub refused: Vec<RefusedPoint>,
    /// Tracks read: GPX `<trk>` (even empty ones) and timed `<rte>`; a JSON Lines file is one.
    pub tracks: usize,
    /// GPX `<wpt>` elements: places, not part of a track.
    pub waypoints_ignored: usize,
    /// GPX `<rtept>` of routes without any `<time>`: a planned route, not a recording.
    pub route_points_ignored: usize,
}

/// A point of a track file that was not imported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RefusedPoint {
    /// 1-based line of the file where the point starts.
    pub line: u32,
    /// Which point, for people: `track 1, segment 2, point 5`, `route 1, point 3` or
    /// `line 17`.
    pub what: String,
    /// Why it was refused, naming the offending value.
    pub reason: String,
}

impl fmt::Display for RefusedPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // JSON Lines points are named by their line already; saying it twice reads badly.
        if self.what == format!("line {}", self.line) {
            write!(f, "{}: {}", self.what, self.reason)
        } else {
            write!(f, "{} (line {}): {}", self.what, self.line, self.reason)
        }
    }
}

/// A track file that cannot be imported at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrackFileError {
    /// The file could not be read (missing, no permission, not UTF-8).
    #[error("cannot read track file {}: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file name does not end in `.gpx` or `.jsonl`.
    #[error("track file {} is not a .gpx or .jsonl file", path.display())]
    UnknownExtension {
        /// The file.
        path: PathBuf,
    },
    /// The GPX text is not well-formed XML.
    #[error("not XML: {message} (line {line}, column {column})")]
    NotXml {
        /// 1-based line of the first error.
        line: u32,
        /// 1-based column (in characters) of the first error.
        column: u32,
        /// What the XML parser found.
        message: String,
    },
    /// XML nesting elements deeper than any GPX file does (and than the parser can take).
    #[error(
        "not a GPX file: elements nested more than {limit} deep (line {line}, column {column})"
    )]
    TooDeep {
        /// 1-based line of the first element too deep.
        line: u32,
        /// 1-based column (in characters) of that element.
        column: u32,
        /// The deepest nesting read.
        limit: usize,
    },
    /// Well-formed XML whose root element is not `<gpx>`.
    #[error("not a GPX file: the root element is <{root}>, not <gpx>")]
    NotGpx {
        /// The root element's local name.
        root: String,
    },
    /// Not a single point of the file is usable.
    #[error("{}", no_usable_fix_message(*.refused, .first.as_ref(), *.ignored))]
    NoUsableFix {
        /// How many points were refused.
        refused: usize,
        /// The first refused point, when there is one.
        first: Option<RefusedPoint>,
        /// Waypoints and untimed route points, which are never fixes.
        ignored: usize,
    },
    /// One of the errors above, for the file at `path`.
    #[error("track file {}: {source}", path.display())]
    InFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with its content.
        #[source]
        source: Box<TrackFileError>,
    },
}

fn no_usable_fix_message(refused: usize, first: Option<&RefusedPoint>, ignored: usize) -> String {
    match first {
        Some(first) => {
            format!("no usable fix: all {refused} points were refused; the first, {first}")
        }
        None if ignored > 0 => format!(
            "no usable fix: the file has no track points, only {ignored} waypoints or untimed route points"
        ),
        None => "no usable fix: the file has no track points".to_string(),
    }
}

/// Reads a track file, choosing the format by its extension (`.gpx` or `.jsonl`, any case).
/// Every error names the path.
pub fn read_track_file(path: &Path) -> Result<TrackImport, TrackFileError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let read: fn(&str) -> Result<TrackImport, TrackFileError> = match ext.as_deref() {
        Some("gpx") => read_gpx,
        Some("jsonl") => read_jsonl,
        _ => {
            return Err(TrackFileError::UnknownExtension {
                path: path.to_path_buf(),
            });
        }
    };
    // `read_to_string` refuses non-UTF-8 bytes as an I/O error: GPX in a legacy encoding is
    // rare enough that naming the problem beats guessing the encoding.
    let text = std::fs::read_to_string(path).map_err(|source| TrackFileError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    read(&text).map_err(|e| TrackFileError::InFile {
        path: path.to_path_buf(),
        source: Box::new(e),
    })
}

/// The common end of both readers: a file without a single usable fix is an error, because
/// an empty track would look to the user like a day without movement.
fn finish(import: TrackImport) -> Result<TrackImport, TrackFileError> {
    if !import.fixes.is_empty() {
        return Ok(import);
    }
    Err(TrackFileError::NoUsableFix {
        refused: import.refused.len(),
        first: import.refused.into_iter().next(),
        ignored: import.waypoints_ignored + import.route_points_ignored,
    })
}

#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod tests;
