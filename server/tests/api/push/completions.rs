//! The server checks a visit completion with the rules of the form version it names (the
//! shipped visit form here): a complete one is accepted; a missing required answer, a promise
//! above the balance, an unknown form version or no form at all are each rejected with the
//! reason, kept as evidence, and leave the visit as it was.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use terreno_shared::ids::{AccountId, FormId, VisitId};
use uuid::Uuid;

use super::helpers::*;
use crate::both;
use crate::harness::TestApp;

/// A date `days` from today in Bogotá (the organization's zone), as the form's dates read.
fn local_day(days: i64) -> String {
    let today = Utc::now()
        .with_timezone(&chrono_tz::America::Bogota)
        .date_naive();
    (today + Duration::days(days)).to_string()
}

/// A debtor promising `amount` (major units) in three days.
fn promise_answers(amount: &str) -> Value {
    json!({
        "balance": BALANCE,
        "contact_result": "debtor",
        "person_contacted": "Ana Pérez",
        "promise_amount": amount,
        "promise_date": local_day(3),
        "signature": {"attachment_id": Uuid::now_v7(), "role": "signature"},
    })
}

/// The visit's status and outcome (empty: none) as stored.
async fn visit_state(app: &TestApp, visit: VisitId) -> Option<(String, String)> {
    let v = visit.to_string();
    let status = text(app, "select status from visits where id = $1", &v).await?;
    let outcome = text(
        app,
        "select coalesce(outcome, '') from visits where id = $1",
        &v,
    )
    .await?;
    Some((status, outcome))
}

/// Ana checks in at the door and completes the visit with `outcome`, `answers` and `form`
/// (`None`: no form named); the push's answer.
async fn complete(
    app: &TestApp,
    w: &mut World,
    visit: VisitId,
    form: Option<FormId>,
    outcome: &str,
    answers: Value,
) -> crate::harness::Resp {
    let account: AccountId = w.ana_account;
    let first = w.ana.phone.events.len() as u64 + 1;
    w.ana.phone.add(check_in(visit, account, Utc::now(), 0.0));
    let draft = match form {
        Some(form) => submit_answers(form, visit, account, outcome, answers),
        None => {
            let payload = json!({"account": account, "outcome": outcome,
                "completed_at": Utc::now().to_rfc3339(), "answers": answers});
            terreno_shared::sync::Draft::new(
                terreno_shared::sync::EventKind::VisitSubmitted,
                1,
                payload,
            )
            .entity(*visit.as_uuid())
        }
    };
    w.ana.phone.add(draft);
    let r = push(app, &w.ana, &w.ana.phone.batch(first..=first + 1)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r
}

/// Asserts the push rejected exactly the submission (the second event) with `code`, kept it
/// as evidence, and left the checked-in visit in progress with no outcome and no email.
async fn assert_refused(
    app: &TestApp,
    w: &World,
    r: &crate::harness::Resp,
    visit: VisitId,
    code: &str,
) -> String {
    let rejected = r.body["rejected"].as_array().expect("rejected");
    assert_eq!(rejected.len(), 1, "{}", r.text);
    assert_eq!(rejected[0]["code"], code, "{}", r.text);
    let seq = rejected[0]["seq"].as_u64().expect("a seq");
    assert_eq!(
        Some(seq),
        r.body["head"].as_u64(),
        "the submission was the last event"
    );
    let state = text(
        app,
        &format!("select state from events where seq = {seq} and device_id = $1"),
        &w.ana.phone.id.to_string(),
    )
    .await;
    assert_eq!(state.as_deref(), Some("rejected"), "kept as evidence");
    assert_eq!(
        visit_state(app, visit).await,
        Some(("in_progress".to_owned(), String::new())),
        "the visit stays as the check-in left it"
    );
    assert_eq!(
        count(app, "email_outbox").await,
        0,
        "no email for a refused completion"
    );
    rejected[0]["message"]
        .as_str()
        .expect("a message")
        .to_owned()
}

both!(
    a_completion_its_form_accepts_completes_the_visit,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let visit = new_visit();
        let form = w.form;

        let r = complete(
            &app,
            &mut w,
            visit,
            Some(form),
            "contacted",
            promise_answers("1000"),
        )
        .await;

        assert_eq!(r.body["rejected"], json!([]), "{}", r.text);
        assert_eq!(
            visit_state(&app, visit).await,
            Some(("done".to_owned(), "contacted".to_owned()))
        );
        assert_eq!(count(&app, "email_outbox").await, 1);
    }
);

both!(
    a_completion_missing_a_required_answer_is_rejected_with_the_question,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let visit = new_visit();
        let form = w.form;
        // Nobody home needs the photo of the façade.
        let answers = json!({"balance": BALANCE, "contact_result": "nobody_home"});

        let r = complete(&app, &mut w, visit, Some(form), "nobody_home", answers).await;

        let message = assert_refused(&app, &w, &r, visit, "invalid_submission").await;
        assert!(
            message.contains("photo: Tome una foto de la fachada"),
            "{message}"
        );
    }
);

