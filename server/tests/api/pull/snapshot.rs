//! The bootstrap snapshot: current values in scope, paginated, then the feed from the cursor
//! taken before it began.

use serde_json::Value;
use terreno_server::{Db, on_write};

use super::{World, change, commit, feed_len, pull_all, world};
use crate::both;
use crate::harness::TestApp;

async fn exec(db: &Db, sql: &str, binds: &[&str]) {
    on_write!(db, |pool| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
        for b in binds {
            q = q.bind(*b);
        }
        q.execute(pool).await.expect(sql);
    });
}

fn uuid(kind: u8, n: u8) -> String {
    format!("00000000-0000-7000-8000-0000000{kind:03}{n:02}")
}

/// For a1: three open accounts and a closed one, a route with two stops, a visit with two fields
/// and a check-in and an attachment, and a deleted visit. For a2: one account with a visit.
// Long: the test portfolio built step by step.
async fn portfolio(app: &TestApp, w: &World) {
    let db = app.db();
    let (a1, a2) = (w.a1.id.to_string(), w.a2.id.to_string());
    let p = uuid(9, 0);
    exec(
        db,
        "insert into portfolios (id, org_id, name, currency) values ($1, $2, 'bank', 'COP')",
        &[&p, &w.org.to_string()],
    )
    .await;
    for (n, collector, status) in [
        (1, &a1, "open"),
        (2, &a1, "open"),
        (3, &a1, "open"),
        (4, &a1, "closed"),
        (5, &a2, "open"),
    ] {
        exec(
            db,
            "insert into accounts (id, portfolio_id, external_id, debtor_name, address,
                  balance_minor, currency, days_past_due, status, collector_id, updated_ms)
                  values ($1, $2, $3, 'Ana', 'Calle 1', 1000, 'COP', 40, $4, $5, 0)",
            &[&uuid(1, n), &p, &format!("CL-{n}"), status, collector],
        )
        .await;
    }
    exec(
        db,
        "insert into routes (id, collector_id, route_date) values ($1, $2, '2026-11-24')",
        &[&uuid(2, 0), &a1],
    )
    .await;
    for n in [1u8, 2] {
        exec(
            db,
            "insert into stops (id, route_id, account_id, planned_date, position)
                  values ($1, $2, $3, '2026-11-24', cast($4 as bigint))",
            &[&uuid(3, n), &uuid(2, 0), &uuid(1, n), &n.to_string()],
        )
        .await;
    }
    for (visit, account, collector) in [(1u8, 1u8, &a1), (2, 2, &a1), (3, 5, &a2)] {
        exec(
            db,
            "insert into visits (id, account_id, collector_id, status, created_ms)
                  values ($1, $2, $3, 'in_progress', 0)",
            &[&uuid(4, visit), &uuid(1, account), collector],
        )
        .await;
    }
    exec(
        db,
        "insert into deletions (entity, hlc, device_id, seq) values ($1, 1, 'd', 1)",
        &[&uuid(4, 2)],
    )
    .await;
    for (visit, field) in [(1u8, "notes"), (1, "phone"), (2, "notes"), (3, "notes")] {
        exec(
            db,
            "insert into field_values (entity, field, value, hlc, device_id, seq)
                  values ($1, $2, '\"hola\"', 65536, $3, 1)",
            &[&uuid(4, visit), field, &uuid(5, 1)],
        )
        .await;
    }
    let verdict = r#"{"verdict": "allowed", "distance_m": 12.0, "accuracy_m": 5.0, "fixes_used": 3, "dwell_secs": 60.0}"#;
    exec(
        db,
        "insert into checkins (device_id, seq, visit_id, account_id, at_ms, device_verdict,
              server_verdict, device_allowed, server_allowed, flagged)
              values ($1, 7, $2, $3, 0, $4, $4, true, true, false)",
        &[&uuid(5, 1), &uuid(4, 1), &uuid(1, 1), verdict],
    )
    .await;
    exec(
        db,
        "insert into visit_attachments (visit_id, attachment_id, sha256, media_type, bytes,
              role, removed) values ($1, $2, 'ab', 'image/jpeg', 10, 'photo', false)",
        &[&uuid(4, 1), &uuid(6, 1)],
    )
    .await;
}

