//! The materialized state follows the shared merge rules whatever the arrival order.

use chrono::Utc;
use serde_json::json;

use super::helpers::*;
use crate::both;
use crate::harness::TestApp;

both!(
    a_stamp_far_in_the_future_is_clamped_and_flagged,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let hours_ahead = Utc::now().timestamp_millis() + 3 * 3_600_000;
        w.ana.phone.add(fix(Utc::now(), 2));
        let e = w.ana.phone.add_at(fix(Utc::now(), 1), hours_ahead);

        let r = push(&app, &w.ana, &w.ana.phone.batch(1..=2)).await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["clamped"], json!([2]));
        assert_eq!(count(&app, "fixes").await, 2, "facts are never dropped");
        let dev = w.ana.phone.id.to_string();
        let row = text(
            &app,
            "select cast(hlc as text) || ' ' || cast(merge_hlc as text) from events where seq = 2 and device_id = $1",
            &dev,
        )
        .await
        .unwrap();
        let (hlc, merge) = row.split_once(' ').unwrap();
        assert_eq!(
            hlc.parse::<i64>().unwrap(),
            e.hlc().raw(),
            "the original stamp is kept"
        );
        assert!(
            merge.parse::<i64>().unwrap() < e.hlc().raw(),
            "merged with the server's stamp"
        );
        assert!(
            r.body["server_hlc"].as_i64().unwrap() < e.hlc().raw(),
            "the server clock did not jump ahead"
        );
    }
);

both!(
    a_stale_in_progress_never_overwrites_done,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let (now, visit) = (Utc::now(), new_visit());
        let mut old_phone = Phone::new(7);
        enroll(app.db(), &w.ana.user, &old_phone).await;
        w.ana.phone.add(check_in(visit, w.ana_account, now, 0.0));
        w.ana
            .phone
            .add(submit(w.form, visit, w.ana_account, "contacted"));
        push(&app, &w.ana, &w.ana.phone.batch(1..=2)).await;
        // The other phone, with a later stamp, still believes the visit is in progress.
        old_phone.add_at(
            status(visit, "in_progress", 0),
            Utc::now().timestamp_millis() + 60_000,
        );
        let stale = Person {
            user: w.ana.user.clone(),
            token: w.ana.token.clone(),
            phone: old_phone,
        };

        let r = push(&app, &stale, &stale.phone.batch(1..=1)).await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["rejected"], json!([]));
        let s = text(
            &app,
            "select status from visits where id = $1",
            &visit.to_string(),
        )
        .await;
        assert_eq!(s.as_deref(), Some("done"));
    }
);

both!(
    a_later_edit_wins_and_an_unseen_overwrite_is_recorded_as_a_conflict,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let (now, visit) = (Utc::now(), new_visit());
        let mut other = Phone::new(8);
        enroll(app.db(), &w.ana.user, &other).await;
        w.ana.phone.add(check_in(visit, w.ana_account, now, 0.0));
        let first = w.ana.phone.add(field(visit, "notes", "first", None));
        push(&app, &w.ana, &w.ana.phone.batch(1..=2)).await;
        // Written later without having seen "first".
        other.add_at(
            field(visit, "notes", "second", None),
            first.hlc().millis() + 1_000,
        );
        let second = Person {
            user: w.ana.user.clone(),
            token: w.ana.token.clone(),
            phone: other,
        };

        let r = push(&app, &second, &second.phone.batch(1..=1)).await;
        let seen = second.phone.events[0].hlc();
        w.ana.phone.add_at(
            field(visit, "notes", "third", Some(seen)),
            seen.millis() + 1_000,
        );
        let informed = push(&app, &w.ana, &w.ana.phone.batch(3..=3)).await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(informed.status, 200, "{}", informed.text);
        let key = visit.to_string();
        let value = text(
            &app,
            "select value from field_values where field = 'notes' and entity = $1",
            &key,
        )
        .await;
        assert_eq!(value.as_deref(), Some("\"third\""), "the latest stamp wins");
        let lost = text(
            &app,
            "select lost_device from conflicts where field = 'notes' and entity = $1",
            &key,
        )
        .await;
        assert_eq!(
            lost,
            Some(w.ana.phone.id.to_string()),
            "the unseen overwrite is kept for review"
        );
        assert_eq!(
            count(&app, "conflicts").await,
            1,
            "an informed edit is no conflict"
        );
    }
);

both!(
    a_check_in_the_server_refuses_is_kept_and_flagged,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let (now, visit) = (Utc::now(), new_visit());
        // The device says allowed, but its own evidence is 2 km from the debtor.
        w.ana
            .phone
            .add(check_in(visit, w.ana_account, now, 2_000.0));

        let r = push(&app, &w.ana, &w.ana.phone.batch(1..=1)).await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["rejected"], json!([]), "kept, never dropped");
        let v = visit.to_string();
        let flagged = text(
            &app,
            "select cast(flagged as text) from checkins where visit_id = $1",
            &v,
        )
        .await;
        assert!(
            matches!(flagged.as_deref(), Some("1" | "true")),
            "{flagged:?}"
        );
        let server = text(
            &app,
            "select server_verdict from checkins where visit_id = $1",
            &v,
        )
        .await
        .unwrap();
        assert!(server.contains("outside_radius"), "{server}");
        let visit_flag = text(
            &app,
            "select cast(flagged as text) from visits where id = $1",
            &v,
        )
        .await;
        assert!(
            matches!(visit_flag.as_deref(), Some("1" | "true")),
            "{visit_flag:?}"
        );
    }
);
