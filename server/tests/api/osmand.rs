//! `/osmand` and `POST /api/v1/trackers`: `track_day.jsonl` replayed through both OsmAnd forms
//! as Traccar Client sends them, unknown identifiers refused as Traccar refuses them (and no
//! device created), and who may register a tracker.

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Method, Request, header};
use serde_json::{Value, json};
use terreno_server::on_read_pool;
use terreno_shared::model::{Fix, Role};

use crate::auth::{login, org, user};
use crate::both;
use crate::harness::{Resp, TestApp};

/// The fixture's fixes, or `None` (after a skip line) where the fixtures are absent outside CI.
fn track_day() -> Option<Vec<Fix>> {
    let dir = std::env::var_os("TERRENO_FIXTURES").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"),
        PathBuf::from,
    );
    let path = dir.join("track_day.jsonl");
    if !path.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing",
            path.display()
        );
        eprintln!("skipped: {} is absent", path.display());
        return None;
    }
    let text = std::fs::read_to_string(&path).expect("reading the track");
    Some(
        text.lines()
            .map(|l| serde_json::from_str(l).expect("a fix"))
            .collect(),
    )
}

/// Registers `ident` for `collector` as an admin.
async fn register(app: &TestApp, ident: &str, collector: &str) -> String {
    let org = org(app).await;
    if app
        .db()
        .users()
        .list(org)
        .await
        .unwrap()
        .iter()
        .all(|u| u.username != "root")
    {
        user(app, org, "root", Role::Admin, None).await;
    }
    let token = login(app, "root").await;
    let r = app
        .post(
            "/api/v1/trackers",
            Some(&token),
            &json!({"ident": ident, "username": collector}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["device_id"].as_str().expect("device id").to_owned()
}

fn query_of(ident: &str, f: &Fix) -> String {
    let mut q = format!(
        "id={ident}&timestamp={}&lat={}&lon={}&accuracy={}",
        f.time().timestamp(),
        f.point().lat(),
        f.point().lon(),
        f.accuracy_m()
    );
    if let Some(s) = f.speed_ms() {
        q.push_str(&format!("&speed={}", s / (1852.0 / 3600.0)));
    }
    if let Some(b) = f.battery() {
        q.push_str(&format!("&batt={}", b.fraction() * 100.0));
    }
    if f.is_mock() {
        q.push_str("&mock=true");
    }
    q
}

fn json_of(ident: &str, f: &Fix) -> Value {
    json!({
        "device_id": ident,
        "location": {
            "timestamp": f.time().to_rfc3339(),
            "coords": {
                "latitude": f.point().lat(),
                "longitude": f.point().lon(),
                "accuracy": f.accuracy_m(),
                "speed": f.speed_ms().unwrap_or(-1.0),
                "heading": -1,
                "altitude": 2600,
            },
            "is_moving": true,
            "battery": {"level": f.battery().map_or(-1.0, |b| b.fraction()), "is_charging": false},
            "mock": f.is_mock(),
        }
    })
}

async fn get_report(app: &TestApp, query: &str) -> Resp {
    let req = Request::builder()
        .method(Method::GET)
        .uri(format!("/osmand?{query}"))
        .body(Body::empty())
        .expect("request");
    app.send(req).await
}

async fn post_json(app: &TestApp, body: &Value) -> Resp {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/osmand")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    app.send(req).await
}

async fn post_form(app: &TestApp, form: &str) -> Resp {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/osmand")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .expect("request");
    app.send(req).await
}

/// (fixes, mock fixes, events, signatures, head_seq) stored for a device.
async fn stored(app: &TestApp, device: &str) -> (i64, i64, i64, i64, i64) {
    on_read_pool!(app.db(), |pool| {
        sqlx::query_as(
            "select (select cast(count(*) as bigint) from fixes where device_id = $1),
                    (select cast(count(*) as bigint) from fixes where device_id = $1 and mock),
                    (select cast(count(*) as bigint) from events
                     where device_id = $1 and state = 'applied'),
                    (select cast(count(*) as bigint) from batch_signatures where device_id = $1),
                    (select cast(head_seq as bigint) from devices where id = $1)",
        )
        .bind(device)
        .fetch_one(pool)
        .await
        .expect("counts")
    })
}

both!(
    track_day_replayed_through_the_query_form_stores_every_fix_as_an_unsigned_log,
    |app: TestApp| async move {
        let Some(fixes) = track_day() else { return };
        let org = org(&app).await;
        user(&app, org, "gestor.ramirez", Role::Collector, None).await;
        let device = register(&app, "358240051111110", "gestor.ramirez").await;

        for f in &fixes {
            let r = get_report(&app, &query_of("358240051111110", f)).await;
            assert_eq!(r.status, 200, "{}", r.text);
        }

        assert_eq!(stored(&app, &device).await, (2240, 12, 2240, 0, 2240));
        let (t_ms, battery): (i64, Option<f64>) = on_read_pool!(app.db(), |pool| {
            sqlx::query_as("select t_ms, battery from last_positions where device_id = $1")
                .bind(&device)
                .fetch_one(pool)
                .await
                .expect("a last position")
        });
        let last = fixes.iter().map(|f| f.time()).max().expect("fixes");
        assert_eq!(t_ms, last.timestamp_millis());
        assert!(battery.is_some());
    }
);

both!(
    track_day_replayed_through_the_json_form_stores_every_fix,
    |app: TestApp| async move {
        let Some(fixes) = track_day() else { return };
        let org = org(&app).await;
        user(&app, org, "gestor.ramirez", Role::Collector, None).await;
        let device = register(&app, "tc-ramirez", "gestor.ramirez").await;

        for f in &fixes {
            let r = post_json(&app, &json_of("tc-ramirez", f)).await;
            assert_eq!(r.status, 200, "{}", r.text);
        }

        assert_eq!(stored(&app, &device).await, (2240, 12, 2240, 0, 2240));
    }
);

both!(
    a_form_body_post_is_read_like_the_query_form,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "ana", Role::Collector, None).await;
        let device = register(&app, "ana-phone", "ana").await;

        let r = post_form(
            &app,
            "id=ana-phone&lat=4.6&lon=-74.1&hdop=1.5&batt=50&driverUniqueId=42&ignition=true",
        )
        .await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(stored(&app, &device).await, (1, 0, 1, 0, 1));
        let attributes: Option<String> = on_read_pool!(app.db(), |pool| {
            sqlx::query_scalar("select attributes from fixes where device_id = $1")
                .bind(&device)
                .fetch_one(pool)
                .await
                .expect("the fix")
        });
        assert_eq!(
            attributes.as_deref(),
            Some(r#"{"driverUniqueId":"42","ignition":"true"}"#),
            "extra keys are kept"
        );
    }
);

both!(
    unknown_identifiers_are_refused_as_traccar_does_and_create_no_device,
    |app: TestApp| async move {
        let before = app
            .db()
            .devices()
            .list(terreno_server::db::devices::DeviceScope::Org(
                org(&app).await,
            ))
            .await
            .unwrap()
            .len();

        let q = get_report(&app, "id=nadie&lat=4.6&lon=-74.1&accuracy=5").await;
        let j = post_json(
            &app,
            &json!({"device_id": "nadie", "location": {"coords":
                {"latitude": 4.6, "longitude": -74.1, "accuracy": 5}}}),
        )
        .await;
        let bad = get_report(&app, "id=nadie&lat=norte&lon=-74.1&accuracy=5").await;

        assert_eq!((q.status.as_u16(), j.status.as_u16()), (400, 404));
        assert_eq!(q.body["code"], "unknown_tracker");
        assert_eq!(bad.status, 400);
        assert!(bad.text.contains("lat=\\\"norte\\\""), "{}", bad.text);
        let org = org(&app).await;
        let after = app
            .db()
            .devices()
            .list(terreno_server::db::devices::DeviceScope::Org(org))
            .await
            .unwrap()
            .len();
        assert_eq!(after, before);
    }
);

both!(
    trackers_are_registered_by_admins_and_their_team_s_supervisors_only,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "sofia", Role::Supervisor, Some("norte")).await;
        user(&app, org, "ana", Role::Collector, Some("norte")).await;
        user(&app, org, "luis", Role::Collector, Some("sur")).await;
        let sofia = login(&app, "sofia").await;
        let ana = login(&app, "ana").await;
        let add = |who: String, ident: &'static str, name: &'static str| {
            let app = &app;
            async move {
                app.post(
                    "/api/v1/trackers",
                    Some(&who),
                    &json!({"ident": ident, "username": name}),
                )
                .await
            }
        };

        let own = add(sofia.clone(), "t-ana", "ana").await;
        let other = add(sofia.clone(), "t-luis", "luis").await;
        let again = add(sofia.clone(), "t-ana", "ana").await;
        let collector = add(ana.clone(), "t-x", "ana").await;
        let unknown = add(sofia.clone(), "t-nobody", "col.ob").await;

        assert_eq!(own.status, 201, "{}", own.text);
        // Another team's collector is as unknown as another organization's: nothing leaks.
        assert_eq!(other.status, 404, "{}", other.text);
        assert!(
            other.text.contains("no collector named luis"),
            "{}",
            other.text
        );
        assert_eq!(again.status, 422, "{}", again.text);
        assert!(again.text.contains("already registered"), "{}", again.text);
        assert_eq!(collector.status, 403, "{}", collector.text);
        // The name as the caller wrote it, never Rust's `Username("col.ob")`.
        assert_eq!(unknown.status, 404, "{}", unknown.text);
        let message = unknown.body["message"].as_str().unwrap_or_default();
        assert!(message.contains("named col.ob"), "{message}");
        assert!(!message.contains("Username("), "{message}");
    }
);
