//! Reviewing visits: who may approve or reject (supervisors of the team, admins), what a
//! rejection needs (a comment), the latest review as the visit's state in the list and the
//! detail, the history (reviews and field edits with the value they replaced), answers labelled
//! with their form, and who may fetch a visit's attachments.

use axum::body::Body;
use axum::http::{Method, Request, header};
use serde_json::{Value, json};
use terreno_shared::model::Role;

use crate::both;
use crate::harness::TestApp;
use crate::push::helpers::{
    BALANCE, Person, Phone, World as PushWorld, check_in, enroll, field, push, submit_answers,
};
use crate::reads::{exec, user, world};

const VISIT_ID: &str = "00000000-0000-7000-8000-0000000000b1";
const VISIT: &str = "/api/v1/visits/00000000-0000-7000-8000-0000000000b1";
const REVIEW: &str = "/api/v1/visits/00000000-0000-7000-8000-0000000000b1/review";
const HISTORY: &str = "/api/v1/visits/00000000-0000-7000-8000-0000000000b1/history";

/// The review state of `world`'s visit in the list `query` gives `token`; None when not listed.
async fn listed_review(app: &TestApp, token: &str, query: &str) -> Option<Value> {
    let r = app
        .get(&format!("/api/v1/visits?{query}"), Some(token))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["visits"]
        .as_array()
        .expect("visits")
        .iter()
        .find(|v| v["id"] == VISIT_ID)
        .map(|v| v["review"].clone())
}

