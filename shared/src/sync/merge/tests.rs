//! Table tests for each merge rule, and the property tests SYNC.md asks for (10,000 cases each
//! for the order, duplication, idempotence and exchange properties).

use super::*;
use crate::ids::{AttachmentId, DeviceId};
use crate::sync::event::{Draft, EventHash};
use crate::sync::log::LogHead;
use crate::sync::payload::{AttachmentRemoval, AttachmentRole, FieldValue, StatusChange, encode};
use proptest::prelude::*;
use serde_json::json;

fn dev(n: u8) -> DeviceId {
    DeviceId::from_uuid(Uuid::from_u128(0xde00 + n as u128))
}
fn visit(n: u8) -> VisitId {
    VisitId::from_uuid(Uuid::from_u128(0x1000 + n as u128))
}
fn att(n: u8) -> AttachmentId {
    AttachmentId::from_uuid(Uuid::from_u128(0x2000 + n as u128))
}

fn field(entity: u8, name: &str, value: Value) -> Payload {
    Payload::FieldSet(*visit(entity).as_uuid(), name.into(), FieldValue { value })
}
fn status(v: u8, s: VisitStatus, epoch: u32) -> Payload {
    Payload::StatusSet(visit(v), StatusChange { status: s, epoch })
}
fn added(v: u8, a: u8, bytes: u64) -> Payload {
    Payload::AttachmentAdded(
        visit(v),
        AttachmentRef {
            attachment_id: att(a),
            sha256: EventHash([a; 32]),
            media_type: "image/jpeg".into(),
            bytes,
            role: AttachmentRole::Photo,
        },
    )
}
fn removed(v: u8, a: u8) -> Payload {
    Payload::AttachmentRemoved(
        visit(v),
        AttachmentRemoval {
            attachment_id: att(a),
        },
    )
}

/// A device writing events at given wall-clock times.
struct Writer(LogHead);
impl Writer {
    fn new(n: u8) -> Self {
        Writer(LogHead::new(dev(n)))
    }
    fn write(&mut self, p: &Payload, now_ms: i64, base: Option<Hlc>) -> Event {
        let d: Draft = encode(p).expect("encodable").base(base);
        self.0.append(d, now_ms).expect("valid draft")
    }
}

#[test]
fn the_later_field_write_wins_whatever_the_order() {
    let mut a = Writer::new(1);
    let mut b = Writer::new(2);
    let e1 = a.write(&field(1, "comment", json!("first")), 1_000, None);
    let e2 = b.write(&field(1, "comment", json!("second")), 2_000, None);
    for order in [[&e1, &e2], [&e2, &e1]] {
        let s = State::fold(order);
        assert_eq!(
            s.register(*visit(1).as_uuid(), "comment").unwrap().value,
            json!("second")
        );
    }
}

#[test]
fn an_unseen_overwritten_edit_is_recorded_for_review_and_a_seen_one_is_not() {
    let mut a = Writer::new(1);
    let mut b = Writer::new(2);
    let e1 = a.write(&field(1, "comment", json!("collector")), 1_000, None);
    let blind = b.write(&field(1, "comment", json!("supervisor")), 2_000, None);
    let informed = b.write(&field(1, "note", json!("x")), 3_000, None);
    let s = State::fold([&e1, &blind]);
    assert_eq!(s.conflicts().len(), 1);
    let c = s.conflicts().iter().next().unwrap();
    assert_eq!((c.overwritten.device_id, c.by.device_id), (dev(1), dev(2)));
    // Same two edits, but the winner's author had seen the collector's value.
    let seen = b.write(&field(1, "comment", json!("ok")), 4_000, Some(e1.hlc()));
    let s = State::fold([&e1, &seen, &informed]);
    assert!(s.conflicts().is_empty());
    assert_eq!(
        s,
        State::fold([&seen, &informed, &e1]),
        "state ignores the record"
    );
}