both!(
    a_promise_above_the_balance_is_rejected_with_the_spanish_message,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let visit = new_visit();
        let form = w.form;

        let r = complete(
            &app,
            &mut w,
            visit,
            Some(form),
            "contacted",
            promise_answers("1000.01"),
        )
        .await;

        let message = assert_refused(&app, &w, &r, visit, "invalid_submission").await;
        assert!(
            message.contains(
                "promise_amount: El monto prometido debe ser mayor que cero y no superar el \
                 saldo de 1000"
            ),
            "{message}"
        );
    }
);

both!(
    a_completion_naming_an_unknown_form_version_is_rejected,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let visit = new_visit();
        let unknown = FormId::from_uuid(Uuid::now_v7());

        let r = complete(
            &app,
            &mut w,
            visit,
            Some(unknown),
            "refused",
            answers_for("refused"),
        )
        .await;

        let message = assert_refused(&app, &w, &r, visit, "unknown_form").await;
        assert!(message.contains(&unknown.to_string()), "{message}");
    }
);

both!(
    another_organizations_form_version_is_unknown_here,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let other = app
            .db()
            .orgs()
            .insert("other", chrono_tz::America::Bogota)
            .await
            .expect("another organization");
        let theirs = app
            .db()
            .visits()
            .find_form(other.id)
            .await
            .expect("reading")
            .expect("their visit form");
        let visit = new_visit();

        let r = complete(
            &app,
            &mut w,
            visit,
            Some(theirs),
            "refused",
            answers_for("refused"),
        )
        .await;

        assert_refused(&app, &w, &r, visit, "unknown_form").await;
    }
);

both!(
    a_completion_naming_no_form_is_rejected_while_the_organization_has_one,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let visit = new_visit();

        let r = complete(&app, &mut w, visit, None, "refused", answers_for("refused")).await;

        let message = assert_refused(&app, &w, &r, visit, "form_required").await;
        assert!(message.contains(&w.form.to_string()), "{message}");
    }
);

both!(
    a_refused_first_completion_creates_no_visit,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let visit = new_visit();
        let answers = json!({"balance": BALANCE, "contact_result": "debtor"});
        w.ana.phone.add(submit_answers(
            w.form,
            visit,
            w.ana_account,
            "contacted",
            answers,
        ));
        let changes_before = count(&app, "changes").await;

        let r = push(&app, &w.ana, &w.ana.phone.batch(1..=1)).await;

        assert_eq!(
            r.body["rejected"][0]["code"], "invalid_submission",
            "{}",
            r.text
        );
        assert_eq!(count(&app, "visits").await, 0);
        assert_eq!(count(&app, "changes").await, changes_before);
    }
);

/// Ana checks in and completes the visit as a promise to pay: the answers promise
/// `answered` (major units), the submission's promise says `promised_minor`.
async fn promise_completion(
    app: &TestApp,
    w: &mut World,
    visit: VisitId,
    answered: &str,
    promised_minor: i64,
) -> crate::harness::Resp {
    let account: AccountId = w.ana_account;
    let first = w.ana.phone.events.len() as u64 + 1;
    w.ana.phone.add(check_in(visit, account, Utc::now(), 0.0));
    let payload = json!({
        "account": account,
        "outcome": "promise_to_pay",
        "completed_at": Utc::now().to_rfc3339(),
        "form": {"id": w.form, "version": VISIT_FORM_VERSION},
        "answers": promise_answers(answered),
        "promise": {
            "amount": {"minor_units": promised_minor, "currency": "COP"},
            "due": local_day(3),
        },
    });
    w.ana.phone.add(
        terreno_shared::sync::Draft::new(
            terreno_shared::sync::EventKind::VisitSubmitted,
            1,
            payload,
        )
        .entity(*visit.as_uuid()),
    );
    let r = push(app, &w.ana, &w.ana.phone.batch(first..=first + 1)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r
}

both!(
    a_promise_the_answers_describe_completes_the_visit,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let visit = new_visit();

        let r = promise_completion(&app, &mut w, visit, "999.50", 99_950).await;

        assert_eq!(r.body["rejected"], json!([]), "{}", r.text);
        assert_eq!(
            visit_state(&app, visit).await,
            Some(("done".to_owned(), "promise_to_pay".to_owned()))
        );
    }
);

both!(
    a_promise_other_than_the_answers_describe_is_rejected,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let visit = new_visit();

        let r = promise_completion(&app, &mut w, visit, "999.50", 100).await;

        let message = assert_refused(&app, &w, &r, visit, "invalid_submission").await;
        assert!(
            message.contains("the promise to pay does not match the answers"),
            "{message}"
        );
    }
);