both!(
    a_supervisor_approves_an_admin_rejects_and_the_latest_review_is_the_state,
    |app: TestApp| async move {
        let w = world(&app).await;
        assert_eq!(
            listed_review(&app, &w.sup_a.token, "review=pending").await,
            Some(Value::Null)
        );

        let approved = app
            .post(
                REVIEW,
                Some(&w.sup_a.token),
                &json!({"decision": "approved"}),
            )
            .await;
        let rejected = app
            .post(
                REVIEW,
                Some(&w.admin.token),
                &json!({"decision": "rejected", "comment": "  la foto no es de la fachada "}),
            )
            .await;

        assert_eq!(approved.status, 201, "{}", approved.text);
        assert_eq!(approved.body["decision"], "approved");
        assert_eq!(approved.body["reviewer_username"], "sup.a");
        assert_eq!(rejected.status, 201, "{}", rejected.text);
        assert_eq!(
            rejected.body["comment"], "la foto no es de la fachada",
            "trimmed"
        );
        let detail = app.get(VISIT, Some(&w.sup_a.token)).await;
        assert_eq!(
            detail.body["review"]["decision"], "rejected",
            "{}",
            detail.text
        );
        assert_eq!(detail.body["review"]["reviewer_username"], "boss");
        let token = &w.sup_a.token;
        assert_eq!(
            listed_review(&app, token, "").await,
            Some(json!("rejected"))
        );
        assert_eq!(
            listed_review(&app, token, "review=rejected").await,
            Some(json!("rejected"))
        );
        assert_eq!(listed_review(&app, token, "review=approved").await, None);
        assert_eq!(listed_review(&app, token, "review=pending").await, None);
        let history = app.get(HISTORY, Some(token)).await;
        assert_eq!(history.status, 200, "{}", history.text);
        let decisions: Vec<&Value> = history.body["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .filter(|e| e["kind"] == "review")
            .map(|e| &e["decision"])
            .collect();
        assert_eq!(
            decisions,
            [&json!("rejected"), &json!("approved")],
            "newest first"
        );
        let bad = app.get("/api/v1/visits?review=maybe", Some(token)).await;
        assert_eq!(bad.status, 400, "{}", bad.text);
        assert!(bad.body["message"].as_str().unwrap().contains("review"));
    }
);

both!(
    rejecting_without_a_comment_is_refused_naming_the_comment,
    |app: TestApp| async move {
        let w = world(&app).await;

        let none = app
            .post(
                REVIEW,
                Some(&w.sup_a.token),
                &json!({"decision": "rejected"}),
            )
            .await;
        let blank = app
            .post(
                REVIEW,
                Some(&w.sup_a.token),
                &json!({"decision": "rejected", "comment": "   "}),
            )
            .await;
        let unknown = app
            .post(REVIEW, Some(&w.sup_a.token), &json!({"decision": "maybe"}))
            .await;

        for r in [&none, &blank] {
            assert_eq!(r.status, 422, "{}", r.text);
            assert_eq!(r.body["code"], "invalid");
            assert!(
                r.body["message"]
                    .as_str()
                    .unwrap()
                    .contains("comment is required")
            );
        }
        assert_eq!(unknown.status, 400, "{}", unknown.text);
        assert!(
            unknown.body["message"]
                .as_str()
                .unwrap()
                .contains("decision")
        );
        let detail = app.get(VISIT, Some(&w.sup_a.token)).await;
        assert_eq!(detail.body["review"], Value::Null, "nothing was stored");
    }
);

both!(
    collectors_may_not_review_and_other_teams_do_not_see_the_visit,
    |app: TestApp| async move {
        let w = world(&app).await;
        let body = json!({"decision": "approved"});

        let own = app.post(REVIEW, Some(&w.a1.token), &body).await;
        let other_team = app.post(REVIEW, Some(&w.sup_b.token), &body).await;
        let other_org = app.post(REVIEW, Some(&w.other_admin.token), &body).await;
        let anonymous = app.post(REVIEW, None, &body).await;
        let history = app.get(HISTORY, Some(&w.sup_b.token)).await;

        assert_eq!(own.status, 403, "{}", own.text);
        assert_eq!(other_team.status, 404, "{}", other_team.text);
        assert_eq!(other_org.status, 404, "{}", other_org.text);
        assert_eq!(anonymous.status, 401);
        assert_eq!(history.status, 404, "{}", history.text);
        exec(
            app.db(),
            "update visits set status = 'in_progress' where id = $1",
            &[VISIT_ID],
        )
        .await;
        let open = app.post(REVIEW, Some(&w.sup_a.token), &body).await;
        assert_eq!(open.status, 409, "{}", open.text);
        assert_eq!(open.body["code"], "not_completed");
        let history = app.get(HISTORY, Some(&w.admin.token)).await;
        assert_eq!(history.body["entries"], json!([]), "no review was stored");
    }
);

both!(
    the_detail_labels_answers_and_the_history_shows_each_edit_with_the_value_it_replaced,
    |app: TestApp| async move {
        let mut w = PushWorld::new(&app).await;
        let admin = user(app.db(), w.org, "jefa", Role::Admin, None).await;
        let visit = crate::push::helpers::new_visit();
        let account = w.ana_account;
        let phone = &mut w.ana.phone;
        phone.add(check_in(visit, account, chrono::Utc::now(), 0.0));
        let first = phone.add(field(visit, "contact_result", "debtor", None));
        phone.add(field(visit, "contact_result", "refused", Some(first.hlc())));
        let answers = json!({"balance": BALANCE, "contact_result": "refused"});
        phone.add(submit_answers(w.form, visit, account, "refused", answers));
        let pushed = push(&app, &w.ana, &w.ana.phone.batch(1..=4)).await;
        assert_eq!(pushed.body["rejected"], json!([]), "{}", pushed.text);

        let detail = app
            .get(&format!("/api/v1/visits/{visit}"), Some(&admin.token))
            .await;
        let history = app
            .get(
                &format!("/api/v1/visits/{visit}/history"),
                Some(&admin.token),
            )
            .await;

        assert_eq!(detail.status, 200, "{}", detail.text);
        assert_eq!(detail.body["form"]["form_id"], "visita_cobranza");
        let answers = detail.body["answers"].as_array().expect("answers");
        let paths: Vec<&str> = answers
            .iter()
            .map(|a| a["path"].as_str().unwrap())
            .collect();
        assert_eq!(paths, ["balance", "contact_result"], "the form's order");
        let result = &answers[1];
        assert_eq!(result["label"]["Español (es)"], "Resultado del contacto");
        assert_eq!(result["label"]["English (en)"], "Contact result");
        assert_eq!(result["kind"], "choice");
        assert_eq!(result["choices"][0]["name"], "refused");
        assert_eq!(
            result["choices"][0]["label"]["Español (es)"],
            "Se negó a atender"
        );
        assert_eq!(history.status, 200, "{}", history.text);
        let edits: Vec<(&Value, &Value)> = history.body["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .filter(|e| e["kind"] == "edit" && e["field"] == "contact_result")
            .map(|e| (&e["old_value"], &e["new_value"]))
            .collect();
        assert_eq!(
            edits,
            [
                (&json!("debtor"), &json!("refused")),
                (&Value::Null, &json!("debtor"))
            ],
            "newest first, each with the value it replaced: {}",
            history.text
        );
        let newest = &history.body["entries"][0];
        assert_eq!(newest["username"], "ana");
        assert_eq!(newest["device_label"], "phone");

        // Edits naming this visit from a device of another organization are not its history.
        let other = app
            .db()
            .orgs()
            .insert("otra", chrono_tz::America::Lima)
            .await
            .expect("another organization")
            .id;
        let stranger = user(app.db(), other, "extrana", Role::Collector, None).await;
        exec(
            app.db(),
            "insert into devices (id, user_id, public_key, label, enrolled_ms)
             values ('dev-foreign', $1, 'k', 'foreign', 0)",
            &[&stranger.id.to_string()],
        )
        .await;
        exec(
            app.db(),
            "insert into events (device_id, seq, hlc, merge_hlc, kind, v, entity, field,
                    base_hlc, prev_hash, hash, payload, state, reason, clock_suspect, received_ms)
             select 'dev-foreign', seq, hlc + 1, merge_hlc + 1, kind, v, entity, field,
                    base_hlc, prev_hash, hash, payload, state, reason, clock_suspect, received_ms
             from events where entity = $1 and kind = 'field_set'",
            &[&visit.to_string()],
        )
        .await;
        let again = app
            .get(
                &format!("/api/v1/visits/{visit}/history"),
                Some(&admin.token),
            )
            .await;
        assert_eq!(again.status, 200, "{}", again.text);
        assert_eq!(again.body, history.body, "{}", again.text);
    }
);

/// Uploads `data` as one chunk with `token`; its SHA-256.
async fn upload(app: &TestApp, token: &str, data: &[u8]) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, data);
    let sha: String = d.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    let req = Request::builder()
        .method(Method::PUT)
        .uri(format!("/api/v1/blobs/{sha}?offset=0&total={}", data.len()))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "image/png")
        .body(Body::from(data.to_vec()))
        .expect("request");
    let r = app.send(req).await;
    assert_eq!(r.status, 200, "{}", r.text);
    sha
}

