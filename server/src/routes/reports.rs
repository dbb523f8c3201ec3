//! `GET /api/v1/reports/...`: the dashboard's reports, within the caller's scope (the visits
//! list's rules), over a range of the organization's local days. Contact rate: visits and
//! contacts by local weekday and hour of completion (when are debtors reached). Promises: made,
//! kept, broken and pending, with amounts, by delinquency bucket.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use terreno_shared::api::ErrorBody;
use utoipa::{IntoParams, OpenApi};

use super::exports::day_range;
use crate::db::now_ms;
use crate::db::reports::{ContactCell, ContactRate, PromiseRow, Promises};
use crate::db::visit_reports::{CollectorDays, ReasonCount, RefusalReasons, VisitsPerCollector};
use crate::error::{ApiError, ApiResult};
use crate::export::report_xlsx::{self, Table};
use crate::extract::AuthUser;
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new()
        .route("/api/v1/reports/contact-rate", get(contact_rate))
        .route("/api/v1/reports/promises", get(promises))
        .route(
            "/api/v1/reports/visits-per-collector",
            get(visits_per_collector),
        )
        .route("/api/v1/reports/refusal-reasons", get(refusal_reasons))
}

#[derive(OpenApi)]
#[openapi(
    paths(contact_rate, promises, visits_per_collector, refusal_reasons),
    components(schemas(
        ContactRate,
        ContactCell,
        Promises,
        PromiseRow,
        VisitsPerCollector,
        CollectorDays,
        RefusalReasons,
        ReasonCount
    ))
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
    /// `json` (the default; also when empty) or `xlsx`: the table as an Excel workbook.
    #[param(value_type = Option<ReportFormatDoc>, inline)]
    format: Option<String>,
}

/// What a report is answered as.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Documents `format`; the handler reads it as text.
enum ReportFormatDoc {
    /// JSON (the default).
    #[schema(rename = "json")]
    Json,
    /// An Excel workbook.
    #[schema(rename = "xlsx")]
    Xlsx,
    /// Empty, as an HTML form sends it: JSON.
    #[schema(rename = "")]
    Empty,
}

impl RangeQuery {
    /// The days, and whether the caller asked for a workbook.
    fn read(&self, doing: &str) -> ApiResult<((NaiveDate, NaiveDate), bool)> {
        let days = day_range(doing, &self.from, &self.to)?;
        let xlsx = match self.format.as_deref() {
            None | Some("") | Some("json") => false,
            Some("xlsx") => true,
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "{doing}: format {other:?} is neither json nor xlsx"
                )));
            }
        };
        Ok((days, xlsx))
    }
}

/// The report as JSON, or as a workbook named `{name}_{from}_{to}.xlsx`.
fn answer<T: Serialize>(
    report: T,
    xlsx: bool,
    table: fn(&T) -> Table,
    name: &str,
    (from, to): (NaiveDate, NaiveDate),
) -> ApiResult<Response> {
    if !xlsx {
        return Ok(Json(report).into_response());
    }
    let bytes = table(&report).to_xlsx()?;
    let disposition = format!("attachment; filename=\"{name}_{from}_{to}.xlsx\"");
    Ok((
        [
            (header::CONTENT_TYPE, XLSX.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Visits with an outcome and contacts (someone reached: paid, promise to pay, contacted, third
/// party, refused — the shared rule) by the organization's local weekday (Monday first) and
/// hour of completion.
#[utoipa::path(get, path = "/api/v1/reports/contact-rate", tag = "reports",
    params(RangeQuery),
    responses((status = 200, description = "7 x 24 cells (or the workbook with `format=xlsx`)",
            content((ContactRate = "application/json"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "`bad_request`: a day that cannot be read, or a range \
            backwards or over a year", body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn contact_rate(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Query(q): Query<RangeQuery>,
) -> ApiResult<Response> {
    let ((from, to), xlsx) = q.read("reading the contact rate")?;
    let (tz, range) = state.db.exports().range(&who, from, to).await?;
    let report = state.db.reports().contact_rate(&who, tz, range).await?;
    answer(
        report,
        xlsx,
        report_xlsx::contact_rate,
        "contact_rate",
        (from, to),
    )
}

/// Promises made in the range, by the account's delinquency bucket (its days past due now) and
/// currency: made, kept (a visit recorded a payment by the promised date), broken (none, and the
/// date has passed) and pending, with amounts in minor units.
#[utoipa::path(get, path = "/api/v1/reports/promises", tag = "reports", params(RangeQuery),
    responses((status = 200, description = "one row per bucket and currency (or the workbook \
            with `format=xlsx`)", content((Promises = "application/json"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "`bad_request`: see contact-rate", body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn promises(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Query(q): Query<RangeQuery>,
) -> ApiResult<Response> {
    let ((from, to), xlsx) = q.read("reading promises")?;
    let (tz, range) = state.db.exports().range(&who, from, to).await?;
    let report = state
        .db
        .reports()
        .promises(&who, tz, range, now_ms())
        .await?;
    answer(report, xlsx, report_xlsx::promises, "promises", (from, to))
}

/// Submitted visits by the collector who made them and the organization's local day of
/// completion, with each day's and the range's totals.
#[utoipa::path(get, path = "/api/v1/reports/visits-per-collector", tag = "reports",
    params(RangeQuery),
    responses((status = 200, description = "collectors by days (or the workbook with \
            `format=xlsx`)", content((VisitsPerCollector = "application/json"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "`bad_request`: see contact-rate", body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn visits_per_collector(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Query(q): Query<RangeQuery>,
) -> ApiResult<Response> {
    let ((from, to), xlsx) = q.read("reading visits per collector")?;
    let (tz, range) = state.db.exports().range(&who, from, to).await?;
    let report = state
        .db
        .reports()
        .visits_per_collector(&who, tz, (from, to), range)
        .await?;
    let table = report_xlsx::visits_per_collector;
    answer(report, xlsx, table, "visits_per_collector", (from, to))
}

/// Check-ins the server refused in the range, counted per reason of its verdict (a refusal
/// with two reasons counts for both), most frequent first.
#[utoipa::path(get, path = "/api/v1/reports/refusal-reasons", tag = "reports",
    params(RangeQuery),
    responses((status = 200, description = "reasons with counts (or the workbook with \
            `format=xlsx`)", content((RefusalReasons = "application/json"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "`bad_request`: see contact-rate", body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn refusal_reasons(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Query(q): Query<RangeQuery>,
) -> ApiResult<Response> {
    let ((from, to), xlsx) = q.read("reading refusal reasons")?;
    let (_, range) = state.db.exports().range(&who, from, to).await?;
    let report = state.db.reports().refusal_reasons(&who, range).await?;
    answer(
        report,
        xlsx,
        report_xlsx::refusal_reasons,
        "refusal_reasons",
        (from, to),
    )
}
