//! Reports: the contact rate by the organization's local weekday and hour, and promises kept or
//! broken by delinquency bucket, within the visits list's scope.

use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::reads::{World, exec, world};

const ACCOUNT: &str = "00000000-0000-7000-8000-0000000000a1";
/// Tuesday 2026-11-24 10:00 in Bogotá (15:00 UTC).
const NOV_24: i64 = 1_795_532_400_000;
/// Tuesday 2026-11-24 23:30 in Bogotá: already Wednesday in UTC.
const NOV_24_LATE: i64 = 1_795_581_000_000;
const RATE: &str = "/api/v1/reports/contact-rate?from=2026-11-23&to=2026-11-29";

/// a1's promise and a visit that found nobody at 10:00 and 10:10, a payment at 23:30, and a contact a week later.
async fn visits(app: &TestApp) -> World {
    let w = world(app).await;
    let a1 = w.a1.id.to_string();
    for (id, outcome, at) in [
        ("c1", "promise_to_pay", NOV_24),
        ("c2", "nobody_home", NOV_24 + 600_000),
        ("c3", "paid", NOV_24_LATE),
        ("c4", "contacted", NOV_24 + 7 * 86_400_000),
    ] {
        exec(
            app.db(),
            &format!(
                "insert into visits (id, account_id, collector_id, status, outcome, completed_ms,
                      created_ms) values ($1, $2, $3, 'done', $4, {at}, 0)"
            ),
            &[id, ACCOUNT, &a1, outcome],
        )
        .await;
    }
    w
}

/// The cells that are not empty, as `(weekday, hour, visits, contacts)`.
fn filled(body: &Value) -> Vec<(usize, usize, u64, u64)> {
    let mut out = Vec::new();
    for (day, row) in body["cells"].as_array().expect("cells").iter().enumerate() {
        assert_eq!(row.as_array().map(Vec::len), Some(24), "24 hours a day");
        for (hour, c) in row.as_array().unwrap().iter().enumerate() {
            let (v, k) = (
                c["visits"].as_u64().unwrap(),
                c["contacts"].as_u64().unwrap(),
            );
            if v > 0 {
                out.push((day, hour, v, k));
            }
        }
    }
    out
}

both!(
    the_contact_rate_counts_by_local_weekday_and_hour,
    |app: TestApp| async move {
        let w = visits(&app).await;

        let r = app.get(RATE, Some(&w.sup_a.token)).await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["time_zone"], "America/Bogota");
        assert_eq!(r.body["cells"].as_array().map(Vec::len), Some(7));
        assert_eq!(
            filled(&r.body),
            [(1, 10, 2, 1), (1, 23, 1, 1)],
            "Tuesday 10:00 (a promise, nobody home) and 23:00 local, not Wednesday in UTC"
        );
    }
);

both!(
    the_contact_rate_counts_only_what_the_caller_may_see,
    |app: TestApp| async move {
        let w = visits(&app).await;
        for who in [&w.a2, &w.sup_b, &w.other_admin] {
            let r = app.get(RATE, Some(&who.token)).await;
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(filled(&r.body), []);
        }
        let r = app.get(RATE, Some(&w.admin.token)).await;
        assert_eq!(filled(&r.body).len(), 2);
        assert_eq!(app.get(RATE, None).await.status, 401);
        let bad = "/api/v1/reports/contact-rate?from=2026-11-29&to=2026-11-23";
        let r = app.get(bad, Some(&w.admin.token)).await;
        assert_eq!(r.status, 400, "{}", r.text);
        let doc = app.get("/api/v1/openapi.json", None).await;
        for path in ["/api/v1/reports/contact-rate", "/api/v1/reports/promises"] {
            assert_eq!(
                doc.body["paths"][path]["get"]["tags"],
                json!(["reports"]),
                "{path}"
            );
        }
    }
);

/// A promise visit of a1 at `at`, due `due`, of `minor` centavos.
async fn promise(app: &TestApp, w: &World, id: &str, at: i64, due: &str, minor: i64) {
    let submission = format!(
        r#"{{"account":"{ACCOUNT}","outcome":"promise_to_pay","completed_at":"2026-11-24T15:00:00Z",
            "promise":{{"amount":{{"minor_units":{minor},"currency":"COP"}},"due":"{due}"}}}}"#
    );
    exec(
        app.db(),
        &format!(
            "insert into visits (id, account_id, collector_id, status, outcome, completed_ms,
                  submission, created_ms) values ($1, $2, $3, 'done', 'promise_to_pay', {at}, $4, 0)"
        ),
        &[id, ACCOUNT, &w.a1.id.to_string(), &submission],
    )
    .await;
}

