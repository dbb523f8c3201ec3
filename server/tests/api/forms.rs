//! `/api/v1/forms`: who may upload a questionnaire, the summary it answers, the 422 listing of
//! problems, a repeated version refused with 409, the listing, and that a refused upload stores
//! nothing.

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Method, Request, header};
use serde_json::json;
use terreno_shared::model::Role;

use crate::auth::{login, org, user};
use crate::both;
use crate::harness::{Resp, TestApp};
use crate::hostile;

pub const PATH: &str = "/api/v1/forms";

const GOOD: &str = "type,name,label,relevant\n\
    integer,edad,Edad,\n\
    text,motivo,Motivo,${edad} > 18\n";

/// Row 3's `relevant` is unbalanced and row 4's calculate has no calculation.
const BAD: &str = "type,name,label,relevant\n\
    text,a,A,\n\
    text,b,B,${a\n\
    calculate,c,,\n";

/// A multipart upload of `bytes` as the `file` part named `name`.
async fn upload(app: &TestApp, token: &str, name: &str, bytes: &[u8]) -> Resp {
    upload_with(app, token, name, bytes, &[]).await
}

/// A multipart upload of `bytes` as the `file` part named `name`, then the text `parts`.
pub async fn upload_with(
    app: &TestApp,
    token: &str,
    name: &str,
    bytes: &[u8],
    parts: &[(&str, &str)],
) -> Resp {
    let boundary = "terreno-test-boundary";
    let mut body = format!(
        "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         content-type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    for (part, value) in parts {
        body.extend_from_slice(
            format!(
                "\r\n--{boundary}\r\ncontent-disposition: form-data; name=\"{part}\"\r\n\r\n\
                 {value}"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::builder()
        .method(Method::POST)
        .uri(PATH)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .expect("request");
    app.send(req).await
}

/// Forms the test uploaded (every organization also starts with the shipped visit form).
async fn form_count(app: &TestApp) -> usize {
    let org = org(app).await;
    let forms = app.db().forms().list(org).await.expect("listing");
    forms
        .iter()
        .filter(|f| f.form_id != "visita_cobranza")
        .count()
}

both!(
    a_supervisor_uploads_a_form_and_gets_its_summary,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "sofia", Role::Supervisor, Some("norte")).await;
        let token = login(&app, "sofia").await;

        let r = upload(&app, &token, "visita.csv", GOOD.as_bytes()).await;

        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["form_id"], "visita");
        assert_eq!(r.body["title"], "visita");
        assert_eq!(r.body["version"], json!(null));
        assert_eq!(r.body["questions"], 2);
        assert_eq!(r.body["created_by"], "sofia");
        assert!(r.body["warnings"].is_array(), "{}", r.text);
        let stored = app
            .db()
            .forms()
            .find(org, "visita", None)
            .await
            .expect("finding")
            .expect("stored");
        assert_eq!(stored.summary.id, r.body["id"]);
        assert_eq!(stored.form.children.len(), 2);
    }
);

both!(
    a_collector_cannot_upload_a_form,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "ana", Role::Collector, Some("norte")).await;
        let token = login(&app, "ana").await;

        let r = upload(&app, &token, "visita.csv", GOOD.as_bytes()).await;

        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(r.body["code"], "forbidden");
        assert_eq!(form_count(&app).await, 0);
    }
);

both!(
    a_form_with_problems_answers_422_listing_each_and_stores_nothing,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "root", Role::Admin, None).await;
        let token = login(&app, "root").await;

        let r = upload(&app, &token, "visita.csv", BAD.as_bytes()).await;

        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.body["code"], "invalid_form");
        assert!(
            r.body["message"]
                .as_str()
                .is_some_and(|m| m.contains("visita.csv")),
            "{}",
            r.text
        );
        let problems = r.body["problems"].as_array().expect("problems");
        assert_eq!(problems.len(), 2, "{}", r.text);
        assert_eq!(problems[0]["sheet"], "survey");
        assert_eq!(problems[0]["row"], 3);
        assert_eq!(problems[0]["column"], "relevant");
        assert_eq!(
            problems[1],
            json!({"sheet": "survey", "row": 4, "column": "calculation",
                   "message": "missing calculation"})
        );
        assert_eq!(form_count(&app).await, 0);
    }
);

both!(
    a_file_that_is_not_a_spreadsheet_answers_422_naming_it,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "root", Role::Admin, None).await;
        let token = login(&app, "root").await;

        let r = upload(&app, &token, "corrupt.xlsx", b"corrupt").await;

        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.body["code"], "invalid");
        let message = r.body["message"].as_str().expect("message");
        assert!(
            message.starts_with("corrupt.xlsx: not a spreadsheet"),
            "{message}"
        );
    }
);

both!(
    the_same_version_uploaded_twice_is_a_conflict_and_both_versions_are_listed,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "root", Role::Admin, None).await;
        user(&app, org, "ana", Role::Collector, None).await;
        let token = login(&app, "root").await;
        let v1 = "type,name,label\ntext,a,A\n";
        assert_eq!(
            upload(&app, &token, "f.csv", v1.as_bytes()).await.status,
            201
        );

        let again = upload(&app, &token, "f.csv", v1.as_bytes()).await;
        let v2 = upload(&app, &token, "f.csv", GOOD.as_bytes()).await;

        assert_eq!(again.status, 409, "{}", again.text);
        assert_eq!(again.body["code"], "form_version_exists");
        assert_eq!(v2.status, 409, "no version either: {}", v2.text);
        let collector = login(&app, "ana").await;
        let listed = app.get(PATH, Some(&collector)).await;
        assert_eq!(listed.status, 200, "{}", listed.text);
        // `f` once, and the shipped visit form every organization has.
        assert_eq!(listed.body.as_array().map(Vec::len), Some(2));
        assert_eq!(listed.body[0]["form_id"], "f");
        assert_eq!(listed.body[1]["form_id"], "visita_cobranza");
        assert_eq!(listed.body[0]["questions"], 1);
    }
);

