//! The device's stored state is the shared merge: this device's own writes (stored as the visit
//! flow stores them) and the server's views of everyone's writes (applied as the pull applies
//! them), in any interleaving, leave exactly the registers and visit status that
//! `terreno_shared::sync::State::fold` computes from the events involved. The server's side of
//! the same claim is `server/tests/api/push/equivalence.rs`; together they say a device and the
//! server hold the same winners once they exchanged everything.
//!
//! The server is modelled by the shared fold itself (which that test proves the server's
//! projection equals); every event it folds appends the views it would record to a feed, and a
//! pull applies the feed from the device's cursor on, stale views included, as the real feed
//! delivers them.

use proptest::prelude::*;
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Value, json};
use terreno_shared::api::v1::views::{FieldView, VisitView};
use terreno_shared::ids::{AccountId, DeviceId, UserId, VisitId};
use terreno_shared::model::VisitStatus;
use terreno_shared::sync::merge::StatusCell;
use terreno_shared::sync::payload::{FieldValue, Payload, StatusChange, encode};
use terreno_shared::sync::{Event, Hlc, LogHead, Stamp, State};
use uuid::Uuid;

use super::test_support::{self, with_route};
use super::{Store, log, visits, write_tx};

const FIELDS: [&str; 3] = ["notes", "contact_result", "next_visit"];
const VISIT: u128 = 0x0193_a000_0000_7000_8000_0000_0000_0077;

/// One step of a run.
#[derive(Debug, Clone)]
enum Step {
    /// This device writes (and stores) a field or a status.
    Local(Write),
    /// Another phone (0 or 1) writes; the server has it once delivered.
    Remote(usize, Write),
    /// The server folds one of the events not delivered yet (which one: modulo their number).
    Deliver(usize),
    /// The device pulls the feed from its cursor on.
    Pull,
}

/// A write at a coarse wall time, so stamps of different phones often tie.
#[derive(Debug, Clone)]
struct Write {
    at_s: i64,
    what: What,
}

#[derive(Debug, Clone)]
enum What {
    Field(usize, u8),
    Status(usize, u32),
}

fn step() -> impl Strategy<Value = Step> {
    let what = prop_oneof![
        (0..FIELDS.len(), any::<u8>()).prop_map(|(f, v)| What::Field(f, v)),
        (0..VisitStatus::ALL.len(), 0_u32..2).prop_map(|(s, e)| What::Status(s, e)),
    ];
    let write = (0_i64..6, what).prop_map(|(at_s, what)| Write { at_s, what });
    prop_oneof![
        2 => write.clone().prop_map(Step::Local),
        3 => (0_usize..2, write).prop_map(|(p, w)| Step::Remote(p, w)),
        3 => any::<usize>().prop_map(Step::Deliver),
        1 => Just(Step::Pull),
    ]
}

fn visit() -> VisitId {
    VisitId::from_uuid(Uuid::from_u128(VISIT))
}

fn payload(what: &What) -> Payload {
    match what {
        What::Field(f, v) => Payload::FieldSet(
            Uuid::from_u128(VISIT),
            FIELDS[*f].to_owned(),
            FieldValue {
                value: json!(format!("v{v}")),
            },
        ),
        What::Status(s, epoch) => Payload::StatusSet(
            visit(),
            StatusChange {
                status: VisitStatus::ALL[*s],
                epoch: *epoch,
            },
        ),
    }
}

/// The server: the events it folded and the feed of views it recorded.
#[derive(Default)]
struct Server {
    events: Vec<Event>,
    feed: Vec<Feed>,
}

enum Feed {
    Visit(VisitView),
    Field(FieldView),
}

impl Server {
    /// Folds an event and records the view of what it touched (the status view even when the
    /// write lost: a late projection is exactly what the feed may deliver).
    fn receive(&mut self, e: Event) {
        let touched = payload_of(&e);
        self.events.push(e);
        let state = State::fold(&self.events);
        match touched {
            Payload::FieldSet(entity, field, _) => {
                if let Some(r) = state.register(entity, &field) {
                    self.feed.push(Feed::Field(FieldView {
                        entity,
                        field,
                        value: r.value.clone(),
                        hlc: r.stamp.hlc,
                        device: r.stamp.device_id,
                        seq: r.stamp.seq,
                    }));
                }
            }
            _ => self
                .feed
                .push(Feed::Visit(visit_view(state.status(visit())))),
        }
    }
}

fn payload_of(e: &Event) -> Payload {
    terreno_shared::sync::payload::decode(e.draft()).expect("the test's events decode")
}

fn visit_view(cell: Option<&StatusCell>) -> VisitView {
    VisitView {
        id: visit(),
        account: AccountId::from_uuid(Uuid::from_u128(test_support::ACCOUNT)),
        collector: UserId::from_uuid(Uuid::from_u128(0x11)),
        stop: None,
        status: cell.map_or(VisitStatus::Planned, |c| c.status),
        status_epoch: cell.map_or(0, |c| c.epoch),
        status_hlc: cell.map_or(Hlc::ZERO, |c| c.stamp.hlc),
        status_device: cell.map(|c| c.stamp.device_id),
        status_seq: cell.map(|c| c.stamp.seq),
        outcome: None,
        completed_at: None,
        flagged: false,
    }
}

