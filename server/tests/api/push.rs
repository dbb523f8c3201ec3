//! `POST /api/v1/sync/push` and `GET /api/v1/sync/status`: storing, deduplicating and
//! projecting signed batches; envelope errors that store nothing; per-event rejections.

mod bad_input;
mod completions;
mod equivalence;
mod full_disk;
pub mod helpers;
mod merge;

use chrono::Utc;
use serde_json::json;

use crate::both;
use crate::harness::TestApp;
use helpers::*;

both!(
    a_pushed_batch_is_stored_projected_and_acknowledged,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let (now, visit) = (Utc::now(), new_visit());
        w.ana.phone.add(fix(now, 40));
        w.ana.phone.add(check_in(visit, w.ana_account, now, 0.0));
        w.ana
            .phone
            .add(submit(w.form, visit, w.ana_account, "contacted"));

        let r = push(&app, &w.ana, &w.ana.phone.batch(1..=3)).await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            (r.body["head"].as_u64(), r.body["max_seen"].as_u64()),
            (Some(3), Some(3))
        );
        assert_eq!(r.body["rejected"], json!([]));
        assert_eq!(r.body["clamped"], json!([]));
        assert!(r.body["server_hlc"].as_i64().unwrap() > 0);
        assert_eq!(count(&app, "events").await, 3);
        assert_eq!(count(&app, "fixes").await, 1);
        assert_eq!(count(&app, "last_positions").await, 1);
        assert_eq!(count(&app, "batch_signatures").await, 1);
        let v = visit.to_string();
        let status = text(&app, "select status from visits where id = $1", &v).await;
        assert_eq!(status.as_deref(), Some("done"));
        let outcome = text(&app, "select outcome from visits where id = $1", &v).await;
        assert_eq!(outcome.as_deref(), Some("contacted"));
        let verdict = text(
            &app,
            "select server_verdict from checkins where visit_id = $1",
            &v,
        )
        .await;
        assert!(verdict.unwrap().contains("\"allowed\""));
        let visit_changes = text(
            &app,
            "select cast(count(*) as text) from changes where entity_type = 'visit' and entity_id = $1",
            &v,
        )
        .await;
        assert_ne!(
            visit_changes.as_deref(),
            Some("0"),
            "visits reach the pull feed"
        );
    }
);

both!(
    pushing_the_same_batch_twice_is_a_no_op_with_the_same_answer,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let now = Utc::now();
        w.ana.phone.add(fix(now, 2));
        w.ana
            .phone
            .add(check_in(new_visit(), w.bob_account, now, 0.0));
        let batch = w.ana.phone.batch(1..=2);
        let first = push(&app, &w.ana, &batch).await;
        let before = stored(&app).await;

        let again = push(&app, &w.ana, &batch).await;

        assert_eq!(again.status, 200, "{}", again.text);
        for k in ["head", "max_seen", "clamped", "rejected"] {
            assert_eq!(again.body[k], first.body[k], "{k}");
        }
        assert_eq!(again.body["rejected"][0]["code"], "not_allowed");
        assert_eq!(stored(&app).await, before);
    }
);

both!(
    batches_out_of_order_advance_the_head_when_the_gap_fills,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let now = Utc::now();
        for s in 0..4 {
            w.ana.phone.add(fix(now, 40 - s));
        }

        let later = push(&app, &w.ana, &w.ana.phone.batch(3..=4)).await;
        let fixes_in_gap = count(&app, "fixes").await;
        let earlier = push(&app, &w.ana, &w.ana.phone.batch(1..=2)).await;

        assert_eq!(later.status, 200, "{}", later.text);
        assert_eq!(
            (later.body["head"].as_u64(), later.body["max_seen"].as_u64()),
            (Some(0), Some(4))
        );
        assert_eq!(
            fixes_in_gap, 0,
            "events beyond a gap are stored, not projected"
        );
        assert_eq!(earlier.status, 200, "{}", earlier.text);
        assert_eq!(
            (
                earlier.body["head"].as_u64(),
                earlier.body["max_seen"].as_u64()
            ),
            (Some(4), Some(4))
        );
        assert_eq!(count(&app, "fixes").await, 4);
        let pending = text(
            &app,
            "select cast(count(*) as text) from events where state <> 'applied' and device_id = $1",
            &w.ana.phone.id.to_string(),
        )
        .await;
        assert_eq!(pending.as_deref(), Some("0"));
    }
);

both!(
    status_tells_the_owner_where_its_log_stands,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        w.ana.phone.add(fix(Utc::now(), 1));
        push(&app, &w.ana, &w.ana.phone.batch(1..=1)).await;
        let path = format!("/api/v1/sync/status?device_id={}", w.ana.phone.id);

        let mine = app.get(&path, Some(&w.ana.token)).await;
        let theirs = app.get(&path, Some(&w.bob.token)).await;

        assert_eq!(mine.status, 200, "{}", mine.text);
        assert_eq!(
            (mine.body["head"].as_u64(), mine.body["max_seen"].as_u64()),
            (Some(1), Some(1))
        );
        assert_eq!(theirs.status, 404, "{}", theirs.text);
    }
);

both!(
    coordinates_at_full_float_precision_keep_their_hash,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let now = Utc::now();
        for i in 0..200 {
            // Sums like 4.6 + 101e-6 need exact float parsing to hash the same on both sides.
            let mut f = fix_json(now, 1, 0.0);
            f["lat"] = json!(4.6 + f64::from(i) * 1e-6);
            w.ana.phone.add(terreno_shared::sync::Draft::new(
                terreno_shared::sync::EventKind::Fix,
                1,
                f,
            ));
        }

        let r = push(&app, &w.ana, &w.ana.phone.batch(1..=200)).await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["head"], 200);
    }
);