both!(
    an_xls_workbook_under_an_xlsx_name_is_read_by_its_content,
    |app: TestApp| async move {
        let Some(bytes) = fixture("xlsform/webforms__ifrc-distribution-site-assessment-v1.xlsx")
        else {
            return;
        };
        let org = org(&app).await;
        user(&app, org, "sofia", Role::Supervisor, Some("norte")).await;
        let token = login(&app, "sofia").await;

        let r = upload(&app, &token, "ifrc.xlsx", &bytes).await;

        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["form_id"], "distributionsite_assessment_v1_0");
        let listed = app.get(PATH, Some(&token)).await;
        assert_eq!(listed.body[0]["id"], r.body["id"]);
    }
);

both!(
    the_form_routes_are_in_the_openapi_document,
    |app: TestApp| async move {
        let r = app.get("/api/v1/openapi.json", None).await;

        assert_eq!(r.status, 200);
        let upload = &r.body["paths"][PATH]["post"];
        assert!(
            upload["requestBody"]["content"]["multipart/form-data"].is_object(),
            "{upload}"
        );
        assert!(upload["responses"]["422"].is_object(), "{upload}");
        assert!(r.body["paths"][PATH]["get"].is_object());
        for schema in ["FormSummary", "ImportedForm", "InvalidForm"] {
            assert!(
                r.body["components"]["schemas"][schema].is_object(),
                "{schema}"
            );
        }
    }
);

/// A fixture's bytes, or `None` (after a skip line) where the fixtures are absent outside CI.
pub fn fixture(name: &str) -> Option<Vec<u8>> {
    let dir = std::env::var_os("TERRENO_FIXTURES").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"),
        PathBuf::from,
    );
    let path = dir.join(name);
    if !path.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing",
            path.display()
        );
        eprintln!("skipped: {} is absent", path.display());
        return None;
    }
    Some(std::fs::read(&path).expect("reading the fixture"))
}

/// Uploads `bytes` as a form as a supervisor (created on first use).
async fn upload_hostile(app: &TestApp, name: &str, bytes: &[u8]) -> Resp {
    let org = org(app).await;
    let users = app.db().users().list(org).await.expect("users");
    if users.iter().all(|u| u.username != "sofia") {
        user(app, org, "sofia", Role::Supervisor, Some("norte")).await;
    }
    let token = login(app, "sofia").await;
    upload(app, &token, name, bytes).await
}

both!(
    a_form_workbook_with_a_cell_beyond_excels_grid_answers_422_naming_the_cell,
    |app: TestApp| async move {
        for (cell, why) in hostile::BEYOND_GRID {
            let r = upload_hostile(&app, "f.xlsx", &hostile::lone_cell("survey", cell)).await;

            assert_eq!(r.status, 422, "{cell}: {}", r.text);
            let message = r.body["message"].as_str().expect("message");
            assert!(
                message.contains(&format!("sheet 'survey', cell {cell}: {why}")),
                "{message}"
            );
        }
        assert_eq!(form_count(&app).await, 0);
    }
);

both!(
    a_form_whose_only_cell_is_the_last_of_the_grid_is_refused_for_its_span,
    |app: TestApp| async move {
        let r = upload_hostile(&app, "f.xlsx", &hostile::lone_cell("survey", "XFD1048576")).await;

        assert_eq!(r.status, 422, "{}", r.text);
        assert!(
            r.text.contains(
                "sheet 'survey', cell XFD1048576: the workbook spans more than 1,048,576 cells"
            ),
            "{}",
            r.text
        );
    }
);

both!(
    a_form_zip_bomb_answers_422_naming_the_part_and_the_limit,
    |app: TestApp| async move {
        for bomb in [
            hostile::bomb("survey").to_vec(),
            hostile::lying_bomb("survey"),
        ] {
            let r = upload_hostile(&app, "f.xlsx", &bomb).await;

            assert_eq!(r.status, 422, "{}", r.text);
            assert!(
                r.text
                    .contains("part xl/worksheets/sheet1.xml inflates to more than 64 MiB"),
                "{}",
                r.text
            );
        }
        assert_eq!(form_count(&app).await, 0);
    }
);

both!(
    a_form_xls_declaring_billions_of_rows_answers_422,
    |app: TestApp| async move {
        let r = upload_hostile(&app, "f.xls", &hostile::huge_xls(true)).await;

        // The declaration is ignored; its cells, A1 and IV65536, span too much.
        assert_eq!(r.status, 422, "{}", r.text);
        assert!(
            r.text
                .contains("sheet 'survey': the workbook's sheets span"),
            "{}",
            r.text
        );
    }
);

both!(
    a_form_upload_over_the_body_limit_answers_413,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "sofia", Role::Supervisor, Some("norte")).await;
        let token = login(&app, "sofia").await;

        let r = app.send(hostile::oversized_request(PATH, &token, 17)).await;

        assert_eq!(r.status, 413, "{}", r.text);
        assert_eq!(r.body["code"], "too_large", "{}", r.text);
    }
);
