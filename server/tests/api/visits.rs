//! Listing visits: the shared scope (the same people as `GET /api/v1/visits/{id}`), the
//! filters, and paging that neither repeats nor skips a visit; and a visit's check-ins with the
//! fixes they were judged on (the dashboard's evidence map).

use chrono::Utc;
use serde_json::Value;

use crate::both;
use crate::harness::TestApp;
use crate::push::helpers::{HOME, World as PushWorld, check_in, new_visit, push};
use crate::reads::{World, exec, world};

const LIST: &str = "/api/v1/visits";
const ACCOUNT: &str = "00000000-0000-7000-8000-0000000000a1";
/// 2026-11-24 10:00 in Bogotá (15:00 UTC).
const NOV_24: i64 = 1_795_532_400_000;
/// 2026-11-24 23:30 in Bogotá: still the 24th locally, already the 25th in UTC.
const NOV_24_LATE: i64 = 1_795_581_000_000;
/// 2026-11-25 10:00 in Bogotá.
const NOV_25: i64 = NOV_24 + 86_400_000;

/// `world`'s visit of a1 (done, no outcome, created at 0) plus three more of a1's and one of a2's.
async fn visits(app: &TestApp) -> World {
    let w = world(app).await;
    let a1 = w.a1.id.to_string();
    let a2 = w.a2.id.to_string();
    let rows = [
        (
            "00000000-0000-7000-8000-0000000000b2",
            &a1,
            "done",
            "'refused'",
            NOV_24,
        ),
        (
            "00000000-0000-7000-8000-0000000000b3",
            &a1,
            "done",
            "'paid'",
            NOV_24_LATE,
        ),
        (
            "00000000-0000-7000-8000-0000000000b4",
            &a1,
            "done",
            "'refused'",
            NOV_25,
        ),
        (
            "00000000-0000-7000-8000-0000000000b5",
            &a2,
            "not_done",
            "null",
            NOV_25,
        ),
    ];
    for (id, collector, status, outcome, at) in rows {
        let sql = format!(
            "insert into visits (id, account_id, collector_id, status, outcome, completed_ms,
                  created_ms) values ($1, $2, $3, $4, {outcome}, {at}, 0)"
        );
        exec(app.db(), &sql, &[id, ACCOUNT, collector, status]).await;
    }
    w
}

/// The ids of a list's visits, by their last two hex digits, in order.
fn ids(body: &Value) -> Vec<String> {
    body["visits"]
        .as_array()
        .expect("a visits array")
        .iter()
        .map(|v| v["id"].as_str().unwrap()[34..].to_owned())
        .collect()
}

both!(
    a_visit_is_listed_for_exactly_who_may_read_it,
    |app: TestApp| async move {
        let w = world(&app).await;
        for who in [&w.a1, &w.sup_a, &w.admin] {
            let r = app.get(LIST, Some(&who.token)).await;
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(ids(&r.body), ["b1"]);
            assert_eq!(r.body["visits"][0]["debtor_name"], "José González");
            assert_eq!(r.body["visits"][0]["collector_username"], "a1");
            assert_eq!(r.body["next_cursor"], Value::Null);
        }
        for who in [&w.a2, &w.sup_b, &w.other_admin] {
            let r = app.get(LIST, Some(&who.token)).await;
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(ids(&r.body), Vec::<String>::new());
        }
        assert_eq!(app.get(LIST, None).await.status, 401);
    }
);

both!(
    filters_narrow_the_list_newest_first,
    |app: TestApp| async move {
        let w = visits(&app).await;
        let list = |query: &'static str| {
            let (app, token) = (&app, w.sup_a.token.clone());
            async move {
                let r = app.get(&format!("{LIST}?{query}"), Some(&token)).await;
                assert_eq!(r.status, 200, "{query}: {}", r.text);
                ids(&r.body)
            }
        };
        assert_eq!(list("").await, ["b5", "b4", "b3", "b2", "b1"]);
        assert_eq!(list("outcome=refused").await, ["b4", "b2"]);
        assert_eq!(list("status=not_done").await, ["b5"]);
        assert_eq!(list("collector=a2").await, ["b5"]);
        assert_eq!(
            list("date=2026-11-24").await,
            ["b3", "b2"],
            "the organization's day, not UTC's"
        );
        assert_eq!(
            list("date=2026-11-25&collector=a1&outcome=refused&status=done&cursor=").await,
            ["b4"]
        );
    }
);

both!(
    paging_walks_every_visit_once_in_order,
    |app: TestApp| async move {
        let w = visits(&app).await;
        let mut seen = Vec::new();
        let mut path = format!("{LIST}?limit=2");
        for _ in 0..5 {
            let r = app.get(&path, Some(&w.admin.token)).await;
            assert_eq!(r.status, 200, "{path}: {}", r.text);
            seen.extend(ids(&r.body));
            match r.body["next_cursor"].as_str() {
                Some(cursor) => path = format!("{LIST}?limit=2&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(seen, ["b5", "b4", "b3", "b2", "b1"]);
    }
);

both!(
    a_filter_that_cannot_be_read_is_a_bad_request_naming_it,
    |app: TestApp| async move {
        let w = world(&app).await;
        for (query, names) in [
            ("date=24/11/2026", "date"),
            ("limit=0", "limit"),
            ("limit=201", "limit"),
            ("cursor=nonsense", "cursor"),
        ] {
            let r = app
                .get(&format!("{LIST}?{query}"), Some(&w.admin.token))
                .await;
            assert_eq!(r.status, 400, "{query}: {}", r.text);
            let message = r.body["message"].as_str().unwrap_or_default();
            assert!(message.contains(names), "{query}: {message}");
        }
    }
);

both!(
    a_visits_check_in_carries_the_fixes_it_was_judged_on,
    |app: TestApp| async move {
        let mut world = PushWorld::new(&app).await;
        let visit = new_visit();
        world
            .ana
            .phone
            .add(check_in(visit, world.ana_account, Utc::now(), 0.0));
        let r = push(&app, &world.ana, &world.ana.phone.batch(1..=1)).await;
        assert_eq!(r.status, 200, "{}", r.text);

        let r = app
            .get(&format!("{LIST}/{visit}"), Some(&world.ana.token))
            .await;

        assert_eq!(r.status, 200, "{}", r.text);
        let evidence = r.body["checkins"][0]["evidence"]
            .as_array()
            .unwrap_or_else(|| panic!("the check-in's evidence: {}", r.text));
        assert_eq!(evidence.len(), 3, "the three fixes the phone judged");
        assert_eq!(evidence[0]["lat"], HOME.0);
        assert_eq!(evidence[0]["accuracy_m"], 5.0);
        let listed = app.get(LIST, Some(&world.ana.token)).await;
        assert_eq!(listed.body["visits"][0]["id"], visit.to_string());
    }
);
