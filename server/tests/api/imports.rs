//! `POST /api/v1/imports/routes`: who may upload, the summary it answers, the team scope of a
//! supervisor's import, and that a refused upload stores nothing.

use axum::body::Body;
use axum::http::{Method, Request, header};
use serde_json::json;
use terreno_shared::model::Role;

use crate::auth::{login, org, user};
use crate::both;
use crate::harness::{Resp, TestApp};
use crate::hostile;

const PATH: &str = "/api/v1/imports/routes";

/// Three rows for `gestor.nuevo` (to be created) and the existing `ana`; line 3 is bad.
const ROUTE: &str = "external_id,debtor_name,address,latitude,longitude,balance,collector\n\
    A-1,José Núñez,Calle 1 # 2-3,4.6,-74.1,1234.56,gestor.nuevo\n\
    A-2,Ana Díaz,Calle 4,91.5,-74.1,10,gestor.nuevo\n\
    A-3,Luis Peña,Calle 5,,,200,ana\n";

/// A multipart upload of `file` with extra text parts.
async fn upload(app: &TestApp, token: &str, file: &str, parts: &[(&str, &str)]) -> Resp {
    let boundary = "terreno-test-boundary";
    let mut body = String::new();
    for (name, value) in parts {
        body.push_str(&format!(
            "--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\n\
         content-type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
    ));
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

async fn debtor_count(app: &TestApp) -> usize {
    let org = org(app).await;
    app.db()
        .imports()
        .debtors(org, None)
        .await
        .expect("listing")
        .len()
}

both!(
    a_supervisor_uploads_a_route_and_gets_the_summary_with_the_bad_row,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "sofia", Role::Supervisor, Some("norte")).await;
        user(&app, org, "ana", Role::Collector, Some("norte")).await;
        let token = login(&app, "sofia").await;

        let r = upload(&app, &token, ROUTE, &[("date", "2026-11-24")]).await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["written"], true);
        assert_eq!(r.body["rows_read"], 3);
        assert_eq!(r.body["debtors_created"], 2);
        assert_eq!(r.body["needs_location"], 1);
        assert_eq!(r.body["collectors_created"], json!(["gestor.nuevo"]));
        assert_eq!(r.body["rows_rejected"][0]["line"], 3);
        assert_eq!(r.body["rows_rejected"][0]["column"], "latitude");
        let debtors = app
            .db()
            .imports()
            .debtors(org, None)
            .await
            .expect("listing");
        assert_eq!(debtors.len(), 2);
        assert_eq!(debtors[0].name, "José Núñez");
        assert_eq!(debtors[0].balance_minor, 123_456);
        let users = app.db().users().list(org).await.expect("users");
        let new = users
            .iter()
            .find(|u| u.username == "gestor.nuevo")
            .expect("created");
        assert_eq!(new.team.as_deref(), Some("norte"));
        assert!(new.invited);
    }
);

both!(
    a_collector_cannot_upload_and_nothing_is_written,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "ana", Role::Collector, None).await;
        let token = login(&app, "ana").await;

        let r = upload(&app, &token, ROUTE, &[]).await;

        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(r.body["code"], "forbidden");
        assert_eq!(debtor_count(&app).await, 0);
    }
);

both!(
    all_or_nothing_with_a_bad_row_answers_422_and_writes_nothing,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "root", Role::Admin, None).await;
        user(&app, org, "ana", Role::Collector, None).await;
        let token = login(&app, "root").await;

        let r = upload(&app, &token, ROUTE, &[("all_or_nothing", "true")]).await;

        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.body["written"], false);
        assert_eq!(r.body["rows_rejected"][0]["line"], 3);
        assert_eq!(debtor_count(&app).await, 0);
        let users = app.db().users().list(org).await.expect("users");
        assert!(users.iter().all(|u| u.username != "gestor.nuevo"));
    }
);

both!(
    a_supervisor_cannot_assign_accounts_to_another_teams_collector,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "sofia", Role::Supervisor, Some("norte")).await;
        user(&app, org, "ana", Role::Collector, Some("sur")).await;
        let token = login(&app, "sofia").await;

        let r = upload(&app, &token, ROUTE, &[]).await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["debtors_created"], 1);
        let lines: Vec<u64> = r.body["rows_rejected"]
            .as_array()
            .expect("rejected")
            .iter()
            .map(|e| e["line"].as_u64().expect("line"))
            .collect();
        assert_eq!(lines, [3, 4]);
        assert_eq!(r.body["rows_rejected"][1]["column"], "collector");
        assert_eq!(debtor_count(&app).await, 1);
    }
);

