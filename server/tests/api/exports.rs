//! The dashboard's downloads: visits as CSV and GeoJSON, tracks as GPX and GeoJSON — the
//! visits list's scope, the organization's local days, cells a spreadsheet would run
//! neutralised, and every file read back by a parser.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::both;
use crate::harness::TestApp;
use crate::reads::{World, exec, world};

const ACCOUNT: &str = "00000000-0000-7000-8000-0000000000a1";
const PROMISED: &str = "00000000-0000-7000-8000-0000000000b2";
/// 2026-11-24 10:00 in Bogotá (15:00 UTC).
const NOV_24: i64 = 1_795_532_400_000;
/// 2026-11-25 10:00 in Bogotá.
const NOV_25: i64 = NOV_24 + 86_400_000;

/// A download: status, headers and body text.
struct File {
    status: StatusCode,
    kind: String,
    disposition: String,
    bytes: Vec<u8>,
    text: String,
}

async fn download(app: &TestApp, path: &str, token: &str) -> File {
    let req = Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let resp = terreno_server::router(app.state.clone())
        .oneshot(req)
        .await
        .expect("the router never fails");
    let header_text = |name| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (kind, disposition) = (
        header_text(header::CONTENT_TYPE),
        header_text(header::CONTENT_DISPOSITION),
    );
    let status = resp.status();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .expect("a whole body")
        .to_bytes();
    File {
        status,
        kind,
        disposition,
        text: String::from_utf8_lossy(&bytes).into_owned(),
        bytes: bytes.to_vec(),
    }
}

/// `world` plus a located debtor whose name a spreadsheet would run, a promise on the 24th
/// with a refused-by-the-server check-in, and a refusal on the 25th.
async fn visits(app: &TestApp) -> World {
    let w = world(app).await;
    let db = app.db();
    exec(
        db,
        "update accounts set debtor_name = '=HYPERLINK(\"x\")', lat = 4.65, lon = -74.05
         where id = $1",
        &[ACCOUNT],
    )
    .await;
    let promise = format!(
        r#"{{"account":"{ACCOUNT}","outcome":"promise_to_pay",
            "completed_at":"2026-11-24T15:00:00Z",
            "promise":{{"amount":{{"minor_units":12345000,"currency":"COP"}},"due":"2026-12-01"}}}}"#
    );
    let a1 = w.a1.id.to_string();
    exec(
        db,
        &format!(
            "insert into visits (id, account_id, collector_id, status, outcome, completed_ms,
                  submission, created_ms)
             values ($1, $2, $3, 'done', 'promise_to_pay', {NOV_24}, $4, 0)"
        ),
        &[PROMISED, ACCOUNT, &a1, &promise],
    )
    .await;
    exec(
        db,
        &format!(
            "insert into visits (id, account_id, collector_id, status, outcome, completed_ms,
                  created_ms)
             values ('00000000-0000-7000-8000-0000000000b3', $1, $2, 'done', 'refused',
                     {NOV_25}, 0)"
        ),
        &[ACCOUNT, &a1],
    )
    .await;
    exec(
        db,
        &format!(
            "insert into checkins (device_id, seq, visit_id, account_id, at_ms, device_verdict,
                  server_verdict, device_allowed, server_allowed, flagged)
             values ('d1', 1, $1, $2, {} , '{{\"verdict\":\"allowed\"}}',
                     '{{\"verdict\":\"refused\",\"reasons\":[{{\"reason\":\"no_fixes\"}}]}}',
                     true, false, true)",
            NOV_24 - 600_000
        ),
        &[PROMISED, ACCOUNT],
    )
    .await;
    w
}

fn csv_rows(text: &str) -> Vec<csv::StringRecord> {
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a byte order mark for Excel");
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("a CSV record"))
        .collect()
}

both!(
    a_visits_csv_holds_the_days_visits_with_their_promise_and_verdicts,
    |app: TestApp| async move {
        let w = visits(&app).await;

        let f = download(
            &app,
            "/api/v1/exports/visits.csv?from=2026-11-24&to=2026-11-24",
            &w.sup_a.token,
        )
        .await;

        assert_eq!(f.status, 200, "{}", f.text);
        assert_eq!(f.kind, "text/csv; charset=utf-8");
        assert_eq!(
            f.disposition,
            "attachment; filename=\"visits_2026-11-24_2026-11-24.csv\""
        );
        let header = f.text.lines().next().unwrap_or_default();
        assert!(
            header.contains("id,external_id,debtor_name,collector"),
            "{header}"
        );
        let rows = csv_rows(&f.text);
        assert_eq!(
            rows.len(),
            1,
            "only the 24th's visit (the 25th's is not asked for)"
        );
        let row: Vec<&str> = rows[0].iter().collect();
        assert_eq!(row[0], PROMISED);
        assert_eq!(row[1], "CL-1");
        assert_eq!(row[2], "'=HYPERLINK(\"x\")", "a formula is neutralised");
        assert_eq!(row[3], "a1");
        assert_eq!(
            &row[5..11],
            [
                "promise_to_pay",
                "2026-11-24 09:50:00",
                "2026-11-24 10:00:00",
                "123450.00",
                "COP",
                "2026-12-01"
            ]
        );
        assert_eq!(&row[14..17], ["allowed", "refused", "no_fixes"]);
        assert_eq!(&row[17..], ["4.65", "-74.05"]);
    }
);

