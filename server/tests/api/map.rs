//! `GET /api/v1/map` (the live map's first load: positions, today's tracks, stops and refused
//! check-ins, within the caller's scope) and the dashboard served at `/` beside the API.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Utc;
use http_body_util::BodyExt;
use terreno_server::db::users::NewUser;
use terreno_shared::model::Role;
use tower::ServiceExt;

use crate::both;
use crate::demo::one_account_of;
use crate::harness::{Backend, TestApp};
use crate::push::helpers::{HOME, World, check_in, fix_json, new_visit, push};

/// A supervisor (or admin) of the world's organization, with a token.
async fn watcher(
    app: &TestApp,
    world: &World,
    name: &str,
    role: Role,
    team: Option<&str>,
) -> String {
    let new = NewUser {
        username: name,
        role,
        team,
        display_name: None,
    };
    let user = app
        .db()
        .users()
        .insert(world.org, &new)
        .await
        .expect("user");
    let token = terreno_server::auth::new_token().expect("token");
    let expires = Utc::now().timestamp_millis() + 3_600_000;
    app.db()
        .users()
        .insert_token(user.id, &terreno_server::auth::token_hash(&token), expires)
        .await
        .expect("token");
    token
}

/// Ana walks 400 m north of her debtor's door over the last minute, then tries to check in
/// there (the phone allows it, the server refuses: too far).
async fn ana_walks_away_and_checks_in(app: &TestApp, world: &mut World) {
    let now = Utc::now();
    for (secs_ago, north_m) in [(60, 0.0), (40, 200.0), (20, 400.0)] {
        let draft = terreno_shared::sync::Draft::new(
            terreno_shared::sync::EventKind::Fix,
            1,
            fix_json(now, secs_ago, north_m),
        );
        world.ana.phone.add(draft);
    }
    world
        .ana
        .phone
        .add(check_in(new_visit(), world.ana_account, now, 400.0));
    let r = push(app, &world.ana, &world.ana.phone.batch(1..=4)).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

both!(
    a_supervisor_sees_each_collector_of_the_team_with_position_track_and_refusals,
    |app: TestApp| async move {
        let mut world = World::new(&app).await;
        let sofia = watcher(&app, &world, "sofia", Role::Supervisor, None).await;
        ana_walks_away_and_checks_in(&app, &mut world).await;

        let r = app.get("/api/v1/map", Some(&sofia)).await;

        assert_eq!(r.status, 200, "{}", r.text);
        let names: Vec<&str> = r.body["collectors"]
            .as_array()
            .expect("collectors")
            .iter()
            .map(|c| c["username"].as_str().expect("a username"))
            .collect();
        assert_eq!(names, ["ana", "bob"]);
        let ana = &r.body["collectors"][0];
        let lat = ana["position"]["lat"].as_f64().expect("ana's position");
        assert!((lat - (HOME.0 + 400.0 / 111_320.0)).abs() < 1e-9, "{ana}");
        assert_eq!(ana["position"]["username"], "ana");
        assert_eq!(ana["position"]["battery"], 0.8);
        let track = ana["track"].as_array().expect("a track");
        assert_eq!(
            track.len(),
            2,
            "a straight walk keeps its two ends: {track:?}"
        );
        assert_eq!(r.body["collectors"][1]["position"], serde_json::Value::Null);
        let refused = &r.body["refused"][0];
        assert_eq!(refused["username"], "ana", "{}", r.body);
        assert_eq!(refused["account"], world.ana_account.to_string());
        assert_eq!(refused["server_verdict"]["verdict"], "refused");
        assert_eq!(refused["lat"], HOME.0);
        let settings = &r.body["settings"];
        assert_eq!(
            settings["tiles"]["url"],
            terreno_server::config::OSM_TILE_URL
        );
        assert_eq!(settings["low_battery"], 0.15);
        assert_eq!(settings["silent_after_secs"], 600);
    }
);

both!(
    another_day_shows_that_days_stops_with_their_status,
    |app: TestApp| async move {
        let mut world = World::new(&app).await;
        let sofia = watcher(&app, &world, "sofia", Role::Supervisor, None).await;
        ana_walks_away_and_checks_in(&app, &mut world).await;
        // A route stop for ana on 2026-11-24 (one_account_of's visit date).
        let account = one_account_of(&app, "ana").await;

        let r = app.get("/api/v1/map?date=2026-11-24", Some(&sofia)).await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["date"], "2026-11-24");
        let ana = &r.body["collectors"][0];
        assert_eq!(ana["stops"][0]["account"], account, "{ana}");
        assert_eq!(ana["stops"][0]["external_id"], "T-1");
        assert_eq!(ana["stops"][0]["status"], "planned");
        assert_eq!(
            ana["track"],
            serde_json::json!([]),
            "today's fixes are not that day's"
        );
        assert_eq!(r.body["refused"], serde_json::json!([]));
        assert!(
            ana["position"]["lat"].is_f64(),
            "positions are always the newest"
        );
    }
);

