//! Every organization's visit form: the shipped form given at creation (and at startup to an
//! organization without one), moved by an upload "for visits" or a new version of the visit
//! form, and sent to devices org-wide through the pull feed and the snapshot.

use serde_json::Value;
use terreno_server::db::forms::NewForm;
use terreno_server::forms::shipped;
use terreno_server::{Db, on_read_pool, on_write};
use terreno_shared::api::v1::forms::{FormVersion, VisitForm};
use terreno_shared::ids::{FormId, OrgId};
use terreno_shared::model::Role;

use crate::auth::{login, org, user};
use crate::both;
use crate::forms::{PATH, upload_with};
use crate::harness::TestApp;
use crate::pull::settle;

const SHIPPED: &str = "visita_cobranza";
const SHIPPED_VERSION: &str = "2026120601";

async fn visit_form(db: &Db, org: OrgId) -> FormId {
    db.visits()
        .find_form(org)
        .await
        .expect("reading the visit form")
        .expect("the organization has a visit form")
}

async fn form_rows(db: &Db, org: OrgId) -> i64 {
    on_read_pool!(db, |pool| {
        sqlx::query_scalar("select cast(count(*) as bigint) from forms where org_id = $1")
            .bind(org.to_string())
            .fetch_one(pool)
            .await
            .expect("counting forms")
    })
}

/// Every change of `endpoint` (`pull` or `snapshot`) for `token`, following `more`.
async fn all_changes(app: &TestApp, endpoint: &str, token: &str) -> Vec<Value> {
    settle(app.db()).await;
    let (mut all, mut cursor) = (Vec::new(), String::new());
    for _ in 0..100 {
        let path = format!("/api/v1/sync/{endpoint}?cursor={cursor}&limit=500");
        let r = app.get(&path, Some(token)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        all.extend(
            r.body["changes"]
                .as_array()
                .expect("changes")
                .iter()
                .cloned(),
        );
        cursor = r.body["cursor"].as_str().expect("a cursor").to_owned();
        if r.body["more"] == false {
            return all;
        }
    }
    panic!("the {endpoint} never ended");
}

/// The bodies of `changes` of `entity_type`, in order.
fn bodies(changes: &[Value], entity_type: &str) -> Vec<Value> {
    changes
        .iter()
        .filter(|c| c["entity_type"] == entity_type)
        .map(|c| c["body"].clone())
        .collect()
}

both!(
    a_new_organization_starts_with_the_shipped_visit_form,
    |app: TestApp| async move {
        let org = org(&app).await;

        let forms = app.db().forms().list(org).await.expect("listing");

        assert_eq!(forms.len(), 1, "{forms:?}");
        assert_eq!(forms[0].form_id, SHIPPED);
        assert_eq!(forms[0].version.as_deref(), Some(SHIPPED_VERSION));
        assert!(forms[0].visit_form);
        assert_eq!(forms[0].id, visit_form(app.db(), org).await.to_string());
    }
);

both!(
    starting_gives_organizations_without_a_visit_form_the_shipped_one_once,
    |app: TestApp| async move {
        let db = app.db();
        // One organization lost its choice but keeps the shipped version; one predates forms.
        let kept = db
            .orgs()
            .insert("kept", chrono_tz::America::Bogota)
            .await
            .expect("an org")
            .id;
        let stored = visit_form(db, kept).await;
        let old = OrgId::from_uuid(uuid::Uuid::now_v7());
        on_write!(db, |pool| {
            sqlx::query("update orgs set visit_form_id = null")
                .execute(pool)
                .await
                .expect("clearing");
            sqlx::query(
                "insert into orgs (id, name, time_zone, created_ms) values ($1, 'old', 'UTC', 0)",
            )
            .bind(old.to_string())
            .execute(pool)
            .await
            .expect("an organization from before visit forms");
        });

        let given = db.visits().ensure_forms().await.expect("ensuring");
        let again = db.visits().ensure_forms().await.expect("ensuring again");

        assert_eq!((given, again), (2, 0));
        assert_eq!(
            visit_form(db, kept).await,
            stored,
            "the stored version is reused"
        );
        assert_eq!(form_rows(db, kept).await, 1);
        assert_eq!(form_rows(db, old).await, 1);
        let forms = db.forms().list(old).await.expect("listing");
        assert_eq!(
            (forms[0].form_id.as_str(), forms[0].visit_form),
            (SHIPPED, true)
        );
    }
);

both!(
    an_upload_for_visits_becomes_the_visit_form_and_reaches_collectors,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "root", Role::Admin, None).await;
        user(&app, org, "ana", Role::Collector, Some("norte")).await;
        let token = login(&app, "root").await;
        let csv = b"type,name,label\ntext,nota,Nota\n";

        let r = upload_with(
            &app,
            &token,
            "cobro.csv",
            csv,
            &[("use_for_visits", "true")],
        )
        .await;

        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["visit_form"], true);
        let id = r.body["id"].as_str().expect("an id").to_owned();
        assert_eq!(visit_form(app.db(), org).await.to_string(), id);
        let listed = app.get(PATH, Some(&token)).await;
        let marks: Vec<(&str, bool)> = listed
            .body
            .as_array()
            .expect("a list")
            .iter()
            .map(|f| {
                (
                    f["form_id"].as_str().unwrap_or_default(),
                    f["visit_form"] == true,
                )
            })
            .collect();
        assert_eq!(marks, [("cobro", true), (SHIPPED, false)]);
        let changes = all_changes(&app, "pull", &login(&app, "ana").await).await;
        let forms = bodies(&changes, "form");
        assert_eq!(forms.len(), 2, "both versions reach the collector");
        assert_eq!(forms[1]["id"], id);
        let chosen = bodies(&changes, "visit_form");
        assert_eq!(
            chosen.last().map(|b| b["id"].clone()),
            Some(Value::from(id))
        );
    }
);