both!(
    a_visits_photo_is_fetched_by_its_teams_supervisor_and_nobody_outside_the_scope,
    |app: TestApp| async move {
        let w = world(&app).await;
        let data: Vec<u8> = (0..500u32).map(|i| (i % 251) as u8).collect();
        let sha = upload(&app, &w.a1.token, &data).await;
        let device = uuid::Uuid::now_v7().to_string();
        exec(
            app.db(),
            "insert into devices (id, user_id, public_key, label, enrolled_ms)
             values ($1, $2, $3, 'phone', 0)",
            &[&device, &w.a1.id.to_string(), &"00".repeat(32)],
        )
        .await;
        exec(
            app.db(),
            "insert into visit_attachments (visit_id, attachment_id, sha256, media_type, bytes,
                 role, added_device) values ($1, 'att-1', $2, 'image/png', 500, 'photo', $3)",
            &[VISIT_ID, &sha, &device],
        )
        .await;
        let path = format!("/api/v1/blobs/{sha}");

        let team = app.get(&path, Some(&w.sup_a.token)).await;
        let admin = app.get(&path, Some(&w.admin.token)).await;
        let other_team = app.get(&path, Some(&w.sup_b.token)).await;
        let other_org = app.get(&path, Some(&w.other_admin.token)).await;
        let colleague = app.get(&path, Some(&w.a2.token)).await;

        assert_eq!(team.status, 200, "{}", team.text);
        assert_eq!(admin.status, 200);
        for r in [&other_team, &other_org, &colleague] {
            assert_eq!(r.status, 404, "{}", r.text);
        }
    }
);

both!(
    an_overwritten_edit_is_in_the_history_as_a_conflict,
    |app: TestApp| async move {
        let mut w = PushWorld::new(&app).await;
        let admin = user(app.db(), w.org, "jefa", Role::Admin, None).await;
        let visit = crate::push::helpers::new_visit();
        let mut other = Phone::new(8);
        enroll(app.db(), &w.ana.user, &other).await;
        w.ana
            .phone
            .add(check_in(visit, w.ana_account, chrono::Utc::now(), 0.0));
        let first = w.ana.phone.add(field(visit, "comment", "first", None));
        push(&app, &w.ana, &w.ana.phone.batch(1..=2)).await;
        // Ana's second phone writes later without having seen "first".
        other.add_at(
            field(visit, "comment", "second", None),
            first.hlc().millis() + 1_000,
        );
        let second = Person {
            user: w.ana.user.clone(),
            token: w.ana.token.clone(),
            phone: other,
        };
        let pushed = push(&app, &second, &second.phone.batch(1..=1)).await;
        assert_eq!(pushed.status, 200, "{}", pushed.text);

        let history = app
            .get(
                &format!("/api/v1/visits/{visit}/history"),
                Some(&admin.token),
            )
            .await;

        assert_eq!(history.status, 200, "{}", history.text);
        let conflicts: Vec<&Value> = history.body["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .filter(|e| e["kind"] == "conflict")
            .collect();
        assert_eq!(conflicts.len(), 1, "{}", history.text);
        assert_eq!(conflicts[0]["field"], "comment");
        assert_eq!(conflicts[0]["lost_value"], "first");
        assert_eq!(conflicts[0]["won_value"], "second");
        assert_eq!(conflicts[0]["lost_username"], "ana");
    }
);