both!(
    a_file_without_usable_columns_is_refused_with_its_headers,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "root", Role::Admin, None).await;
        let token = login(&app, "root").await;

        let r = upload(&app, &token, "foo,bar\n1,2\n", &[]).await;

        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.body["code"], "invalid");
        let message = r.body["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("foo") && message.contains("bar"),
            "{message}"
        );
        assert_eq!(debtor_count(&app).await, 0);
    }
);

both!(
    the_upload_is_in_the_openapi_document,
    |app: TestApp| async move {
        let r = app.get("/api/v1/openapi.json", None).await;

        assert_eq!(r.status, 200);
        let op = &r.body["paths"][PATH]["post"];
        assert!(
            op["requestBody"]["content"]["multipart/form-data"].is_object(),
            "{op}"
        );
        assert!(r.body["components"]["schemas"]["ImportSummary"].is_object());
    }
);

both!(
    an_admin_upload_with_close_missing_closes_left_out_accounts_and_removes_them_from_devices,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "root", Role::Admin, None).await;
        user(&app, org, "ana", Role::Collector, None).await;
        let token = login(&app, "root").await;
        let first = upload(&app, &token, ROUTE, &[("date", "2026-11-24")]).await;
        assert_eq!(first.body["debtors_created"], 2, "{}", first.text);
        let only_a1 = "external_id,debtor_name,address,latitude,longitude,balance,collector\n\
            A-1,José Núñez,Calle 1 # 2-3,4.6,-74.1,1234.56,gestor.nuevo\n";

        let r = upload(&app, &token, only_a1, &[("close_missing", "true")]).await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["debtors_closed"], 1);
        let debtors = app
            .db()
            .imports()
            .debtors(org, None)
            .await
            .expect("listing");
        let status: Vec<(&str, &str)> = debtors
            .iter()
            .map(|d| (d.external_id.as_str(), d.status.as_str()))
            .collect();
        assert_eq!(status, [("A-1", "open"), ("A-3", "closed")]);
        let ops: Vec<(String, String)> = terreno_server::on_read_pool!(app.db(), |pool| {
            sqlx::query_as(
                "select c.entity_type, c.op from changes c
                 join users u on u.id = c.collector_id
                 where u.username = 'ana' order by c.txn, c.entity_type",
            )
            .fetch_all(pool)
            .await
            .expect("the feed")
        });
        let last: Vec<(&str, &str)> = ops[ops.len() - 2..]
            .iter()
            .map(|(t, o)| (t.as_str(), o.as_str()))
            .collect();
        assert_eq!(last, [("account", "remove"), ("stop", "remove")], "{ops:?}");
    }
);

both!(
    a_supervisor_cannot_close_missing_accounts,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "sofia", Role::Supervisor, Some("norte")).await;
        let token = login(&app, "sofia").await;

        let r = upload(&app, &token, ROUTE, &[("close_missing", "true")]).await;

        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(r.body["code"], "forbidden");
        assert_eq!(debtor_count(&app).await, 0);
    }
);

/// The token of a supervisor of the test's organization, created on first use.
async fn supervisor(app: &TestApp) -> String {
    let org = org(app).await;
    let users = app.db().users().list(org).await.expect("users");
    if users.iter().all(|u| u.username != "sofia") {
        user(app, org, "sofia", Role::Supervisor, Some("norte")).await;
    }
    login(app, "sofia").await
}

/// Uploads `bytes` as a route file as a supervisor.
async fn upload_workbook(app: &TestApp, name: &str, bytes: &[u8]) -> Resp {
    let token = supervisor(app).await;
    app.send(hostile::upload_request(PATH, &token, name, bytes))
        .await
}

both!(
    a_route_workbook_with_a_cell_beyond_excels_grid_answers_422_naming_the_cell,
    |app: TestApp| async move {
        for (cell, why) in hostile::BEYOND_GRID {
            let r = upload_workbook(&app, "r.xlsx", &hostile::lone_cell("Ruta", cell)).await;

            assert_eq!(r.status, 422, "{cell}: {}", r.text);
            let message = r.body["message"].as_str().expect("message");
            assert!(
                message.contains(&format!("sheet 'Ruta', cell {cell}: {why}")),
                "{message}"
            );
        }
        assert_eq!(debtor_count(&app).await, 0);
    }
);

