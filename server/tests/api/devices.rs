//! Device enrollment, listing by role, revocation rights, and the record sync verifies against.

use serde_json::{Value, json};
use terreno_shared::ids::DeviceId;
use terreno_shared::model::Role;
use terreno_shared::sync::{DeviceKey, PublicKey};
use uuid::Uuid;

use crate::auth::{count, login, org, user};
use crate::both;
use crate::harness::{Resp, TestApp};

fn key(seed: u8) -> PublicKey {
    DeviceKey::from_seed(&[seed; 32]).unwrap().public_key()
}

fn new_id() -> DeviceId {
    DeviceId::from_uuid(Uuid::now_v7())
}

async fn enroll(app: &TestApp, token: &str, id: DeviceId, key: PublicKey) -> Resp {
    app.post(
        "/api/v1/devices",
        Some(token),
        &json!({"device_id": id, "public_key": key, "label": "Moto G"}),
    )
    .await
}

async fn revoke(app: &TestApp, token: &str, id: DeviceId) -> Resp {
    app.post(
        &format!("/api/v1/devices/{id}/revoke"),
        Some(token),
        &json!({}),
    )
    .await
}

fn ids(r: &Resp) -> Vec<String> {
    let list = r.body.as_array().unwrap_or_else(|| panic!("{}", r.text));
    list.iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect()
}

both!(
    enrolling_is_idempotent_and_a_second_device_does_not_revoke_the_first,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "ana", Role::Collector, None).await;
        let token = login(&app, "ana").await;
        let (first, second) = (new_id(), new_id());

        let created = enroll(&app, &token, first, key(1)).await;
        let again = enroll(&app, &token, first, key(1)).await;
        let other = enroll(&app, &token, second, key(2)).await;

        assert_eq!(created.status, 201, "{}", created.text);
        assert_eq!(created.body["username"], "ana");
        assert_eq!(created.body["revoked_at"], Value::Null);
        assert_eq!(created.body["head"], 0);
        assert_eq!(again.status, 200, "{}", again.text);
        assert_eq!(again.body, created.body);
        assert_eq!(other.status, 201, "{}", other.text);
        let list = app.get("/api/v1/devices", Some(&token)).await;
        assert_eq!(ids(&list), [first.to_string(), second.to_string()]);
        assert!(
            list.body
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["revoked_at"].is_null())
        );
    }
);

both!(
    re_enrolling_an_id_with_another_key_or_by_another_user_is_409_device_exists,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "ana", Role::Collector, None).await;
        user(&app, org, "beto", Role::Collector, None).await;
        let (ana, beto) = (login(&app, "ana").await, login(&app, "beto").await);
        let id = new_id();
        assert_eq!(enroll(&app, &ana, id, key(1)).await.status, 201);

        let other_key = enroll(&app, &ana, id, key(2)).await;
        let other_user = enroll(&app, &beto, id, key(1)).await;

        for r in [&other_key, &other_user] {
            assert_eq!(r.status, 409, "{}", r.text);
            assert_eq!(r.body["code"], "device_exists");
        }
        let stored = app.db().devices().find(id).await.unwrap().unwrap();
        assert_eq!(stored.public_key, Some(key(1)));
        assert_eq!(stored.user_id.to_string(), login_user_id(&app, &ana).await);
        assert_eq!(count(&app, "devices").await, 1);
    }
);

async fn login_user_id(app: &TestApp, token: &str) -> String {
    let me = app.get("/api/v1/auth/me", Some(token)).await;
    me.body["id"].as_str().unwrap().to_owned()
}

both!(
    enrollment_refuses_bad_ids_labels_and_unknown_fields_and_stores_nothing,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "ana", Role::Collector, None).await;
        let token = login(&app, "ana").await;
        let v4 = Uuid::from_u128(0x6f0b_5c1e_9d2a_4b7c_8e3f_1a2b_3c4d_5e6f);
        let post = |body: Value| {
            let (app, token) = (&app, &token);
            async move { app.post("/api/v1/devices", Some(token), &body).await }
        };

        let not_v7 = post(json!({"device_id": v4, "public_key": key(1), "label": "x"})).await;
        let no_label =
            post(json!({"device_id": new_id(), "public_key": key(1), "label": " "})).await;
        let bad_key = post(json!({"device_id": new_id(), "public_key": "abc", "label": "x"})).await;
        let unknown = post(
            json!({"device_id": new_id(), "public_key": key(1), "label": "x",
            "user": "beto"}),
        )
        .await;
        let anonymous = app
            .post(
                "/api/v1/devices",
                None,
                &json!({"device_id": new_id(), "public_key": key(1), "label": "x"}),
            )
            .await;

        assert_eq!(not_v7.status, 422, "{}", not_v7.text);
        assert!(not_v7.text.contains("UUIDv7"));
        assert_eq!(no_label.status, 422, "{}", no_label.text);
        assert_eq!(bad_key.status, 400, "{}", bad_key.text);
        assert!(bad_key.text.contains("hex"), "{}", bad_key.text);
        assert_eq!(unknown.status, 400, "{}", unknown.text);
        assert_eq!(anonymous.status, 401, "{}", anonymous.text);
        assert_eq!(count(&app, "devices").await, 0);
    }
);

