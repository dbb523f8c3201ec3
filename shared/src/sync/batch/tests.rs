use super::*;
use crate::sync::log::LogHead;
use serde_json::json;

fn device() -> DeviceId {
    DeviceId::from_uuid(Uuid::from_u128(0xd1))
}

fn key(n: u8) -> DeviceKey {
    DeviceKey::from_seed(&[n; 32]).unwrap()
}

fn events(n: usize) -> Vec<Event> {
    let mut head = LogHead::new(device());
    (0..n)
        .map(|i| {
            let d = Draft::new(EventKind::FieldSet, 1, json!({"value": i}))
                .entity(Uuid::from_u128(9))
                .field("comment");
            head.append(d, 1_000 + i as i64).unwrap()
        })
        .collect()
}

#[test]
fn a_sealed_batch_verifies_and_restores_keys_and_hashes() {
    let evs = events(5);
    let batch = PushBatch::seal(&evs, &key(1)).unwrap();
    let v = batch.verify(&key(1).public_key(), 100, None).unwrap();
    assert_eq!(v.events, evs);
    assert_eq!(v.head.seq, 5);
    assert_eq!(v.head.hash, evs[4].hash());
    assert_eq!(v.hashes, evs.iter().map(Event::hash).collect::<Vec<_>>());
}

#[test]
fn a_batch_survives_a_json_round_trip() {
    let batch = PushBatch::seal(&events(3), &key(1)).unwrap();
    let json = serde_json::to_string(&batch).unwrap();
    let back: PushBatch = serde_json::from_str(&json).unwrap();
    assert!(back.verify(&key(1).public_key(), 100, None).is_ok());
}

#[test]
fn altering_an_inner_event_breaks_the_chain() {
    let mut batch = PushBatch::seal(&events(4), &key(1)).unwrap();
    batch.events[1].payload = json!({"value": 99});
    let err = batch.verify(&key(1).public_key(), 100, None).unwrap_err();
    assert!(
        matches!(err, BatchError::BrokenChain { seq: 3, .. }),
        "{err}"
    );
}

#[test]
fn altering_the_last_event_breaks_the_signature() {
    let mut batch = PushBatch::seal(&events(4), &key(1)).unwrap();
    batch.events[3].hlc = batch.events[3].hlc.succ();
    let err = batch.verify(&key(1).public_key(), 100, None).unwrap_err();
    assert_eq!(err, BatchError::BadSignature);
}

#[test]
fn dropping_or_inserting_an_event_breaks_the_chain() {
    let evs = events(4);
    let mut dropped = PushBatch::seal(&evs, &key(1)).unwrap();
    dropped.events.remove(1);
    assert!(matches!(
        dropped.verify(&key(1).public_key(), 100, None),
        Err(BatchError::BrokenChain { .. })
    ));
    let mut inserted = PushBatch::seal(&evs, &key(1)).unwrap();
    let copy = inserted.events[2].clone();
    inserted.events.insert(2, copy);
    assert!(matches!(
        inserted.verify(&key(1).public_key(), 100, None),
        Err(BatchError::BrokenChain { .. })
    ));
}

#[test]
fn another_devices_key_does_not_verify() {
    let batch = PushBatch::seal(&events(2), &key(1)).unwrap();
    assert_eq!(
        batch.verify(&key(2).public_key(), 100, None).unwrap_err(),
        BatchError::BadSignature
    );
}

#[test]
fn a_later_batch_verifies_alone_and_against_the_known_previous_hash() {
    let evs = events(6);
    let second = PushBatch::seal(&evs[3..], &key(1)).unwrap();
    assert!(second.verify(&key(1).public_key(), 100, None).is_ok());
    assert!(
        second
            .verify(&key(1).public_key(), 100, Some(evs[2].hash()))
            .is_ok()
    );
    let err = second
        .verify(&key(1).public_key(), 100, Some(evs[1].hash()))
        .unwrap_err();
    assert!(matches!(err, BatchError::BrokenChain { seq: 4, .. }));
}

#[test]
fn a_first_batch_must_start_from_the_genesis_hash() {
    let evs = events(3);
    let mut batch = PushBatch::seal(&evs[1..], &key(1)).unwrap();
    batch.first_seq = 1; // claims to be the start of the log while linking to event 1
    assert!(matches!(
        batch.verify(&key(1).public_key(), 100, None),
        Err(BatchError::BrokenChain { seq: 1, .. })
    ));
}

#[test]
fn size_and_range_limits_are_enforced() {
    let batch = PushBatch::seal(&events(5), &key(1)).unwrap();
    assert_eq!(
        batch.verify(&key(1).public_key(), 4, None).unwrap_err(),
        BatchError::TooManyEvents { count: 5, max: 4 }
    );
    let mut empty = batch.clone();
    empty.events.clear();
    assert_eq!(
        empty.verify(&key(1).public_key(), 4, None).unwrap_err(),
        BatchError::Empty
    );
    let mut zero = batch.clone();
    zero.first_seq = 0;
    assert!(matches!(
        zero.verify(&key(1).public_key(), 9, None),
        Err(BatchError::BadRange { .. })
    ));
    let mut overflow = batch;
    overflow.first_seq = u64::MAX - 2;
    assert!(matches!(
        overflow.verify(&key(1).public_key(), 9, None),
        Err(BatchError::BadRange { .. })
    ));
}

#[test]
fn an_invalid_envelope_names_its_sequence_number() {
    let mut batch = PushBatch::seal(&events(2), &key(1)).unwrap();
    batch.events[0].v = 0;
    let err = batch.verify(&key(1).public_key(), 9, None).unwrap_err();
    assert!(matches!(err, BatchError::BadEvent { seq: 1, .. }), "{err}");
}

#[test]
fn sealing_refuses_events_that_are_not_contiguous() {
    let evs = events(3);
    let gap = [evs[0].clone(), evs[2].clone()];
    assert!(matches!(
        PushBatch::seal(&gap, &key(1)),
        Err(BatchError::NotContiguous { index: 1, .. })
    ));
    assert_eq!(
        PushBatch::seal(&[], &key(1)).unwrap_err(),
        BatchError::Empty
    );
}

#[test]
fn unknown_fields_in_a_batch_are_refused() {
    let batch = PushBatch::seal(&events(1), &key(1)).unwrap();
    let mut v = serde_json::to_value(&batch).unwrap();
    v["events"][0]["extra"] = json!(1);
    assert!(serde_json::from_value::<PushBatch>(v.clone()).is_err());
    v["events"][0].as_object_mut().unwrap().remove("extra");
    v["note"] = json!("x");
    assert!(serde_json::from_value::<PushBatch>(v).is_err());
}

#[test]
fn keys_and_signatures_round_trip_through_hex() {
    let pk = key(3).public_key();
    assert_eq!(pk.to_string().parse::<PublicKey>().unwrap(), pk);
    assert!("00".parse::<PublicKey>().is_err());
}
