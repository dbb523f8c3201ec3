//! Pulling the change feed: commit order, pages that never split a server transaction, scopes by
//! role, removals, bad and stale cursors, revoked devices. The snapshot is in [`snapshot`], the
//! PostgreSQL out-of-order commit test in [`skip`].

mod refusals;
mod skip;
mod snapshot;

use std::collections::HashMap;

use serde_json::{Value, json};
use terreno_server::Db;
use terreno_server::db::changes::NewChange;
use terreno_server::db::users::NewUser;
use terreno_server::{begin_feed, on_read_pool, on_write, record_change};
use terreno_shared::api::v1::sync::{Change, EntityType, RawChange};
use terreno_shared::ids::{OrgId, TeamId, UserId};
use terreno_shared::model::Role;

use crate::both;
use crate::harness::TestApp;

/// A user with a working token.
pub struct Who {
    pub id: UserId,
    pub team: Option<TeamId>,
    pub token: String,
}

pub async fn user(db: &Db, org: OrgId, name: &str, role: Role, team: Option<&str>) -> Who {
    let new = NewUser {
        username: name,
        role,
        team,
        display_name: None,
    };
    let info = db
        .users()
        .insert(org, &new)
        .await
        .expect("inserting a user");
    let token = terreno_server::auth::new_token().expect("a token");
    let hash = terreno_server::auth::token_hash(&token);
    db.users()
        .insert_token(info.id, &hash, terreno_server::db::now_ms() + 3_600_000)
        .await
        .expect("inserting a token");
    Who {
        id: info.id,
        team: info.team,
        token,
    }
}

/// Organization `acme` with collectors a1, a2 (team north) and c1 (team south), the north
/// supervisor, an admin, and a collector of another organization.
pub struct World {
    pub org: OrgId,
    pub other_org: OrgId,
    pub a1: Who,
    pub a2: Who,
    pub c1: Who,
    pub sup: Who,
    pub admin: Who,
    pub outsider: Who,
}

pub async fn world(app: &TestApp) -> World {
    let db = app.db();
    let tz = chrono_tz::America::Bogota;
    let org = db.orgs().insert("acme", tz).await.expect("an org").id;
    let other_org = db.orgs().insert("other", tz).await.expect("an org").id;
    World {
        org,
        other_org,
        a1: user(db, org, "a1", Role::Collector, Some("north")).await,
        a2: user(db, org, "a2", Role::Collector, Some("north")).await,
        c1: user(db, org, "c1", Role::Collector, Some("south")).await,
        sup: user(db, org, "sup", Role::Supervisor, Some("north")).await,
        admin: user(db, org, "boss", Role::Admin, None).await,
        outsider: user(db, other_org, "outsider", Role::Collector, None).await,
    }
}

/// An account upsert (or removal) named `id`, scoped to a collector and/or team.
pub fn change(org: OrgId, collector: Option<&Who>, team: Option<TeamId>, id: &str) -> NewChange {
    NewChange {
        org_id: org,
        collector_id: collector.map(|w| w.id),
        team_id: team,
        // The feed's order and scope are under test, not the record: a stand-in body (which
        // the server passes through as it was stored).
        change: Change::from_raw(RawChange {
            entity_type: "account".into(),
            entity_id: id.to_owned(),
            op: "upsert".into(),
            body: json!({ "name": id }),
        }),
    }
}

/// Appends changes to the feed in one server transaction, as writers do.
pub async fn commit(db: &Db, changes: &[NewChange]) {
    on_write!(db, |pool| {
        let mut tx = pool.begin().await.expect("a transaction");
        let txn = begin_feed!(&mut *tx).expect("a feed transaction");
        for c in changes {
            record_change!(&mut *tx, txn, c).expect("recording a change");
        }
        tx.commit().await.expect("committing");
    });
    settle(db).await;
}

