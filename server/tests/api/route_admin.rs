//! Managing a day's routes from the dashboard: reassigning a stop (the debtor leaves the first
//! collector's devices and reaches the other's), reordering a route, approving or rejecting a
//! location a check-in proposed, and the scopes (a supervisor's teams only, 404 outside).

use axum::body::Body;
use axum::http::{Method, Request, header};
use serde_json::{Value, json};
use terreno_shared::model::Role;

use crate::both;
use crate::harness::{Resp, TestApp};
use crate::pull::{Who, World, settle, user, world};
use crate::reads::exec;

const DAY: &str = "2026-11-24";
const ROUTES: &str = "/api/v1/routes?date=2026-11-24";

/// a1's route of the day: Ana and Beto located, Carla without a location.
const SHEET: &str = "external_id,debtor_name,address,latitude,longitude,balance,collector\n\
    A-1,Ana Ruiz,Calle 1,4.6,-74.1,100,a1\n\
    A-2,Beto Paz,Calle 2,4.61,-74.1,200,a1\n\
    A-3,Carla Gil,Calle 3,,,300,a1\n";

/// Uploads [`SHEET`] as the admin, through the route import.
async fn import(app: &TestApp, w: &World) {
    let boundary = "terreno-test-boundary";
    let body = format!(
        "--{boundary}\r\ncontent-disposition: form-data; name=\"date\"\r\n\r\n{DAY}\r\n\
         --{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\n\
         content-type: text/csv\r\n\r\n{SHEET}\r\n--{boundary}--\r\n"
    );
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/imports/routes")
        .header(header::AUTHORIZATION, format!("Bearer {}", w.admin.token))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .expect("request");
    let r = app.send(req).await;
    assert_eq!(r.status, 200, "{}", r.text);
    settle(app.db()).await;
}

