//! GPX 1.0 and 1.1 tracks: turns `<trkpt>` (and timed `<rtept>`) into fixes.
//!
//! Owns the mapping from a GPX point to a [`RawFix`]; must not validate what [`Fix`] already
//! validates (ranges), nor read anything outside the tracks and routes. Elements are matched
//! on their local names, so GPX 1.0, 1.1 and odd prefixes (`ns3:`, `gpxtpx:`) read the same.
//!
//! Per point:
//! - `lat`/`lon` attributes are required; out of range or unparsable refuses the point.
//! - `<time>` is required, RFC 3339 (a time without offset is UTC, as GPX says); a time
//!   before 2000-01-01 is refused as a corrupt clock (GPSBabel's 1901 dates, GPS week
//!   roll-overs), since a fix at a wrong time is worse than no fix.
//! - Within a segment (or route), a point whose time is before the last kept point's is
//!   refused ("time goes backwards"), and so is a later point with the same time: a track
//!   is a sequence in time, and a second position for one instant is not a fact we can order.
//! - `<hdop>` gives the accuracy radius ([`HDOP_TO_ACCURACY_M`]); without it (or with `0`,
//!   which loggers write for "unknown") the accuracy is [`DEFAULT_ACCURACY_M`].
//! - `<ele>` is the altitude; speed is `<speed>` (GPX 1.0) or a `speed` element inside
//!   `<extensions>` (Garmin TrackPointExtension v2, OsmAnd); heading is `<course>` or a
//!   `course`/`bearing` element inside `<extensions>`. Other extensions are ignored.
//! - GPX carries no battery state and no mock flag: both stay unknown / false. The provider
//!   is [`Provider::Gps`].
//!
//! `<wpt>` are counted, never imported. A `<rte>` with at least one timed `<rtept>` is a
//! recording and is read like a track segment; a `<rte>` without any time is a planned route
//! and its points are counted in [`TrackImport::route_points_ignored`].

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use roxmltree::Node;
use terreno_shared::model::{Fix, Provider, RawFix};

use super::xml::{self, LineIndex};
use super::{RefusedPoint, TrackFileError, TrackImport, finish};

/// Metres of accuracy radius per unit of HDOP. Accuracy ≈ HDOP × UERE (the receiver's range
/// error); 5 m is the usual consumer-receiver UERE, and it is the factor `track_day.gpx` was
/// written with (its HDOP is `accuracy_m / 5` rounded to 0.1, so the round trip is exact to
/// ±0.25 m).
pub const HDOP_TO_ACCURACY_M: f64 = 5.0;

/// Accuracy radius, metres, given to a point without HDOP. Consumer loggers that write no DOP
/// say nothing about precision, and the geofence must not take silence for precision: 25 m is
/// a mediocre phone fix, good enough to draw the track, too coarse to pass a tight fence.
pub const DEFAULT_ACCURACY_M: f64 = 25.0;

/// 2000-01-01T00:00:00Z as a Unix time: earlier GPX times are corrupt clocks.
const EARLIEST_PLAUSIBLE_UNIX_S: i64 = 946_684_800;

/// The same limit, as told to people.
pub const EARLIEST_PLAUSIBLE_TIME: &str = "2000-01-01";

/// Longest value quoted back in a reason: garbage can be megabytes long.
const MAX_SHOWN_CHARS: usize = 40;

/// Reads GPX text. Points that cannot be used are refused one by one; only text that is not
/// XML, not GPX, or has no usable point at all is an error.
pub fn read_gpx(text: &str) -> Result<TrackImport, TrackFileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc = xml::parse(text)?;
    let root = doc.root_element();
    if root.tag_name().name() != "gpx" {
        return Err(TrackFileError::NotGpx {
            root: root.tag_name().name().to_string(),
        });
    }
    let mut reader = Reader {
        lines: LineIndex::new(text),
        import: TrackImport::default(),
        timed_routes: 0,
    };
    let (mut tracks, mut routes) = (0, 0);
    for child in root.children().filter(Node::is_element) {
        match child.tag_name().name() {
            "wpt" => reader.import.waypoints_ignored += 1,
            "trk" => {
                tracks += 1;
                reader.track(child, tracks);
            }
            "rte" => {
                routes += 1;
                reader.route(child, routes);
            }
            _ => {}
        }
    }
    reader.import.tracks = tracks + reader.timed_routes;
    finish(reader.import)
}

struct Reader {
    lines: LineIndex,
    import: TrackImport,
    timed_routes: usize,
}

/// The last point kept in the current segment, for the time-order rule.
#[derive(Clone, Copy)]
struct Kept {
    time: DateTime<Utc>,
    line: u32,
}

impl Reader {
    fn track(&mut self, trk: Node, number: usize) {
        for (s, seg) in elements(trk, "trkseg").enumerate() {
            let name = |p: usize| format!("track {number}, segment {}, point {p}", s + 1);
            self.segment(elements(seg, "trkpt"), name);
        }
    }