/// On PostgreSQL, waits (10 s at most) until every transaction that began before now has
/// ended. Pulls read below the oldest transaction in progress in the whole cluster, and other
/// tests' transactions (migrations of their databases) run beside this one: without the wait a
/// pull right after a commit may, correctly, not show it yet.
pub async fn settle(db: &Db) {
    let Db::Postgres(pool) = db else {
        return;
    };
    let read = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await
            .expect("reading the snapshot")
    };
    let next =
        read("select cast(cast(pg_snapshot_xmax(pg_current_snapshot()) as text) as bigint)").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while read("select cast(cast(pg_snapshot_xmin(pg_current_snapshot()) as text) as bigint)").await
        < next
    {
        assert!(
            std::time::Instant::now() < deadline,
            "a transaction stayed open for 10 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

pub async fn feed_len(db: &Db) -> i64 {
    on_read_pool!(db, |pool| {
        sqlx::query_scalar("select count(*) from changes")
            .fetch_one(pool)
            .await
            .expect("counting changes")
    })
}

/// Every page from `cursor` until `more` is false: the pages' entity ids and the last cursor.
pub async fn pull_all(
    app: &TestApp,
    token: &str,
    cursor: &str,
    limit: u32,
) -> (Vec<Vec<String>>, String) {
    let (mut pages, mut cursor) = (Vec::new(), cursor.to_owned());
    for _ in 0..1000 {
        let r = app
            .get(
                &format!("/api/v1/sync/pull?cursor={cursor}&limit={limit}"),
                Some(token),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        cursor = r.body["cursor"].as_str().expect("a cursor").to_owned();
        pages.push(ids(&r.body));
        if r.body["more"] == false {
            return (pages, cursor);
        }
    }
    panic!("the feed never ended");
}

/// The entity ids of a page's changes, leaving out the organization's forms: every
/// organization starts with its visit form in the feed (`visit_forms` tests those changes).
pub fn ids(body: &Value) -> Vec<String> {
    body["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| !matches!(c["entity_type"].as_str(), Some("form" | "visit_form")))
        .map(|c| c["entity_id"].as_str().expect("an entity id").to_owned())
        .collect()
}

fn pulled(pages: &[Vec<String>]) -> Vec<String> {
    pages.concat()
}

both!(
    pages_deliver_every_change_exactly_once_in_commit_order_and_never_split_a_transaction,
    |app: TestApp| async move {
        let w = world(&app).await;
        // After the organizations' creation (their visit forms), which is not this test's.
        settle(app.db()).await;
        let (_, start) = pull_all(&app, &w.admin.token, "", 500).await;
        let sizes = [1, 3, 1, 5, 2, 1, 4];
        let mut txn_of = HashMap::new();
        let mut all = Vec::new();
        for (t, n) in sizes.iter().enumerate() {
            let names: Vec<String> = (0..*n).map(|i| format!("t{t}-{i}")).collect();
            let changes: Vec<NewChange> = names
                .iter()
                .map(|id| change(w.org, None, None, id))
                .collect();
            commit(app.db(), &changes).await;
            for id in names {
                txn_of.insert(id.clone(), t);
                all.push(id);
            }
        }

        for limit in [1, 2, 7] {
            let (pages, _) = pull_all(&app, &w.admin.token, &start, limit).await;

            assert_eq!(pulled(&pages), all, "limit {limit}");
            for (i, page) in pages.iter().enumerate() {
                let last_page = i == pages.len() - 1;
                assert!(
                    last_page || page.len() >= limit as usize,
                    "limit {limit}: {pages:?}"
                );
                for id in page {
                    let t = txn_of[id];
                    let whole = all
                        .iter()
                        .filter(|x| txn_of[*x] == t)
                        .all(|x| page.contains(x));
                    assert!(whole, "limit {limit}: transaction {t} split in {pages:?}");
                }
            }
        }
    }
);

both!(
    a_pull_continues_after_its_cursor_and_an_empty_page_keeps_it,
    |app: TestApp| async move {
        let w = world(&app).await;
        commit(app.db(), &[change(w.org, None, None, "first")]).await;
        let (pages, cursor) = pull_all(&app, &w.a1.token, "", 500).await;
        assert_eq!(pulled(&pages), ["first"]);

        let again = app
            .get(
                &format!("/api/v1/sync/pull?cursor={cursor}"),
                Some(&w.a1.token),
            )
            .await;
        assert_eq!((again.status.as_u16(), ids(&again.body)), (200, vec![]));
        assert_eq!(again.body["cursor"], cursor.as_str());
        assert_eq!(again.body["more"], false);

        commit(app.db(), &[change(w.org, None, None, "second")]).await;
        let (pages, _) = pull_all(&app, &w.a1.token, &cursor, 500).await;
        assert_eq!(pulled(&pages), ["second"]);
    }
);

both!(each_role_pulls_only_its_scope, |app: TestApp| async move {
    let w = world(&app).await;
    let (north, south) = (w.a1.team, w.c1.team);
    commit(
        app.db(),
        &[
            change(w.org, Some(&w.a1), north, "a1-account"),
            change(w.org, Some(&w.a2), north, "a2-account"),
            change(w.org, Some(&w.c1), south, "c1-account"),
            change(w.org, None, north, "north-notice"),
            change(w.org, None, south, "south-notice"),
            change(w.org, None, None, "org-notice"),
            change(w.other_org, None, None, "other-org-notice"),
            change(w.other_org, Some(&w.outsider), None, "outsider-account"),
        ],
    )
    .await;

    let sees = |who: &'static str, want: &'static [&'static str]| (who, want);
    let cases = [
        (
            sees("a1", &["a1-account", "north-notice", "org-notice"]),
            &w.a1,
        ),
        (
            sees("c1", &["c1-account", "south-notice", "org-notice"]),
            &w.c1,
        ),
        (
            sees(
                "sup",
                &["a1-account", "a2-account", "north-notice", "org-notice"],
            ),
            &w.sup,
        ),
        (
            sees(
                "admin",
                &[
                    "a1-account",
                    "a2-account",
                    "c1-account",
                    "north-notice",
                    "south-notice",
                    "org-notice",
                ],
            ),
            &w.admin,
        ),
        (
            sees("outsider", &["other-org-notice", "outsider-account"]),
            &w.outsider,
        ),
    ];
    for ((name, want), who) in cases {
        let (pages, _) = pull_all(&app, &who.token, "", 500).await;
        assert_eq!(pulled(&pages), want, "{name}");
    }
});

both!(
    a_debtor_leaving_a_collector_reaches_their_device_as_a_removal,
    |app: TestApp| async move {
        let w = world(&app).await;
        commit(app.db(), &[change(w.org, Some(&w.a1), w.a1.team, "debtor")]).await;
        let (_, a1_cursor) = pull_all(&app, &w.a1.token, "", 500).await;

        let mut removal = change(w.org, Some(&w.a1), w.a1.team, "debtor");
        removal.change = Change::remove(EntityType::Account, "debtor");
        commit(
            app.db(),
            &[removal, change(w.org, Some(&w.a2), w.a2.team, "debtor")],
        )
        .await;

        let r = app
            .get(
                &format!("/api/v1/sync/pull?cursor={a1_cursor}"),
                Some(&w.a1.token),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            r.body["changes"],
            json!([{"entity_type": "account", "entity_id": "debtor", "op": "remove", "body": null}])
        );
        let (pages, _) = pull_all(&app, &w.a2.token, "", 500).await;
        assert_eq!(pulled(&pages), ["debtor"]);
    }
);

both!(
    pull_and_snapshot_are_in_the_openapi_document,
    |app: TestApp| async move {
        let r = app.get("/api/v1/openapi.json", None).await;
        assert_eq!(r.status, 200);
        for path in ["/api/v1/sync/pull", "/api/v1/sync/snapshot"] {
            let params = &r.body["paths"][path]["get"]["parameters"];
            let names: Vec<&str> = params
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["name"].as_str())
                .collect();
            assert_eq!(names, ["cursor", "limit", "device_id"], "{path}");
        }
    }
);