both!(
    a_new_version_of_the_visit_form_becomes_it_and_another_form_does_not,
    |app: TestApp| async move {
        let org = org(&app).await;
        let db = app.db();
        let read = shipped::visit_form().expect("the shipped form");
        let mut next = NewForm::from_read(&read, None);
        next.version = "2026120602";
        let mut other = NewForm::from_read(&read, None);
        other.form_id = "encuesta";

        let newer = db
            .forms()
            .insert(org, &next, false)
            .await
            .expect("a new version");
        let unrelated = db
            .forms()
            .insert(org, &other, false)
            .await
            .expect("another form");

        assert!(newer.visit_form);
        assert!(!unrelated.visit_form);
        assert_eq!(visit_form(db, org).await.to_string(), newer.id);
    }
);

both!(
    use_for_visits_must_be_true_or_false,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "root", Role::Admin, None).await;
        let token = login(&app, "root").await;
        let csv = b"type,name,label\ntext,nota,Nota\n";

        let r = upload_with(&app, &token, "cobro.csv", csv, &[("use_for_visits", "si")]).await;

        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(form_rows(app.db(), org).await, 1, "only the shipped form");
    }
);

both!(
    a_collectors_device_pulls_and_snapshots_the_forms_and_the_visit_form,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "ana", Role::Collector, Some("norte")).await;
        let token = login(&app, "ana").await;
        let id = visit_form(app.db(), org).await;

        for endpoint in ["pull", "snapshot"] {
            let changes = all_changes(&app, endpoint, &token).await;

            let forms: Vec<FormVersion> = bodies(&changes, "form")
                .into_iter()
                .map(|b| serde_json::from_value(b).expect("a FormVersion body"))
                .collect();
            assert_eq!(forms.len(), 1, "{endpoint}");
            assert_eq!(forms[0].id, id, "{endpoint}");
            assert_eq!(
                (forms[0].form_id.as_str(), forms[0].version.as_str()),
                (SHIPPED, SHIPPED_VERSION)
            );
            assert_eq!(forms[0].definition.children.len(), 14, "{endpoint}");
            let chosen: Vec<VisitForm> = bodies(&changes, "visit_form")
                .into_iter()
                .map(|b| serde_json::from_value(b).expect("a VisitForm body"))
                .collect();
            assert_eq!(chosen, [VisitForm { id }], "{endpoint}");
            let ids: Vec<&str> = changes
                .iter()
                .filter(|c| c["entity_type"] == "visit_form")
                .filter_map(|c| c["entity_id"].as_str())
                .collect();
            assert_eq!(ids, ["current"], "{endpoint}");
        }
    }
);

both!(
    the_visit_form_is_in_the_openapi_document,
    |app: TestApp| async move {
        let r = app.get("/api/v1/openapi.json", None).await;

        assert_eq!(r.status, 200);
        let schemas = &r.body["components"]["schemas"];
        // Named apart from the route import's upload form, which would otherwise replace it.
        assert!(
            schemas["FormUpload"]["properties"]["use_for_visits"].is_object(),
            "{}",
            schemas["FormUpload"]
        );
        assert!(
            schemas["FormSummary"]["properties"]["visit_form"].is_object(),
            "{}",
            schemas["FormSummary"]
        );
        let push = r.body["paths"]["/api/v1/sync/push"]["post"]["responses"]["200"].to_string();
        assert!(push.contains("invalid_submission"), "{push}");
    }
);
