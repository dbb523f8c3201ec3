//! Questionnaires as devices receive them through the pull feed (organization-wide changes).
//!
//! - [`EntityType::Form`](super::sync::EntityType::Form), `entity_id` the version's [`FormId`],
//!   a [`FormVersion`]: one imported form version; versions never change once stored.
//!   Its media files are listed in [`FormVersion::media`] and downloaded apart.
//! - [`EntityType::VisitForm`](super::sync::EntityType::VisitForm), `entity_id`
//!   [`VISIT_FORM_ID`], a [`VisitForm`]:
//!   the version new visits are filled with. A visit that already has answers keeps the version
//!   it started with (its submission names it in [`crate::model::submission::FormRef`]).

use serde::{Deserialize, Serialize};

use crate::form::xlsform::Form;
use crate::ids::FormId;

/// `entity_id` of the (single) visit form change.
pub const VISIT_FORM_ID: &str = "current";

/// One stored version of a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormVersion {
    /// The version's id (what a submission's `FormRef` names).
    pub id: FormId,
    /// The XLSForm `form_id` (settings sheet, else the file name).
    pub form_id: String,
    /// The settings sheet's `version`; empty when it has none.
    pub version: String,
    /// `form_title`, else the form id.
    pub title: String,
    /// When it was imported, Unix milliseconds.
    pub created_ms: i64,
    /// The validated form.
    pub definition: Form,
    /// Its media files (lookup tables, images): the device downloads each it lacks from
    /// `GET /api/v1/forms/versions/{id}/media/{name}` and keeps it by `sha256`. Absent in
    /// versions stored before forms had media.
    #[serde(default)]
    pub media: Vec<FormMediaFile>,
}

/// One media file of a form version, as listed with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormMediaFile {
    /// The file name the form references (`fruits.csv`).
    pub name: String,
    /// Its media type (`text/csv`).
    pub media_type: String,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// Which form version the organization's new visits are filled with.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitForm {
    /// The version's id.
    pub id: FormId,
}