both!(
    an_export_holds_only_what_the_caller_may_see,
    |app: TestApp| async move {
        let w = visits(&app).await;
        let path = "/api/v1/exports/visits.csv?from=2026-11-01&to=2026-11-30";
        for (who, count) in [(&w.admin, 2), (&w.a1, 2), (&w.sup_a, 2), (&w.a2, 0)] {
            let f = download(&app, path, &who.token).await;
            assert_eq!(f.status, 200, "{}", f.text);
            assert_eq!(csv_rows(&f.text).len(), count);
        }
        for who in [&w.sup_b, &w.other_admin] {
            assert_eq!(
                csv_rows(&download(&app, path, &who.token).await.text).len(),
                0
            );
        }
        assert_eq!(app.get(path, None).await.status, 401);
    }
);

both!(
    a_visits_workbook_opens_with_the_csvs_columns_and_numbers,
    |app: TestApp| async move {
        use calamine::{Data, Reader, Xlsx};
        let w = visits(&app).await;

        let f = download(
            &app,
            "/api/v1/exports/visits.xlsx?from=2026-11-24&to=2026-11-25",
            &w.admin.token,
        )
        .await;

        assert_eq!(f.status, 200, "{}", f.text);
        assert_eq!(
            f.disposition,
            "attachment; filename=\"visits_2026-11-24_2026-11-25.xlsx\""
        );
        let mut book = Xlsx::new(std::io::Cursor::new(f.bytes)).expect("an XLSX workbook");
        let sheet = book.worksheet_range("visits").expect("the visits sheet");
        let rows: Vec<&[Data]> = sheet.rows().collect();
        assert_eq!(rows.len(), 3, "the header and two visits");
        assert_eq!(rows[0][2], Data::String("debtor_name".into()));
        assert_eq!(rows[1][0], Data::String(PROMISED.into()));
        assert_eq!(
            rows[1][2],
            Data::String("=HYPERLINK(\"x\")".into()),
            "a string cell, never a formula"
        );
        assert_eq!(rows[1][8], Data::Float(123450.0));
        assert_eq!(rows[1][18], Data::Float(-74.05));
        assert_eq!(rows[2][5], Data::String("refused".into()));
    }
);

both!(
    a_visits_geojson_parses_with_a_point_per_located_visit,
    |app: TestApp| async move {
        let w = visits(&app).await;

        let f = download(
            &app,
            "/api/v1/exports/visits.geojson?from=2026-11-24&to=2026-11-25",
            &w.admin.token,
        )
        .await;

        assert_eq!(f.status, 200, "{}", f.text);
        assert_eq!(f.kind, "application/geo+json");
        let doc: Value = serde_json::from_str(&f.text).expect("GeoJSON is JSON");
        assert_eq!(doc["type"], "FeatureCollection");
        let features = doc["features"].as_array().expect("features");
        assert_eq!(features.len(), 2);
        assert_eq!(
            features[0]["geometry"]["coordinates"],
            serde_json::json!([-74.05, 4.65])
        );
        let first = &features[0]["properties"];
        assert_eq!(
            first["debtor_name"], "=HYPERLINK(\"x\")",
            "JSON is no spreadsheet"
        );
        assert_eq!(first["promise_amount"], "123450.00");
        assert_eq!(features[1]["properties"]["outcome"], "refused");
        assert_eq!(features[1]["properties"]["promise_amount"], Value::Null);
    }
);

both!(
    a_range_that_cannot_be_read_is_a_bad_request_naming_it,
    |app: TestApp| async move {
        let w = world(&app).await;
        for (query, names) in [
            ("from=24/11/2026&to=2026-11-24", "from"),
            ("from=2026-11-24&to=2026-11-23", "forwards"),
            ("from=2025-01-01&to=2026-11-24", "366"),
        ] {
            let path = format!("/api/v1/exports/visits.csv?{query}");
            let r = app.get(&path, Some(&w.admin.token)).await;
            assert_eq!(r.status, 400, "{query}: {}", r.text);
            let message = r.body["message"].as_str().unwrap_or_default();
            assert!(message.contains(names), "{query}: {message}");
        }
        let r = app
            .get("/api/v1/exports/tracks.gpx?date=x", Some(&w.admin.token))
            .await;
        assert_eq!(r.status, 400, "{}", r.text);
    }
);

/// Three fixes of a1 on the 24th (local) and one on the 25th.
async fn fixes(app: &TestApp, w: &World) {
    let a1 = w.a1.id.to_string();
    for (seq, t, lat) in [
        (1, NOV_24, 4.60),
        (2, NOV_24 + 60_000, 4.61),
        (3, NOV_24 + 120_000, 4.62),
        (4, NOV_25, 4.7),
    ] {
        exec(
            app.db(),
            &format!(
                "insert into fixes (device_id, seq, user_id, t_ms, lat, lon, accuracy_m)
                 values ('d1', {seq}, $1, {t}, {lat}, -74.05, 8)"
            ),
            &[&a1],
        )
        .await;
    }
}

