//! The login limits under attack: per address and per account (the owner of a locked-out
//! account still gets in from an address that has not failed), a storm of logins past the
//! password hasher's queue, and the request log never showing a token.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use terreno_server::auth::Hasher;
use terreno_shared::model::Role;
use tower::ServiceExt;

use crate::auth::{PASSWORD, org, user};
use crate::both;
use crate::harness::{Backend, TestApp};

/// A login answer: status, headers and JSON body.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

/// Logs in as `name` from the client address `from`, as the listener would report it.
async fn login_from(app: &TestApp, from: &str, name: &str, password: &str) -> Answer {
    let peer: SocketAddr = format!("{from}:40000").parse().expect("an address");
    let mut req = Request::post("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"username": name, "password": password}).to_string(),
        ))
        .expect("request");
    req.extensions_mut().insert(ConnectInfo(peer));
    let resp = terreno_server::router(app.state.clone())
        .oneshot(req)
        .await
        .expect("the router never fails");
    let (parts, body) = resp.into_parts();
    let bytes = body.collect().await.expect("reading the body").to_bytes();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

const ATTACKER: &str = "198.51.100.66";

both!(
    a_locked_out_account_still_lets_its_owner_in_from_an_address_that_has_not_failed,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "ana", Role::Collector, None).await;
        for i in 0..10 {
            let r = login_from(&app, ATTACKER, "ana", &format!("guess-{i}")).await;
            assert_eq!(r.status, 401, "{}", r.body);
        }
        let locked = login_from(&app, ATTACKER, "ana", PASSWORD).await;
        assert_eq!(locked.status, 429, "{}", locked.body);

        let owner = login_from(&app, "203.0.113.10", "ana", PASSWORD).await;
        let slip = login_from(&app, "203.0.113.20", "ana", "typo-typo").await;
        let after_slip = login_from(&app, "203.0.113.20", "ana", PASSWORD).await;
        let attacker_again = login_from(&app, ATTACKER, "ana", PASSWORD).await;

        assert_eq!(owner.status, 200, "{}", owner.body);
        assert_eq!(owner.body["user"]["username"], "ana");
        assert_eq!(slip.status, 401, "a fresh address's one try is checked");
        assert_eq!(
            after_slip.status, 429,
            "a wrong password used that address's try: {}",
            after_slip.body
        );
        assert_eq!(
            attacker_again.status, 429,
            "the owner's login does not clear the attacker's failures"
        );
        let message = attacker_again.body["message"].as_str().unwrap();
        assert!(
            message.contains("too many failed logins for ana"),
            "{message}"
        );
    }
);

both!(
    an_address_that_fails_many_times_is_limited_across_usernames,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "ana", Role::Collector, None).await;
        let mut app = app;
        let mut config = (*app.state.config).clone();
        config.max_failed_logins_per_address_per_minute = 5;
        app.state.config = Arc::new(config);
        for i in 0..5 {
            let r = login_from(&app, ATTACKER, &format!("someone{i}"), "guess-guess").await;
            assert_eq!(r.status, 401, "{}", r.body);
        }

        let blocked = login_from(&app, ATTACKER, "ana", PASSWORD).await;
        let elsewhere = login_from(&app, "203.0.113.10", "ana", PASSWORD).await;

        assert_eq!(blocked.status, 429, "{}", blocked.body);
        let message = blocked.body["message"].as_str().unwrap();
        assert!(message.contains("from your address"), "{message}");
        let retry: u64 = blocked.headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        assert_eq!(elsewhere.status, 200, "other addresses are not limited");
    }
);

both!(
    a_login_storm_past_the_hashing_queue_gets_503_while_hashing_stays_bounded,
    |app: TestApp| async move {
        let mut app = app;
        let hasher = Hasher::new(1, 2);
        app.state.hasher = hasher.clone();
        let app = Arc::new(app);

        // Unknown usernames from distinct addresses: no limit applies, each costs a hash.
        let storm: Vec<_> = (0..40)
            .map(|i| {
                let app = Arc::clone(&app);
                tokio::spawn(async move {
                    let from = format!("192.0.2.{}", i + 1);
                    login_from(&app, &from, &format!("nobody{i}"), "guess-guess").await
                })
            })
            .collect();
        let (mut checked, mut busy) = (0, 0);
        for t in storm {
            let r = t.await.unwrap();
            match r.status.as_u16() {
                401 => checked += 1,
                503 => {
                    busy += 1;
                    assert_eq!(r.body["code"], "busy");
                    assert_eq!(r.headers[header::RETRY_AFTER], "1");
                }
                other => panic!("{other}: {}", r.body),
            }
        }

        assert!(busy > 0, "every one of 40 logins waited for the hasher");
        assert!(
            checked >= 3,
            "the worker and its queue were served: {checked}"
        );
        assert_eq!(hasher.peak_computing(), 1, "one worker, one hash at a time");
    }
);

both!(
    the_served_api_counts_failed_logins_by_the_connections_peer_address,
    |app: TestApp| async move {
        let mut app = app;
        let mut config = (*app.state.config).clone();
        config.max_failed_logins_per_address_per_minute = 2;
        app.state.config = Arc::new(config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let url = format!(
            "http://{}/api/v1/auth/login",
            listener.local_addr().unwrap()
        );
        tokio::spawn(terreno_server::serve(
            listener,
            app.state.clone(),
            std::future::pending(),
        ));
        // Two loopback addresses: the server must tell them apart (ConnectInfo).
        let from = |ip: &str| {
            reqwest::Client::builder()
                .local_address(ip.parse::<std::net::IpAddr>().unwrap())
                .build()
                .unwrap()
        };
        let (first, second) = (from("127.0.0.2"), from("127.0.0.3"));
        let bad = json!({"username": "nobody", "password": "guess-guess"});
        let status = |client: reqwest::Client| {
            let (url, bad) = (url.clone(), bad.clone());
            async move {
                let r = client.post(url).json(&bad).send().await.expect("an answer");
                r.status().as_u16()
            }
        };

        let mut seen = Vec::new();
        for _ in 0..3 {
            seen.push(status(first.clone()).await);
        }
        seen.push(status(second.clone()).await);

        assert_eq!(seen, [401, 401, 429, 401]);
    }
);

/// A log sink for a test subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// On the current thread only: the test subscriber is the thread's default.
#[tokio::test]
async fn with_tower_http_debug_logging_no_token_in_a_query_reaches_the_log() {
    let app = TestApp::new(Backend::Sqlite).await.expect("sqlite");
    let org = org(&app).await;
    user(&app, org, "ana", Role::Supervisor, None).await;
    let token = crate::auth::login(&app, "ana").await;
    let log = Captured::default();
    let sink = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("tower_http=debug"))
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let live = app.get(&format!("/api/v1/live?token={token}"), None).await;
    let me = app
        .get(&format!("/api/v1/auth/me?since=1&Token={token}"), None)
        .await;

    drop(_guard);
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert_ne!(live.status, 500, "{}", live.text);
    assert_ne!(me.status, 500, "{}", me.text);
    assert!(
        text.contains("/api/v1/live?token=REDACTED"),
        "the request is still logged:\n{text}"
    );
    assert!(text.contains("since=1&Token=REDACTED"), "{text}");
    assert!(!text.contains(&token), "the token was logged:\n{text}");
}