#[test]
fn a_stale_in_progress_never_overwrites_done() {
    let mut phone = Writer::new(1);
    let mut desk = Writer::new(2);
    let done = desk.write(&status(1, VisitStatus::Done, 0), 1_000, None);
    // The phone's clock is far ahead: its "in progress" carries a larger stamp.
    let stale = phone.write(&status(1, VisitStatus::InProgress, 0), 9_000_000, None);
    for order in [[&done, &stale], [&stale, &done]] {
        assert_eq!(
            State::fold(order).status(visit(1)).unwrap().status,
            VisitStatus::Done
        );
    }
}

#[test]
fn a_supervisor_reopen_starts_a_new_epoch_that_outranks_done() {
    let mut phone = Writer::new(1);
    let mut desk = Writer::new(2);
    let done = phone.write(&status(1, VisitStatus::Done, 0), 1_000, None);
    let reopen = desk.write(&status(1, VisitStatus::Planned, 1), 2_000, None);
    let stale = phone.write(&status(1, VisitStatus::InProgress, 0), 3_000, None);
    let s = State::fold([&stale, &reopen, &done]);
    assert_eq!(s.status(visit(1)).unwrap().status, VisitStatus::Planned);
    assert_eq!(s.status(visit(1)).unwrap().epoch, 1);
}

#[test]
fn a_removed_attachment_stays_removed_even_if_added_again_later() {
    let mut a = Writer::new(1);
    let add = a.write(&added(1, 1, 10), 1_000, None);
    let rm = a.write(&removed(1, 1), 2_000, None);
    let again = a.write(&added(1, 1, 10), 3_000, None);
    let keep = a.write(&added(1, 2, 20), 3_500, None);
    let s = State::fold([&again, &rm, &add, &keep]);
    let present: Vec<_> = s
        .attachments_of(visit(1))
        .map(|r| r.attachment_id)
        .collect();
    assert_eq!(present, vec![att(2)]);
}

#[test]
fn a_deletion_is_forever_and_the_first_one_is_on_record() {
    let mut a = Writer::new(1);
    let mut b = Writer::new(2);
    let entity = *visit(5).as_uuid();
    let d1 = a.write(&Payload::Deleted(entity), 1_000, None);
    let d2 = b.write(&Payload::Deleted(entity), 2_000, None);
    let write_after = b.write(&field(5, "comment", json!("late")), 3_000, None);
    let mut s = State::default();
    assert_eq!(s.apply(&d2).unwrap(), Applied::Changed);
    assert_eq!(s.apply(&d1).unwrap(), Applied::Changed);
    assert_eq!(s.apply(&d2).unwrap(), Applied::Duplicate);
    s.apply(&write_after).unwrap();
    assert!(s.is_deleted(entity), "a later write does not resurrect");
}

#[test]
fn facts_form_a_grow_only_set_and_duplicates_are_reported() {
    let mut a = Writer::new(1);
    let fix = Payload::Fix(
        serde_json::from_value(
            json!({"t":"2026-11-24T13:00:00Z","lat":4.6,"lon":-74.1,"accuracy_m":5}),
        )
        .unwrap(),
    );
    let e = a.write(&fix, 1_000, None);
    let mut s = State::default();
    assert_eq!(s.apply(&e).unwrap(), Applied::Changed);
    assert_eq!(s.apply(&e).unwrap(), Applied::Duplicate);
    assert_eq!(s.facts().len(), 1);
}

#[test]
fn an_invalid_payload_is_an_error_and_leaves_state_unchanged() {
    let mut head = LogHead::new(dev(1));
    let bad = head
        .append(
            Draft::new(EventKind::StatusSet, 1, json!({"status": "gone"})).entity(Uuid::nil()),
            5,
        )
        .unwrap();
    let mut s = State::default();
    assert!(s.apply(&bad).is_err());
    assert_eq!(s, State::default());
}

