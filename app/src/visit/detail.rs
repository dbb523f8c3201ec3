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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::with_route;
    use crate::visit::checkin;
    use crate::visit::tests::{MORNING, stand, t, visit_id};

    #[test]
    fn a_stop_shows_its_debtor_and_each_visit_newest_first() {
        let mut store = with_route("collector", Some("08:00-12:00"));
        let before = detail(&store, "CL-1").expect("the stop");
        assert_eq!(before.account.external_id, "CL-1");
        assert!(before.stop_id.is_some() && before.visits.is_empty());

        stand(&mut store, t(MORNING), 0.0, false);
        checkin::check_in(&mut store, "CL-1", t(MORNING), visit_id(), None).expect("allowed");
        let after = detail(&store, "CL-1").expect("the stop");
        assert_eq!(after.visits.len(), 1);
        assert_eq!(after.visits[0].status, VisitStatus::InProgress);
        assert_eq!(after.visits[0].checked_in_at, Some(t(MORNING)));
        assert!(matches!(
            detail(&store, "CL-404"),
            Err(crate::Error::NotFound(_))
        ));
    }
}
