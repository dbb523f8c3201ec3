//! Store tests: encryption at rest, the log's round trip and tamper check, the mirror's merge
//! rules, and the recorder's shift and re-import rules.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;
use terreno_shared::api::v1::sync::{Change, Record};
use terreno_shared::ids::DeviceId;
use terreno_shared::model::{Fix, GeoPoint, VisitStatus};
use terreno_shared::sync::merge::StatusCell;
use terreno_shared::sync::payload::{FieldValue, Payload, encode};
use terreno_shared::sync::{Hlc, Stamp};
use terreno_shared::track::TrackPolicy;

use super::test_support::{account_change, enrolled, with_route};
use super::*;
use crate::gps::recorder::record;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("a time")
        .with_timezone(&Utc)
}

/// The stamp of a write by device `device` (a small number standing for its id).
fn stamp(hlc: i64, device: u128, seq: u64) -> Stamp {
    Stamp {
        hlc: Hlc::from_raw(hlc),
        device_id: DeviceId::from_uuid(uuid::Uuid::from_u128(device)),
        seq,
    }
}

fn cell(status: VisitStatus, epoch: u32, stamp: Stamp) -> StatusCell {
    StatusCell {
        epoch,
        status,
        stamp,
    }
}

fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("terreno-store-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

#[test]
fn the_database_file_holds_no_plaintext_and_refuses_a_wrong_key() {
    let dir = temp_dir();
    let path = dir.join("terreno.db");
    let key = DbKey([7; 32]);
    {
        let mut store = Store::open(&path, &key).expect("opening");
        device::insert(
            &store.conn,
            &device::NewDevice {
                device_id: terreno_shared::ids::DeviceId::from_uuid(uuid::Uuid::from_u128(1)),
                public_key: "00",
                server_url: "http://x",
                user_id: terreno_shared::ids::UserId::from_uuid(uuid::Uuid::from_u128(2)),
                username: "gestor.test",
                display_name: "Gestor",
                role: "collector",
                token: "secret-token",
            },
        )
        .expect("enrolling");
        mirror::apply_page(
            &mut store.conn,
            &[account_change(1, None)],
            crate::store::mirror::PageCursor::Feed("c"),
            0,
        )
        .expect("a debtor");
    }
    for file in ["terreno.db", "terreno.db-wal"] {
        if let Ok(bytes) = std::fs::read(dir.join(file)) {
            for needle in ["Ana P", "CL-1", "secret-token", "SQLite format"] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                    "{needle:?} in plaintext in {file}"
                );
            }
        }
    }
    let wrong = Store::open(&path, &DbKey([8; 32]));
    assert!(
        matches!(wrong, Err(crate::Error::Conflict(ref m)) if m.contains("wrong key")),
        "{:?}",
        wrong.err()
    );
    let again = Store::open(&path, &key).expect("the right key opens it again");
    assert_eq!(
        device::get(&again.conn).expect("the device").username,
        "gestor.test"
    );
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn appended_events_read_back_identical_and_a_tampered_one_is_caught() {
    let mut store = enrolled("collector");
    let entity = uuid::Uuid::from_u128(5);
    let drafts: Vec<_> = (0..3)
        .map(|i| {
            encode(&Payload::FieldSet(
                entity,
                "comment".into(),
                FieldValue { value: json!(i) },
            ))
            .expect("a draft")
        })
        .collect();
    let tx = store.conn.transaction().expect("tx");
    let written = log::append(&tx, drafts, 1_000).expect("appending");
    tx.commit().expect("commit");
    let me = device::get(&store.conn).expect("device");
    assert_eq!(
        (me.head.last_seq, me.head.last_hash),
        (3, written[2].hash())
    );
    let read = log::load_range(&store.conn, me.device_id, 1, 10).expect("reading");
    assert_eq!(read, written);
    assert_eq!(
        log::load_range(&store.conn, me.device_id, 2, 1).expect("reading"),
        written[1..2]
    );
    store
        .conn
        .execute(
            "update events set payload = '{\"value\":99}' where seq = 2",
            [],
        )
        .expect("tampering");
    let err = log::load_range(&store.conn, me.device_id, 1, 10).expect_err("a tampered event");
    assert!(err.to_string().contains("event 2"), "{err}");
}