#[test]
fn a_future_version_is_deferred_not_projected() {
    let mut head = LogHead::new(dev(1));
    let e = head
        .append(
            Draft::new(EventKind::StatusSet, 9, json!({"new": true})).entity(Uuid::nil()),
            5,
        )
        .unwrap();
    let mut s = State::default();
    assert_eq!(s.apply(&e).unwrap(), Applied::Changed);
    assert!(s.deferred().contains(&e.key()));
    assert!(s.status(VisitId::from_uuid(Uuid::nil())).is_none());
}

#[test]
fn a_clamped_stamp_decides_the_merge_instead_of_the_devices() {
    let mut fast = Writer::new(1);
    let mut honest = Writer::new(2);
    let ahead = fast.write(
        &field(1, "comment", json!("from the future")),
        10_000_000,
        None,
    );
    let now = honest.write(&field(1, "comment", json!("now")), 2_000, None);
    let mut s = State::default();
    s.apply_stamped(&ahead, Hlc::from_millis(1_000)).unwrap();
    s.apply(&now).unwrap();
    assert_eq!(
        s.register(*visit(1).as_uuid(), "comment").unwrap().value,
        json!("now")
    );
}

// ---- property tests ----

#[derive(Debug, Clone)]
enum Op {
    Field {
        entity: u8,
        field: u8,
        value: i8,
        base: Option<usize>,
    },
    Status {
        visit: u8,
        status: usize,
        epoch: u32,
    },
    Add {
        visit: u8,
        att: u8,
        bytes: u8,
    },
    Remove {
        visit: u8,
        att: u8,
    },
    Delete {
        entity: u8,
    },
    Fact,
    Future,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..2u8, 0..2u8, any::<i8>(), proptest::option::of(0..40usize))
            .prop_map(|(entity, field, value, base)| Op::Field { entity, field, value, base }),
        3 => (0..2u8, 0..5usize, 0..2u32).prop_map(|(visit, status, epoch)| Op::Status { visit, status, epoch }),
        1 => (0..2u8, 0..2u8, any::<u8>()).prop_map(|(visit, att, bytes)| Op::Add { visit, att, bytes }),
        1 => (0..2u8, 0..2u8).prop_map(|(visit, att)| Op::Remove { visit, att }),
        1 => (0..3u8).prop_map(|entity| Op::Delete { entity }),
        1 => Just(Op::Fact),
        1 => Just(Op::Future),
    ]
}

/// Up to three devices with skewed clocks, writing interleaved operations; `base` refers to an
/// earlier event whose stamp the author had seen.
fn history() -> impl Strategy<Value = Vec<Event>> {
    let step = (0..3u8, 0..20_000i64, op());
    (
        proptest::collection::vec(step, 1..30),
        proptest::collection::vec(-50_000i64..50_000, 3),
    )
        .prop_map(|(steps, skew)| {
            let mut writers = [Writer::new(0), Writer::new(1), Writer::new(2)];
            let mut wall = 1_700_000_000_000i64;
            let mut out: Vec<Event> = Vec::new();
            for (d, delta, op) in steps {
                wall += delta;
                let now = wall + skew[d as usize];
                let e = write_op(&mut writers[d as usize], &op, now, &out);
                out.push(e);
            }
            out
        })
}

