//! GeoJSON lookup files as ODK Collect reads them: a `FeatureCollection` whose features become
//! items. Each item has `geometry` as ODK geo text (`Point` a geopoint `lat lon alt 0`,
//! `LineString` a geotrace, `Polygon` its outer ring as a geoshape; points joined by `;`), `id`
//! from the feature's `id` (else its `id` property), and one column per property (text as is,
//! numbers and booleans as written, `null` empty, objects and arrays as JSON). The choice value
//! is `id` and the label `title`, as in `select_one_from_file places.geojson`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{MAX_COLUMNS, MediaError, line_number, row_choice};
use crate::form::xlsform::Choice;

/// The rows of GeoJSON `bytes` (of file `file`); a row's `row` is its feature's position.
pub(super) fn rows(file: &str, bytes: &[u8]) -> Result<Vec<Choice>, MediaError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| {
        MediaError::new(file, Some(line_number(e.line())), format!("not JSON: {e}"))
    })?;
    if doc["type"] != "FeatureCollection" {
        return Err(MediaError::new(
            file,
            None,
            "not a GeoJSON FeatureCollection",
        ));
    }
    let Some(features) = doc["features"].as_array() else {
        return Err(MediaError::new(
            file,
            None,
            "the FeatureCollection has no features list",
        ));
    };
    features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let n = line_number(i + 1);
            feature(f)
                .map(|columns| row_choice(n, columns, "id", "title"))
                .map_err(|m| MediaError::new(file, None, format!("feature {n}: {m}")))
        })
        .collect()
}

fn feature(f: &Value) -> Result<BTreeMap<String, String>, String> {
    if f["type"] != "Feature" {
        return Err("not a Feature".into());
    }
    let mut columns = BTreeMap::new();
    if let Some(properties) = f["properties"].as_object() {
        if properties.len() >= MAX_COLUMNS {
            return Err(format!("more than {MAX_COLUMNS} properties"));
        }
        for (key, value) in properties {
            columns.insert(key.clone(), text(value));
        }
    }
    match &f["id"] {
        Value::Null => {}
        id => {
            columns.insert("id".to_owned(), text(id));
        }
    }
    columns.insert("geometry".to_owned(), geometry(&f["geometry"])?);
    Ok(columns)
}

fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// ODK geo text of a geometry.
fn geometry(g: &Value) -> Result<String, String> {
    let coordinates = &g["coordinates"];
    match g["type"].as_str() {
        Some("Point") => point(coordinates),
        Some("LineString") => points(coordinates),
        Some("Polygon") => points(&coordinates[0]),
        Some(other) => Err(format!(
            "{other} geometries are not read (Point, LineString and Polygon are)"
        )),
        None => Err("no geometry".into()),
    }
}

fn points(list: &Value) -> Result<String, String> {
    let Some(list) = list.as_array().filter(|l| !l.is_empty()) else {
        return Err("coordinates are not a list of positions".into());
    };
    let texts: Result<Vec<String>, String> = list.iter().map(point).collect();
    Ok(texts?.join(";"))
}

/// `[lon, lat, alt?]` as `lat lon alt 0`.
fn point(position: &Value) -> Result<String, String> {
    let numbers: Option<Vec<f64>> = position
        .as_array()
        .and_then(|p| p.iter().map(Value::as_f64).collect());
    match numbers.as_deref() {
        Some([lon, lat]) => Ok(format!("{lat} {lon} 0 0")),
        Some([lon, lat, alt, ..]) => Ok(format!("{lat} {lon} {alt} 0")),
        _ => Err(format!(
            "{position} is not a position [longitude, latitude]"
        )),
    }
}