#[test]
// Long: a scenario test read top to bottom.
fn a_newer_account_version_wins_and_a_removal_deletes_the_debtors_data() {
    let mut store = with_route("collector", None);
    let mut older = account_change(0, None);
    let Change::Upsert {
        record: Record::Account(a),
        ..
    } = &mut older
    else {
        panic!("an account upsert: {older:?}");
    };
    a.name = "Old Name".into();
    mirror::apply_page(
        &mut store.conn,
        &[older],
        crate::store::mirror::PageCursor::Feed("c2"),
        0,
    )
    .expect("an older version");
    let name: String = store
        .conn
        .query_row(
            "select json_extract(body, '$.name') from accounts",
            [],
            |r| r.get(0),
        )
        .expect("name");
    assert_eq!(name, "Ana Pérez", "an older version does not overwrite");
    assert_eq!(
        device::get(&store.conn)
            .expect("device")
            .pull_cursor
            .as_deref(),
        Some("c2")
    );

    let visit = "0193a000-0000-7000-8000-000000000001";
    visits::insert(
        &store.conn,
        visit,
        &uuid::Uuid::from_u128(test_support::ACCOUNT).to_string(),
        None,
    )
    .expect("a visit");
    let remove = test_support::change(
        "account",
        uuid::Uuid::from_u128(test_support::ACCOUNT).to_string(),
        "remove",
        json!(null),
    );
    mirror::apply_page(
        &mut store.conn,
        &[
            remove,
            test_support::change("future_thing", "x", "upsert", json!({})),
        ],
        crate::store::mirror::PageCursor::Feed("c3"),
        0,
    )
    .expect("a removal");
    for table in ["accounts", "stops", "visits"] {
        let n: i64 = store
            .conn
            .query_row(&format!("select count(*) from {table}"), [], |r| r.get(0))
            .expect("count");
        assert_eq!(n, 0, "{table} emptied");
    }
}

#[test]
fn visit_status_only_moves_up_the_lattice_and_fields_keep_the_latest_write() {
    let store = with_route("collector", None);
    let v = "0193a000-0000-7000-8000-000000000002";
    visits::insert(&store.conn, v, "a", None).expect("a visit");
    let none = visits::StatusExtras::default();
    let done = cell(VisitStatus::Done, 0, stamp(50, 0xd, 1));
    visits::merge_status(&store.conn, v, &done, &none).expect("done");
    let stale = cell(VisitStatus::InProgress, 0, stamp(90, 0xd, 2));
    visits::merge_status(&store.conn, v, &stale, &none).expect("a stale in progress");
    let status: String = store
        .conn
        .query_row("select status from visits", [], |r| r.get(0))
        .expect("status");
    assert_eq!(status, "done", "a stale in progress never overwrites done");
    let reopened = cell(VisitStatus::InProgress, 1, stamp(10, 0xd, 3));
    visits::merge_status(&store.conn, v, &reopened, &none).expect("a reopen");
    let status: String = store
        .conn
        .query_row("select status from visits", [], |r| r.get(0))
        .expect("status");
    assert_eq!(
        status, "in_progress",
        "a supervisor's reopen (next epoch) wins"
    );

    let write =
        |value: &str, s: Stamp| visits::merge_field(&store.conn, v, "comment", &json!(value), &s);
    write("b", stamp(20, 0xb, 1)).expect("b");
    write("a", stamp(10, 0xa, 9)).expect("a, older");
    write("c", stamp(20, 0xc, 1)).expect("c, tie broken by device");
    let fields = visits::fields_of(&store.conn, v).expect("fields");
    assert_eq!(fields[0].value, json!("c"));
}

#[test]
fn the_recorder_keeps_only_new_fixes_taken_during_a_shift() {
    let mut store = enrolled("collector");
    fixes::start_shift(&store.conn, t("2026-11-24T13:00:00Z").timestamp_millis()).expect("a shift");
    fixes::end_shift(&store.conn, t("2026-11-24T14:00:00Z").timestamp_millis()).expect("its end");
    let p = GeoPoint::parse(4.6, -74.1).expect("a point");
    let at = |s: &str| Fix::new(t(s), p, 5.0).expect("a fix");
    let batch = vec![
        at("2026-11-24T12:59:59Z"),
        at("2026-11-24T13:00:05Z"),
        at("2026-11-24T13:30:00Z"),
        at("2026-11-24T14:00:01Z"),
    ];
    let policy = TrackPolicy::default();
    let now = t("2026-11-24T15:00:00Z");
    let first = record(&mut store, &batch, &policy, now).expect("recording");
    assert_eq!((first.stored, first.outside_shift), (2, 2));
    let again = record(
        &mut store,
        &batch[1..3],
        &policy,
        now + TimeDelta::minutes(1),
    )
    .expect("re-recording");
    assert_eq!((again.stored, again.already_stored), (0, 2));
    assert_eq!(
        log::pending_count(&store.conn).expect("pending"),
        2,
        "each stored fix is one event"
    );
    let recent = fixes::between(&store.conn, 0, now.timestamp_millis()).expect("fixes");
    assert_eq!(
        recent.iter().map(Fix::time).collect::<Vec<_>>(),
        [batch[1].time(), batch[2].time()]
    );
}

