//! The visit questionnaire on an in-memory store: which form a visit is filled with, what an
//! answer records, what completion refuses and what it submits, and the live evaluation.

use chrono::TimeDelta;
use serde_json::{Value, json};
use terreno_shared::form::runtime::Answers;
use terreno_shared::form::xlsform::{Sheet, parse_form};
use terreno_shared::model::Outcome;

use super::tests::{MORNING, refusal, stand, t, visit_id};
use crate::Error;
use crate::blobs::Blobs;
use crate::store::test_support::with_route;
use crate::store::{Store, log, visits};
use crate::visit::form::{self, Forms};
use crate::visit::test_forms::{self, visit_form};
use crate::visit::{answer, checkin, complete, live};

/// A collector's store with `CL-1` on the route, `forms` pulled as visit forms one after the
/// other, standing at the door.
fn at_the_door(forms: &[&terreno_shared::api::v1::forms::FormVersion]) -> (Store, Forms, Blobs) {
    let mut store = with_route("collector", None);
    for f in forms {
        test_forms::pull(&mut store, f);
    }
    stand(&mut store, t(MORNING), 0.0, false);
    let dir = std::env::temp_dir().join(format!("terreno-forms-{}", uuid::Uuid::now_v7()));
    let blobs = Blobs::new(dir, &[7; 32]).expect("a blob folder");
    (store, Forms::default(), blobs)
}

fn check_in(store: &mut Store, forms: &Forms) {
    let form = forms.current(&store.conn).expect("reading the visit form");
    checkin::check_in(store, "CL-1", t(MORNING), visit_id(), form.as_deref()).expect("checked in");
}

fn answer(
    (store, forms, blobs): &mut (Store, Forms, Blobs),
    pairs: &[&str],
) -> crate::Result<usize> {
    let pairs: Vec<String> = pairs.iter().map(|p| (*p).to_owned()).collect();
    answer::answer(store, forms, blobs, "CL-1", &pairs, t(MORNING))
}

fn payload_of(store: &Store, seq: u64) -> Value {
    let text: String = store
        .conn
        .query_row(
            "select payload from events where seq = ?1",
            [seq as i64],
            |r| r.get(0),
        )
        .expect("the event");
    serde_json::from_str(&text).expect("a JSON payload")
}

#[test]
fn an_accepted_check_in_starts_the_visit_on_the_visit_form_with_the_balance_prefilled() {
    let v1 = test_forms::version(1, visit_form("2026120601"));
    let (mut store, forms, _) = at_the_door(&[&v1]);
    check_in(&mut store, &forms);
    let info = answer::info(&store, "CL-1").expect("the visit");
    assert_eq!(info.form, Some(v1.id.to_string()));
    assert_eq!(info.answers["balance"], json!("1500000.00"), "major units");
    let kinds: Vec<String> = store
        .conn
        .prepare("select kind || ':' || coalesce(field, '') from events order by seq")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("the log");
    assert!(
        kinds.ends_with(&["check_in:".to_owned(), "field_set:balance".to_owned()]),
        "a normal answer event after the check-in: {kinds:?}"
    );
}

#[test]
fn a_newer_visit_form_arriving_mid_visit_does_not_switch_the_visit() {
    let v1 = test_forms::version(1, visit_form("2026120601"));
    let v2 = test_forms::version(2, visit_form("2026120602"));
    let mut device = at_the_door(&[&v1]);
    check_in(&mut device.0, &device.1);
    answer(&mut device, &["contact_result=refused"]).expect("answering");
    test_forms::pull(&mut device.0, &v2);
    assert_eq!(
        device
            .1
            .current(&device.0.conn)
            .expect("reading")
            .map(|c| c.version.id),
        Some(v2.id),
        "new visits take the newer version"
    );
    let done = complete::complete(
        &mut device.0,
        &device.1,
        "CL-1",
        Outcome::Refused,
        t(MORNING),
    )
    .expect("completing");
    let submitted = payload_of(&device.0, done.seq);
    assert_eq!(
        submitted["form"],
        json!({"id": v1.id, "version": "2026120601"}),
        "{submitted}"
    );
}

