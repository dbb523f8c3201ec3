//! `GET /api/v1/visits`: the visits the caller may see (the shared scope: an admin the
//! organization, a supervisor the team, a collector their own), newest first, filtered and paged
//! for the dashboard's list. One visit is `GET /api/v1/visits/{id}` in [`super::reads`].

use axum::Json;
use axum::extract::{Query, State};
use axum::routing::get;
use chrono::NaiveDate;
use serde::Deserialize;
use terreno_shared::api::ErrorBody;
use terreno_shared::model::DelinquencyBucket;
use utoipa::{IntoParams, OpenApi};

use crate::db::visit_list::{MAX_LIMIT, VisitCursor, VisitFilter, VisitPage, VisitSummary};
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::state::AppState;

/// The review states the list filters by.
const REVIEW_STATES: [&str; 3] = ["pending", "approved", "rejected"];

/// Page size when the caller names none.
const DEFAULT_LIMIT: u32 = 50;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new().route("/api/v1/visits", get(list))
}

#[derive(OpenApi)]
#[openapi(paths(list), components(schemas(VisitPage, VisitSummary)))]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// The list's filters, all optional.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// The organization's local day (YYYY-MM-DD) the visit was completed, or created if open.
    date: Option<String>,
    /// Username of the collector who made the visit.
    collector: Option<String>,
    /// Outcome (`paid`, `promise_to_pay`, `refused`, ...).
    outcome: Option<String>,
    /// planned, in_progress, done, not_done, cancelled.
    status: Option<String>,
    /// Review state: pending (completed, not reviewed), approved, rejected.
    review: Option<String>,
    /// Team name of the visit's owner (the account's collector).
    team: Option<String>,
    /// Delinquency bucket of the account (`d0_30`, `d31_60`, `d61_90`, `d91_180`,
    /// `d181_360`, `d361_plus`).
    bucket: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Visits the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/visits", tag = "visits", params(ListQuery),
    responses((status = 200, description = "a page of visits", body = VisitPage),
        (status = 400, description = "`bad_request`: a filter that cannot be read \
            (date, limit, cursor)", body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Query(query): Query<ListQuery>,
) -> ApiResult<Json<VisitPage>> {
    let filter = filter(query)?;
    Ok(Json(state.db.visits().list(&who, &filter).await?))
}

/// Reads the query; empty parameters count as absent (an HTML form sends them so).
fn filter(q: ListQuery) -> ApiResult<VisitFilter> {
    let given = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let date = match given(q.date) {
        Some(d) => Some(NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| {
            ApiError::bad_request(format!("listing visits: date {d:?} is not YYYY-MM-DD"))
        })?),
        None => None,
    };
    let review = given(q.review);
    if let Some(r) = review.as_deref()
        && !REVIEW_STATES.contains(&r)
    {
        return Err(ApiError::bad_request(format!(
            "listing visits: review {r:?} is not one of {}",
            REVIEW_STATES.join(", ")
        )));
    }
    let bucket = match given(q.bucket) {
        Some(b) => Some(
            DelinquencyBucket::ALL
                .into_iter()
                .find(|k| k.as_str() == b)
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "listing visits: bucket {b:?} is not one of d0_30, d31_60, d61_90, \
                         d91_180, d181_360, d361_plus"
                    ))
                })?,
        ),
        None => None,
    };
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "listing visits: limit {limit} is outside 1..={MAX_LIMIT}"
        )));
    }
    let cursor = match given(q.cursor) {
        Some(c) => Some(VisitCursor::parse(&c).ok_or_else(|| {
            ApiError::bad_request(format!(
                "listing visits: cursor {c:?} is not one this server gave"
            ))
        })?),
        None => None,
    };
    Ok(VisitFilter {
        date,
        collector: given(q.collector),
        outcome: given(q.outcome),
        status: given(q.status),
        review,
        team: given(q.team),
        bucket,
        limit,
        cursor,
    })
}