#[test]
fn the_retention_deletes_old_acknowledged_data_but_never_what_waits_to_be_sent() {
    let mut store = with_route("collector", None);
    let entity = uuid::Uuid::from_u128(0x0193_a000_0000_7000_8000_0000_0000_0009);
    let visit = entity.to_string();
    visits::insert(&store.conn, &visit, "acct", None).expect("a visit");
    let draft = encode(&Payload::FieldSet(
        entity,
        "comment".into(),
        FieldValue { value: json!("x") },
    ))
    .expect("a draft");
    let tx = write_tx(&mut store.conn).expect("tx");
    let e = log::append(&tx, [draft], 1_000)
        .expect("appending")
        .remove(0);
    let by_e = Stamp::of(&e, e.hlc());
    visits::merge_field(&tx, &visit, "comment", &json!("x"), &by_e).expect("field");
    visits::merge_status(
        &tx,
        &visit,
        &cell(VisitStatus::Done, 0, by_e),
        &visits::StatusExtras {
            completed_ms: Some(1_000),
            ..Default::default()
        },
    )
    .expect("done");
    tx.commit().expect("commit");

    let pruned = log::prune(&store.conn, 10_000).expect("pruning");
    assert_eq!(
        (pruned.events, pruned.visits),
        (0, 0),
        "nothing acknowledged yet"
    );
    log::acknowledge(&store.conn, 1, 2_000).expect("acked");
    assert_eq!(
        log::prune(&store.conn, 1_500).expect("pruning").events,
        0,
        "acknowledged after the cutoff"
    );
    let pruned = log::prune(&store.conn, 10_000).expect("pruning");
    assert_eq!((pruned.events, pruned.visits), (1, 1));
    assert!(
        visits::fields_of(&store.conn, &visit)
            .expect("fields")
            .is_empty()
    );
    let head = device::get(&store.conn).expect("device").head;
    assert_eq!(head.last_seq, 1, "the chain continues after pruning");
}

#[test]
// Long: a scenario test read top to bottom.
fn a_late_page_never_moves_a_visit_back_and_a_view_of_the_same_write_settles_the_stamp() {
    use terreno_shared::api::v1::views::VisitView;
    let mut store = with_route("collector", None);
    let id = terreno_shared::ids::VisitId::from_uuid(uuid::Uuid::from_u128(
        0x0193_a000_0000_7000_8000_0000_0000_0042,
    ));
    let account =
        terreno_shared::ids::AccountId::from_uuid(uuid::Uuid::from_u128(test_support::ACCOUNT));
    let view = |status: VisitStatus, s: Stamp| VisitView {
        id,
        account,
        collector: terreno_shared::ids::UserId::from_uuid(uuid::Uuid::from_u128(0x11)),
        stop: None,
        status,
        status_epoch: 0,
        status_hlc: s.hlc,
        status_device: Some(s.device_id),
        status_seq: Some(s.seq),
        outcome: None,
        completed_at: None,
        flagged: false,
    };
    let page = |v: VisitView| {
        test_support::change(
            "visit",
            id.to_string(),
            "upsert",
            serde_json::to_value(v).expect("json"),
        )
    };
    visits::insert(&store.conn, &id.to_string(), &account.to_string(), None).expect("a visit");
    let mine = stamp(900, test_support::DEVICE, 7);
    visits::merge_status(
        &store.conn,
        &id.to_string(),
        &cell(VisitStatus::Done, 0, mine),
        &visits::StatusExtras::default(),
    )
    .expect("done here");
    let status = |store: &Store| -> (String, i64) {
        store
            .conn
            .query_row("select status, status_hlc from visits", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .expect("status")
    };
    mirror::apply_page(
        &mut store.conn,
        &[page(view(VisitStatus::InProgress, stamp(500, 0xe, 1)))],
        crate::store::mirror::PageCursor::Feed("c9"),
        0,
    )
    .expect("a late page");
    assert_eq!(
        status(&store),
        ("done".into(), 900),
        "an older projection does not move it back"
    );
    mirror::apply_page(
        &mut store.conn,
        &[page(view(
            VisitStatus::Done,
            stamp(700, test_support::DEVICE, 7),
        ))],
        crate::store::mirror::PageCursor::Feed("c10"),
        0,
    )
    .expect("the server's stamp");
    assert_eq!(
        status(&store),
        ("done".into(), 700),
        "the server's merge of this very write settles its stamp"
    );
}
