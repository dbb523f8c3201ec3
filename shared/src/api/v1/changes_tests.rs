//! Wire compatibility of pulled changes, both ways, on recorded JSON: what a server of the
//! untyped era sent reads as typed changes and is written back unchanged, and what this build
//! sends reads on a device of the untyped era (its `Change` struct is copied below).

use serde::Deserialize;
use serde_json::{Value, json};

use super::*;
use crate::api::v1::sync::PullResponse;

/// The device-side `Change` of builds before the typed feed, field for field.
#[derive(Debug, Deserialize)]
struct UntypedChange {
    entity_type: String,
    entity_id: String,
    op: UntypedOp,
    body: Value,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
enum UntypedOp {
    Upsert,
    Remove,
}

/// A pull page as the untyped server wrote it: one change of each entity type, removals, and
/// one change of an entity type no build knows yet.
const RECORDED_PAGE: &str = r#"{"changes":[
{"entity_type":"account","entity_id":"0190a0b0-0000-7000-8000-000000000001","op":"upsert","body":{"id":"0190a0b0-0000-7000-8000-000000000001","portfolio":"0190a0b0-0000-7000-8000-0000000000aa","portfolio_name":"Cartera 1","external_id":"A-1","person":null,"national_id":"1010","name":"Ana Pérez","address":"Calle 1 # 2-3","neighbourhood":"Centro","lat":4.6097,"lon":-74.0817,"phones":["3001234567"],"balance_minor":1250000,"currency":"COP","days_past_due":45,"bucket":"31-60","contact_window":"08:00-12:00","collector":"0190a0b0-0000-7000-8000-0000000000c1","version":3}},
{"entity_type":"stop","entity_id":"0190a0b0-0000-7000-8000-000000000002","op":"upsert","body":{"id":"0190a0b0-0000-7000-8000-000000000002","route":"0190a0b0-0000-7000-8000-0000000000bb","collector":"0190a0b0-0000-7000-8000-0000000000c1","route_date":"2026-03-02","account":"0190a0b0-0000-7000-8000-000000000001","planned_date":"2026-03-02","position":1}},
{"entity_type":"visit","entity_id":"0190a0b0-0000-7000-8000-000000000003","op":"upsert","body":{"id":"0190a0b0-0000-7000-8000-000000000003","account":"0190a0b0-0000-7000-8000-000000000001","collector":"0190a0b0-0000-7000-8000-0000000000c1","stop":"0190a0b0-0000-7000-8000-000000000002","status":"done","status_epoch":0,"status_hlc":116840767160320001,"outcome":"promise_to_pay","completed_at":"2026-03-02T15:04:05Z","flagged":false}},
{"entity_type":"field","entity_id":"0190a0b0-0000-7000-8000-000000000003/notes","op":"upsert","body":{"entity":"0190a0b0-0000-7000-8000-000000000003","field":"notes","value":"volver el lunes","hlc":116840767160320002,"device":"0190a0b0-0000-7000-8000-0000000000d1","seq":7}},
{"entity_type":"checkin","entity_id":"0190a0b0-0000-7000-8000-0000000000d1/5","op":"upsert","body":{"visit":"0190a0b0-0000-7000-8000-000000000003","account":"0190a0b0-0000-7000-8000-000000000001","at":"2026-03-02T14:00:00Z","device_verdict":{"verdict":"allowed","distance_m":12.5,"accuracy_m":8.0,"fixes_used":3,"dwell_secs":95.0},"server_verdict":{"verdict":"allowed","distance_m":12.5,"accuracy_m":8.0,"fixes_used":3,"dwell_secs":95.0},"flagged":false}},
{"entity_type":"attachment","entity_id":"0190a0b0-0000-7000-8000-000000000003/0190a0b0-0000-7000-8000-0000000000e1","op":"upsert","body":{"visit":"0190a0b0-0000-7000-8000-000000000003","attachment":"0190a0b0-0000-7000-8000-0000000000e1","sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","media_type":"image/jpeg","bytes":48213,"role":"photo","removed":false}},
{"entity_type":"visit_form","entity_id":"current","op":"upsert","body":{"id":"0190a0b0-0000-7000-8000-0000000000f1"}},
{"entity_type":"account","entity_id":"0190a0b0-0000-7000-8000-000000000009","op":"remove","body":null},
{"entity_type":"form","entity_id":"0190a0b0-0000-7000-8000-0000000000f0","op":"remove","body":null},
{"entity_type":"promise","entity_id":"0190a0b0-0000-7000-8000-000000000010","op":"upsert","body":{"amount_minor":500000,"due":"2026-03-09"}}
],"cursor":"1.0.42","more":false}"#;

fn recorded() -> PullResponse {
    serde_json::from_str(RECORDED_PAGE).expect("the recorded page decodes")
}

