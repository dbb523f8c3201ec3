//! `GET /api/v1/reports/...`: the dashboard's reports, within the caller's scope (the visits
//! list's rules), over a range of the organization's local days. Contact rate: visits and
//! contacts by local weekday and hour of completion (when are debtors reached). Promises: made,
//! kept, broken and pending, with amounts, by delinquency bucket.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use super::auth::ErrorBodyDoc;
use super::exports::day_range;
use crate::db::now_ms;
use crate::db::reports::{ContactCell, ContactRate, PromiseRow, Promises};
use crate::error::ApiResult;
use crate::extract::AuthUser;
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports/contact-rate", get(contact_rate))
        .route("/api/v1/reports/promises", get(promises))
}

#[derive(OpenApi)]
#[openapi(
    paths(contact_rate, promises),
    components(schemas(ContactRate, ContactCell, Promises, PromiseRow))
)]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// The days a report covers, both included.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// First local day (YYYY-MM-DD).
    from: String,
    /// Last local day (YYYY-MM-DD), at most 366 days after `from`.
    to: String,
}

/// Visits with an outcome and contacts (someone reached: paid, promise to pay, contacted, third
/// party, refused — the shared rule) by the organization's local weekday (Monday first) and
/// hour of completion.
#[utoipa::path(get, path = "/api/v1/reports/contact-rate", tag = "reports",
    params(RangeQuery),
    responses((status = 200, description = "7 x 24 cells", body = ContactRate),
        (status = 400, description = "`bad_request`: a day that cannot be read, or a range \
            backwards or over a year", body = ErrorBodyDoc),
        (status = 401, description = "not logged in", body = ErrorBodyDoc)),
    security(("bearer" = [])))]
pub async fn contact_rate(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Query(q): Query<RangeQuery>,
) -> ApiResult<Json<ContactRate>> {
    let (from, to) = day_range("reading the contact rate", &q.from, &q.to)?;
    let (tz, range) = state.db.export_range(&who, from, to).await?;
    Ok(Json(state.db.contact_rate(&who, tz, range).await?))
}

/// Promises made in the range, by the account's delinquency bucket (its days past due now) and
/// currency: made, kept (a visit recorded a payment by the promised date), broken (none, and the
/// date has passed) and pending, with amounts in minor units.
#[utoipa::path(get, path = "/api/v1/reports/promises", tag = "reports", params(RangeQuery),
    responses((status = 200, description = "one row per bucket and currency", body = Promises),
        (status = 400, description = "`bad_request`: see contact-rate", body = ErrorBodyDoc),
        (status = 401, description = "not logged in", body = ErrorBodyDoc)),
    security(("bearer" = [])))]
pub async fn promises(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Query(q): Query<RangeQuery>,
) -> ApiResult<Json<Promises>> {
    let (from, to) = day_range("reading promises", &q.from, &q.to)?;
    let (tz, range) = state.db.export_range(&who, from, to).await?;
    Ok(Json(state.db.promises(&who, tz, range, now_ms()).await?))
}