fn write_op(w: &mut Writer, op: &Op, now: i64, earlier: &[Event]) -> Event {
    let fact_fix = || {
        serde_json::from_value(
            json!({"t":"2026-11-24T13:00:00Z","lat":4.6,"lon":-74.1,"accuracy_m":5}),
        )
        .unwrap()
    };
    let (payload, base) = match *op {
        Op::Field {
            entity,
            field: f,
            value,
            base,
        } => {
            let base = base.and_then(|i| earlier.get(i)).map(Event::hlc);
            (field(entity, ["a", "b"][f as usize], json!(value)), base)
        }
        Op::Status {
            visit: v,
            status: s,
            epoch,
        } => (status(v, VisitStatus::ALL[s], epoch), None),
        Op::Add {
            visit: v,
            att: a,
            bytes,
        } => (added(v, a, bytes as u64), None),
        Op::Remove { visit: v, att: a } => (removed(v, a), None),
        Op::Delete { entity } => (Payload::Deleted(*visit(entity).as_uuid()), None),
        Op::Fact => (Payload::Fix(fact_fix()), None),
        Op::Future => {
            let d = Draft::new(EventKind::Other("later_kind".into()), 1, json!({}));
            return w.0.append(d, now).unwrap();
        }
    };
    w.write(&payload, now, base)
}

