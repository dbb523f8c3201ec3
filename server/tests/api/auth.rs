//! Login, logout, tokens and the failed-login limit; helpers to make users and log them in.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, header};
use serde_json::{Value, json};
use terreno_server::db::users::NewUser;
use terreno_shared::api::v1::auth::UserInfo;
use terreno_shared::ids::OrgId;
use terreno_shared::model::Role;
use tower::ServiceExt;

use crate::both;
use crate::harness::TestApp;

/// The password every test user gets.
pub const PASSWORD: &str = "correct-horse-battery";

/// The organization of a fresh database (created on first use).
pub async fn org(app: &TestApp) -> OrgId {
    app.db()
        .orgs()
        .resolve(None, "default", chrono_tz::America::Bogota)
        .await
        .expect("the default organization")
        .id
}

/// A user of `org` with [`PASSWORD`].
pub async fn user(
    app: &TestApp,
    org: OrgId,
    name: &str,
    role: Role,
    team: Option<&str>,
) -> UserInfo {
    let new = NewUser {
        username: name,
        role,
        team,
        display_name: None,
    };
    let info = app
        .db()
        .users()
        .insert(org, &new)
        .await
        .expect("adding a user");
    let hash = terreno_server::auth::hash_password(PASSWORD.into())
        .await
        .expect("hashing");
    app.db()
        .users()
        .set_password_hash(org, name, &hash)
        .await
        .expect("setting a password");
    info
}

/// Logs in with [`PASSWORD`] and returns the token.
pub async fn login(app: &TestApp, name: &str) -> String {
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": name, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["token"].as_str().expect("a token").to_owned()
}

async fn attempt(app: &TestApp, name: &str, password: &str) -> crate::harness::Resp {
    app.post(
        "/api/v1/auth/login",
        None,
        &json!({"username": name, "password": password}),
    )
    .await
}

/// How many rows a table holds.
pub async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("select cast(count(*) as bigint) from {table}");
    terreno_server::on_read_pool!(app.db(), |pool| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str()))
            .fetch_one(pool)
            .await
            .expect("counting rows")
    })
}

both!(
    logging_in_with_the_right_password_gives_a_token_that_identifies_the_user,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "gestor.ramirez", Role::Collector, None).await;

        let r = attempt(&app, "Gestor.Ramirez", PASSWORD).await;

        assert_eq!(r.status, 200, "{}", r.text);
        let token = r.body["token"].as_str().unwrap();
        assert_eq!(token.len(), 64);
        assert_eq!(r.body["user"]["username"], "gestor.ramirez");
        assert_eq!(r.body["user"]["role"], "collector");
        let expires: chrono::DateTime<chrono::Utc> =
            r.body["expires_at"].as_str().unwrap().parse().unwrap();
        let ttl = chrono::Duration::from_std(app.state.config.token_ttl).unwrap();
        assert!((expires - chrono::Utc::now() - ttl).num_seconds().abs() < 60);
        let me = app.get("/api/v1/auth/me", Some(token)).await;
        assert_eq!(me.status, 200, "{}", me.text);
        assert_eq!(me.body, r.body["user"]);
    }
);

both!(
    a_wrong_password_an_unknown_user_and_an_invited_user_get_the_same_401,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "ana", Role::Collector, None).await;
        let invited = NewUser {
            username: "beto",
            role: Role::Collector,
            team: None,
            display_name: None,
        };
        app.db().users().insert(org, &invited).await.unwrap();

        let wrong = attempt(&app, "ana", "not-the-password").await;
        let unknown = attempt(&app, "nobody", PASSWORD).await;
        let no_password = attempt(&app, "beto", "").await;
        let invalid_name = attempt(&app, "no such name!", PASSWORD).await;

        for r in [&wrong, &unknown, &no_password, &invalid_name] {
            assert_eq!(r.status, 401, "{}", r.text);
            assert_eq!(r.body["message"], "wrong username or password");
        }
        assert_eq!(wrong.body, unknown.body);
        assert_eq!(count(&app, "tokens").await, 0);
    }
);

both!(
    a_disabled_user_is_told_so_only_with_the_right_password_and_loses_their_tokens,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "ana", Role::Collector, None).await;
        let token = login(&app, "ana").await;

        app.db().users().disable(org, "ana").await.unwrap();

        let right = attempt(&app, "ana", PASSWORD).await;
        assert_eq!(right.status, 403, "{}", right.text);
        assert_eq!(right.body["code"], "account_disabled");
        let wrong = attempt(&app, "ana", "not-the-password").await;
        assert_eq!(wrong.status, 401, "{}", wrong.text);
        assert_eq!(app.get("/api/v1/auth/me", Some(&token)).await.status, 401);
    }
);