#[test]
fn answers_are_typed_by_their_question_and_a_bad_pair_records_nothing() {
    let v1 = test_forms::version(1, visit_form("2026120601"));
    let mut device = at_the_door(&[&v1]);
    check_in(&mut device.0, &device.1);
    let before = log::pending_count(&device.0.conn).expect("pending");
    let err = answer(
        &mut device,
        &[
            "contact_result=maybe",
            "person_contacted=Ana",
            "promise_amount=doce mil",
            "promise_date=05/12/2026",
            "colour=red",
            "balance=1",
            "photo=/nonexistent/door.jpg",
        ],
    )
    .expect_err("bad pairs");
    let message = err.to_string();
    for name in [
        "contact_result",
        "promise_amount",
        "promise_date",
        "colour",
        "balance",
        "photo",
    ] {
        assert!(message.contains(name), "{name} is named: {message}");
    }
    assert!(!message.contains("person_contacted"), "{message}");
    assert_eq!(log::pending_count(&device.0.conn).expect("pending"), before);

    answer(
        &mut device,
        &[
            "contact_result=debtor",
            "promise_amount=250000.50",
            "comment= ",
        ],
    )
    .expect("answering");
    let answers = answer::info(&device.0, "CL-1").expect("the visit").answers;
    assert_eq!(
        answers["promise_amount"],
        json!("250000.50"),
        "kept as typed"
    );
    assert!(
        !answers.contains_key("comment"),
        "an empty answer clears it"
    );
}

#[test]
fn a_device_without_a_visit_form_asks_for_a_sync_before_answers() {
    let mut device = at_the_door(&[]);
    check_in(&mut device.0, &device.1);
    let err = answer(&mut device, &["contact_result=debtor"]).expect_err("no form yet");
    assert!(
        matches!(&err, Error::NotFound(m) if m.contains("sync first")),
        "{err:?}"
    );
}

#[test]
// Long: a scenario test read top to bottom.
fn completion_lists_every_issue_in_spanish_and_submits_the_cleaned_answers_once_fixed() {
    let v1 = test_forms::version(1, visit_form("2026120601"));
    let mut device = at_the_door(&[&v1]);
    check_in(&mut device.0, &device.1);
    let (store, forms, _) = &mut device;
    let early = complete::complete(store, forms, "CL-1", Outcome::PromiseToPay, t(MORNING));
    assert!(refusal(early).0.contains("contact_result"));
    answer(
        &mut device,
        &[
            "contact_result=debtor",
            "non_payment_reason=forgot",
            "promise_amount=2000000",
            "promise_date=2027-03-01",
        ],
    )
    .expect("answering");
    let before = log::pending_count(&device.0.conn).expect("pending");
    let (store, forms, _) = &mut device;
    let (message, details) = refusal(complete::complete(
        store,
        forms,
        "CL-1",
        Outcome::PromiseToPay,
        t(MORNING),
    ));
    for expected in [
        "person_contacted",
        "El monto prometido debe ser mayor que cero y no superar el saldo de 1500000.00",
        "La fecha de pago debe estar entre hoy y 30 días",
    ] {
        assert!(message.contains(expected), "{expected}: {message}");
    }
    assert_eq!(
        details["issues"].as_array().map(Vec::len),
        Some(3),
        "{details}"
    );
    assert_eq!(
        log::pending_count(&store.conn).expect("pending"),
        before,
        "nothing written"
    );

    answer(
        &mut device,
        &[
            "person_contacted=Ana Pérez",
            "promise_amount=250000.50",
            "promise_date=2026-12-05",
        ],
    )
    .expect("correcting");
    let (store, forms, _) = &mut device;
    let later = t(MORNING) + TimeDelta::minutes(5);
    let done =
        complete::complete(store, forms, "CL-1", Outcome::PromiseToPay, later).expect("completing");
    let submitted = payload_of(store, done.seq);
    assert_eq!(
        submitted["promise"]["amount"]["minor_units"],
        json!(25_000_050)
    );
    assert_eq!(submitted["form"]["version"], json!("2026120601"));
    let names: Vec<&str> = submitted["answers"]
        .as_object()
        .expect("answers")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        names,
        [
            "balance",
            "contact_result",
            "person_contacted",
            "promise_amount",
            "promise_date"
        ],
        "the non-payment reason is irrelevant once a promise is made"
    );
    refusal(complete::complete(
        store,
        forms,
        "CL-1",
        Outcome::Paid,
        later,
    ));
}

