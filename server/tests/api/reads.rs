//! Reading one account or visit: scopes by role, and 404 (never 403) outside them.

use serde_json::Value;
use terreno_server::Db;
use terreno_server::db::users::NewUser;
use terreno_shared::ids::{OrgId, UserId};
use terreno_shared::model::Role;

use crate::both;
use crate::harness::TestApp;

/// A user with a working token.
pub(crate) struct Who {
    pub(crate) id: UserId,
    pub(crate) token: String,
}

pub(crate) async fn user(db: &Db, org: OrgId, name: &str, role: Role, team: Option<&str>) -> Who {
    let info = db
        .users()
        .insert(
            org,
            &NewUser {
                username: name,
                role,
                team,
                display_name: None,
            },
        )
        .await
        .expect("inserting a user");
    let token = terreno_server::auth::new_token().expect("token");
    let hash = terreno_server::auth::token_hash(&token);
    db.users()
        .insert_token(info.id, &hash, terreno_server::db::now_ms() + 3_600_000)
        .await
        .expect("inserting a token");
    Who { id: info.id, token }
}

pub(crate) async fn exec(db: &Db, sql: &str, binds: &[&str]) {
    terreno_server::on_write!(db, |pool| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
        for b in binds {
            q = q.bind(*b);
        }
        q.execute(pool).await.expect(sql);
    });
}

pub(crate) struct World {
    pub(crate) a1: Who,
    pub(crate) a2: Who,
    pub(crate) sup_a: Who,
    pub(crate) sup_b: Who,
    pub(crate) admin: Who,
    pub(crate) other_admin: Who,
}

/// Org with teams A (collectors a1, a2; supervisor) and B (supervisor), an admin, and another
/// org's admin; one account and one visit of a1.
pub(crate) async fn world(app: &TestApp) -> World {
    let db = app.db();
    let org = db
        .orgs()
        .insert("acme", chrono_tz::America::Bogota)
        .await
        .unwrap();
    let other = db
        .orgs()
        .insert("other", chrono_tz::America::Bogota)
        .await
        .unwrap();
    let w = World {
        a1: user(db, org.id, "a1", Role::Collector, Some("A")).await,
        a2: user(db, org.id, "a2", Role::Collector, Some("A")).await,
        sup_a: user(db, org.id, "sup.a", Role::Supervisor, Some("A")).await,
        sup_b: user(db, org.id, "sup.b", Role::Supervisor, Some("B")).await,
        admin: user(db, org.id, "boss", Role::Admin, None).await,
        other_admin: user(db, other.id, "intruder", Role::Admin, None).await,
    };
    let a1 = w.a1.id.to_string();
    exec(
        db,
        "insert into portfolios (id, org_id, name, currency) values ($1, $2, 'p', 'COP')",
        &["00000000-0000-7000-8000-0000000000f1", &org.id.to_string()],
    )
    .await;
    exec(
        db,
        "insert into accounts (id, portfolio_id, external_id, debtor_name, address, balance_minor,
              currency, days_past_due, collector_id, updated_ms)
              values ($1, $2, 'CL-1', 'José González', 'Calle 1', 188590728, 'COP', 200, $3, 0)",
        &[
            "00000000-0000-7000-8000-0000000000a1",
            "00000000-0000-7000-8000-0000000000f1",
            &a1,
        ],
    )
    .await;
    exec(
        db,
        "insert into visits (id, account_id, collector_id, status, created_ms)
              values ($1, $2, $3, 'done', 0)",
        &[
            "00000000-0000-7000-8000-0000000000b1",
            "00000000-0000-7000-8000-0000000000a1",
            &a1,
        ],
    )
    .await;
    w
}

const ACCOUNT: &str = "/api/v1/accounts/00000000-0000-7000-8000-0000000000a1";
const VISIT: &str = "/api/v1/visits/00000000-0000-7000-8000-0000000000b1";

