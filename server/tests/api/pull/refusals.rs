//! Requests a pull refuses: malformed cursors and queries (400), cursors of another epoch or
//! beyond the feed (409 resync), revoked devices (403) and other users' devices (404). Each
//! checks that the feed is unchanged afterwards.

use serde_json::json;
use terreno_server::db::devices::DeviceScope;
use terreno_server::on_write;
use terreno_shared::ids::DeviceId;
use terreno_shared::sync::DeviceKey;

use super::{change, commit, feed_len, pull_all, world};
use crate::both;
use crate::harness::TestApp;

both!(
    malformed_cursors_and_queries_are_refused_and_change_nothing,
    |app: TestApp| async move {
        let w = world(&app).await;
        commit(app.db(), &[change(w.org, None, None, "x")]).await;
        let before = feed_len(app.db()).await;
        let cases = [
            ("cursor=garbage", "bad_cursor", "\"garbage\" is not"),
            ("cursor=v1.1.0.G", "bad_cursor", "\"v1.1.0.G\" is not"),
            ("cursor=v1.1.00.1", "bad_cursor", "\"v1.1.00.1\" is not"),
            ("limit=0", "bad_query", "limit must be between 1 and 5000"),
            (
                "limit=5001",
                "bad_query",
                "limit must be between 1 and 5000, not 5001",
            ),
            ("limit=many", "bad_query", "limit"),
            ("device_id=nope", "bad_query", "device_id"),
            ("colour=red", "bad_query", "colour"),
        ];
        for (query, code, says) in cases {
            for path in ["pull", "snapshot"] {
                let r = app
                    .get(&format!("/api/v1/sync/{path}?{query}"), Some(&w.a1.token))
                    .await;
                assert_eq!(r.status, 400, "{path}?{query}: {}", r.text);
                assert_eq!(r.body["code"], code, "{path}?{query}: {}", r.text);
                let message = r.body["message"].as_str().unwrap_or_default();
                assert!(message.contains(says), "{path}?{query}: {message}");
            }
        }
        let anonymous = app.get("/api/v1/sync/pull", None).await;
        assert_eq!(anonymous.status, 401);
        assert_eq!(feed_len(app.db()).await, before);
    }
);

both!(
    a_cursor_of_another_epoch_or_beyond_the_feed_gets_resync,
    |app: TestApp| async move {
        let w = world(&app).await;
        commit(app.db(), &[change(w.org, None, None, "x")]).await;
        let (_, cursor) = pull_all(&app, &w.a1.token, "", 500).await;
        let beyond = app
            .get("/api/v1/sync/pull?cursor=v1.1.0.ffff", Some(&w.a1.token))
            .await;
        assert_eq!(
            (beyond.status.as_u16(), &beyond.body["code"]),
            (409, &json!("resync"))
        );
        assert!(beyond.text.contains("beyond the end"), "{}", beyond.text);

        on_write!(app.db(), |pool| {
            sqlx::query("update server_meta set value = '2' where key = 'cursor_epoch'")
                .execute(pool)
                .await
                .expect("bumping the epoch");
        });
        let before = feed_len(app.db()).await;
        let r = app
            .get(
                &format!("/api/v1/sync/pull?cursor={cursor}"),
                Some(&w.a1.token),
            )
            .await;

        assert_eq!(r.status, 409, "{}", r.text);
        assert_eq!(r.body["code"], "resync");
        assert!(
            r.text.contains("epoch 1") && r.text.contains("/api/v1/sync/snapshot"),
            "{}",
            r.text
        );
        let fresh = app.get("/api/v1/sync/pull", Some(&w.a1.token)).await;
        assert_eq!(fresh.status, 200, "{}", fresh.text);
        assert!(
            fresh.body["cursor"]
                .as_str()
                .unwrap_or_default()
                .starts_with("v1.2."),
            "{}",
            fresh.text
        );
        assert_eq!(feed_len(app.db()).await, before);
    }
);

both!(
    a_revoked_device_is_told_to_wipe_and_another_users_device_is_not_found,
    |app: TestApp| async move {
        let w = world(&app).await;
        let (mine, theirs) = (
            DeviceId::from_uuid(uuid::Uuid::now_v7()),
            DeviceId::from_uuid(uuid::Uuid::now_v7()),
        );
        for (id, who, seed) in [(mine, &w.a1, 1u8), (theirs, &w.a2, 2u8)] {
            let key = DeviceKey::from_seed(&[seed; 32])
                .expect("a key")
                .public_key();
            app.db()
                .devices()
                .enroll(who.id, id, key, "phone")
                .await
                .expect("enrolling");
        }
        let ok = app
            .get(
                &format!("/api/v1/sync/pull?device_id={mine}"),
                Some(&w.a1.token),
            )
            .await;
        assert_eq!(ok.status, 200, "{}", ok.text);

        app.db()
            .devices()
            .revoke(DeviceScope::User(w.org, w.a1.id), mine)
            .await
            .expect("revoking")
            .expect("the device exists");
        for path in ["pull", "snapshot"] {
            let r = app
                .get(
                    &format!("/api/v1/sync/{path}?device_id={mine}"),
                    Some(&w.a1.token),
                )
                .await;
            assert_eq!(
                (r.status.as_u16(), &r.body["code"]),
                (403, &json!("device_revoked")),
                "{path}"
            );
            let other = app
                .get(
                    &format!("/api/v1/sync/{path}?device_id={theirs}"),
                    Some(&w.a1.token),
                )
                .await;
            assert_eq!(other.status, 404, "{path}: {}", other.text);
        }
    }
);