/// Stores this device's write as the visit flow does: the event, then its row.
fn write_locally(store: &mut Store, w: &Write) -> Event {
    let draft = encode(&payload(&w.what)).expect("a draft");
    let tx = write_tx(&mut store.conn).expect("a transaction");
    let e = log::append(&tx, [draft], w.at_s * 1_000)
        .expect("appending")
        .remove(0);
    let stamp = Stamp::of(&e, e.hlc());
    let id = visit().to_string();
    match &w.what {
        What::Field(..) => {
            let value = &e.draft().payload["value"];
            let field = e.draft().field.clone().unwrap_or_default();
            visits::merge_field(&tx, &id, &field, value, &stamp).expect("a field");
        }
        What::Status(s, epoch) => {
            let cell = StatusCell {
                epoch: *epoch,
                status: VisitStatus::ALL[*s],
                stamp,
            };
            let none = visits::StatusExtras::default();
            visits::merge_status(&tx, &id, &cell, &none).expect("a status");
        }
    }
    tx.commit().expect("commit");
    e
}

fn pull(conn: &Connection, server: &Server, cursor: &mut usize) {
    for f in &server.feed[*cursor..] {
        match f {
            Feed::Visit(v) => visits::apply_view(conn, v).expect("a visit view"),
            Feed::Field(f) => {
                let stamp = Stamp {
                    hlc: f.hlc,
                    device_id: f.device,
                    seq: f.seq,
                };
                let entity = f.entity.to_string();
                visits::merge_field(conn, &entity, &f.field, &f.value, &stamp).expect("a field")
            }
        }
    }
    *cursor = server.feed.len();
}

/// The registers and status cell as the device stores them.
fn stored(conn: &Connection) -> (Vec<(String, Value, Stamp)>, Option<StatusCell>) {
    let mut fields = Vec::new();
    let mut st = conn
        .prepare("select field, value, hlc, device_id, seq from fields order by field")
        .expect("a query");
    let rows = st
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })
        .expect("fields");
    for row in rows {
        let (field, value, hlc, device, seq) = row.expect("a field row");
        let value = serde_json::from_str(&value).expect("stored JSON");
        fields.push((field, value, stamp_of(hlc, &device, seq)));
    }
    let status = conn
        .query_row(
            "select status, status_epoch, status_hlc, status_device, status_seq from visits \
             where id = ?1 and status_key <> ''",
            [visit().to_string()],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, u32>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            },
        )
        .optional()
        .expect("the visit")
        .map(|(status, epoch, hlc, device, seq)| StatusCell {
            epoch,
            status: status.parse().expect("a status"),
            stamp: stamp_of(hlc, &device, seq),
        });
    (fields, status)
}

fn stamp_of(hlc: i64, device: &str, seq: i64) -> Stamp {
    Stamp {
        hlc: Hlc::from_raw(hlc),
        device_id: device.parse().expect("a device id"),
        seq: u64::try_from(seq).expect("a seq"),
    }
}

/// What the fold of `events` says the device must hold.
fn folded(events: &[&Event]) -> (Vec<(String, Value, Stamp)>, Option<StatusCell>) {
    let state = State::fold(events.iter().copied());
    let fields = state
        .registers_of(Uuid::from_u128(VISIT))
        .map(|(f, r)| (f.to_owned(), r.value.clone(), r.stamp))
        .collect();
    (fields, state.status(visit()).copied())
}

/// The device holds the fold of its own events and of those the server folded.
fn check(store: &Store, server: &Server, mine: &[Event]) -> Result<(), TestCaseError> {
    let seen: Vec<&Event> = mine.iter().chain(&server.events).collect();
    prop_assert_eq!(stored(&store.conn), folded(&seen));
    Ok(())
}

/// Runs the steps; after every pull and at the end (everything delivered and pulled) the
/// device holds the fold of its own events and the events the server had folded.
fn run(steps: &[Step]) -> Result<(), TestCaseError> {
    let mut store = with_route("collector", None);
    visits::insert(
        &store.conn,
        &visit().to_string(),
        &AccountId::from_uuid(Uuid::from_u128(test_support::ACCOUNT)).to_string(),
        None,
    )
    .expect("a visit");
    let mut phones =
        [0xb1_u128, 0xb2].map(|d| LogHead::new(DeviceId::from_uuid(Uuid::from_u128(d))));
    let (mut server, mut cursor) = (Server::default(), 0);
    let (mut mine, mut undelivered): (Vec<Event>, Vec<Event>) = (Vec::new(), Vec::new());
    for s in steps {
        match s {
            Step::Local(w) => {
                let e = write_locally(&mut store, w);
                mine.push(e.clone());
                undelivered.push(e);
            }
            Step::Remote(p, w) => {
                let draft = encode(&payload(&w.what)).expect("a draft");
                let e = phones[*p].append(draft, w.at_s * 1_000).expect("an event");
                undelivered.push(e);
            }
            Step::Deliver(i) if !undelivered.is_empty() => {
                let e = undelivered.remove(i % undelivered.len());
                server.receive(e);
            }
            Step::Deliver(_) => {}
            Step::Pull => {
                pull(&store.conn, &server, &mut cursor);
                check(&store, &server, &mine)?;
            }
        }
    }
    for e in std::mem::take(&mut undelivered) {
        server.receive(e);
    }
    pull(&store.conn, &server, &mut cursor);
    check(&store, &server, &mine)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn the_device_holds_the_shared_fold_whatever_the_interleaving(
        steps in proptest::collection::vec(step(), 1..40)
    ) {
        run(&steps)?;
    }
}

#[test]
fn a_stale_view_at_the_same_rank_does_not_replace_a_later_local_write() {
    // The case the old `(epoch, rank) >=` rule got wrong: a pulled "not done" written before
    // this device's "done" replaced it, and the order of arrival decided the status.
    let remote = Write {
        at_s: 1,
        what: What::Status(3, 0),
    };
    let local = Write {
        at_s: 2,
        what: What::Status(2, 0),
    };
    let steps = [
        Step::Remote(0, remote),
        Step::Deliver(0),
        Step::Local(local),
        Step::Pull,
    ];
    run(&steps).expect("the fold");
}
