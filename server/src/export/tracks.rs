//! Collectors' tracks of a local day: GPX 1.1 (one `trk` per collector, every fix a `trkpt` with
//! its UTC time) or a GeoJSON FeatureCollection (one LineString per collector, the fix times in
//! `properties.times`). Every stored fix is written, unfiltered: an export is the record, not
//! the map's simplified drawing.

use serde_json::json;

use super::{Sink, utc_time};
use crate::db::Db;
use crate::db::exports::{FixKey, PAGE_ROWS, TrackOwner};
use crate::db::sessions::Session;

/// How the tracks are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackFormat {
    /// GPX 1.1.
    Gpx,
    /// A GeoJSON FeatureCollection.
    GeoJson,
}

/// What to export: whose and when.
#[derive(Debug, Clone)]
pub struct TrackRequest {
    /// The caller.
    pub who: Session,
    /// One collector's login name, or everyone the caller may see.
    pub collector: Option<String>,
    /// The local day's instants.
    pub range: (i64, i64),
    /// The local day, for names.
    pub date: chrono::NaiveDate,
}

/// Writes the tracks of `req`, then finishes `sink`.
pub async fn write(
    db: Db,
    req: TrackRequest,
    format: TrackFormat,
    mut sink: Sink,
) -> anyhow::Result<()> {
    let owners = db
        .exports()
        .track_owners(&req.who, req.range, req.collector.as_deref())
        .await?;
    sink.write(match format {
        TrackFormat::Gpx => concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            "\n",
            r#"<gpx version="1.1" creator="Terreno" xmlns="http://www.topografix.com/GPX/1/1">"#,
            "\n"
        )
        .as_bytes(),
        TrackFormat::GeoJson => br#"{"type":"FeatureCollection","features":["#,
    })
    .await?;
    for (i, owner) in owners.iter().enumerate() {
        write_track(&db, &req, owner, format, i == 0, &mut sink).await?;
    }
    sink.write(match format {
        TrackFormat::Gpx => b"</gpx>\n".as_slice(),
        TrackFormat::GeoJson => b"]}".as_slice(),
    })
    .await?;
    sink.finish();
    Ok(())
}

// Long: one track streamed page by page in the chosen format.
async fn write_track(
    db: &Db,
    req: &TrackRequest,
    owner: &TrackOwner,
    format: TrackFormat,
    is_first: bool,
    sink: &mut Sink,
) -> anyhow::Result<()> {
    let name = format!("{} {}", owner.username, req.date);
    let mut times = Vec::new();
    sink.write(
        match format {
            TrackFormat::Gpx => format!("<trk><name>{}</name><trkseg>\n", xml(&name)),
            TrackFormat::GeoJson => format!(
                r#"{}{{"type":"Feature","geometry":{{"type":"LineString","coordinates":["#,
                if is_first { "" } else { "," }
            ),
        }
        .as_bytes(),
    )
    .await?;
    let mut after: Option<FixKey> = None;
    loop {
        let page = db
            .exports()
            .fixes_page(&owner.id, req.range, after.as_ref())
            .await?;
        let mut out = String::new();
        for f in &page {
            match format {
                TrackFormat::Gpx => out.push_str(&format!(
                    "<trkpt lat=\"{}\" lon=\"{}\"><time>{}</time></trkpt>\n",
                    f.lat,
                    f.lon,
                    utc_time(f.t_ms)
                )),
                TrackFormat::GeoJson => {
                    let sep = if times.is_empty() { "" } else { "," };
                    out.push_str(&format!("{sep}[{},{}]", f.lon, f.lat));
                    times.push(utc_time(f.t_ms));
                }
            }
        }
        sink.write(out.as_bytes()).await?;
        match page.last() {
            Some(f) if page.len() == PAGE_ROWS as usize => {
                after = Some((f.t_ms, f.device_id.clone(), f.seq));
            }
            _ => break,
        }
    }
    let end = match format {
        TrackFormat::Gpx => "</trkseg></trk>\n".to_owned(),
        TrackFormat::GeoJson => {
            let properties = json!({
                "collector": owner.username,
                "display_name": owner.display_name,
                "date": req.date.to_string(),
                "times": times,
            });
            format!(r#"]}},"properties":{properties}}}"#)
        }
    };
    sink.write(end.as_bytes()).await
}

/// Text escaped for an XML element.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::xml;

    #[test]
    fn names_are_escaped_for_xml() {
        assert_eq!(xml("a<b>&c"), "a&lt;b&gt;&amp;c");
    }
}
