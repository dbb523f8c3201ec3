//! A stop as the collector opens it: the debtor (name, address, phones, location, balance,
//! contact window) and the debtor's visits this device knows, newest first. Reads only.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use terreno_shared::api::v1::views::AccountView;
use terreno_shared::model::VisitStatus;

use crate::error::Result;
use crate::store::{Store, visits};
use crate::visit::Target;

/// A stop (or an unplanned debtor) with its history.
#[derive(Debug, Clone, Serialize)]
pub struct StopDetail {
    /// The stop, when the debtor is on a route.
    pub stop_id: Option<String>,
    /// The stop's planned date.
    pub planned_date: Option<NaiveDate>,
    /// The debtor's account as the device holds it.
    pub account: AccountView,
    /// Visits to this account, newest first.
    pub visits: Vec<PastVisit>,
}

/// One visit of a debtor's history.
#[derive(Debug, Clone, Serialize)]
pub struct PastVisit {
    /// The visit.
    pub visit_id: String,
    /// Its status.
    pub status: VisitStatus,
    /// The outcome, once completed.
    pub outcome: Option<String>,
    /// When the collector checked in.
    pub checked_in_at: Option<DateTime<Utc>>,
    /// When it was completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// The server refused a check-in the device allowed.
    pub flagged: bool,
}

pub(crate) fn detail(store: &Store, name: &str) -> Result<StopDetail> {
    let target = Target::resolve(&store.conn, name)?;
    let mut history: Vec<PastVisit> =
        visits::of_accounts(&store.conn, &[target.account.id.to_string()])?
            .into_iter()
            .map(|v| PastVisit {
                visit_id: v.id,
                status: v.status,
                outcome: v.outcome,
                checked_in_at: v.checked_in_ms.and_then(DateTime::from_timestamp_millis),
                completed_at: v.completed_ms.and_then(DateTime::from_timestamp_millis),
                flagged: v.flagged,
            })
            .collect();
    history.sort_by_key(|v| std::cmp::Reverse(v.checked_in_at.or(v.completed_at)));
    Ok(StopDetail {
        stop_id: target.stop.as_ref().map(|s| s.id.to_string()),
        planned_date: target.stop.as_ref().map(|s| s.planned_date),
        account: target.account,
        visits: history,
    })
}