/// The `(lat, time)` of each `trkpt` of a GPX document, in order.
fn gpx_points(gpx: &str) -> Vec<(f64, String)> {
    gpx.split("<trkpt ")
        .skip(1)
        .map(|pt| {
            let lat = pt
                .split("lat=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .and_then(|s| s.parse().ok())
                .expect("a lat attribute");
            let time = pt
                .split("<time>")
                .nth(1)
                .and_then(|s| s.split("</time>").next())
                .expect("a time");
            (lat, time.to_owned())
        })
        .collect()
}

both!(
    a_days_track_reads_back_from_gpx_and_geojson,
    |app: TestApp| async move {
        let w = world(&app).await;
        fixes(&app, &w).await;

        let gpx = download(
            &app,
            "/api/v1/exports/tracks.gpx?date=2026-11-24&collector=a1",
            &w.sup_a.token,
        )
        .await;
        let geo = download(
            &app,
            "/api/v1/exports/tracks.geojson?date=2026-11-24",
            &w.admin.token,
        )
        .await;
        let outside = download(
            &app,
            "/api/v1/exports/tracks.gpx?date=2026-11-24",
            &w.sup_b.token,
        )
        .await;

        assert_eq!(gpx.status, 200, "{}", gpx.text);
        assert_eq!(
            gpx.disposition,
            "attachment; filename=\"track_a1_2026-11-24.gpx\""
        );
        assert!(gpx.text.starts_with("<?xml"), "{}", gpx.text);
        assert!(
            gpx.text.contains("<name>a1 2026-11-24</name>"),
            "{}",
            gpx.text
        );
        let points = gpx_points(&gpx.text);
        assert_eq!(
            points,
            [
                (4.60, "2026-11-24T15:00:00.000Z".to_owned()),
                (4.61, "2026-11-24T15:01:00.000Z".to_owned()),
                (4.62, "2026-11-24T15:02:00.000Z".to_owned()),
            ]
        );
        assert!(gpx.text.trim_end().ends_with("</gpx>"));
        let doc: Value = serde_json::from_str(&geo.text).expect("GeoJSON is JSON");
        let features = doc["features"].as_array().expect("features");
        assert_eq!(features.len(), 1, "only a1 has fixes");
        assert_eq!(features[0]["geometry"]["type"], "LineString");
        assert_eq!(
            features[0]["geometry"]["coordinates"][2],
            serde_json::json!([-74.05, 4.62])
        );
        assert_eq!(features[0]["properties"]["collector"], "a1");
        assert_eq!(
            features[0]["properties"]["times"].as_array().map(Vec::len),
            Some(3)
        );
        assert_eq!(
            gpx_points(&outside.text),
            [],
            "another team's track stays hidden"
        );
    }
);

both!(
    the_exports_are_in_the_openapi_document,
    |app: TestApp| async move {
        let r = app.get("/api/v1/openapi.json", None).await;
        for path in [
            "/api/v1/exports/visits.csv",
            "/api/v1/exports/visits.xlsx",
            "/api/v1/exports/visits.geojson",
            "/api/v1/exports/tracks.gpx",
            "/api/v1/exports/tracks.geojson",
        ] {
            assert!(
                r.body["paths"][path]["get"].is_object(),
                "{path} is documented"
            );
        }
    }
);

both!(
    exports_page_through_many_rows_at_one_instant_without_loss_or_repeat,
    |app: TestApp| async move {
        let w = world(&app).await;
        let a1 = w.a1.id.to_string();
        // 1,201 visits and fixes at one instant: three pages, split only by the keyset's ties.
        exec(
            app.db(),
            &format!(
                "with recursive n(i) as (select 1 union all select i + 1 from n where i < 1201)
                 insert into visits (id, account_id, collector_id, status, completed_ms,
                      created_ms)
                 select 'v' || i, $1, $2, 'done', {NOV_24}, 0 from n"
            ),
            &[ACCOUNT, &a1],
        )
        .await;
        exec(
            app.db(),
            &format!(
                "with recursive n(i) as (select 1 union all select i + 1 from n where i < 1201)
                 insert into fixes (device_id, seq, user_id, t_ms, lat, lon, accuracy_m)
                 select 'd1', i, $1, {NOV_24}, 4.6, -74.05, 8 from n"
            ),
            &[&a1],
        )
        .await;

        let csv = download(
            &app,
            "/api/v1/exports/visits.csv?from=2026-11-24&to=2026-11-24",
            &w.admin.token,
        )
        .await;
        let gpx = download(
            &app,
            "/api/v1/exports/tracks.gpx?date=2026-11-24",
            &w.admin.token,
        )
        .await;

        let ids: std::collections::BTreeSet<String> = csv_rows(&csv.text)
            .iter()
            .map(|r| r[0].to_owned())
            .collect();
        assert_eq!(csv_rows(&csv.text).len(), 1201);
        assert_eq!(ids.len(), 1201, "no visit twice");
        assert_eq!(gpx_points(&gpx.text).len(), 1201);
    }
);