both!(
    a_route_workbook_whose_only_cell_is_the_last_of_the_grid_is_read_without_harm,
    |app: TestApp| async move {
        let r = upload_workbook(&app, "r.xlsx", &hostile::lone_cell("Ruta", "XFD1048576")).await;

        // Read: its one header is no known column.
        assert_eq!(r.status, 422, "{}", r.text);
        assert!(r.text.contains("no column found"), "{}", r.text);
    }
);

both!(
    a_route_zip_bomb_answers_422_naming_the_part_and_the_limit,
    |app: TestApp| async move {
        let r = upload_workbook(&app, "r.xlsx", hostile::bomb("Ruta")).await;

        assert_eq!(r.status, 422, "{}", r.text);
        assert!(
            r.text
                .contains("part xl/worksheets/sheet1.xml inflates to more than 64 MiB"),
            "{}",
            r.text
        );
        let r = upload_workbook(&app, "r.xlsx", &hostile::lying_bomb("Ruta")).await;

        assert_eq!(r.status, 422, "{}", r.text);
        assert!(
            r.text
                .contains("part xl/worksheets/sheet1.xml inflates to more than 64 MiB"),
            "{}",
            r.text
        );
        assert_eq!(debtor_count(&app).await, 0);
    }
);

both!(
    a_route_xls_spanning_millions_of_cells_answers_422_naming_the_sheet,
    |app: TestApp| async move {
        // Declared dimensions are not trusted (they are zeroed before calamine reads them): the
        // cells' span is what is refused, declared or not.
        for declared in [true, false] {
            let r = upload_workbook(&app, "r.xls", &hostile::huge_xls(declared)).await;

            assert_eq!(r.status, 422, "{}", r.text);
            assert!(
                r.text
                    .contains("sheet 'survey': the workbook's sheets span more than"),
                "{}",
                r.text
            );
        }
    }
);

both!(
    a_route_upload_over_the_body_limit_answers_413,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "sofia", Role::Supervisor, Some("norte")).await;
        let token = login(&app, "sofia").await;

        let r = app.send(hostile::oversized_request(PATH, &token, 17)).await;

        assert_eq!(r.status, 413, "{}", r.text);
        assert_eq!(r.body["code"], "too_large", "{}", r.text);
    }
);

/// Team `norte`'s account A-1 (collector ana), imported by the admin.
const NORTE: &str = "external_id,debtor_name,address,latitude,longitude,balance,collector\n\
    A-1,José Núñez,Calle 1 # 2-3,4.6,-74.1,1234.56,ana\n";

/// The admin `root`, collector `ana` of team norte, supervisor `sofia` and collector `beto` of
/// team sur; the admin's token.
async fn two_teams(app: &TestApp) -> String {
    let org = org(app).await;
    user(app, org, "root", Role::Admin, None).await;
    user(app, org, "ana", Role::Collector, Some("norte")).await;
    user(app, org, "sofia", Role::Supervisor, Some("sur")).await;
    user(app, org, "beto", Role::Collector, Some("sur")).await;
    login(app, "root").await
}

/// The collector of account `external_id`, by login name.
async fn collector_of(app: &TestApp, external_id: &str) -> Option<String> {
    terreno_server::on_read_pool!(app.db(), |pool| {
        sqlx::query_scalar(
            "select u.username from accounts a left join users u on u.id = a.collector_id
             where a.external_id = $1",
        )
        .bind(external_id)
        .fetch_one(pool)
        .await
        .expect("the account")
    })
}

