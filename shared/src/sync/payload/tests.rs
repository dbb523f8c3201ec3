use super::*;
use crate::ids::AttachmentId;
use serde_json::json;

fn visit() -> VisitId {
    VisitId::from_uuid(Uuid::from_u128(0xa1))
}

#[test]
fn every_current_payload_round_trips_through_its_draft() {
    let att = AttachmentRef {
        attachment_id: AttachmentId::from_uuid(Uuid::from_u128(5)),
        sha256: EventHash([7; 32]),
        media_type: "image/jpeg".into(),
        bytes: 123_456,
        role: AttachmentRole::Photo,
    };
    let fix: Fix = serde_json::from_value(json!({
        "t": "2026-11-24T13:00:00Z", "lat": 4.6, "lon": -74.1, "accuracy_m": 8.0,
        "battery": 0.5, "mock": false
    }))
    .unwrap();
    let payloads = [
        Payload::Fix(fix),
        Payload::FieldSet(
            Uuid::from_u128(1),
            "comment".into(),
            FieldValue {
                value: json!("hola"),
            },
        ),
        Payload::StatusSet(
            visit(),
            StatusChange {
                status: VisitStatus::Done,
                epoch: 2,
            },
        ),
        Payload::AttachmentAdded(visit(), att),
        Payload::AttachmentRemoved(
            visit(),
            AttachmentRemoval {
                attachment_id: AttachmentId::from_uuid(Uuid::from_u128(5)),
            },
        ),
        Payload::Deleted(Uuid::from_u128(3)),
    ];
    for p in payloads {
        let draft = encode(&p).unwrap();
        assert_eq!(decode(&draft).unwrap(), p, "{draft:?}");
    }
    assert!(encode(&Payload::Future).is_none());
}

#[test]
fn newer_versions_and_unknown_kinds_are_kept_but_not_projected() {
    let newer = Draft::new(
        EventKind::StatusSet,
        CURRENT_VERSION + 1,
        json!({"whatever": 1}),
    );
    assert_eq!(decode(&newer).unwrap(), Payload::Future);
    let other = Draft::new("payment_plan".parse().unwrap(), 1, json!({"x": 1}));
    assert_eq!(decode(&other).unwrap(), Payload::Future);
}

#[test]
fn unknown_fields_in_a_known_version_are_an_error_for_that_event() {
    let d = Draft::new(
        EventKind::StatusSet,
        1,
        json!({"status": "done", "epoch": 0, "x": 1}),
    )
    .entity(Uuid::from_u128(1));
    let err = decode(&d).unwrap_err();
    assert!(matches!(err, PayloadError::Schema { .. }), "{err}");
    assert!(err.to_string().contains("unknown field"), "{err}");
}

#[test]
fn kinds_that_need_an_entity_or_field_say_so() {
    let no_entity = Draft::new(EventKind::StatusSet, 1, json!({"status": "done"}));
    assert!(matches!(
        decode(&no_entity),
        Err(PayloadError::MissingEntity { .. })
    ));
    let no_field = Draft::new(EventKind::FieldSet, 1, json!({"value": 1})).entity(Uuid::nil());
    assert!(matches!(
        decode(&no_field),
        Err(PayloadError::MissingField { .. })
    ));
}

#[test]
fn wrong_types_are_schema_errors_naming_the_kind_and_version() {
    let d = Draft::new(EventKind::StatusSet, 1, json!({"status": 3})).entity(Uuid::nil());
    let err = decode(&d).unwrap_err().to_string();
    assert!(err.starts_with("status_set v1 payload is invalid"), "{err}");
    let bad_fix = Draft::new(
        EventKind::Fix,
        1,
        json!({"t": "2026-11-24T13:00:00Z", "lat": 95, "lon": 0, "accuracy_m": 1}),
    );
    assert!(
        decode(&bad_fix)
            .unwrap_err()
            .to_string()
            .contains("latitude")
    );
}