#[test]
// Long: a scenario test read top to bottom.
fn the_live_form_follows_each_answer_and_equals_a_fresh_evaluation() {
    let v1 = test_forms::version(1, visit_form("2026120601"));
    let mut device = at_the_door(&[&v1]);
    let before = live::live_form(&device.0, &device.1, "CL-1", t(MORNING)).expect("the form");
    assert_eq!(before.visit_id, None, "shown before the check-in");
    assert_eq!(
        before.state.answers["balance"], "1500000.00",
        "as it would start"
    );
    check_in(&mut device.0, &device.1);
    for (pairs, relevant, missing) in [
        (
            &["contact_result=third_party"][..],
            "relationship",
            &["person_contacted", "relationship"][..],
        ),
        (
            &["relationship=spouse", "payment_amount=100"][..],
            "payment_method",
            &["person_contacted", "payment_method", "payment_receipt"][..],
        ),
        (
            &["payment_method=cash", "person_contacted=Luis"][..],
            "payment_receipt",
            &[][..],
        ),
    ] {
        answer(&mut device, pairs).expect("answering");
        let (store, forms, _) = &device;
        let shown = live::live_form(store, forms, "CL-1", t(MORNING)).expect("the form");
        assert!(shown.state.relevant[relevant], "{relevant} after {pairs:?}");
        let paths: Vec<&str> = shown
            .state
            .missing_required
            .iter()
            .map(|i| i.path.as_str())
            .collect();
        assert_eq!(paths, missing, "after {pairs:?}");
        let visit = shown.visit_id.clone().expect("a visit");
        let answers: Answers =
            form::answers_of(&visits::fields_of(&store.conn, &visit).expect("fields"));
        let compiled = forms.for_visit(&store.conn, None).expect("the form");
        let env = form::live_env(t(MORNING), chrono_tz::America::Bogota, &visit);
        assert_eq!(
            forms.evaluate(&compiled, &visit, &answers, &env),
            compiled.engine.evaluate(&answers, &env),
            "the incremental evaluation is the full one"
        );
    }
    let listed = live::live_form(&device.0, &device.1, "CL-1", t(MORNING)).expect("the form");
    let questions = listed.questions();
    assert_eq!(questions.len(), 14);
    let method = questions
        .iter()
        .find(|q| q.path == "payment_method")
        .expect("listed");
    assert_eq!(
        (method.kind.as_str(), method.value.as_deref()),
        ("select_one payment_method", Some("cash"))
    );
    assert!(listed.state.complete);
}

#[test]
fn forms_pulled_before_the_device_knew_them_are_read_after_the_upgrade() {
    let store = with_route("collector", None);
    let v1 = test_forms::version(1, visit_form("2026120601"));
    for c in test_forms::changes(&v1) {
        store
            .conn
            .execute(
                "insert into skipped_changes (entity_type, entity_id, reason, body, skipped_ms) \
                 values (?1, ?2, 'unknown entity type', ?3, 0)",
                rusqlite::params![c.entity_type(), c.entity_id(), c.body_json().expect("json")],
            )
            .expect("keeping a change aside");
    }
    crate::store::mirror::reapply_skipped(
        &store.conn,
        &[
            terreno_shared::api::v1::sync::EntityType::Form,
            terreno_shared::api::v1::sync::EntityType::VisitForm,
        ],
    )
    .expect("re-reading");
    let forms = Forms::default();
    assert_eq!(
        forms
            .current(&store.conn)
            .expect("reading")
            .map(|c| c.version.id),
        Some(v1.id)
    );
    let left: i64 = store
        .conn
        .query_row("select count(*) from skipped_changes", [], |r| r.get(0))
        .expect("counting");
    assert_eq!(left, 0);
}