both!(
    after_ten_failed_logins_in_a_minute_even_the_right_password_gets_429,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "ana", Role::Collector, None).await;
        user(&app, org, "beto", Role::Collector, None).await;
        for _ in 0..10 {
            assert_eq!(attempt(&app, "ana", "nope-nope").await.status, 401);
        }

        let req = Request::post("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"username": "ana", "password": PASSWORD}).to_string(),
            ))
            .unwrap();
        let resp = terreno_server::router(app.state.clone())
            .oneshot(req)
            .await
            .unwrap();

        assert_eq!(resp.status(), 429);
        let retry: u64 = resp.headers()[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        let locked = attempt(&app, "ana", PASSWORD).await;
        assert_eq!(locked.body["code"], "too_many_requests");
        assert!(
            locked.body["message"]
                .as_str()
                .unwrap()
                .contains("too many failed logins"),
            "{}",
            locked.text
        );
        assert_eq!(
            login(&app, "beto").await.len(),
            64,
            "other accounts are not locked"
        );
        // A minute later the failures have aged out of the window.
        terreno_server::on_write!(app.db(), |pool| {
            sqlx::query("update login_failures set at_ms = at_ms - 61000")
                .execute(pool)
                .await
                .unwrap();
        });
        assert_eq!(login(&app, "ana").await.len(), 64);
        assert_eq!(
            count(&app, "login_failures").await,
            0,
            "success clears them"
        );
    }
);

both!(
    after_logout_the_token_is_refused,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "ana", Role::Collector, None).await;
        let token = login(&app, "ana").await;
        let other = login(&app, "ana").await;

        let out = app
            .post("/api/v1/auth/logout", Some(&token), &json!({}))
            .await;

        assert_eq!(out.status, 204, "{}", out.text);
        let me = app.get("/api/v1/auth/me", Some(&token)).await;
        assert_eq!(me.status, 401);
        assert_eq!(me.body["code"], "unauthorized");
        let again = app
            .post("/api/v1/auth/logout", Some(&token), &json!({}))
            .await;
        assert_eq!(again.status, 401);
        assert_eq!(
            app.get("/api/v1/auth/me", Some(&other)).await.status,
            200,
            "only the caller's token is revoked"
        );
    }
);

both!(
    guesses_sent_in_parallel_all_count_against_the_limit,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "ana", Role::Collector, None).await;
        let app = Arc::new(app);

        let tries: Vec<_> = (0..30)
            .map(|i| {
                let app = app.clone();
                tokio::spawn(
                    async move { attempt(&app, "ana", &format!("guess-{i}")).await.status },
                )
            })
            .collect();
        let mut checked = 0;
        for t in tries {
            let status = t.await.unwrap();
            assert!(status == 401 || status == 429, "{status}");
            checked += usize::from(status == 401);
        }

        assert!(
            checked <= 10,
            "{checked} passwords were checked in one minute"
        );
    }
);

both!(an_expired_token_is_refused, |app: TestApp| async move {
    let org = org(&app).await;
    let ana = user(&app, org, "ana", Role::Collector, None).await;
    let token = terreno_server::auth::new_token().unwrap();
    let hash = terreno_server::auth::token_hash(&token);
    let past = terreno_server::db::now_ms() - 1;
    app.db()
        .users()
        .insert_token(ana.id, &hash, past)
        .await
        .unwrap();
    let mut app = app;
    let mut config = (*app.state.config).clone();
    config.token_ttl = std::time::Duration::ZERO;
    app.state.config = Arc::new(config);
    let fresh = login(&app, "ana").await;

    let r = app.get("/api/v1/auth/me", Some(&token)).await;
    let zero_ttl = app.get("/api/v1/auth/me", Some(&fresh)).await;

    assert_eq!(r.status, 401, "{}", r.text);
    assert!(r.body["message"].as_str().unwrap().contains("expired"));
    assert_eq!(zero_ttl.status, 401, "a token lives only token_ttl");
});

both!(
    malformed_json_wrong_types_and_unknown_fields_in_login_are_400,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "ana", Role::Collector, None).await;
        let raw = |body: &'static str| {
            Request::post("/api/v1/auth/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap()
        };

        let syntax = app.send(raw("{\"username\": \"ana\", ")).await;
        let unknown = app
            .post(
                "/api/v1/auth/login",
                None,
                &json!({"username": "ana", "password": PASSWORD, "remember": true}),
            )
            .await;
        let wrong_type = app
            .post(
                "/api/v1/auth/login",
                None,
                &json!({"username": 7, "password": PASSWORD}),
            )
            .await;

        assert_eq!(syntax.status, 400);
        assert_eq!(syntax.body["code"], "invalid_json");
        assert_eq!(unknown.status, 400);
        assert_eq!(unknown.body["code"], "invalid_body");
        assert!(unknown.text.contains("remember"), "{}", unknown.text);
        assert_eq!(wrong_type.status, 400);
        assert!(wrong_type.body["message"].is_string());
        assert_eq!(count(&app, "tokens").await, 0);
        assert_eq!(count(&app, "login_failures").await, 0);
    }
);

both!(
    the_auth_and_device_routes_are_in_the_openapi_document,
    |app: TestApp| async move {
        let r = app.get("/api/v1/openapi.json", None).await;

        let paths = &r.body["paths"];
        for p in [
            "/api/v1/auth/login",
            "/api/v1/auth/logout",
            "/api/v1/auth/me",
            "/api/v1/devices",
            "/api/v1/devices/{id}/revoke",
        ] {
            assert!(paths[p].is_object(), "{p} missing");
        }
        let schemas = &r.body["components"]["schemas"];
        assert!(schemas["LoginRequest"].is_object(), "{}", r.text);
        assert_ne!(schemas["DeviceInfo"], Value::Null);
    }
);
