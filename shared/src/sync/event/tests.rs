use super::*;
use serde_json::json;

fn device() -> DeviceId {
    "0192f0c8-7a00-7000-8000-000000000001".parse().unwrap()
}

fn sample() -> Event {
    Draft::new(
        EventKind::FieldSet,
        1,
        json!({"value": "llamar después", "n": 1.5}),
    )
    .entity(Uuid::from_u128(7))
    .field("comment")
    .base(Some(Hlc::from_raw(42)))
    .seal(
        device(),
        3,
        Hlc::from_millis(1_764_000_000_000),
        EventHash::GENESIS,
    )
    .unwrap()
}

#[test]
fn the_canonical_encoding_is_pinned() {
    // Changing this hash changes every device's chain: it must never change for v1 events.
    assert_eq!(
        sample().hash().to_hex(),
        "faea1646b4b61669fb118f8d1f2720a24bab48a8b03cbc2bad92d6a42971ef94"
    );
}

#[test]
fn payload_key_order_does_not_change_the_hash() {
    let a: Value = serde_json::from_str(r#"{"b":1,"a":{"y":2,"x":[1,{"q":0,"p":1}]}}"#).unwrap();
    let b: Value = serde_json::from_str(r#"{"a":{"x":[1,{"p":1,"q":0}],"y":2},"b":1}"#).unwrap();
    let mut ca = Vec::new();
    let mut cb = Vec::new();
    canonical_json(&a, &mut ca);
    canonical_json(&b, &mut cb);
    assert_eq!(ca, cb);
    assert_eq!(
        String::from_utf8(ca).unwrap(),
        r#"{"a":{"x":[1,{"p":1,"q":0}],"y":2},"b":1}"#
    );
}

#[test]
fn every_envelope_field_is_covered_by_the_hash() {
    let base = sample();
    let h = base.hash();
    let d = base.draft().clone();
    let variants = [
        d.clone().seal(device(), 4, base.hlc(), base.prev_hash()),
        d.clone()
            .seal(device(), 3, base.hlc().succ(), base.prev_hash()),
        d.clone().seal(device(), 3, base.hlc(), EventHash([1; 32])),
        Draft { v: 2, ..d.clone() }.seal(device(), 3, base.hlc(), base.prev_hash()),
        Draft {
            entity: None,
            ..d.clone()
        }
        .seal(device(), 3, base.hlc(), base.prev_hash()),
        Draft {
            field: Some("commento".into()),
            ..d.clone()
        }
        .seal(device(), 3, base.hlc(), base.prev_hash()),
        Draft {
            base_hlc: None,
            ..d.clone()
        }
        .seal(device(), 3, base.hlc(), base.prev_hash()),
        Draft {
            kind: EventKind::StatusSet,
            ..d.clone()
        }
        .seal(device(), 3, base.hlc(), base.prev_hash()),
        Draft {
            payload: json!({"value": "llamar despues", "n": 1.5}),
            ..d.clone()
        }
        .seal(device(), 3, base.hlc(), base.prev_hash()),
        d.seal(
            "0192f0c8-7a00-7000-8000-000000000002".parse().unwrap(),
            3,
            base.hlc(),
            base.prev_hash(),
        ),
    ];
    for v in variants {
        assert_ne!(v.unwrap().hash(), h);
    }
}

#[test]
fn an_absent_field_and_an_empty_one_encode_differently() {
    // Presence bytes keep `None` and `Some("")`-like neighbours from colliding.
    let a = Draft::new(EventKind::Deleted, 1, json!({})).seal(
        device(),
        1,
        Hlc::ZERO,
        EventHash::GENESIS,
    );
    let b = Draft::new(EventKind::Deleted, 1, json!({}))
        .entity(Uuid::nil())
        .seal(device(), 1, Hlc::ZERO, EventHash::GENESIS);
    assert_ne!(a.unwrap().canonical_bytes(), b.unwrap().canonical_bytes());
}

#[test]
fn kinds_round_trip_and_unknown_plausible_kinds_are_kept() {
    for (k, name) in KNOWN_KINDS {
        assert_eq!(name.parse::<EventKind>().unwrap(), k);
        assert_eq!(k.as_str(), name);
    }
    assert_eq!(
        "payment_plan".parse::<EventKind>().unwrap(),
        EventKind::Other("payment_plan".into())
    );
    for bad in ["", "Fix", "a b", "x/../y", &"k".repeat(65)] {
        assert!(bad.parse::<EventKind>().is_err(), "{bad:?}");
    }
}

#[test]
fn bad_envelopes_are_refused_at_sealing() {
    let ok = Draft::new(EventKind::FieldSet, 1, json!({"value": 1})).field("x");
    assert!(
        ok.clone()
            .seal(device(), 0, Hlc::ZERO, EventHash::GENESIS)
            .is_err()
    );
    let v0 = Draft { v: 0, ..ok.clone() };
    assert_eq!(v0.validate().unwrap_err().field, "v");
    for f in ["", "a\nb", &"f".repeat(MAX_FIELD_LEN + 1)] {
        let d = ok.clone().field(f);
        assert_eq!(d.validate().unwrap_err().field, "field");
    }
    let big = Draft::new(
        EventKind::FieldSet,
        1,
        json!({"value": "x".repeat(MAX_PAYLOAD_BYTES)}),
    );
    assert_eq!(big.validate().unwrap_err().field, "payload");
}

#[test]
fn hashes_round_trip_through_hex_and_refuse_garbage() {
    let h = sample().hash();
    assert_eq!(h.to_hex().parse::<EventHash>().unwrap(), h);
    let json = serde_json::to_string(&h).unwrap();
    assert_eq!(serde_json::from_str::<EventHash>(&json).unwrap(), h);
    assert!("zz".repeat(32).parse::<EventHash>().is_err());
    assert!("ab".parse::<EventHash>().is_err());
}

#[test]
fn a_draft_with_unknown_fields_is_refused() {
    let json = r#"{"kind":"fix","v":1,"payload":{},"extra":1}"#;
    assert!(serde_json::from_str::<Draft>(json).is_err());
}