/// The stops of `username` in the day's routes as `(external_id, position)`, and their ids.
async fn stops_of(app: &TestApp, who: &Who, username: &str) -> Vec<(String, i64, String)> {
    let r = app.get(ROUTES, Some(&who.token)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let c = r.body["collectors"]
        .as_array()
        .expect("collectors")
        .iter()
        .find(|c| c["username"] == username)
        .unwrap_or_else(|| panic!("{username} in {}", r.text));
    c["stops"]
        .as_array()
        .expect("stops")
        .iter()
        .map(|s| {
            (
                s["external_id"].as_str().unwrap().to_owned(),
                s["position"].as_i64().unwrap(),
                s["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Everything in `who`'s feed after `cursor`: `(entity_type, entity_id, op, body)` and the new
/// cursor.
async fn feed(
    app: &TestApp,
    who: &Who,
    cursor: &str,
) -> (Vec<(String, String, String, Value)>, String) {
    let r = app
        .get(
            &format!("/api/v1/sync/pull?cursor={cursor}&limit=1000"),
            Some(&who.token),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["more"], false);
    let changes = r.body["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| !matches!(c["entity_type"].as_str(), Some("form" | "visit_form")))
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
            (s("entity_type"), s("entity_id"), s("op"), c["body"].clone())
        })
        .collect();
    (
        changes,
        r.body["cursor"].as_str().expect("cursor").to_owned(),
    )
}

async fn put(app: &TestApp, path: &str, token: &str, body: &Value) -> Resp {
    app.call(Method::PUT, path, Some(token), Some(body)).await
}

both!(
    a_reassigned_stop_leaves_the_first_collectors_devices_and_reaches_the_others,
    |app: TestApp| async move {
        let w = world(&app).await;
        import(&app, &w).await;
        let (_, a1_at) = feed(&app, &w.a1, "").await;
        let (_, a2_at) = feed(&app, &w.a2, "").await;
        let before = stops_of(&app, &w.sup, "a1").await;
        let (_, _, stop) = before.iter().find(|s| s.0 == "A-1").expect("A-1's stop");

        let r = app
            .post(
                &format!("/api/v1/routes/stops/{stop}/reassign"),
                Some(&w.sup.token),
                &json!({ "collector": "a2" }),
            )
            .await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["collector"], "a2");
        assert_eq!(r.body["position"], 1);
        let account = r.body["account"].as_str().expect("account").to_owned();
        settle(app.db()).await;
        let (a1_changes, _) = feed(&app, &w.a1, &a1_at).await;
        let ops: Vec<(&str, &str, &str)> = a1_changes
            .iter()
            .map(|(t, id, op, _)| (t.as_str(), id.as_str(), op.as_str()))
            .collect();
        assert_eq!(
            ops,
            [
                ("account", account.as_str(), "remove"),
                ("stop", stop.as_str(), "remove")
            ]
        );
        let (a2_changes, _) = feed(&app, &w.a2, &a2_at).await;
        let got = a2_changes
            .iter()
            .find(|(t, id, op, _)| t == "account" && *id == account && op == "upsert")
            .expect("the account reaches a2");
        assert_eq!(got.3["collector"], w.a2.id.to_string());
        assert_eq!(
            got.3["version"], 2,
            "the version grew: devices replace their copy"
        );
        assert!(a2_changes.iter().any(|(t, _, op, b)| t == "stop"
            && op == "upsert"
            && b["account"] == account.as_str()));
        let left: Vec<String> = stops_of(&app, &w.sup, "a1")
            .await
            .into_iter()
            .map(|s| s.0)
            .collect();
        assert_eq!(left, ["A-2", "A-3"]);
        let moved = stops_of(&app, &w.sup, "a2").await;
        assert_eq!((moved[0].0.as_str(), moved[0].1), ("A-1", 1));
        let again = app
            .post(
                &format!("/api/v1/routes/stops/{}/reassign", moved[0].2),
                Some(&w.admin.token),
                &json!({ "collector": "a2" }),
            )
            .await;
        assert_eq!(again.status, 422, "already a2's: {}", again.text);
    }
);

both!(
    a_route_is_reordered_in_one_go_and_devices_get_the_new_positions,
    |app: TestApp| async move {
        let w = world(&app).await;
        import(&app, &w).await;
        let (_, a1_at) = feed(&app, &w.a1, "").await;
        let ids: Vec<String> = stops_of(&app, &w.sup, "a1")
            .await
            .into_iter()
            .map(|s| s.2)
            .collect();
        let reversed: Vec<&String> = ids.iter().rev().collect();
        let path = format!("/api/v1/routes/a1/{DAY}/order");

        let r = put(&app, &path, &w.sup.token, &json!({ "stops": reversed })).await;

        assert_eq!(r.status, 204, "{}", r.text);
        let now: Vec<(String, i64)> = stops_of(&app, &w.sup, "a1")
            .await
            .into_iter()
            .map(|s| (s.0, s.1))
            .collect();
        assert_eq!(
            now,
            [("A-3".into(), 1), ("A-2".into(), 2), ("A-1".into(), 3)]
        );
        settle(app.db()).await;
        let (changes, _) = feed(&app, &w.a1, &a1_at).await;
        let positions: Vec<(&str, i64)> = changes
            .iter()
            .map(|(t, id, _, b)| {
                assert_eq!(t, "stop");
                (id.as_str(), b["position"].as_i64().unwrap())
            })
            .collect();
        assert_eq!(
            positions,
            [
                (ids[2].as_str(), 1),
                (ids[1].as_str(), 2),
                (ids[0].as_str(), 3)
            ]
        );
        let partial = put(&app, &path, &w.sup.token, &json!({ "stops": [ids[0]] })).await;
        assert_eq!(partial.status, 422, "{}", partial.text);
        assert!(
            partial.body["message"]
                .as_str()
                .unwrap()
                .contains("missing")
        );
        let twice = json!({ "stops": [ids[0], ids[0], ids[1]] });
        assert_eq!(put(&app, &path, &w.sup.token, &twice).await.status, 422);
        let bad_day = put(
            &app,
            "/api/v1/routes/a1/24-11-2026/order",
            &w.sup.token,
            &twice,
        )
        .await;
        assert_eq!(bad_day.status, 400, "{}", bad_day.text);
    }
);

/// A check-in of a1 at Carla's (no location) that proposed a point.
async fn capture(app: &TestApp, w: &World, seq: &str) -> String {
    let a1 = w.a1.id.to_string();
    exec(
        app.db(),
        "insert into devices (id, user_id, public_key, label, enrolled_ms)
         values ('dev-a1', $1, 'k', 'phone', 0) on conflict (id) do nothing",
        &[&a1],
    )
    .await;
    let account: String = terreno_server::on_read_pool!(app.db(), |pool| {
        sqlx::query_scalar("select id from accounts where external_id = 'A-3'")
            .fetch_one(pool)
            .await
            .expect("Carla's account")
    });
    let verdict = r#"{"verdict":"location_capture","proposed":{"lat":4.62,"lon":-74.08},"accuracy_m":12.5,"fixes_used":5,"dwell_secs":90.0}"#;
    exec(
        app.db(),
        &format!(
            "insert into checkins (device_id, seq, visit_id, account_id, at_ms, device_verdict,
                  server_verdict, device_allowed, server_allowed, flagged)
             values ('dev-a1', {seq}, 'v-{seq}', $1, 1795532400000, $2, $2, true, true, false)"
        ),
        &[&account, verdict],
    )
    .await;
    account
}

both!(
    approving_a_captured_location_sets_the_debtors_point_for_the_devices,
    |app: TestApp| async move {
        let w = world(&app).await;
        import(&app, &w).await;
        let account = capture(&app, &w, "7").await;
        capture(&app, &w, "8").await;
        let (_, a1_at) = feed(&app, &w.a1, "").await;

        let list = app
            .get("/api/v1/location-captures", Some(&w.sup.token))
            .await;

        assert_eq!(list.status, 200, "{}", list.text);
        assert_eq!(list.body.as_array().map(Vec::len), Some(2), "{}", list.text);
        assert_eq!(list.body[0]["debtor"], "Carla Gil");
        assert_eq!(list.body[0]["collector"], "a1");
        assert_eq!(list.body[0]["accuracy_m"], 12.5);
        let r = app
            .post(
                "/api/v1/location-captures/dev-a1/8/reject",
                Some(&w.sup.token),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.text);
        let r = app
            .post(
                "/api/v1/location-captures/dev-a1/7/approve",
                Some(&w.sup.token),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.text);
        let seen = app
            .get(&format!("/api/v1/accounts/{account}"), Some(&w.sup.token))
            .await;
        assert_eq!(
            (seen.body["lat"].clone(), seen.body["lon"].clone()),
            (json!(4.62), json!(-74.08))
        );
        settle(app.db()).await;
        let (changes, _) = feed(&app, &w.a1, &a1_at).await;
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].3["lat"], 4.62);
        assert_eq!(changes[0].3["version"], 2);
        let list = app
            .get("/api/v1/location-captures", Some(&w.sup.token))
            .await;
        assert_eq!(list.body, json!([]), "decided and located: nothing pending");
        let r = app
            .post(
                "/api/v1/location-captures/dev-a1/7/approve",
                Some(&w.sup.token),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, 404, "decided once: {}", r.text);
    }
);

both!(
    outside_their_teams_a_supervisor_finds_no_route_stop_or_capture,
    |app: TestApp| async move {
        let w = world(&app).await;
        import(&app, &w).await;
        capture(&app, &w, "7").await;
        let south = user(app.db(), w.org, "sup.s", Role::Supervisor, Some("south")).await;
        let stop = stops_of(&app, &w.sup, "a1").await[0].2.clone();
        let reassign = format!("/api/v1/routes/stops/{stop}/reassign");

        let r = app
            .post(&reassign, Some(&south.token), &json!({ "collector": "c1" }))
            .await;

        assert_eq!(r.status, 404, "{}", r.text);
        let r = app
            .post(&reassign, Some(&w.sup.token), &json!({ "collector": "c1" }))
            .await;
        assert_eq!(r.status, 404, "c1 is not in north: {}", r.text);
        assert!(r.body["message"].as_str().unwrap().contains("c1"));
        let order = format!("/api/v1/routes/a1/{DAY}/order");
        let r = put(&app, &order, &south.token, &json!({ "stops": [stop] })).await;
        assert_eq!(r.status, 404, "{}", r.text);
        let r = app.get(ROUTES, Some(&south.token)).await;
        let names: Vec<&str> = r.body["collectors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["username"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["c1"]);
        let r = app
            .get("/api/v1/location-captures", Some(&south.token))
            .await;
        assert_eq!(r.body, json!([]));
        let r = app
            .post(
                "/api/v1/location-captures/dev-a1/7/approve",
                Some(&south.token),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, 404, "{}", r.text);
        for path in [ROUTES, "/api/v1/location-captures"] {
            assert_eq!(app.get(path, Some(&w.a1.token)).await.status, 403, "{path}");
            assert_eq!(app.get(path, None).await.status, 401, "{path}");
        }
        let r = app
            .post(&reassign, Some(&w.a1.token), &json!({ "collector": "a2" }))
            .await;
        assert_eq!(r.status, 403);
        let r = app
            .post(
                &reassign,
                Some(&w.admin.token),
                &json!({ "collector": "c1" }),
            )
            .await;
        assert_eq!(r.status, 200, "an admin reaches every team: {}", r.text);
        let doc = app.get("/api/v1/openapi.json", None).await;
        for path in ["/api/v1/routes", "/api/v1/location-captures"] {
            assert_eq!(
                doc.body["paths"][path]["get"]["tags"],
                json!(["routes"]),
                "{path}"
            );
        }
    }
);

both!(
    two_reassignments_of_one_stop_at_once_move_it_once,
    |app: TestApp| async move {
        let w = world(&app).await;
        import(&app, &w).await;
        let before = stops_of(&app, &w.sup, "a1").await;
        let (_, _, stop) = before.iter().find(|s| s.0 == "A-1").expect("A-1's stop");
        let path = format!("/api/v1/routes/stops/{stop}/reassign");
        let to_a2 = json!({ "collector": "a2" });

        let (first, second) = tokio::join!(
            app.post(&path, Some(&w.sup.token), &to_a2),
            app.post(&path, Some(&w.admin.token), &to_a2),
        );

        let mut statuses = [first.status, second.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 404], "{} / {}", first.text, second.text);
        let moved: Vec<String> = stops_of(&app, &w.sup, "a2")
            .await
            .into_iter()
            .map(|s| s.0)
            .collect();
        assert_eq!(moved, ["A-1"], "one stop for the debtor");
    }
);

both!(
    a_reorder_racing_a_reassignment_does_not_bring_the_stop_back,
    |app: TestApp| async move {
        let w = world(&app).await;
        import(&app, &w).await;
        let before = stops_of(&app, &w.sup, "a1").await;
        let (_, _, stop) = before.iter().find(|s| s.0 == "A-1").expect("A-1's stop");
        let reversed: Vec<&String> = before.iter().rev().map(|s| &s.2).collect();
        let order = format!("/api/v1/routes/a1/{DAY}/order");
        let reassign = format!("/api/v1/routes/stops/{stop}/reassign");

        let (new_order, to_a2) = (json!({ "stops": reversed }), json!({ "collector": "a2" }));
        let (reordered, reassigned) = tokio::join!(
            put(&app, &order, &w.sup.token, &new_order),
            app.post(&reassign, Some(&w.admin.token), &to_a2),
        );

        assert_eq!(reassigned.status, 200, "{}", reassigned.text);
        assert!(
            matches!(reordered.status.as_u16(), 204 | 422),
            "{}",
            reordered.text
        );
        let left: Vec<String> = stops_of(&app, &w.sup, "a1")
            .await
            .into_iter()
            .map(|s| s.0)
            .collect();
        assert!(!left.contains(&"A-1".to_owned()), "{left:?}");
        assert_eq!(left.len(), 2, "{left:?}");
    }
);

both!(
    a_capture_decided_twice_at_once_keeps_the_first_decision,
    |app: TestApp| async move {
        let w = world(&app).await;
        import(&app, &w).await;
        let account = capture(&app, &w, "7").await;
        let base = "/api/v1/location-captures/dev-a1/7";

        let (approve, reject, empty) = (
            format!("{base}/approve"),
            format!("{base}/reject"),
            json!({}),
        );
        let (approved, rejected) = tokio::join!(
            app.post(&approve, Some(&w.sup.token), &empty),
            app.post(&reject, Some(&w.admin.token), &empty),
        );

        let mut statuses = [approved.status, rejected.status];
        statuses.sort_unstable();
        assert_eq!(
            statuses,
            [204, 404],
            "{} / {}",
            approved.text,
            rejected.text
        );
        let seen = app
            .get(&format!("/api/v1/accounts/{account}"), Some(&w.sup.token))
            .await;
        let located = seen.body["lat"] == json!(4.62);
        assert_eq!(located, approved.status == 204, "{}", seen.text);
        let again = app
            .post(&format!("{base}/approve"), Some(&w.sup.token), &json!({}))
            .await;
        assert_eq!(again.status, 404, "decided once: {}", again.text);
        let seen_again = app
            .get(&format!("/api/v1/accounts/{account}"), Some(&w.sup.token))
            .await;
        assert_eq!(
            seen_again.body["lat"], seen.body["lat"],
            "the first decision stays"
        );
    }
);

both!(
    a_disabled_collector_is_listed_while_they_have_stops_that_day,
    |app: TestApp| async move {
        let w = world(&app).await;
        import(&app, &w).await;
        let r = app
            .post("/api/v1/users/a1/disable", Some(&w.admin.token), &json!({}))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);

        let day = app.get(ROUTES, Some(&w.sup.token)).await;

        assert_eq!(day.status, 200, "{}", day.text);
        let listed: Vec<(&str, &Value, usize)> = day.body["collectors"]
            .as_array()
            .expect("collectors")
            .iter()
            .map(|c| {
                (
                    c["username"].as_str().unwrap(),
                    &c["active"],
                    c["stops"].as_array().unwrap().len(),
                )
            })
            .collect();
        assert_eq!(
            listed,
            [("a1", &json!(false), 3), ("a2", &json!(true), 0)],
            "{}",
            day.text
        );
        for (_, _, stop) in stops_of(&app, &w.sup, "a1").await {
            let r = app
                .post(
                    &format!("/api/v1/routes/stops/{stop}/reassign"),
                    Some(&w.sup.token),
                    &json!({ "collector": "a2" }),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
        let after = app.get(ROUTES, Some(&w.sup.token)).await;
        let names: Vec<&str> = after.body["collectors"]
            .as_array()
            .expect("collectors")
            .iter()
            .map(|c| c["username"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["a2"], "no stops left: no longer listed");
    }
);
