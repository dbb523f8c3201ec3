//! Envelope errors answer a 4xx for the whole batch and store nothing; per-event errors are
//! rejected on their own while the rest of the batch lands.

use std::io::Write;

use axum::body::Body;
use axum::http::{Request, header};
use chrono::Utc;
use serde_json::json;
use terreno_server::AppState;
use terreno_server::db::devices::DeviceScope;
use terreno_shared::sync::{DeviceKey, Draft, EventKind};

use super::helpers::*;
use crate::both;
use crate::harness::TestApp;

/// The app with a different configuration over the same database.
fn reconfigured(app: &mut TestApp, f: impl FnOnce(&mut terreno_server::Config)) {
    let mut config = (*app.state.config).clone();
    f(&mut config);
    app.state = AppState::new(app.db().clone(), config);
}

both!(
    a_forged_signature_is_refused_and_nothing_is_stored,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        w.ana.phone.add(fix(Utc::now(), 1));
        let forger = DeviceKey::from_seed(&[9; 32]).unwrap();
        let before = stored(&app).await;

        let r = push(&app, &w.ana, &w.ana.phone.batch_signed(1..=1, &forger)).await;

        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(r.body["code"], "bad_signature");
        assert_eq!(stored(&app).await, before);
    }
);

both!(
    a_batch_that_does_not_link_to_the_stored_log_is_a_broken_chain,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let now = Utc::now();
        w.ana.phone.add(fix(now, 3));
        w.ana.phone.add(fix(now, 2));
        push(&app, &w.ana, &w.ana.phone.batch(1..=2)).await;
        // Another history of the same device: its third event links to a different second one.
        let mut other = Phone::new(1);
        other.id = w.ana.phone.id;
        other.log = terreno_shared::sync::LogHead::new(other.id);
        other.add(fix(now, 30));
        other.add(fix(now, 20));
        other.add(fix(now, 10));
        let before = stored(&app).await;

        let r = push(&app, &w.ana, &other.batch(3..=3)).await;

        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(r.body["code"], "broken_chain");
        assert!(
            r.body["message"].as_str().unwrap().contains("event 3"),
            "{}",
            r.text
        );
        assert_eq!(stored(&app).await, before);
    }
);

both!(
    stored_events_that_differ_from_the_batch_are_a_device_fork,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let now = Utc::now();
        w.ana.phone.add(fix(now, 3));
        w.ana.phone.add(fix(now, 2));
        push(&app, &w.ana, &w.ana.phone.batch(1..=2)).await;
        let mut twin = Phone::new(1);
        twin.id = w.ana.phone.id;
        twin.log = terreno_shared::sync::LogHead::new(twin.id);
        twin.events.push(w.ana.phone.events[0].clone());
        twin.log.last_seq = 1;
        twin.log.last_hash = w.ana.phone.events[0].hash();
        twin.add(fix(now, 1));
        let before = stored(&app).await;

        let r = push(&app, &w.ana, &twin.batch(1..=2)).await;

        assert_eq!(r.status, 409, "{}", r.text);
        assert_eq!(r.body["code"], "device_fork");
        assert_eq!(stored(&app).await, before);
    }
);

both!(
    too_many_events_answer_413_and_nothing_is_stored,
    |app: TestApp| async move {
        let mut app = app;
        reconfigured(&mut app, |c| c.max_events_per_batch = 3);
        let mut w = World::new(&app).await;
        for s in 0..4 {
            w.ana.phone.add(fix(Utc::now(), 10 - s));
        }
        let before = stored(&app).await;

        let r = push(&app, &w.ana, &w.ana.phone.batch(1..=4)).await;

        assert_eq!(r.status, 413, "{}", r.text);
        assert!(
            r.body["message"].as_str().unwrap().contains("limit of 3"),
            "{}",
            r.text
        );
        assert_eq!(stored(&app).await, before);
    }
);

both!(
    a_zip_bomb_answers_413_and_nothing_is_stored,
    |app: TestApp| async move {
        let mut app = app;
        reconfigured(&mut app, |c| c.max_decompressed_bytes = 64 * 1024);
        let w = World::new(&app).await;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&vec![b' '; 8 * 1024 * 1024]).unwrap();
        let bomb = gz.finish().unwrap();
        assert!(bomb.len() < 64 * 1024, "the bomb is small as sent");
        let before = stored(&app).await;

        let req = Request::post(PUSH)
            .header(header::AUTHORIZATION, format!("Bearer {}", w.ana.token))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_ENCODING, "gzip")
            .body(Body::from(bomb))
            .unwrap();
        let r = app.send(req).await;

        assert_eq!(r.status, 413, "{}", r.text);
        assert_eq!(stored(&app).await, before);
    }
);