both!(
    an_account_is_visible_to_its_collector_their_supervisor_and_the_admin,
    |app: TestApp| async move {
        let w = world(&app).await;
        for who in [&w.a1, &w.sup_a, &w.admin] {
            let r = app.get(ACCOUNT, Some(&who.token)).await;
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(r.body["name"], "José González");
            assert_eq!(r.body["balance_minor"], 188590728);
            assert_eq!(r.body["bucket"], "181-360");
            let r = app.get(VISIT, Some(&who.token)).await;
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(r.body["status"], "done");
        }
    }
);

both!(
    outside_the_scope_an_account_or_visit_is_not_found_rather_than_forbidden,
    |app: TestApp| async move {
        let w = world(&app).await;
        for who in [&w.a2, &w.sup_b, &w.other_admin] {
            for path in [ACCOUNT, VISIT] {
                let r = app.get(path, Some(&who.token)).await;
                assert_eq!(r.status, 404, "{path}: {}", r.text);
                assert_eq!(r.body["code"], "not_found");
            }
        }
        let missing = app
            .get(
                "/api/v1/visits/00000000-0000-7000-8000-00000000dead",
                Some(&w.admin.token),
            )
            .await;
        assert_eq!(missing.status, 404);
        assert_eq!(
            missing.body["code"],
            r_code(&app.get(VISIT, Some(&w.a2.token)).await.body)
        );
    }
);

both!(
    reading_without_a_valid_token_is_unauthorized,
    |app: TestApp| async move {
        world(&app).await;
        for token in [None, Some("not-a-token")] {
            let r = app.get(ACCOUNT, token).await;
            assert_eq!(r.status, 401, "{}", r.text);
            assert_eq!(r.body["code"], "unauthorized");
            assert!(
                r.body["message"].as_str().unwrap().contains("log in"),
                "{}",
                r.text
            );
        }
    }
);

fn r_code(body: &Value) -> Value {
    body["code"].clone()
}

both!(
    a_revoked_devices_token_reads_nothing_more_and_is_told_to_wipe,
    |app: TestApp| async move {
        let w = world(&app).await;
        let key = terreno_shared::sync::DeviceKey::from_seed(&[5; 32]).unwrap();
        let device = uuid::Uuid::now_v7();
        let enroll = serde_json::json!({"device_id": device, "public_key": key.public_key(), "label": "Moto G"});
        let r = app
            .post("/api/v1/devices", Some(&w.a1.token), &enroll)
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(app.get(ACCOUNT, Some(&w.a1.token)).await.status, 200);

        let r = app
            .post(
                &format!("/api/v1/devices/{device}/revoke"),
                Some(&w.sup_a.token),
                &serde_json::json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);

        for path in [ACCOUNT, VISIT, "/api/v1/sync/snapshot", "/api/v1/sync/pull"] {
            let r = app.get(path, Some(&w.a1.token)).await;
            assert_eq!(r.status, 403, "{path}: {}", r.text);
            assert_eq!(r.body["code"], "device_revoked", "{path}");
        }
        // The supervisor's own token enrolled nothing and keeps working.
        assert_eq!(app.get(ACCOUNT, Some(&w.sup_a.token)).await.status, 200);
    }
);

both!(
    a_reassigned_debtors_visit_goes_with_it_to_the_new_collector,
    |app: TestApp| async move {
        let w = world(&app).await;
        let a2 = w.a2.id.to_string();
        exec(
            app.db(),
            "update accounts set collector_id = $1 where id = $2",
            &[&a2, "00000000-0000-7000-8000-0000000000a1"],
        )
        .await;

        let before = app.get(VISIT, Some(&w.a1.token)).await;
        let after = app.get(VISIT, Some(&w.a2.token)).await;

        assert_eq!(
            before.status, 404,
            "the previous collector lost it: {}",
            before.text
        );
        assert_eq!(
            after.status, 200,
            "the new collector has it: {}",
            after.text
        );
    }
);