both!(
    only_admins_and_the_devices_team_supervisor_may_revoke_and_others_get_404,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "ana", Role::Collector, None).await;
        user(&app, org, "beto", Role::Collector, None).await;
        user(&app, org, "sofia", Role::Supervisor, None).await;
        user(&app, org, "norte", Role::Supervisor, Some("north")).await;
        user(&app, org, "root", Role::Admin, None).await;
        let ana = login(&app, "ana").await;
        let id = new_id();
        assert_eq!(enroll(&app, &ana, id, key(1)).await.status, 201);

        let own = revoke(&app, &ana, id).await;
        let colleague = revoke(&app, &login(&app, "beto").await, id).await;
        let other_team = revoke(&app, &login(&app, "norte").await, id).await;
        let unknown = revoke(&app, &login(&app, "root").await, new_id()).await;
        assert!(!app.db().devices().find(id).await.unwrap().unwrap().revoked);
        let supervisor = revoke(&app, &login(&app, "sofia").await, id).await;
        let admin = revoke(&app, &login(&app, "root").await, id).await;

        for r in [&own, &colleague, &other_team, &unknown] {
            assert_eq!(r.status, 404, "{}", r.text);
            assert_eq!(r.body["code"], "not_found");
        }
        assert_eq!(supervisor.status, 200, "{}", supervisor.text);
        assert!(supervisor.body["revoked_at"].is_string());
        assert_eq!(admin.status, 200, "{}", admin.text);
        assert_eq!(admin.body["revoked_at"], supervisor.body["revoked_at"]);
        assert!(app.db().devices().find(id).await.unwrap().unwrap().revoked);
        // The token that enrolled the phone now only tells it to wipe...
        let wiped = app.get("/api/v1/devices", Some(&ana)).await;
        assert_eq!(wiped.status, 403, "{}", wiped.text);
        assert_eq!(wiped.body["code"], "device_revoked");
        // ...while a new login (say on a new phone) sees the revocation.
        let listed = app
            .get("/api/v1/devices", Some(&login(&app, "ana").await))
            .await;
        assert_eq!(listed.body[0]["revoked_at"], supervisor.body["revoked_at"]);
        let reenroll = enroll(&app, &ana, id, key(1)).await;
        assert_eq!(reenroll.status, 403, "{}", reenroll.text);
        assert_eq!(reenroll.body["code"], "device_revoked");
    }
);

both!(device_lists_follow_the_role, |app: TestApp| async move {
    let org = org(&app).await;
    user(&app, org, "ana", Role::Collector, None).await;
    user(&app, org, "nico", Role::Collector, Some("north")).await;
    user(&app, org, "sofia", Role::Supervisor, None).await;
    user(&app, org, "root", Role::Admin, None).await;
    let (a, n) = (new_id(), new_id());
    enroll(&app, &login(&app, "ana").await, a, key(1)).await;
    enroll(&app, &login(&app, "nico").await, n, key(2)).await;

    let collector = app
        .get("/api/v1/devices", Some(&login(&app, "ana").await))
        .await;
    let supervisor = app
        .get("/api/v1/devices", Some(&login(&app, "sofia").await))
        .await;
    let admin = app
        .get("/api/v1/devices", Some(&login(&app, "root").await))
        .await;

    assert_eq!(ids(&collector), [a.to_string()]);
    assert_eq!(ids(&supervisor), [a.to_string()]);
    assert_eq!(ids(&admin), [a.to_string(), n.to_string()]);
});

both!(
    a_token_of_another_organization_cannot_see_or_revoke_this_organizations_device,
    |app: TestApp| async move {
        let org = org(&app).await;
        let other = app
            .db()
            .orgs()
            .insert("otra", chrono_tz::America::Lima)
            .await
            .unwrap();
        user(&app, org, "ana", Role::Collector, None).await;
        user(&app, other.id, "jefa", Role::Admin, None).await;
        let id = new_id();
        enroll(&app, &login(&app, "ana").await, id, key(1)).await;
        let intruder = login(&app, "jefa").await;

        let list = app.get("/api/v1/devices", Some(&intruder)).await;
        let r = revoke(&app, &intruder, id).await;

        assert_eq!(list.status, 200);
        assert_eq!(list.body, json!([]));
        assert_eq!(r.status, 404, "{}", r.text);
        assert!(!app.db().devices().find(id).await.unwrap().unwrap().revoked);
    }
);

both!(
    find_device_gives_sync_the_key_owner_team_and_an_empty_head,
    |app: TestApp| async move {
        let org = org(&app).await;
        let ana = user(&app, org, "ana", Role::Collector, None).await;
        let id = new_id();
        enroll(&app, &login(&app, "ana").await, id, key(7)).await;

        let record = app.db().devices().find(id).await.unwrap().unwrap();
        let absent = app.db().devices().find(new_id()).await.unwrap();

        assert_eq!(record.id, id);
        assert_eq!(record.user_id, ana.id);
        assert_eq!(record.org_id, org);
        assert_eq!(record.team_id, ana.team);
        assert!(record.team_id.is_some());
        assert_eq!(record.public_key, Some(key(7)));
        assert!(!record.revoked);
        assert_eq!(
            (record.head_seq, record.head_hash, record.max_seen),
            (0, None, 0)
        );
        assert!(absent.is_none());
    }
);
