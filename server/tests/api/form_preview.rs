//! `POST /api/v1/forms/versions/{id}/preview` and `PUT /api/v1/forms/visit-form`: a stored
//! form previewed with the shared engine (answering reveals what depends on the answer, a
//! broken constraint gives its message, computed values and repeats show), who may preview and
//! choose the visit form, and that other organizations' versions are not found.

use serde_json::{Value, json};
use terreno_shared::model::Role;

use crate::auth::{login, org, user};
use crate::both;
use crate::forms::{fixture, upload_with};
use crate::harness::TestApp;

const SPEC_FORM: &str = "xlsform/pyxform__xlsform_spec_test.xlsx";

/// A small form: `edad` over 18 asks `motivo`; `pagos` is a repeat the collector grows.
const CSV_FORM: &str = "type,name,label,relevant,constraint,constraint_message\n\
    integer,edad,Edad,,. < 120,La edad debe ser menor de 120\n\
    text,motivo,Motivo,${edad} > 18,,\n\
    begin repeat,pagos,Pagos,,,\n\
    decimal,monto,Monto,,. > 0,El monto debe ser positivo\n\
    end repeat,,,,,\n";

fn preview_path(id: &str) -> String {
    format!("/api/v1/forms/versions/{id}/preview")
}

/// The preview row at `path`.
fn item<'a>(body: &'a Value, path: &str) -> &'a Value {
    body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["path"] == path))
        .unwrap_or_else(|| panic!("no row {path} in {body}"))
}

/// An admin's token and the id of `bytes` uploaded as `name`.
async fn uploaded(app: &TestApp, name: &str, bytes: &[u8]) -> (String, String) {
    let org = org(app).await;
    user(app, org, "root", Role::Admin, None).await;
    let token = login(app, "root").await;
    let r = upload_with(app, &token, name, bytes, &[]).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_str().expect("an id").to_owned();
    (token, id)
}

both!(
    answering_a_fixture_form_reveals_questions_and_gives_constraint_messages,
    |app: TestApp| async move {
        let Some(bytes) = fixture(SPEC_FORM) else {
            return;
        };
        let (token, id) = uploaded(&app, "xlsform_spec_test.xlsx", &bytes).await;
        let path = preview_path(&id);

        let empty = app
            .post(&path, Some(&token), &json!({"language": "english"}))
            .await;

        assert_eq!(empty.status, 200, "{}", empty.text);
        assert_eq!(empty.body["language"], "english");
        assert_eq!(
            item(&empty.body, "everything/email_note")["relevant"],
            false
        );
        assert_eq!(item(&empty.body, "everything/address")["relevant"], true);
        let calc = item(&empty.body, "everything/calculate_test");
        assert_eq!(
            (&calc["value"], &calc["computed"]),
            (&json!("4"), &json!(true))
        );
        let repeat = item(&empty.body, "everything/repeat_test");
        assert_eq!(
            (&repeat["count"], &repeat["fixed_count"]),
            (&json!(2), &json!(true))
        );
        assert_eq!(
            item(&empty.body, "everything/repeat_test[2]")["kind"],
            "instance"
        );

        let answers = json!({
            "everything/my_name": "Ana",
            "everything/address": "ana@example.com",
            "everything/repeat_test[1]/group_test/select_multiple_test": "yes no",
        });
        let r = app
            .post(
                &path,
                Some(&token),
                &json!({"answers": answers, "language": "english"}),
            )
            .await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(item(&r.body, "everything/email_note")["relevant"], true);
        let select = item(
            &r.body,
            "everything/repeat_test[1]/group_test/select_multiple_test",
        );
        assert_eq!(
            select["issue"], "Sorry Ana, you can't select yes and no.",
            "{select}"
        );
        assert_eq!(select["widget"], "select_multiple");
        let names: Vec<&Value> = select["choices"]
            .as_array()
            .expect("choices")
            .iter()
            .map(|c| &c["name"])
            .collect();
        assert_eq!(names, [&json!("yes"), &json!("no")]);
        let failed = &r.body["state"]["failed_constraints"];
        assert!(
            failed.as_array().is_some_and(|f| f
                .iter()
                .any(|i| i["path"] == "everything/repeat_test[1]/group_test/select_multiple_test")),
            "{failed}"
        );
        assert_eq!(r.body["state"]["complete"], false);

        let skip = app
            .post(
                &path,
                Some(&token),
                &json!({"answers": {"skip_to_end": "yes"}}),
            )
            .await;
        assert_eq!(skip.status, 200, "{}", skip.text);
        assert_eq!(item(&skip.body, "everything")["relevant"], false);
        assert_eq!(item(&skip.body, "everything/address")["relevant"], false);
    }
);