/// Reorders `events` by random sort keys and repeats some of them.
fn shuffled(events: &[Event], keys: &[u32], dups: &[usize]) -> Vec<Event> {
    let mut idx: Vec<usize> = (0..events.len()).collect();
    idx.sort_by_key(|&i| keys[i % keys.len()].wrapping_mul(i as u32 + 1));
    let mut out: Vec<Event> = idx.into_iter().map(|i| events[i].clone()).collect();
    for &d in dups {
        let e = out[d % out.len()].clone();
        out.insert((d / 7) % (out.len() + 1), e);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn any_permutation_and_duplication_folds_to_the_same_state(
        events in history(),
        keys in proptest::collection::vec(any::<u32>(), 1..30),
        dups in proptest::collection::vec(any::<usize>(), 0..10),
    ) {
        let reference = State::fold(&events);
        let other = shuffled(&events, &keys, &dups);
        prop_assert_eq!(State::fold(&other), reference);
    }

    #[test]
    fn folding_twice_equals_folding_once(events in history()) {
        let once = State::fold(&events);
        let twice = State::fold(events.iter().chain(events.iter()));
        prop_assert_eq!(&twice, &once);
        prop_assert_eq!(twice.conflicts(), once.conflicts());
    }

    #[test]
    fn replicas_that_exchanged_everything_are_equal(
        events in history(),
        split in proptest::collection::vec(0..3u8, 30),
    ) {
        // 0: only replica A had it, 1: only B, 2: both.
        let a: Vec<&Event> = events.iter().enumerate().filter(|(i, _)| split[*i] != 1).map(|(_, e)| e).collect();
        let b: Vec<&Event> = events.iter().enumerate().filter(|(i, _)| split[*i] != 0).map(|(_, e)| e).collect();
        let (sa, sb) = (State::fold(a.iter().copied()), State::fold(b.iter().copied()));
        // Exchange by events...
        let ab = State::fold(a.iter().chain(b.iter()).copied());
        let ba = State::fold(b.iter().chain(a.iter()).copied());
        prop_assert_eq!(&ab, &ba);
        prop_assert_eq!(&ab, &State::fold(&events));
        // ...or by state: the join equals the fold of the union.
        let mut ja = sa.clone();
        ja.join(&sb);
        let mut jb = sb;
        jb.join(&sa);
        prop_assert_eq!(&ja, &ab);
        prop_assert_eq!(&jb, &ab);
    }

    #[test]
    fn a_causally_later_edit_wins_even_from_a_slow_clock(
        fast_ahead_ms in 0i64..86_400_000,
        gap_ms in 0i64..60_000,
    ) {
        let mut fast = Writer::new(1);
        let mut slow = Writer::new(2);
        let t = 1_700_000_000_000i64;
        let first = fast.write(&field(1, "comment", json!("fast")), t + fast_ahead_ms, None);
        // The slow device pulls the fast one's edit, then edits the same field.
        slow.0.receive(first.hlc());
        let later = slow.write(&field(1, "comment", json!("slow")), t + gap_ms, Some(first.hlc()));
        for order in [[&first, &later], [&later, &first]] {
            let s = State::fold(order);
            prop_assert_eq!(&s.register(*visit(1).as_uuid(), "comment").unwrap().value, &json!("slow"));
            prop_assert!(s.conflicts().is_empty(), "a seen value is not a conflict");
        }
    }

    #[test]
    fn a_stale_in_progress_never_overwrites_a_terminal_status(events in history()) {
        let s = State::fold(&events);
        for v in 0..2u8 {
            let max_epoch_terminal = events.iter().filter_map(|e| match payload::decode(e.draft()) {
                Ok(Payload::StatusSet(id, c)) if id == visit(v) => Some(c),
                _ => None,
            }).max_by_key(|c| (c.epoch, c.status.rank()));
            if let Some(top) = max_epoch_terminal {
                let cell = s.status(visit(v)).unwrap();
                prop_assert_eq!(cell.epoch, top.epoch);
                prop_assert_eq!(cell.status.rank(), top.status.rank());
            }
        }
    }
}

fn check_in_draft(v: u8, allowed: bool, epoch: u32) -> Draft {
    let verdict = if allowed {
        json!({"verdict": "allowed", "distance_m": 3.0, "accuracy_m": 5.0, "fixes_used": 3, "dwell_secs": 20.0})
    } else {
        json!({"verdict": "refused", "reasons": [{"reason": "mock_provider"}]})
    };
    Draft::new(
        EventKind::CheckIn,
        1,
        json!({"account": Uuid::from_u128(0xacc), "at": "2026-11-24T13:00:00Z",
               "evidence": [], "device_verdict": verdict, "epoch": epoch}),
    )
    .entity(*visit(v).as_uuid())
}

fn submission_draft(v: u8, outcome: &str, epoch: u32) -> Draft {
    Draft::new(
        EventKind::VisitSubmitted,
        1,
        json!({"account": Uuid::from_u128(0xacc), "outcome": outcome,
               "completed_at": "2026-11-24T13:10:00Z", "epoch": epoch}),
    )
    .entity(*visit(v).as_uuid())
}

#[test]
fn an_allowed_check_in_implies_in_progress_and_a_submission_its_final_status() {
    let mut a = Writer(LogHead::new(dev(1)));
    let refused = a.0.append(check_in_draft(1, false, 0), 1_000).unwrap();
    assert!(
        State::fold([&refused]).status(visit(1)).is_none(),
        "a refused check-in implies nothing"
    );
    let allowed = a.0.append(check_in_draft(1, true, 0), 2_000).unwrap();
    assert_eq!(
        State::fold([&refused, &allowed])
            .status(visit(1))
            .unwrap()
            .status,
        VisitStatus::InProgress
    );
    let done =
        a.0.append(submission_draft(1, "nobody_home", 0), 3_000)
            .unwrap();
    for order in [[&allowed, &done], [&done, &allowed]] {
        assert_eq!(
            State::fold(order).status(visit(1)).unwrap().status,
            VisitStatus::NotDone
        );
    }
}

#[test]
fn a_stale_check_in_does_not_undo_a_reopen() {
    let mut phone = Writer::new(1);
    let mut desk = Writer::new(2);
    let done = phone
        .0
        .append(submission_draft(1, "contacted", 0), 1_000)
        .unwrap();
    let reopen = desk.write(&status(1, VisitStatus::Planned, 1), 2_000, None);
    let stale = phone.0.append(check_in_draft(1, true, 0), 9_000).unwrap();
    let again = phone.0.append(check_in_draft(1, true, 1), 10_000).unwrap();
    let s = State::fold([&stale, &reopen, &done]);
    assert_eq!(s.status(visit(1)).unwrap().status, VisitStatus::Planned);
    let s = State::fold([&again, &stale, &reopen, &done]);
    assert_eq!(s.status(visit(1)).unwrap().status, VisitStatus::InProgress);
    assert_eq!(s.status(visit(1)).unwrap().epoch, 1);
}