#[test]
fn a_recorded_page_reads_as_typed_changes_with_the_unknown_one_kept_aside() {
    let page = recorded();
    let kinds: Vec<&str> = page.changes.iter().map(Change::entity_type).collect();
    assert_eq!(
        kinds,
        [
            "account",
            "stop",
            "visit",
            "field",
            "checkin",
            "attachment",
            "visit_form",
            "account",
            "form",
            "promise"
        ]
    );
    let Change::Upsert {
        record: Record::Account(a),
        ..
    } = &page.changes[0]
    else {
        panic!(
            "the first change is an account upsert: {:?}",
            page.changes[0]
        );
    };
    assert_eq!((a.external_id.as_str(), a.version), ("A-1", 3));
    assert!(matches!(
        &page.changes[2],
        Change::Upsert {
            record: Record::Visit(v),
            ..
        } if v.status == crate::model::VisitStatus::Done
    ));
    assert_eq!(
        page.changes[7],
        Change::remove(EntityType::Account, "0190a0b0-0000-7000-8000-000000000009")
    );
    let Change::Unknown { raw, reason } = &page.changes[9] else {
        panic!("a promise is unknown to this build: {:?}", page.changes[9]);
    };
    assert_eq!(raw.body["amount_minor"], 500000);
    assert!(reason.contains("does not know the entity type"), "{reason}");
}

#[test]
fn a_recorded_page_is_written_back_exactly_as_it_came() {
    let original: Value = serde_json::from_str(RECORDED_PAGE).expect("recorded JSON");
    let written = serde_json::to_value(recorded()).expect("the page encodes");
    assert_eq!(written, original);
}

#[test]
fn a_device_of_the_untyped_era_reads_every_change_this_build_sends() {
    let sent = serde_json::to_string(&recorded().changes).expect("the changes encode");
    let read: Vec<UntypedChange> = serde_json::from_str(&sent).expect("an old device decodes");
    let original: Value = serde_json::from_str(RECORDED_PAGE).expect("recorded JSON");
    for (old, want) in read
        .iter()
        .zip(original["changes"].as_array().expect("changes"))
    {
        assert_eq!(old.entity_type, want["entity_type"]);
        assert_eq!(old.entity_id, want["entity_id"]);
        let op = if want["op"] == "upsert" {
            UntypedOp::Upsert
        } else {
            UntypedOp::Remove
        };
        assert_eq!(old.op, op);
        assert_eq!(old.body, want["body"]);
    }
}

#[test]
fn a_known_entity_whose_body_does_not_fit_is_unknown_not_a_failed_page() {
    let page: PullResponse = serde_json::from_value(json!({
        "changes": [
            {"entity_type": "stop", "entity_id": "s1", "op": "upsert", "body": {"id": 5}},
            {"entity_type": "visit", "entity_id": "v1", "op": "archive", "body": null},
        ],
        "cursor": "c",
        "more": true,
    }))
    .expect("a page with unreadable changes still decodes");
    let reasons: Vec<&str> = page
        .changes
        .iter()
        .map(|c| match c {
            Change::Unknown { reason, .. } => reason.as_str(),
            other => panic!("expected an unknown change, got {other:?}"),
        })
        .collect();
    assert!(reasons[0].starts_with("stop s1: "), "{}", reasons[0]);
    assert!(reasons[1].contains("operation"), "{}", reasons[1]);
    // Kept as sent, so a later build can read them.
    assert_eq!(page.changes[0].body_json().expect("json"), r#"{"id":5}"#);
    assert_eq!(page.changes[1].op(), "archive");
}

#[test]
fn stored_feed_text_reads_like_the_wire_form() {
    let page = recorded();
    for c in &page.changes {
        let stored = Change::from_stored(
            c.entity_type().to_owned(),
            c.entity_id().to_owned(),
            c.op(),
            &c.body_json().expect("json"),
        );
        assert_eq!(&stored, c);
    }
    let garbled = Change::from_stored("stop".into(), "s".into(), "upsert", "{not json");
    assert!(matches!(garbled, Change::Unknown { .. }), "{garbled:?}");
}

#[test]
fn every_entity_type_reads_back_from_its_wire_string() {
    for t in EntityType::ALL {
        assert_eq!(EntityType::parse(t.as_str()), Some(*t));
    }
    assert_eq!(EntityType::parse("promise"), None);
}

#[test]
fn a_payment_reads_as_a_typed_record_the_collection_rules_take() {
    let body = r#"{"id":"0190a0b0-0000-7000-8000-0000000000f1",
        "account":"0190a0b0-0000-7000-8000-000000000009","amount_minor":123450,
        "currency":"COP","date":"2026-11-27","reference":" r-78 ","channel":null}"#;
    let change = Change::from_stored("payment".into(), "p".into(), "upsert", body);
    let Change::Upsert {
        record: Record::Payment(p),
        ..
    } = &change
    else {
        panic!("a payment upsert: {change:?}");
    };
    let received = p.to_received().expect("a valid payment");
    assert_eq!(received.amount().minor_units(), 123_450);
    assert_eq!(received.dedup_key().as_deref(), Some("R-78"));
    let negative = body.replace("123450", "-5");
    let p: super::super::views::PaymentView = serde_json::from_str(&negative).expect("decodes");
    assert!(
        p.to_received().is_err(),
        "a non-positive amount is no payment"
    );
}