both!(
    the_map_is_scoped_like_the_live_feed,
    |app: TestApp| async move {
        let mut world = World::new(&app).await;
        let luz = watcher(&app, &world, "luz", Role::Supervisor, Some("sur")).await;
        let admin = watcher(&app, &world, "root", Role::Admin, None).await;
        ana_walks_away_and_checks_in(&app, &mut world).await;

        let other_team = app.get("/api/v1/map", Some(&luz)).await;
        let as_admin = app.get("/api/v1/map", Some(&admin)).await;
        let as_collector = app.get("/api/v1/map", Some(&world.ana.token)).await;
        let anonymous = app.get("/api/v1/map", None).await;
        let bad_date = app.get("/api/v1/map?date=24/11/2026", Some(&admin)).await;

        assert_eq!(other_team.status, 200, "{}", other_team.text);
        assert_eq!(other_team.body["collectors"], serde_json::json!([]));
        assert_eq!(other_team.body["refused"], serde_json::json!([]));
        assert_eq!(
            as_admin.body["collectors"].as_array().map(Vec::len),
            Some(2)
        );
        assert_eq!(as_admin.body["refused"].as_array().map(Vec::len), Some(1));
        assert_eq!(as_collector.status, 403, "{}", as_collector.text);
        assert_eq!(anonymous.status, 401, "{}", anonymous.text);
        assert_eq!(bad_date.status, 400, "{}", bad_date.text);
        assert!(
            bad_date.body["message"]
                .as_str()
                .unwrap_or("")
                .contains("YYYY-MM-DD")
        );
    }
);

both!(
    a_large_scope_loads_counts_first_and_one_collector_in_detail_on_request,
    |app: TestApp| async move {
        let mut world = World::new(&app).await;
        let admin = watcher(&app, &world, "root", Role::Admin, None).await;
        let luz = watcher(&app, &world, "luz", Role::Supervisor, Some("sur")).await;
        ana_walks_away_and_checks_in(&app, &mut world).await;
        // A route stop for ana today, so the counts have something to count.
        let today = app.db().imports().today_in(world.org).await.expect("today");
        let account = one_account_of(&app, "ana").await;
        let route = uuid::Uuid::now_v7().to_string();
        let db = app.db();
        terreno_server::on_write!(&db, |pool| {
            sqlx::query("insert into routes (id, collector_id, route_date) values ($1, $2, $3)")
                .bind(&route)
                .bind(world.ana.user.id.to_string())
                .bind(today.to_string())
                .execute(pool)
                .await
                .expect("a route");
            sqlx::query(
                "insert into stops (id, route_id, account_id, planned_date, position)
                 values ($1, $2, $3, $4, 0)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&route)
            .bind(&account)
            .bind(today.to_string())
            .execute(pool)
            .await
            .expect("a stop");
        });
        let small = app.get("/api/v1/map", Some(&admin)).await;
        for i in 0..terreno_server::db::map::DETAIL_LIMIT {
            let name = format!("extra{i:03}");
            let new = NewUser {
                username: &name,
                role: Role::Collector,
                team: None,
                display_name: None,
            };
            app.db()
                .users()
                .insert(world.org, &new)
                .await
                .expect("user");
        }

        let large = app.get("/api/v1/map", Some(&admin)).await;
        let one = app.get("/api/v1/map?username=ana", Some(&admin)).await;
        let stranger = app.get("/api/v1/map?username=nobody", Some(&admin)).await;
        let other_team = app.get("/api/v1/map?username=ana", Some(&luz)).await;

        let ana_small = &small.body["collectors"][0];
        assert_eq!(ana_small["detail"], true, "{ana_small}");
        assert_eq!(ana_small["stops_total"], 1);
        assert_eq!(ana_small["track"].as_array().map(Vec::len), Some(2));
        assert_eq!(large.status, 200, "{}", large.text);
        let everyone = large.body["collectors"].as_array().expect("collectors");
        assert_eq!(everyone.len(), terreno_server::db::map::DETAIL_LIMIT + 2);
        let ana = everyone
            .iter()
            .find(|c| c["username"] == "ana")
            .expect("ana");
        assert_eq!(ana["detail"], false, "{ana}");
        assert_eq!(ana["track"], serde_json::json!([]));
        assert_eq!(ana["stops"], serde_json::json!([]));
        assert_eq!(
            (ana["stops_total"].as_i64(), ana["stops_done"].as_i64()),
            (Some(1), Some(0))
        );
        assert!(ana["position"]["lat"].is_f64(), "positions always come");
        assert_eq!(large.body["refused"].as_array().map(Vec::len), Some(1));
        assert_eq!(one.status, 200, "{}", one.text);
        let only = one.body["collectors"].as_array().expect("collectors");
        assert_eq!(only.len(), 1);
        assert_eq!(only[0]["detail"], true);
        assert_eq!(
            only[0]["track"], ana_small["track"],
            "the same track as a small load"
        );
        assert_eq!(only[0]["stops"], ana_small["stops"]);
        assert_eq!(one.body["refused"].as_array().map(Vec::len), Some(1));
        assert_eq!(stranger.status, 404, "{}", stranger.text);
        assert_eq!(
            other_team.status, 404,
            "outside the scope: {}",
            other_team.text
        );
    }
);

