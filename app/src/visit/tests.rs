//! Visit-flow tests on an in-memory store: the rules' verdicts, what is recorded, and what is
//! refused.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;
use terreno_shared::ids::VisitId;
use terreno_shared::model::{Fix, GeoPoint, VisitStatus};
use terreno_shared::track::TrackPolicy;

use crate::Error;
use crate::gps::recorder::record;
use crate::store::test_support::with_route;
use crate::store::{Store, fixes, log};
use crate::visit::{answer, checkin, route};

pub(super) fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("a time")
        .with_timezone(&Utc)
}

/// Two minutes standing at CL-1's door (or `offset_m` metres north of it), ending at `end`.
pub(super) fn stand(store: &mut Store, end: DateTime<Utc>, offset_m: f64, mock: bool) {
    let p = GeoPoint::parse(4.598056 + offset_m / 111_320.0, -74.075833).expect("a point");
    let batch: Vec<Fix> = (0..24)
        .map(|i| {
            Fix::new(end - TimeDelta::seconds(5 * (23 - i)), p, 6.0)
                .expect("a fix")
                .with_mock(mock)
        })
        .collect();
    fixes::start_shift(&store.conn, (end - TimeDelta::hours(1)).timestamp_millis()).ok();
    record(store, &batch, &TrackPolicy::default(), end).expect("recording");
}

pub(super) fn visit_id() -> VisitId {
    VisitId::from_uuid(uuid::Uuid::now_v7())
}

pub(super) fn refusal<T: std::fmt::Debug>(r: crate::Result<T>) -> (String, serde_json::Value) {
    match r {
        Err(Error::Refused { message, details }) => (message, details),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

// Tuesday 24 November 2026, 10:00 in Bogotá.
pub(super) const MORNING: &str = "2026-11-24T15:00:00Z";

#[test]
fn a_check_in_at_the_door_is_allowed_and_starts_the_visit() {
    let mut store = with_route("collector", Some("08:00-12:00"));
    stand(&mut store, t(MORNING), 0.0, false);
    let c = checkin::check_in(&mut store, "CL-1", t(MORNING), visit_id(), None).expect("allowed");
    assert!(c.verdict.is_accepted());
    let info = answer::info(&store, "CL-1").expect("the visit");
    assert_eq!(info.status, VisitStatus::InProgress);
}

#[test]
fn a_check_in_outside_the_debtors_window_is_refused_with_the_next_moment_and_not_recorded() {
    let mut store = with_route("collector", Some("14:00-18:00"));
    stand(&mut store, t(MORNING), 0.0, false);
    let before = log::pending_count(&store.conn).expect("pending");
    let (message, details) = refusal(checkin::check_in(
        &mut store,
        "CL-1",
        t(MORNING),
        visit_id(),
        None,
    ));
    assert!(message.contains("14:00-18:00"), "{message}");
    assert_eq!(
        details["contact"]["next_allowed"],
        json!("2026-11-24T19:00:00Z"),
        "14:00 Bogotá"
    );
    assert_eq!(
        log::pending_count(&store.conn).expect("pending"),
        before,
        "no contact, no record"
    );
}

#[test]
fn a_check_in_from_afar_or_a_mock_app_is_refused_but_recorded_as_evidence() {
    let mut store = with_route("collector", None);
    stand(&mut store, t(MORNING), 400.0, false);
    let (message, details) = refusal(checkin::check_in(
        &mut store,
        "CL-1",
        t(MORNING),
        visit_id(),
        None,
    ));
    assert!(message.contains("too far"), "{message}");
    assert_eq!(details["verdict"]["verdict"], "refused");
    let seq = details["seq"]
        .as_u64()
        .expect("the recorded attempt's event");
    let kind: String = store
        .conn
        .query_row(
            "select kind from events where seq = ?1",
            [seq as i64],
            |r| r.get(0),
        )
        .expect("the event");
    assert_eq!(kind, "check_in");

    let later = t(MORNING) + TimeDelta::minutes(10);
    stand(&mut store, later, 0.0, true);
    let (message, _) = refusal(checkin::check_in(
        &mut store,
        "CL-1",
        later,
        visit_id(),
        None,
    ));
    assert!(message.contains("mock"), "{message}");
    assert_eq!(
        answer::info(&store, "CL-1").expect("the visit").status,
        VisitStatus::Planned,
        "refusals do not start it"
    );
}

#[test]
fn the_days_route_lists_each_stop_once_with_its_state_and_distance() {
    let mut store = with_route("collector", Some("14:00-18:00"));
    stand(&mut store, t(MORNING), 150.0, false);
    let stops = route::route(
        &store,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date"),
        t(MORNING),
    )
    .expect("the route");
    assert_eq!(stops.len(), 1);
    let s = &stops[0];
    assert_eq!((s.external_id.as_str(), s.status), ("CL-1", "planned"));
    assert!(
        (s.distance_m.expect("a distance") - 150.0).abs() < 2.0,
        "{:?}",
        s.distance_m
    );
    assert_eq!(
        s.eta,
        Some(t("2026-11-24T19:00:00Z")),
        "planned for when the window opens"
    );
    assert_eq!(
        (s.balance.as_str(), s.bucket.as_str()),
        ("1500000.00 COP", "91-180")
    );
}

#[test]
fn a_debtor_without_a_location_gets_a_location_capture_from_the_dwell() {
    let mut store = with_route("collector", None);
    let mut change = crate::store::test_support::account_change(2, None);
    let terreno_shared::api::v1::sync::Change::Upsert {
        record: terreno_shared::api::v1::sync::Record::Account(a),
        ..
    } = &mut change
    else {
        panic!("an account upsert: {change:?}");
    };
    (a.lat, a.lon) = (None, None);
    crate::store::mirror::apply_page(
        &mut store.conn,
        &[change],
        crate::store::mirror::PageCursor::Feed("c2"),
        0,
    )
    .expect("an account without a location");
    stand(&mut store, t(MORNING), 0.0, false);
    let c = checkin::check_in(&mut store, "CL-1", t(MORNING), visit_id(), None).expect("accepted");
    match c.verdict {
        terreno_shared::geofence::Verdict::LocationCapture {
            proposed,
            fixes_used,
            ..
        } => {
            assert!(
                (proposed.lat() - 4.598056).abs() < 1e-5 && fixes_used >= 2,
                "{proposed:?}"
            );
        }
        other => panic!("expected a location capture, got {other:?}"),
    }
    assert_eq!(
        answer::info(&store, "CL-1").expect("the visit").status,
        VisitStatus::InProgress
    );
}