both!(
    promises_are_kept_broken_or_pending_by_delinquency_bucket,
    |app: TestApp| async move {
        let w = world(&app).await;
        let day = 86_400_000;
        // Kept: paid two days later, before its date. Broken: due 2026-11-20, nothing paid by
        // then (the payment of the 26th comes after). Pending: due in 2099.
        promise(&app, &w, "p1", NOV_24 - 10 * day, "2026-11-20", 100_000).await;
        promise(&app, &w, "p2", NOV_24, "2026-11-30", 250_000).await;
        promise(&app, &w, "p3", NOV_24 + 3 * day, "2099-01-01", 50_000).await;
        exec(
            app.db(),
            &format!(
                "insert into visits (id, account_id, collector_id, status, outcome, completed_ms,
                      created_ms) values ('paid', $1, $2, 'done', 'paid', {}, 0)",
                NOV_24 + 2 * day
            ),
            &[ACCOUNT, &w.a1.id.to_string()],
        )
        .await;
        let path = "/api/v1/reports/promises?from=2026-11-01&to=2026-11-30";

        let r = app.get(path, Some(&w.sup_a.token)).await;

        assert_eq!(r.status, 200, "{}", r.text);
        // The world's account is 200 days past due.
        assert_eq!(
            r.body["rows"],
            json!([{
                "bucket": "d181_360", "currency": "COP", "exponent": 2,
                "made": 3, "kept": 1, "broken": 1, "pending": 1,
                "made_minor": 400_000, "kept_minor": 250_000, "broken_minor": 100_000
            }])
        );
        let hidden = app.get(path, Some(&w.sup_b.token)).await;
        assert_eq!(hidden.body["rows"], json!([]));
    }
);

const PER_COLLECTOR: &str = "/api/v1/reports/visits-per-collector?from=2026-11-23&to=2026-11-29";
const REASONS: &str = "/api/v1/reports/refusal-reasons?from=2026-11-23&to=2026-11-29";

both!(
    visits_per_collector_count_by_local_day_with_totals,
    |app: TestApp| async move {
        let w = visits(&app).await;

        let r = app.get(PER_COLLECTOR, Some(&w.sup_a.token)).await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["days"].as_array().map(Vec::len), Some(7));
        assert_eq!(r.body["days"][1], "2026-11-24");
        assert_eq!(r.body["rows"].as_array().map(Vec::len), Some(1));
        assert_eq!(r.body["rows"][0]["username"], "a1");
        assert_eq!(
            r.body["rows"][0]["counts"],
            json!([0, 3, 0, 0, 0, 0, 0]),
            "23:30 local on the 24th stays on the 24th; the next week is outside"
        );
        assert_eq!(r.body["day_totals"][1], 3);
        assert_eq!(r.body["total"], 3);
        let r = app.get(PER_COLLECTOR, Some(&w.sup_b.token)).await;
        assert_eq!(r.body["rows"], json!([]), "team B sees none of A's visits");
        assert_eq!(r.body["total"], 0);
    }
);

/// Refused check-ins of a1 at the account: two with distance, one with a mock provider too.
async fn refusals(app: &TestApp, w: &World) {
    exec(
        app.db(),
        "insert into devices (id, user_id, public_key, label, enrolled_ms)
         values ('dev-a1', $1, 'k', 'phone', 0)",
        &[&w.a1.id.to_string()],
    )
    .await;
    let far = r#"{"verdict":"refused","reasons":[{"reason":"outside_radius","distance_m":300.0,"radius_m":100.0}]}"#;
    let both = r#"{"verdict":"refused","reasons":[{"reason":"mock_provider"},{"reason":"outside_radius","distance_m":900.0,"radius_m":100.0}]}"#;
    for (seq, verdict, at) in [
        (1, far, NOV_24),
        (2, both, NOV_24 + 60_000),
        (3, far, NOV_24 + 7 * 86_400_000),
    ] {
        exec(
            app.db(),
            &format!(
                "insert into checkins (device_id, seq, visit_id, account_id, at_ms,
                      device_verdict, server_verdict, device_allowed, server_allowed, flagged)
                 values ('dev-a1', {seq}, 'c1', $1, {at}, $2, $2, false, false, false)"
            ),
            &[ACCOUNT, verdict],
        )
        .await;
    }
}

both!(
    refusal_reasons_count_each_reason_of_the_servers_refusals,
    |app: TestApp| async move {
        let w = visits(&app).await;
        refusals(&app, &w).await;

        let r = app.get(REASONS, Some(&w.sup_a.token)).await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["refusals"], 2, "the third is the next week");
        assert_eq!(
            r.body["reasons"],
            json!([
                {"reason": "outside_radius", "count": 2},
                {"reason": "mock_provider", "count": 1}
            ])
        );
        let r = app.get(REASONS, Some(&w.sup_b.token)).await;
        assert_eq!(r.body["refusals"], 0);
        assert_eq!(app.get(REASONS, None).await.status, 401);
    }
);

both!(
    every_report_downloads_as_an_excel_workbook,
    |app: TestApp| async move {
        let w = world(&app).await;
        promise(&app, &w, "p1", NOV_24, "2026-11-30", 250_000).await;
        refusals(&app, &w).await;
        for path in [
            RATE,
            PER_COLLECTOR,
            REASONS,
            "/api/v1/reports/promises?from=2026-11-23&to=2026-11-29",
        ] {
            let r = app
                .get(&format!("{path}&format=xlsx"), Some(&w.sup_a.token))
                .await;

            assert_eq!(r.status, 200, "{path}: {}", r.text);
            assert!(r.text.starts_with("PK"), "{path}: a zip file");
            assert!(
                r.text.contains("xl/worksheets/sheet1.xml"),
                "{path}: one sheet"
            );
        }
        let r = app
            .get(&format!("{RATE}&format=pdf"), Some(&w.sup_a.token))
            .await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert!(r.body["message"].as_str().unwrap().contains("pdf"));
    }
);