both!(
    the_map_is_in_the_openapi_document,
    |app: TestApp| async move {
        let r = app.get("/api/v1/openapi.json", None).await;

        let map = &r.body["paths"]["/api/v1/map"]["get"];
        assert!(map.is_object(), "{}", r.text);
        assert_eq!(map["parameters"][0]["name"], "date");
        assert!(r.body["components"]["schemas"]["MapResponse"].is_object());
    }
);

/// A GET through the real router: status, headers, body bytes.
async fn fetch(app: &TestApp, path: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let req = Request::get(path)
        .header(header::ACCEPT_ENCODING, "identity")
        .body(Body::empty())
        .expect("a request");
    let resp = terreno_server::router(app.state.clone())
        .oneshot(req)
        .await
        .expect("the router never fails");
    let (parts, body) = resp.into_parts();
    let bytes = body.collect().await.expect("a body").to_bytes().to_vec();
    (parts.status, parts.headers, bytes)
}

#[tokio::test]
async fn the_dashboard_is_served_at_the_root_and_at_its_own_routes() {
    let app = TestApp::new(Backend::Sqlite).await.expect("sqlite");

    let (status, headers, body) = fetch(&app, "/").await;
    let (_, _, deep) = fetch(&app, "/some/dashboard/route").await;

    assert_eq!(status, 200);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(deep, body, "a dashboard route loads the same page");
    let page = String::from_utf8(body).expect("UTF-8");
    if terreno_server::ui::is_built() {
        assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
        assert!(headers.contains_key(header::ETAG));
        assert!(page.contains("<div id=\"app\">"), "{page}");
    } else {
        assert!(
            page.contains("scripts/build-ui"),
            "the page names the command: {page}"
        );
    }
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_the_page_revalidates() {
    let app = TestApp::new(Backend::Sqlite).await.expect("sqlite");
    let Some(script) = terreno_server::ui::ASSETS
        .iter()
        .map(|(path, _, _)| *path)
        .find(|p| p.starts_with("assets/") && p.ends_with(".js"))
    else {
        eprintln!("skipped: the dashboard was not built (scripts/build-ui)");
        return;
    };
    let etag = terreno_server::ui::index().expect("the page").etag;

    let (status, headers, _) = fetch(&app, &format!("/{script}")).await;
    let revalidated = Request::get("/")
        .header(header::IF_NONE_MATCH, etag)
        .body(Body::empty())
        .expect("a request");
    let revalidated = terreno_server::router(app.state.clone())
        .oneshot(revalidated)
        .await
        .expect("an answer");
    let (missing, _, _) = fetch(&app, "/assets/no-such-file.js").await;

    assert_eq!(status, 200);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        missing,
        StatusCode::NOT_FOUND,
        "a missing file is not the page"
    );
}

#[tokio::test]
async fn the_dashboard_is_compressed_and_unknown_api_paths_stay_json_404s() {
    let app = TestApp::new(Backend::Sqlite).await.expect("sqlite");
    let gzip = Request::get("/")
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .expect("a request");

    let gzip = terreno_server::router(app.state.clone())
        .oneshot(gzip)
        .await
        .expect("an answer");
    let (status, headers, body) = fetch(&app, "/api/v1/no-such-thing").await;

    assert_eq!(gzip.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(status, 404);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let body: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(body["code"], "not_found");
}
