//! The shipped visit form, read with the server's reader and run through the shared runtime:
//! what the collector app and the server's completion check rely on.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use terreno_shared::form::runtime::{Answers, Engine, Env, Evaluation};

use super::visit_form;

const SPANISH: &str = "Español (es)";

/// Noon in Bogotá on 6 December 2026: `today()` is 2026-12-06.
fn env() -> Env {
    let now: DateTime<FixedOffset> =
        DateTime::parse_from_rfc3339("2026-12-06T12:00:00-05:00").expect("a time");
    Env {
        now,
        uuid: "uuid:test".into(),
        language: Some(SPANISH.into()),
    }
}

fn day(offset: i64) -> String {
    let today = NaiveDate::from_ymd_opt(2026, 12, 6).expect("a date");
    (today + Duration::days(offset)).to_string()
}

fn engine() -> Engine {
    let read = visit_form().expect("the shipped form reads");
    Engine::new(&read.form).expect("the shipped form compiles")
}

fn evaluate(pairs: &[(&str, &str)]) -> Evaluation {
    let answers: Answers = pairs.iter().copied().collect();
    engine().evaluate(&answers, &env())
}

fn missing(e: &Evaluation) -> Vec<&str> {
    e.missing_required.iter().map(|i| i.path.as_str()).collect()
}

fn failed(e: &Evaluation) -> Vec<String> {
    e.failed_constraints
        .iter()
        .map(|i| format!("{}: {}", i.path, i.message))
        .collect()
}

fn relevant(e: &Evaluation, path: &str) -> bool {
    e.relevant.get(path).copied().unwrap_or(false)
}

#[test]
fn the_shipped_form_imports_without_problems_or_warnings() {
    let read = visit_form().expect("no problems");

    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
    assert_eq!(read.form_id, "visita_cobranza");
    assert_eq!(read.version, "2026120601");
    assert_eq!(read.title, "Visita de cobranza");
    assert_eq!(
        read.form.settings.default_language.as_deref(),
        Some(SPANISH)
    );
    let names: Vec<&str> = read.form.children.iter().map(|n| n.name()).collect();
    assert_eq!(
        names,
        [
            "balance",
            "contact_result",
            "person_contacted",
            "relationship",
            "promise_amount",
            "promise_date",
            "payment_amount",
            "payment_method",
            "payment_receipt",
            "non_payment_reason",
            "next_visit",
            "photo",
            "signature",
            "comment",
        ]
    );
}

#[test]
fn nobody_home_needs_the_photo_of_the_facade() {
    let e = evaluate(&[("balance", "150000"), ("contact_result", "nobody_home")]);

    assert_eq!(missing(&e), ["photo"]);
    assert_eq!(
        e.missing_required[0].message,
        "Tome una foto de la fachada como evidencia de la visita"
    );
    let e = evaluate(&[
        ("balance", "150000"),
        ("contact_result", "nobody_home"),
        ("photo", "0193a0b0-0000-7000-8000-000000000001"),
    ]);
    assert!(e.is_complete(), "{e:?}");
}

#[test]
fn a_promise_above_the_balance_fails_with_the_spanish_message() {
    let e = evaluate(&[
        ("balance", "150000"),
        ("contact_result", "debtor"),
        ("person_contacted", "Ana"),
        ("promise_amount", "150000.5"),
        ("promise_date", &day(5)),
    ]);

    assert_eq!(
        failed(&e),
        [
            "promise_amount: El monto prometido debe ser mayor que cero y no superar el saldo de \
          150000"
        ]
    );
    let within = evaluate(&[
        ("balance", "150000"),
        ("contact_result", "debtor"),
        ("person_contacted", "Ana"),
        ("promise_amount", "150000"),
        ("promise_date", &day(5)),
    ]);
    assert!(within.is_complete(), "{within:?}");
}

#[test]
fn a_promise_date_must_fall_between_today_and_thirty_days_out() {
    let with_date = |date: String| {
        evaluate(&[
            ("balance", "150000"),
            ("contact_result", "debtor"),
            ("person_contacted", "Ana"),
            ("promise_amount", "5000"),
            ("promise_date", &date),
        ])
    };

    for ok in [0, 30] {
        assert!(with_date(day(ok)).is_complete(), "{ok} days out");
    }
    for late_or_past in [31, -1] {
        assert_eq!(
            failed(&with_date(day(late_or_past))),
            ["promise_date: La fecha de pago debe estar entre hoy y 30 días"],
            "{late_or_past} days out"
        );
    }
    let undated = evaluate(&[
        ("balance", "150000"),
        ("contact_result", "debtor"),
        ("person_contacted", "Ana"),
        ("promise_amount", "5000"),
    ]);
    assert_eq!(missing(&undated), ["promise_date"]);
}

#[test]
fn a_cash_payment_needs_no_receipt_and_a_transfer_does() {
    let paid = |method: &str| {
        evaluate(&[
            ("balance", "150000"),
            ("contact_result", "third_party"),
            ("person_contacted", "Luis"),
            ("relationship", "sibling"),
            ("payment_amount", "20000"),
            ("payment_method", method),
        ])
    };

    assert!(paid("cash").is_complete(), "{:?}", paid("cash"));
    let transfer = paid("transfer");
    assert_eq!(missing(&transfer), ["payment_receipt"]);
    assert_eq!(
        transfer.missing_required[0].message,
        "El número de recibo es obligatorio salvo en pagos en efectivo"
    );
}

#[test]
fn the_reason_for_not_paying_is_asked_only_without_promise_or_payment() {
    let debtor = [
        ("balance", "150000"),
        ("contact_result", "debtor"),
        ("person_contacted", "Ana"),
    ];

    let nothing = evaluate(&debtor);
    assert!(relevant(&nothing, "non_payment_reason"));
    assert_eq!(missing(&nothing), ["non_payment_reason"]);
    let mut promised = debtor.to_vec();
    promised.extend([("promise_amount", "5000"), ("promise_date", "2026-12-10")]);
    assert!(!relevant(&evaluate(&promised), "non_payment_reason"));
    let mut paid = debtor.to_vec();
    paid.extend([("payment_amount", "5000"), ("payment_method", "cash")]);
    assert!(!relevant(&evaluate(&paid), "non_payment_reason"));
    let third = evaluate(&[
        ("balance", "150000"),
        ("contact_result", "third_party"),
        ("person_contacted", "Luis"),
        ("relationship", "spouse"),
    ]);
    assert!(!relevant(&third, "non_payment_reason"));
    assert!(third.is_complete(), "{third:?}");
}

#[test]
fn the_next_visit_cannot_be_in_the_past() {
    let e = evaluate(&[
        ("balance", "150000"),
        ("contact_result", "refused"),
        ("next_visit", &day(-1)),
    ]);

    assert_eq!(
        failed(&e),
        ["next_visit: La próxima visita no puede ser antes de hoy"]
    );
}

#[test]
fn irrelevant_answers_are_left_out_of_the_result() {
    let answers: Answers = [
        ("balance", "150000"),
        ("contact_result", "nobody_home"),
        ("person_contacted", "typed before changing the result"),
        ("promise_amount", "5000"),
        ("photo", "0193a0b0-0000-7000-8000-000000000001"),
        ("comment", "ventanas cerradas"),
    ]
    .into_iter()
    .collect();

    let result = engine().result(&answers, &env()).expect("complete");

    let kept: Vec<&str> = result.iter().map(|(path, _)| path).collect();
    assert_eq!(kept, ["balance", "comment", "contact_result", "photo"]);
}
