//! What the feed says of a batch, decided from rows built here (no database).

use chrono::{DateTime, Utc};
use terreno_shared::geofence::Verdict;
use terreno_shared::ids::{OrgId, TeamId};
use uuid::Uuid;

use super::*;

const ALLOWED: &str =
    r#"{"verdict":"allowed","distance_m":3.0,"accuracy_m":5.0,"fixes_used":4,"dwell_secs":60.0}"#;
const REFUSED: &str = r#"{"verdict":"refused","reasons":[{"reason":"mock_provider"}]}"#;

fn signal() -> Signal {
    Signal {
        origin: Uuid::from_u128(1),
        device: "dev-1".into(),
        first: 1,
        last: 9,
        fixes: true,
    }
}

fn owner(team: Option<TeamId>) -> DeviceOwner {
    DeviceOwner {
        username: "ana".into(),
        display_name: "Ana Pérez".into(),
        org: OrgId::from_uuid(Uuid::from_u128(2)),
        team,
    }
}

fn verdict(json: &str) -> Verdict {
    serde_json::from_str(json).expect("a verdict")
}

fn position(battery: f64) -> Position {
    Position {
        device: "dev-1".into(),
        username: "ana".into(),
        lat: 4.6,
        lon: -74.1,
        accuracy_m: 5.0,
        battery: Some(battery),
        charging: Some(false),
        t: Utc::now(),
        last_seen: Utc::now(),
    }
}

fn checkin(visit: &str, server: &str, allowed: bool) -> BatchCheckIn {
    BatchCheckIn {
        visit_id: visit.into(),
        account_id: "acc-1".into(),
        at: DateTime::from_timestamp_millis(1_700_000_000_000).expect("a time"),
        device_verdict: verdict(ALLOWED),
        server_verdict: verdict(server),
        server_allowed: allowed,
        flagged: !allowed,
    }
}

fn kinds(frames: &[Scoped]) -> Vec<&'static str> {
    frames
        .iter()
        .map(|f| match &f.event {
            LiveEvent::Snapshot { .. } => "snapshot",
            LiveEvent::Position(_) => "position",
            LiveEvent::CheckIn(_) => "check_in",
            LiveEvent::CheckInRefused(_) => "check_in_refused",
            LiveEvent::VisitCompleted { .. } => "visit_completed",
            LiveEvent::DeviceOffline { .. } => "device_offline",
            LiveEvent::LowBattery { .. } => "low_battery",
        })
        .collect()
}

#[test]
// Long: one batch with every kind of frame, and an assertion on each.
fn a_low_battery_crossing_comes_before_its_position_then_check_ins_then_completions() {
    let team = TeamId::from_uuid(Uuid::from_u128(3));
    let completed = CompletedVisit {
        id: "visit-1".into(),
        account_id: "acc-1".into(),
        debtor_name: "Debtor".into(),
        outcome: "paid".into(),
        completed_at: DateTime::from_timestamp_millis(1_700_000_100_000).expect("a time"),
        submission: serde_json::json!({"outcome": "paid"}),
    };

    let out = frames(
        &signal(),
        &owner(Some(team)),
        Some((position(0.1), true)),
        vec![
            checkin("visit-1", ALLOWED, true),
            checkin("visit-2", REFUSED, false),
        ],
        vec![completed],
    );

    assert_eq!(
        kinds(&out),
        [
            "low_battery",
            "position",
            "check_in",
            "check_in_refused",
            "visit_completed"
        ]
    );
    assert!(
        out.iter().all(|f| f.team == Some(team)),
        "scoped to the collector's team"
    );
    let LiveEvent::LowBattery {
        display_name,
        battery,
        ..
    } = &out[0].event
    else {
        unreachable!("checked above")
    };
    assert_eq!((display_name.as_str(), *battery), ("Ana Pérez", 0.1));
    let LiveEvent::CheckInRefused(refused) = &out[3].event else {
        unreachable!("checked above")
    };
    assert!(refused.flagged && refused.device_verdict.is_accepted());
    assert!(!refused.server_verdict.is_accepted());
    let LiveEvent::VisitCompleted {
        submission,
        outcome,
        ..
    } = &out[4].event
    else {
        unreachable!("checked above")
    };
    assert_eq!(
        (submission["outcome"].as_str(), outcome.as_str()),
        (Some("paid"), "paid")
    );
}

#[test]
fn a_position_without_a_crossing_is_sent_alone() {
    let quiet = frames(
        &signal(),
        &owner(None),
        Some((position(0.9), false)),
        vec![],
        vec![],
    );

    assert_eq!(kinds(&quiet), ["position"]);
    assert_eq!(quiet[0].team, None);
}