#[test]
fn a_pulled_form_this_app_cannot_compile_is_kept_aside_and_the_pull_goes_on() {
    let mut store = with_route("collector", None);
    // Each question is shown only when the other is answered: the form model takes it, the
    // engine refuses the cycle.
    let survey = Sheet::new(
        "survey",
        vec![
            vec![
                "type".into(),
                "name".into(),
                "label".into(),
                "relevant".into(),
            ],
            vec!["text".into(), "a".into(), "A".into(), "${b} != ''".into()],
            vec!["text".into(), "b".into(), "B".into(), "${a} != ''".into()],
        ],
    );
    let (cyclic, _) = parse_form(&[survey]).expect("the form model accepts it");
    let broken = test_forms::version(9, cyclic);
    let applied = crate::store::mirror::apply_page(
        &mut store.conn,
        &test_forms::changes(&broken),
        crate::store::mirror::PageCursor::Feed("c9"),
        0,
    )
    .expect("the page applies");
    assert_eq!(applied.skipped, 1, "the form is kept aside");
    let reason: String = store
        .conn
        .query_row("select reason from skipped_changes", [], |r| r.get(0))
        .expect("the kept change");
    assert!(reason.contains("cannot compile"), "{reason}");
    let forms = Forms::default();
    assert!(
        forms.current(&store.conn).expect("reading").is_none(),
        "the visit form names a version the device lacks"
    );
}

#[test]
// Long: a scenario test read top to bottom.
fn the_device_records_the_forms_metadata_as_odk_collect_does() {
    let rows = |rows: &[&[&str]]| -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
            .collect()
    };
    let survey = Sheet::new(
        "survey",
        rows(&[
            &["type", "name", "label"],
            &["start", "started", ""],
            &["end", "ended", ""],
            &["today", "day", ""],
            &["deviceid", "device", ""],
            &["username", "who", ""],
            &["phonenumber", "phone", ""],
            &["text", "comment", "Comentario"],
        ]),
    );
    let (definition, _) = parse_form(&[survey]).expect("a valid form");
    let v = test_forms::version(3, definition);
    let (mut store, forms, _) = at_the_door(&[&v]);
    check_in(&mut store, &forms);
    let started = answer::info(&store, "CL-1").expect("the visit").answers;
    let later = t(MORNING) + TimeDelta::minutes(25);
    let done = complete::complete(&mut store, &forms, "CL-1", Outcome::Refused, later)
        .expect("completing");
    let answers = &payload_of(&store, done.seq)["answers"];
    let local = |at: chrono::DateTime<chrono::Utc>| {
        at.with_timezone(&chrono_tz::America::Bogota)
            .format("%Y-%m-%dT%H:%M:%S%.3f-05:00")
            .to_string()
    };
    assert_eq!(started["started"], json!(local(t(MORNING))), "{started:?}");
    assert_eq!(
        answers["started"],
        json!(local(t(MORNING))),
        "start is the check-in"
    );
    assert_eq!(
        answers["ended"],
        json!(local(later)),
        "end is the completion"
    );
    let today = t(MORNING)
        .with_timezone(&chrono_tz::America::Bogota)
        .date_naive()
        .to_string();
    assert_eq!(answers["day"], json!(today), "{answers}");
    let device_id = crate::store::device::get(&store.conn)
        .expect("the device")
        .device_id;
    assert_eq!(answers["device"], json!(format!("terreno:{device_id}")));
    assert!(
        answers["who"].as_str().is_some_and(|u| !u.is_empty()),
        "{answers}"
    );
    assert!(
        answers.get("phone").is_none(),
        "unknown metadata stays empty: {answers}"
    );
}
