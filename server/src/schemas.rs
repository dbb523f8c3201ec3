//! Schemas, for the OpenAPI document, of the GeoJSON the exports write: the exports stream it as
//! text (`crate::export`), so there is no Rust type to derive them from. Every wire type with a
//! Rust type is described by that type (shared's derive under its feature `openapi`).
//! scripts/fuzz-api checks the server's answers against the document.

use std::collections::BTreeMap;

use utoipa::ToSchema;

/// A GeoJSON point, `[lon, lat]`.
#[derive(ToSchema)]
#[schema(as = GeoJsonPoint)]
pub struct GeoJsonPointDoc {
    /// `Point`.
    pub r#type: String,
    /// Longitude, latitude.
    pub coordinates: Vec<f64>,
}

/// One visit of the export: a point at the debtor's location (null when unknown) and the CSV's
/// columns as properties (null where empty).
#[derive(ToSchema)]
#[schema(as = VisitFeature)]
pub struct VisitFeatureDoc {
    /// `Feature`.
    pub r#type: String,
    /// The visit id.
    pub id: String,
    /// The debtor's location.
    pub geometry: Option<GeoJsonPointDoc>,
    /// The CSV's columns by name.
    pub properties: BTreeMap<String, Option<String>>,
}

/// The visits export (`application/geo+json`).
#[derive(ToSchema)]
#[schema(as = VisitFeatureCollection)]
pub struct VisitFeatureCollectionDoc {
    /// `FeatureCollection`.
    pub r#type: String,
    /// One per visit, oldest first.
    pub features: Vec<VisitFeatureDoc>,
}

/// A GeoJSON line, `[[lon, lat], ...]` in time order.
#[derive(ToSchema)]
#[schema(as = GeoJsonLineString)]
pub struct GeoJsonLineStringDoc {
    /// `LineString`.
    pub r#type: String,
    /// Longitude, latitude pairs.
    pub coordinates: Vec<Vec<f64>>,
}

/// Whose track it is and when each point was fixed.
#[derive(ToSchema)]
#[schema(as = TrackProperties)]
pub struct TrackPropertiesDoc {
    /// The collector's login.
    pub collector: String,
    /// Their display name.
    pub display_name: String,
    /// The local day.
    #[schema(format = Date)]
    pub date: String,
    /// The time of each point (RFC 3339, UTC), in the line's order.
    pub times: Vec<String>,
}

/// One collector's track of the day.
#[derive(ToSchema)]
#[schema(as = TrackFeature)]
pub struct TrackFeatureDoc {
    /// `Feature`.
    pub r#type: String,
    /// The track.
    pub geometry: GeoJsonLineStringDoc,
    /// Whose and when.
    pub properties: TrackPropertiesDoc,
}

/// The tracks export (`application/geo+json`).
#[derive(ToSchema)]
#[schema(as = TrackFeatureCollection)]
pub struct TrackFeatureCollectionDoc {
    /// `FeatureCollection`.
    pub r#type: String,
    /// One per collector with fixes.
    pub features: Vec<TrackFeatureDoc>,
}
