//! The People API: who sees and manages whom, inviting with a one-time password, errors that
//! name the field, setting passwords, and disabling (sessions end, phones are told to wipe).

use axum::http::Method;
use serde_json::{Value, json};
use terreno_shared::ids::DeviceId;
use terreno_shared::model::Role;
use terreno_shared::sync::DeviceKey;
use uuid::Uuid;

use crate::auth::{PASSWORD, count, login, org, user};
use crate::both;
use crate::harness::{Resp, TestApp};

/// Enrolls a new phone with `token` (which the server then binds to it).
async fn enroll(app: &TestApp, token: &str) -> DeviceId {
    let id = DeviceId::from_uuid(Uuid::now_v7());
    let key = DeviceKey::from_seed(&[7; 32]).unwrap().public_key();
    let r = app
        .post(
            "/api/v1/devices",
            Some(token),
            &json!({"device_id": id, "public_key": key, "label": "Moto G"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    id
}

async fn invite(app: &TestApp, token: &str, body: Value) -> Resp {
    app.post("/api/v1/users", Some(token), &body).await
}

async fn disable(app: &TestApp, token: &str, name: &str) -> Resp {
    let path = format!("/api/v1/users/{name}/disable");
    app.post(&path, Some(token), &json!({})).await
}

async fn set_password(app: &TestApp, token: &str, name: &str, body: Value) -> Resp {
    let path = format!("/api/v1/users/{name}/password");
    app.call(Method::PUT, &path, Some(token), Some(&body)).await
}

async fn try_login(app: &TestApp, name: &str, password: &str) -> Resp {
    let body = json!({"username": name, "password": password});
    app.post("/api/v1/auth/login", None, &body).await
}

fn usernames(r: &Resp) -> Vec<String> {
    let people = r.body["people"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", r.text));
    let mut names: Vec<String> = people
        .iter()
        .map(|p| p["username"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

/// ana and sofia in the default team, nico and norte in the north team, root the admin.
async fn two_teams(app: &TestApp) {
    let org = org(app).await;
    user(app, org, "ana", Role::Collector, None).await;
    user(app, org, "sofia", Role::Supervisor, None).await;
    user(app, org, "nico", Role::Collector, Some("north")).await;
    user(app, org, "norte", Role::Supervisor, Some("north")).await;
    user(app, org, "root", Role::Admin, None).await;
}

both!(
    supervisors_see_their_team_with_devices_and_trackers_and_admins_everyone,
    |app: TestApp| async move {
        two_teams(&app).await;
        let phone = enroll(&app, &login(&app, "ana").await).await;
        let sofia = login(&app, "sofia").await;
        let tracker = app
            .post(
                "/api/v1/trackers",
                Some(&sofia),
                &json!({"ident": "862345", "username": "ana"}),
            )
            .await;
        assert_eq!(tracker.status, 201, "{}", tracker.text);

        let team = app.get("/api/v1/users", Some(&sofia)).await;
        let all = app
            .get("/api/v1/users", Some(&login(&app, "root").await))
            .await;
        let collector = app
            .get("/api/v1/users", Some(&login(&app, "nico").await))
            .await;

        assert_eq!(team.status, 200, "{}", team.text);
        assert_eq!(usernames(&team), ["ana", "sofia"]);
        assert_eq!(team.body["teams"].as_array().unwrap().len(), 1);
        assert_eq!(team.body["teams"][0]["name"], "default");
        let ana = &team.body["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["username"] == "ana")
            .unwrap()
            .clone();
        assert_eq!(ana["role"], "collector");
        assert_eq!(ana["team"], "default");
        assert_eq!(ana["active"], true);
        assert!(
            ana["last_seen_ms"].is_i64(),
            "a login counts as seen: {ana}"
        );
        assert_eq!(ana["devices"][0]["id"], phone.to_string());
        assert_eq!(ana["devices"][0]["revoked_ms"], Value::Null);
        assert_eq!(ana["trackers"][0]["ident"], "862345");
        assert_eq!(ana["devices"].as_array().unwrap().len(), 1);
        assert_eq!(usernames(&all), ["ana", "nico", "norte", "root", "sofia"]);
        assert_eq!(all.body["teams"].as_array().unwrap().len(), 2);
        assert_eq!(collector.status, 403, "{}", collector.text);
    }
);

both!(
    an_invited_collector_logs_in_with_the_one_time_password,
    |app: TestApp| async move {
        two_teams(&app).await;
        let sofia = login(&app, "sofia").await;

        let r = invite(
            &app,
            &sofia,
            json!({"username": " Nuevo.Gestor ", "display_name": "Nuevo Gestor",
                "role": "collector", "email": "nuevo@example.com"}),
        )
        .await;

        assert_eq!(r.status, 201, "{}", r.text);
        let person = &r.body["person"];
        assert_eq!(person["username"], "nuevo.gestor");
        assert_eq!(
            person["team"], "default",
            "a supervisor's own team by default"
        );
        assert_eq!(person["invited"], false);
        assert_eq!(person["email"], "nuevo@example.com");
        let password = r.body["temporary_password"].as_str().unwrap();
        let login = try_login(&app, "nuevo.gestor", password).await;
        assert_eq!(login.status, 200, "{}", login.text);
        assert_eq!(login.body["user"]["role"], "collector");
    }
);

both!(
    invitation_errors_name_the_field_and_store_nothing,
    |app: TestApp| async move {
        two_teams(&app).await;
        let root = login(&app, "root").await;
        let ok = json!({"username": "eva", "display_name": "Eva", "role": "collector",
            "team": "north"});
        let with = |k: &str, v: Value| {
            let mut b = ok.clone();
            b[k] = v;
            b
        };
        let before = count(&app, "users").await;

        let cases = [
            (with("username", json!("No Spaces")), 422, "username:"),
            (with("display_name", json!("  ")), 422, "display_name:"),
            (with("email", json!("not-an-address")), 422, "email:"),
            (with("role", json!("boss")), 422, "role:"),
            (with("team", Value::Null), 422, "team:"),
            (with("team", json!("south")), 422, "team:"),
            (with("username", json!("ANA")), 409, "username:"),
            (with("extra", json!(1)), 400, "extra"),
        ];
        for (body, status, says) in cases {
            let r = invite(&app, &root, body.clone()).await;
            assert_eq!(r.status, status, "{body}: {}", r.text);
            let message = r.body["message"].as_str().unwrap();
            assert!(message.contains(says), "{body}: {message}");
            if status == 409 {
                assert_eq!(r.body["code"], "username_taken");
            }
        }
        assert_eq!(count(&app, "users").await, before);
        assert_eq!(invite(&app, &root, ok).await.status, 201);
    }
);

both!(
    supervisors_manage_only_their_own_teams_collectors,
    |app: TestApp| async move {
        two_teams(&app).await;
        user(&app, org(&app).await, "sara", Role::Supervisor, None).await;
        let sofia = login(&app, "sofia").await;
        let body = |role: &str, team: Option<&str>| json!({"username": "eva", "display_name": "Eva", "role": role, "team": team});

        let supervisor = invite(&app, &sofia, body("supervisor", None)).await;
        let admin = invite(&app, &sofia, body("admin", None)).await;
        let elsewhere = invite(&app, &sofia, body("collector", Some("north"))).await;
        let by_collector = invite(&app, &login(&app, "ana").await, body("collector", None)).await;
        let other_team = disable(&app, &sofia, "nico").await;
        let peer = set_password(&app, &sofia, "sara", json!({})).await;
        let root = login(&app, "root").await;
        let by_admin = invite(&app, &root, body("supervisor", Some("north"))).await;

        for r in [&supervisor, &admin, &elsewhere, &by_collector, &peer] {
            assert_eq!(r.status, 403, "{}", r.text);
            assert_eq!(r.body["code"], "forbidden");
        }
        assert_eq!(other_team.status, 404, "{}", other_team.text);
        assert_eq!(by_admin.status, 201, "{}", by_admin.text);
        assert_eq!(by_admin.body["person"]["team"], "north");
    }
);

both!(nobody_disables_themselves, |app: TestApp| async move {
    two_teams(&app).await;
    let root = login(&app, "root").await;

    let r = disable(&app, &root, "root").await;

    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.body["message"].as_str().unwrap().starts_with("username:"));
    assert_eq!(app.get("/api/v1/auth/me", Some(&root)).await.status, 200);
});

both!(
    disabling_ends_sessions_and_tells_the_phone_to_wipe,
    |app: TestApp| async move {
        two_teams(&app).await;
        let phone_token = login(&app, "ana").await;
        let phone = enroll(&app, &phone_token).await;
        let browser_token = login(&app, "ana").await;

        let r = disable(&app, &login(&app, "sofia").await, "ana").await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["active"], false);
        assert!(r.body["devices"][0]["revoked_ms"].is_i64(), "{}", r.text);
        let me = app.get("/api/v1/auth/me", Some(&browser_token)).await;
        assert_eq!(me.status, 401, "{}", me.text);
        let sync = app
            .get(
                &format!("/api/v1/sync/status?device_id={phone}"),
                Some(&phone_token),
            )
            .await;
        assert_eq!(sync.status, 403, "{}", sync.text);
        assert_eq!(sync.body["code"], "device_revoked");
        assert_ne!(try_login(&app, "ana", PASSWORD).await.status, 200);
    }
);

both!(
    a_supervisor_sets_a_collectors_password_or_gets_a_one_time_one,
    |app: TestApp| async move {
        two_teams(&app).await;
        let sofia = login(&app, "sofia").await;

        let short = set_password(&app, &sofia, "ana", json!({"password": "short"})).await;
        let chosen = set_password(&app, &sofia, "ana", json!({"password": "nueva-clave-1"})).await;
        let chosen_login = try_login(&app, "ana", "nueva-clave-1").await;
        let made = set_password(&app, &sofia, "ana", json!({})).await;

        assert_eq!(short.status, 422, "{}", short.text);
        assert!(
            short.text.contains("password: the password is too short"),
            "{}",
            short.text
        );
        assert_eq!(chosen.status, 200, "{}", chosen.text);
        assert_eq!(chosen.body["temporary_password"], Value::Null);
        assert_eq!(chosen_login.status, 200, "{}", chosen_login.text);
        assert_eq!(made.status, 200, "{}", made.text);
        let temporary = made.body["temporary_password"].as_str().unwrap();
        assert_eq!(try_login(&app, "ana", temporary).await.status, 200);
        assert_eq!(try_login(&app, "ana", "nueva-clave-1").await.status, 401);
    }
);

both!(
    the_people_routes_are_in_the_openapi_document,
    |app: TestApp| async move {
        let r = app.get("/api/v1/openapi.json", None).await;

        let paths = &r.body["paths"];
        assert!(paths["/api/v1/users"]["get"].is_object(), "{}", r.text);
        assert!(paths["/api/v1/users"]["post"].is_object());
        assert!(paths["/api/v1/users/{username}/password"]["put"].is_object());
        assert!(paths["/api/v1/users/{username}/disable"]["post"].is_object());
        assert!(r.body["components"]["schemas"]["Person"].is_object());
    }
);

both!(
    a_username_taken_in_another_organization_gets_the_same_answer_as_one_taken_here,
    |app: TestApp| async move {
        two_teams(&app).await;
        let other = app
            .db()
            .orgs()
            .insert("otra", chrono_tz::America::Lima)
            .await
            .expect("another organization")
            .id;
        user(&app, other, "eva", Role::Collector, None).await;
        let root = login(&app, "root").await;
        let body = |name: &str| json!({"username": name, "display_name": "X", "role": "admin"});

        let here = invite(&app, &root, body("ana")).await;
        let there = invite(&app, &root, body("eva")).await;

        for r in [&here, &there] {
            assert_eq!(r.status, 409, "{}", r.text);
            assert_eq!(r.body["code"], "username_taken");
        }
        let message = there.body["message"].as_str().unwrap();
        assert_eq!(
            message,
            "username: \"eva\" is taken (usernames are unique across the whole server)"
        );
        assert_eq!(
            here.body["message"].as_str().unwrap().replace("ana", "eva"),
            message
        );
    }
);