both!(
    a_preview_follows_repeat_instances_and_refuses_bad_input,
    |app: TestApp| async move {
        let (token, id) = uploaded(&app, "cobro.csv", CSV_FORM.as_bytes()).await;
        let path = preview_path(&id);

        let r = app
            .post(
                &path,
                Some(&token),
                &json!({"answers": {"edad": "30", "pagos[2]/monto": "-5"},
                        "instances": {"pagos": 2}}),
            )
            .await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(item(&r.body, "motivo")["relevant"], true);
        assert_eq!(item(&r.body, "pagos")["count"], 2);
        assert_eq!(item(&r.body, "pagos")["fixed_count"], false);
        assert_eq!(
            item(&r.body, "pagos[2]/monto")["issue"],
            "El monto debe ser positivo"
        );
        assert!(
            item(&r.body, "pagos[1]/monto").get("issue").is_none(),
            "{}",
            r.text
        );

        let young = app
            .post(&path, Some(&token), &json!({"answers": {"edad": "12"}}))
            .await;
        assert_eq!(item(&young.body, "motivo")["relevant"], false);
        assert_eq!(item(&young.body, "pagos")["count"], 0);

        let language = app
            .post(&path, Some(&token), &json!({"language": "klingon"}))
            .await;
        assert_eq!(language.status, 422, "{}", language.text);
        assert!(
            language.body["message"]
                .as_str()
                .is_some_and(|m| m.contains("klingon"))
        );

        let many = app
            .post(
                &path,
                Some(&token),
                &json!({"instances": {"pagos": 1_000_000}}),
            )
            .await;
        assert_eq!(many.status, 422, "{}", many.text);
        assert!(
            many.body["message"]
                .as_str()
                .is_some_and(|m| m.contains("pagos"))
        );

        for instances in [json!({"x": 100_000}), json!({"pagos": 150, "otros": 150})] {
            let r = app
                .post(&path, Some(&token), &json!({ "instances": instances }))
                .await;
            assert_eq!(r.status, 422, "{}", r.text);
            assert!(
                r.body["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("instances")),
                "{}",
                r.text
            );
        }

        let unknown_field = app.post(&path, Some(&token), &json!({"answer": {}})).await;
        assert_eq!(unknown_field.status, 400, "{}", unknown_field.text);
    }
);

both!(
    unknown_and_foreign_form_versions_are_not_found,
    |app: TestApp| async move {
        let (token, _) = uploaded(&app, "cobro.csv", CSV_FORM.as_bytes()).await;
        let other = app
            .db()
            .orgs()
            .insert("otra", chrono_tz::America::Lima)
            .await
            .expect("another organization")
            .id;
        app.db().visits().ensure_forms().await.expect("visit forms");
        let foreign = app
            .db()
            .visits()
            .find_form(other)
            .await
            .expect("reading")
            .expect("the other organization's visit form")
            .to_string();

        for id in [
            "0190a7c4-0000-7000-8000-000000000000",
            "not-an-id",
            foreign.as_str(),
        ] {
            let r = app.post(&preview_path(id), Some(&token), &json!({})).await;
            assert_eq!(r.status, 404, "{id}: {}", r.text);
            assert_eq!(r.body["code"], "not_found");
            let r = app
                .call(
                    axum::http::Method::PUT,
                    "/api/v1/forms/visit-form",
                    Some(&token),
                    Some(&json!({"id": id})),
                )
                .await;
            assert_eq!(r.status, 404, "{id}: {}", r.text);
        }
        let r = app.post(&preview_path(&foreign), None, &json!({})).await;
        assert_eq!(r.status, 401, "{}", r.text);
    }
);

both!(
    supervisors_choose_the_visit_form_and_collectors_cannot,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "sofia", Role::Supervisor, Some("norte")).await;
        user(&app, org, "ana", Role::Collector, Some("norte")).await;
        let sofia = login(&app, "sofia").await;
        let ana = login(&app, "ana").await;
        let r = upload_with(&app, &sofia, "cobro.csv", CSV_FORM.as_bytes(), &[]).await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["visit_form"], false);
        let id = r.body["id"].as_str().expect("an id").to_owned();
        let choose = |token: String, id: String| {
            let app = &app;
            async move {
                app.call(
                    axum::http::Method::PUT,
                    "/api/v1/forms/visit-form",
                    Some(&token),
                    Some(&json!({"id": id})),
                )
                .await
            }
        };

        let refused = choose(ana.clone(), id.clone()).await;
        assert_eq!(refused.status, 403, "{}", refused.text);
        assert_eq!(refused.body["code"], "forbidden");
        let before = app.db().visits().find_form(org).await.expect("reading");
        assert_ne!(before.map(|f| f.to_string()), Some(id.clone()));

        let chosen = choose(sofia.clone(), id.clone()).await;
        assert_eq!(chosen.status, 200, "{}", chosen.text);
        assert_eq!(
            (&chosen.body["id"], &chosen.body["visit_form"]),
            (&json!(id), &json!(true))
        );
        let listed = app.get("/api/v1/forms", Some(&ana)).await;
        let visit_forms: Vec<&Value> = listed
            .body
            .as_array()
            .expect("a list")
            .iter()
            .filter(|f| f["visit_form"] == true)
            .map(|f| &f["id"])
            .collect();
        assert_eq!(visit_forms, [&json!(id)], "{}", listed.text);

        let again = choose(sofia, id.clone()).await;
        assert_eq!(again.status, 200, "{}", again.text);
        assert_eq!(again.body["visit_form"], true);
    }
);

both!(
    the_preview_and_visit_form_routes_are_in_the_openapi_document,
    |app: TestApp| async move {
        let r = app.get("/api/v1/openapi.json", None).await;

        assert_eq!(r.status, 200);
        let preview = &r.body["paths"]["/api/v1/forms/versions/{id}/preview"]["post"];
        assert!(preview["responses"]["404"].is_object(), "{preview}");
        let choose = &r.body["paths"]["/api/v1/forms/visit-form"]["put"];
        assert!(choose["responses"]["403"].is_object(), "{choose}");
        for schema in [
            "Preview",
            "PreviewItem",
            "PreviewRequest",
            "VisitFormChoice",
        ] {
            assert!(
                r.body["components"]["schemas"][schema].is_object(),
                "{schema}"
            );
        }
    }
);