/// Every snapshot page: the changes and the cursor of the last page.
async fn snapshot_all(app: &TestApp, token: &str, limit: u32) -> (Vec<Value>, String) {
    let (mut all, mut cursor) = (Vec::new(), String::new());
    for _ in 0..1000 {
        let r = app
            .get(
                &format!("/api/v1/sync/snapshot?cursor={cursor}&limit={limit}"),
                Some(token),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let changes = r.body["changes"].as_array().expect("changes");
        assert!(changes.len() <= limit as usize, "{}", r.text);
        all.extend(changes.iter().cloned());
        cursor = r.body["cursor"].as_str().expect("a cursor").to_owned();
        if r.body["more"] == false {
            return (all, cursor);
        }
    }
    panic!("the snapshot never ended");
}

both!(
    a_snapshot_pages_through_the_collectors_current_values_exactly_once,
    |app: TestApp| async move {
        let w = world(&app).await;
        portfolio(&app, &w).await;
        let visit_form = app
            .db()
            .visits()
            .find_form(w.org)
            .await
            .expect("reading the visit form")
            .expect("every organization has one")
            .to_string();
        let want: Vec<(String, String)> = [
            ("account", uuid(1, 1)),
            ("account", uuid(1, 2)),
            ("account", uuid(1, 3)),
            ("stop", uuid(3, 1)),
            ("stop", uuid(3, 2)),
            ("visit", uuid(4, 1)),
            ("field", format!("{}/notes", uuid(4, 1))),
            ("field", format!("{}/phone", uuid(4, 1))),
            ("checkin", format!("{}/7", uuid(5, 1))),
            ("attachment", format!("{}/{}", uuid(4, 1), uuid(6, 1))),
            ("form", visit_form.clone()),
            ("visit_form", "current".to_owned()),
        ]
        .into_iter()
        .map(|(t, id)| (t.to_owned(), id))
        .collect();

        for limit in [1, 2, 7, 500] {
            let (changes, cursor) = snapshot_all(&app, &w.a1.token, limit).await;

            let got: Vec<(String, String)> = changes
                .iter()
                .map(|c| {
                    (
                        c["entity_type"].as_str().unwrap_or_default().to_owned(),
                        c["entity_id"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            assert_eq!(got, want, "limit {limit}");
            assert!(changes.iter().all(|c| c["op"] == "upsert"), "limit {limit}");
            assert!(cursor.starts_with("v1.1."), "limit {limit}: {cursor}");
        }
        let (changes, _) = snapshot_all(&app, &w.a1.token, 500).await;
        let account = &changes[0]["body"];
        assert_eq!(account["id"], uuid(1, 1));
        assert_eq!(account["collector"], w.a1.id.to_string());
        assert_eq!(account["bucket"], "31-60", "{account}");
        assert_eq!(changes[3]["body"]["position"], 1);
        assert_eq!(changes[5]["body"]["status"], "in_progress");
        assert_eq!(changes[6]["body"]["value"], "hola");
        assert_eq!(changes[8]["body"]["server_verdict"]["verdict"], "allowed");
        assert_eq!(changes[9]["body"]["role"], "photo");
        assert_eq!(changes[10]["body"]["form_id"], "visita_cobranza");
        assert_eq!(changes[11]["body"]["id"], visit_form);
    }
);

both!(
    supervisors_and_admins_snapshot_their_team_and_org_and_others_nothing,
    |app: TestApp| async move {
        let w = world(&app).await;
        portfolio(&app, &w).await;
        let count = |changes: &[Value], kind: &str| {
            changes.iter().filter(|c| c["entity_type"] == kind).count()
        };
        for (who, accounts, visits) in [
            (&w.sup, 4, 2),
            (&w.admin, 4, 2),
            (&w.a2, 1, 1),
            (&w.c1, 0, 0),
            (&w.outsider, 0, 0),
        ] {
            let (changes, _) = snapshot_all(&app, &who.token, 500).await;
            assert_eq!(
                (count(&changes, "account"), count(&changes, "visit")),
                (accounts, visits)
            );
        }
    }
);

both!(
    changes_committed_during_a_snapshot_follow_it_in_the_feed,
    |app: TestApp| async move {
        let w = world(&app).await;
        portfolio(&app, &w).await;
        commit(app.db(), &[change(w.org, Some(&w.a1), w.a1.team, "before")]).await;
        let first = app
            .get("/api/v1/sync/snapshot?limit=2", Some(&w.a1.token))
            .await;
        assert_eq!(
            (first.status.as_u16(), &first.body["more"]),
            (200, &Value::Bool(true))
        );
        commit(app.db(), &[change(w.org, Some(&w.a1), w.a1.team, "during")]).await;

        let mut cursor = first.body["cursor"]
            .as_str()
            .expect("a page token")
            .to_owned();
        loop {
            let r = app
                .get(
                    &format!("/api/v1/sync/snapshot?cursor={cursor}"),
                    Some(&w.a1.token),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            cursor = r.body["cursor"].as_str().expect("a cursor").to_owned();
            if r.body["more"] == false {
                break;
            }
        }
        let (pages, _) = pull_all(&app, &w.a1.token, &cursor, 500).await;

        assert!(pages.concat().contains(&"during".to_owned()), "{pages:?}");
    }
);

both!(
    bad_and_stale_snapshot_tokens_are_refused,
    |app: TestApp| async move {
        let w = world(&app).await;
        portfolio(&app, &w).await;
        let before = feed_len(app.db()).await;
        let bad = ["v1.1.0.0", "s1.1.0.0.q.", "s1.1.0.0.c.78", "s1.1.0.0.a.zz"];
        for token in bad {
            let r = app
                .get(
                    &format!("/api/v1/sync/snapshot?cursor={token}"),
                    Some(&w.a1.token),
                )
                .await;
            assert_eq!(
                (r.status.as_u16(), &r.body["code"]),
                (400, &Value::from("bad_cursor")),
                "{token}: {}",
                r.text
            );
        }
        let stale = app
            .get(
                "/api/v1/sync/snapshot?cursor=s1.7.0.0.a.",
                Some(&w.a1.token),
            )
            .await;
        assert_eq!(
            (stale.status.as_u16(), &stale.body["code"]),
            (409, &Value::from("resync"))
        );
        assert_eq!(feed_len(app.db()).await, before);
    }
);