both!(
    a_body_over_the_size_limit_answers_413_and_nothing_is_stored,
    |app: TestApp| async move {
        let mut app = app;
        reconfigured(&mut app, |c| c.max_body_bytes = 16 * 1024);
        let mut w = World::new(&app).await;
        for seq in 1..=200 {
            w.ana.phone.add(fix(Utc::now(), seq));
        }
        let batch = w.ana.phone.batch(1..=200);
        assert!(serde_json::to_vec(&batch).unwrap().len() > 16 * 1024);
        let before = stored(&app).await;

        let r = push(&app, &w.ana, &batch).await;

        assert_eq!(r.status, 413, "{}", r.text);
        assert_eq!(r.body["code"], "too_large", "{}", r.text);
        assert_eq!(stored(&app).await, before);
    }
);

both!(
    malformed_json_and_unknown_fields_are_refused_with_400,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        w.ana.phone.add(fix(Utc::now(), 1));
        let mut extra = w.ana.phone.batch(1..=1);
        extra["events"][0]["colour"] = json!("red");
        let before = stored(&app).await;

        let req = Request::post(PUSH)
            .header(header::AUTHORIZATION, format!("Bearer {}", w.ana.token))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{\"device_id\": "))
            .unwrap();
        let broken = app.send(req).await;
        let unknown = push(&app, &w.ana, &extra).await;

        assert_eq!(broken.status, 400, "{}", broken.text);
        assert_eq!(broken.body["code"], "invalid_json");
        assert_eq!(unknown.status, 400, "{}", unknown.text);
        assert!(unknown.text.contains("colour"), "{}", unknown.text);
        assert_eq!(stored(&app).await, before);
    }
);

both!(
    a_revoked_device_is_told_to_wipe,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        w.ana.phone.add(fix(Utc::now(), 1));
        let scope = DeviceScope::User(w.org, w.ana.user.id);
        app.db()
            .devices()
            .revoke(scope, w.ana.phone.id)
            .await
            .unwrap();
        let before = stored(&app).await;

        let r = push(&app, &w.ana, &w.ana.phone.batch(1..=1)).await;

        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(r.body["code"], "device_revoked");
        assert_eq!(stored(&app).await, before);
    }
);

both!(
    another_users_device_is_not_found,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        w.ana.phone.add(fix(Utc::now(), 1));
        let before = stored(&app).await;

        let r = push(&app, &w.bob, &w.ana.phone.batch(1..=1)).await;

        assert_eq!(r.status, 404, "{}", r.text);
        assert_eq!(stored(&app).await, before);
    }
);

both!(
    an_event_for_another_collectors_account_is_rejected_while_the_rest_lands,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let now = Utc::now();
        w.ana.phone.add(fix(now, 3));
        w.ana
            .phone
            .add(check_in(new_visit(), w.bob_account, now, 0.0));
        w.ana.phone.add(fix(now, 1));

        let r = push(&app, &w.ana, &w.ana.phone.batch(1..=3)).await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["head"], 3);
        assert_eq!(
            r.body["rejected"].as_array().unwrap().len(),
            1,
            "{}",
            r.text
        );
        assert_eq!(r.body["rejected"][0]["seq"], 2);
        assert_eq!(r.body["rejected"][0]["code"], "not_allowed");
        assert_eq!(count(&app, "fixes").await, 2);
        assert_eq!(count(&app, "visits").await, 0);
        assert_eq!(count(&app, "checkins").await, 0);
        let state = text(
            &app,
            "select state from events where seq = 2 and device_id = $1",
            &w.ana.phone.id.to_string(),
        )
        .await;
        assert_eq!(state.as_deref(), Some("rejected"), "kept as evidence");
    }
);

both!(
    an_invalid_payload_is_rejected_on_its_own,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let mut bad = fix_json(Utc::now(), 1, 0.0);
        bad["lat"] = json!(200.0);
        w.ana.phone.add(Draft::new(EventKind::Fix, 1, bad));
        w.ana.phone.add(fix(Utc::now(), 0));
        w.ana
            .phone
            .add(Draft::new(EventKind::Fix, 9, json!({"from": "the future"})));

        let r = push(&app, &w.ana, &w.ana.phone.batch(1..=3)).await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["head"], 3);
        assert_eq!(r.body["rejected"][0]["seq"], 1);
        assert_eq!(r.body["rejected"][0]["code"], "invalid_payload");
        assert_eq!(
            r.body["rejected"].as_array().unwrap().len(),
            1,
            "a newer version is kept, not rejected"
        );
        assert_eq!(count(&app, "fixes").await, 1);
        let state = text(
            &app,
            "select state from events where seq = 3 and device_id = $1",
            &w.ana.phone.id.to_string(),
        )
        .await;
        assert_eq!(state.as_deref(), Some("deferred"));
    }
);