both!(
    a_supervisor_cannot_take_another_teams_account_and_the_rest_of_the_file_imports,
    |app: TestApp| async move {
        let admin = two_teams(&app).await;
        let first = upload(&app, &admin, NORTE, &[("date", "2026-11-24")]).await;
        assert_eq!(first.status, 200, "{}", first.text);
        let sofia = login(&app, "sofia").await;
        let takeover = "external_id,debtor_name,address,latitude,longitude,balance,collector\n\
            B-1,Luz Mar,Calle 9,4.6,-74.1,50,beto\n\
            A-1,José Núñez,Calle 1 # 2-3,4.6,-74.1,1,beto\n\
            A-1,José Núñez,Calle 1 # 2-3,4.6,-74.1,2,\n";

        let r = upload(&app, &sofia, takeover, &[("date", "2026-11-24")]).await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["debtors_created"], 1, "{}", r.text);
        assert_eq!(r.body["debtors_updated"], 0, "{}", r.text);
        assert_eq!(r.body["rows_rejected_count"], 1, "{}", r.text);
        let refusal = &r.body["rows_rejected"][0];
        assert_eq!(refusal["line"], 4, "{}", r.text);
        assert_eq!(refusal["column"], "external_id");
        let reason = refusal["reason"].as_str().unwrap_or_default();
        assert!(reason.contains("another team"), "{reason}");
        assert!(
            !reason.contains("ana") && !reason.contains("norte"),
            "the refusal names nothing of the other team: {reason}"
        );
        assert_eq!(collector_of(&app, "A-1").await.as_deref(), Some("ana"));
        assert_eq!(collector_of(&app, "B-1").await.as_deref(), Some("beto"));
        let debtors = app
            .db()
            .imports()
            .debtors(org(&app).await, None)
            .await
            .expect("listing");
        let a1 = debtors
            .iter()
            .find(|d| d.external_id == "A-1")
            .expect("A-1");
        assert_eq!(a1.balance_minor, 123_456, "A-1 is as team norte left it");
    }
);

both!(
    a_supervisor_import_naming_only_another_teams_account_writes_nothing,
    |app: TestApp| async move {
        let admin = two_teams(&app).await;
        upload(&app, &admin, NORTE, &[("date", "2026-11-24")]).await;
        let sofia = login(&app, "sofia").await;
        let takeover = NORTE.replace(",ana\n", ",beto\n");

        let r = upload(&app, &sofia, &takeover, &[("date", "2026-11-24")]).await;

        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.body["written"], false);
        assert_eq!(r.body["rows_rejected_count"], 1);
        assert_eq!(collector_of(&app, "A-1").await.as_deref(), Some("ana"));
    }
);

both!(
    an_admin_moves_an_account_between_teams_and_the_summary_says_so,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "root", Role::Admin, None).await;
        user(&app, org, "ana", Role::Collector, Some("norte")).await;
        user(&app, org, "beto", Role::Collector, Some("sur")).await;
        let admin = login(&app, "root").await;
        upload(&app, &admin, NORTE, &[("date", "2026-11-24")]).await;

        let moved = NORTE.replace(",ana\n", ",beto\n");
        let r = upload(&app, &admin, &moved, &[("date", "2026-11-24")]).await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["debtors_updated"], 1);
        assert_eq!(r.body["debtors_moved_between_teams"], 1, "{}", r.text);
        assert_eq!(collector_of(&app, "A-1").await.as_deref(), Some("beto"));
    }
);

both!(
    a_supervisor_cannot_take_an_unassigned_account_another_team_has_visited,
    |app: TestApp| async move {
        let org = org(&app).await;
        user(&app, org, "root", Role::Admin, None).await;
        let ana = user(&app, org, "ana", Role::Collector, Some("norte")).await;
        user(&app, org, "sofia", Role::Supervisor, Some("sur")).await;
        user(&app, org, "beto", Role::Collector, Some("sur")).await;
        let admin = login(&app, "root").await;
        upload(&app, &admin, NORTE, &[("date", "2026-11-24")]).await;
        crate::reads::exec(
            app.db(),
            "insert into visits (id, account_id, collector_id, status, created_ms)
             select '00000000-0000-7000-8000-0000000000b9', id, $1, 'done', 0
             from accounts where external_id = 'A-1'",
            &[&ana.id.to_string()],
        )
        .await;
        let unassigned = NORTE.replace(",ana\n", ",\n");
        let r = upload(&app, &admin, &unassigned, &[("date", "2026-11-24")]).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(collector_of(&app, "A-1").await, None);
        let sofia = login(&app, "sofia").await;

        let takeover = NORTE.replace(",ana\n", ",beto\n");
        let r = upload(&app, &sofia, &takeover, &[("date", "2026-11-24")]).await;

        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.body["rows_rejected_count"], 1, "{}", r.text);
        assert_eq!(collector_of(&app, "A-1").await, None);
    }
);