    fn route(&mut self, rte: Node, number: usize) {
        let timed = elements(rte, "rtept").any(|p| child_text(p, "time").is_some());
        if timed {
            self.timed_routes += 1;
            self.segment(elements(rte, "rtept"), |p| {
                format!("route {number}, point {p}")
            });
        } else {
            self.import.route_points_ignored += elements(rte, "rtept").count();
        }
    }

    fn segment<'a, 'i: 'a>(
        &mut self,
        points: impl Iterator<Item = Node<'a, 'i>>,
        name: impl Fn(usize) -> String,
    ) {
        let mut last: Option<Kept> = None;
        for (i, p) in points.enumerate() {
            let line = self.lines.line_of(p.range().start);
            match point_fix(p).and_then(|fix| in_order(fix, last)) {
                Ok(fix) => {
                    last = Some(Kept {
                        time: fix.time(),
                        line,
                    });
                    self.import.fixes.push(fix);
                }
                Err(reason) => self.import.refused.push(RefusedPoint {
                    line,
                    what: name(i + 1),
                    reason,
                }),
            }
        }
    }
}

fn in_order(fix: Fix, last: Option<Kept>) -> Result<Fix, String> {
    match last {
        Some(k) if fix.time() < k.time => Err(format!(
            "time goes backwards: {} is before {} of the point on line {}",
            show_time(fix.time()),
            show_time(k.time),
            k.line
        )),
        Some(k) if fix.time() == k.time => Err(format!(
            "duplicate time {}: the point on line {} has the same time",
            show_time(fix.time()),
            k.line
        )),
        _ => Ok(fix),
    }
}

fn show_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// One GPX point as a validated fix, or why not.
fn point_fix(p: Node) -> Result<Fix, String> {
    let lat = coordinate(p, "lat")?;
    let lon = coordinate(p, "lon")?;
    let t = match child_text(p, "time") {
        Some(text) => parse_time(text)?,
        None => {
            return Err("no <time>: a point without a time cannot be placed in the track".into());
        }
    };
    let speed = child_text(p, "speed").or_else(|| extension_text(p, &["speed"]));
    let course = child_text(p, "course").or_else(|| extension_text(p, &["course", "bearing"]));
    let raw = RawFix {
        t,
        lat,
        lon,
        accuracy_m: accuracy(p)?,
        speed_ms: speed.map(|s| number("speed", s)).transpose()?,
        heading_deg: course.map(|c| number("course", c)).transpose()?,
        altitude_m: child_text(p, "ele").map(|e| number("ele", e)).transpose()?,
        battery: None,
        charging: None,
        provider: Provider::Gps,
        mock: false,
    };
    Fix::try_from(raw).map_err(|e| e.to_string())
}

fn coordinate(p: Node, name: &str) -> Result<f64, String> {
    match p.attribute(name) {
        Some(text) => number(name, text),
        None => Err(format!("no {name} attribute")),
    }
}

fn accuracy(p: Node) -> Result<f64, String> {
    let Some(text) = child_text(p, "hdop") else {
        return Ok(DEFAULT_ACCURACY_M);
    };
    let hdop = number("hdop", text)?;
    if hdop < 0.0 {
        Err(format!("hdop {hdop} is negative"))
    } else if hdop == 0.0 {
        // Loggers write 0 when the receiver gave no DOP; a 0 m radius would be a lie.
        Ok(DEFAULT_ACCURACY_M)
    } else {
        Ok(hdop * HDOP_TO_ACCURACY_M)
    }
}

/// GPX times are xsd:dateTime in UTC; most writers add `Z`, some write no offset at all.
fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    let t = DateTime::parse_from_rfc3339(text)
        .map(|t| t.to_utc())
        .or_else(|_| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").map(|t| t.and_utc())
        })
        .map_err(|_| format!("time {} is not an ISO 8601 date and time", shown(text)))?;
    if t.timestamp() < EARLIEST_PLAUSIBLE_UNIX_S {
        return Err(format!(
            "time {text} is before {EARLIEST_PLAUSIBLE_TIME}: the logger's clock was wrong"
        ));
    }
    Ok(t)
}

fn number(name: &str, text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("{name} {} is not a number", shown(text)))
}

/// A value quoted for a reason, cut short if long.
fn shown(text: &str) -> String {
    let mut cut: String = text.chars().take(MAX_SHOWN_CHARS).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    format!("{cut:?}")
}

/// Child elements of `parent` with this local name.
fn elements<'a, 'i: 'a>(
    parent: Node<'a, 'i>,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    parent
        .children()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

/// Trimmed text of the first child element with this local name; empty counts as absent.
fn child_text<'a>(parent: Node<'a, '_>, name: &'static str) -> Option<&'a str> {
    let text = elements(parent, name).next()?.text()?.trim();
    (!text.is_empty()).then_some(text)
}

/// Trimmed text of the first element inside `<extensions>` with one of these local names,
/// whatever its namespace prefix.
fn extension_text<'a>(p: Node<'a, '_>, names: &[&str]) -> Option<&'a str> {
    elements(p, "extensions")
        .flat_map(|ext| ext.descendants())
        .filter(|n| n.is_element() && names.contains(&n.tag_name().name()))
        .filter_map(|n| n.text().map(str::trim))
        .find(|t| !t.is_empty())
}
