//! `POST /api/v1/imports/payments`: a creditor's payment file in a Latin-1 `;` CSV with Spanish
//! numbers and in XLSX, per-row errors with line and column that store nothing, re-importing
//! that changes nothing, an external id two portfolios hold, a supervisor's team scope, and the
//! payment reaching the collector's pull.

use axum::body::Body;
use axum::http::{Method, Request, header};
use serde_json::Value;
use terreno_shared::model::Role;

use crate::auth::{login, org, user};
use crate::both;
use crate::harness::{Resp, TestApp};
use crate::pull::{ids, settle};

const PATH: &str = "/api/v1/imports/payments";

/// Accounts of `ana` (team norte) in `portfolio`, and A-9 unassigned.
fn route(ids: [&str; 3]) -> String {
    format!(
        "external_id,debtor_name,address,balance,collector\n\
         {},José Núñez,Calle 1,500000,ana\n{},Ana Díaz,Calle 4,300000,ana\n{},Luis Peña,Calle 5,90000,\n",
        ids[0], ids[1], ids[2]
    )
}

/// The payment file as a bank exports it: Latin-1, `;`, Spanish headers and numbers.
pub fn latin1_payments() -> Vec<u8> {
    let mut file = b"Obligaci\xf3n;Valor pago;Fecha de pago;Comprobante;Medio de pago\r\n".to_vec();
    file.extend_from_slice(b"A-1;250.000;26/11/2026;R-77;Consignaci\xf3n\r\n");
    file.extend_from_slice(b"A-2;1.234,50;27/11/2026;R-78;PSE\r\n");
    file
}

/// A multipart upload of `file` with extra text parts.
async fn upload(app: &TestApp, token: &str, file: &[u8], parts: &[(&str, &str)]) -> Resp {
    let boundary = "terreno-test-boundary";
    let mut body = Vec::new();
    for (name, value) in parts {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"pagos.csv\"\r\n\
             content-type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
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

/// Imports route accounts into `portfolio` as the admin.
async fn accounts(app: &TestApp, portfolio: &str, ids: [&str; 3]) {
    let org = org(app).await;
    let reader = terreno_server::import::open_text(
        std::io::Cursor::new(route(ids).into_bytes()),
        &terreno_server::import::ImportOptions::new(terreno_shared::model::Currency::COP),
    )
    .expect("a route file");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("a day");
    let setup = terreno_server::db::import::Setup {
        org,
        portfolio,
        date: day,
        as_of: day,
        team: None,
        only_team: None,
        all_or_nothing: true,
        close_missing: false,
    };
    let summary = app
        .db()
        .imports()
        .run(reader, &setup, &())
        .await
        .expect("importing");
    assert!(summary.written, "{summary:?}");
}

async fn stored(app: &TestApp) -> Vec<Value> {
    let org = org(app).await;
    let list = app
        .db()
        .payments()
        .list(org)
        .await
        .expect("listing payments");
    list.iter()
        .map(|p| serde_json::to_value(p).expect("json"))
        .collect()
}

/// Team norte: supervisor `sofia`, collector `ana`; team sur: supervisor `sur.sup`.
async fn people(app: &TestApp) {
    let org = org(app).await;
    user(app, org, "sofia", Role::Supervisor, Some("norte")).await;
    user(app, org, "ana", Role::Collector, Some("norte")).await;
    user(app, org, "sur.sup", Role::Supervisor, Some("sur")).await;
}

both!(
    a_latin1_semicolon_payment_file_is_stored_once_and_reimporting_changes_nothing,
    |app: TestApp| async move {
        people(&app).await;
        accounts(&app, "cartera", ["A-1", "A-2", "A-9"]).await;
        let token = login(&app, "sofia").await;

        let first = upload(&app, &token, &latin1_payments(), &[]).await;
        let again = upload(&app, &token, &latin1_payments(), &[]).await;

        assert_eq!(first.status, 200, "{}", first.text);
        assert_eq!(first.body["payments_new"], 2);
        assert_eq!(first.body["payments_unchanged"], 0);
        assert_eq!(again.status, 200, "{}", again.text);
        assert_eq!(again.body["payments_new"], 0);
        assert_eq!(again.body["payments_unchanged"], 2);
        let rows = stored(&app).await;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["external_id"], "A-1");
        assert_eq!(rows[0]["amount_minor"], 25_000_000);
        assert_eq!(rows[0]["paid_on"], "2026-11-26");
        assert_eq!(rows[0]["channel"], "Consignación");
        assert_eq!(rows[0]["source"], "file");
        assert_eq!(rows[1]["amount_minor"], 123_450);
    }
);

both!(
    a_bad_row_is_reported_with_line_and_column_and_nothing_is_stored,
    |app: TestApp| async move {
        people(&app).await;
        accounts(&app, "cartera", ["A-1", "A-2", "A-9"]).await;
        let token = login(&app, "sofia").await;
        let file = "cuenta;valor;fecha;referencia\nA-1;100;2026-11-26;R1\nA-2;cien;2026-11-26;R2\nZ-404;5;2026-11-26;R3\n";

        let r = upload(&app, &token, file.as_bytes(), &[]).await;

        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.body["written"], false);
        assert_eq!(r.body["rows_rejected_count"], 2);
        assert_eq!(r.body["rows_rejected"][0]["line"], 3);
        assert_eq!(r.body["rows_rejected"][0]["column"], "valor");
        assert_eq!(r.body["rows_rejected"][1]["line"], 4);
        assert_eq!(r.body["rows_rejected"][1]["column"], "cuenta");
        assert!(
            stored(&app).await.is_empty(),
            "the good row was not stored either"
        );
    }
);

both!(
    an_external_id_in_two_portfolios_is_refused_unless_the_portfolio_is_named,
    |app: TestApp| async move {
        people(&app).await;
        accounts(&app, "norte", ["A-1", "A-2", "A-9"]).await;
        accounts(&app, "sur", ["A-1", "B-2", "B-9"]).await;
        let token = login(&app, "sofia").await;
        let file =
            b"external_id,amount,date,reference\nA-2,10,2026-11-26,X1\nA-1,10,2026-11-26,X2\n";

        let ambiguous = upload(&app, &token, file, &[]).await;
        let named = upload(&app, &token, file, &[("portfolio", "norte")]).await;

        assert_eq!(ambiguous.status, 422, "{}", ambiguous.text);
        let refusal = &ambiguous.body["rows_rejected"][0];
        assert_eq!(refusal["line"], 3);
        assert!(
            refusal["reason"].as_str().unwrap().contains("norte, sur"),
            "{refusal}"
        );
        assert_eq!(named.status, 200, "{}", named.text);
        assert_eq!(named.body["payments_new"], 2);
        let rows = stored(&app).await;
        assert!(rows.iter().all(|p| p["portfolio"] == "norte"), "{rows:?}");
    }
);

both!(
    an_xlsx_payment_file_imports_like_csv,
    |app: TestApp| async move {
        people(&app).await;
        accounts(&app, "cartera", ["A-1", "A-2", "A-9"]).await;
        let token = login(&app, "sofia").await;
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["id_cliente", "monto", "fecha_pago", "referencia", "canal"]
            .iter()
            .enumerate()
        {
            sheet.write_string(0, c as u16, *h).expect("a header");
        }
        sheet.write_string(1, 0, "A-9").expect("a cell");
        sheet.write_number(1, 1, 45000.5).expect("a cell");
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 11, 30).expect("a date");
        let format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
        sheet
            .write_datetime_with_format(1, 2, &date, &format)
            .expect("a cell");
        sheet.write_string(1, 3, "TX-1").expect("a cell");
        let file = book.save_to_buffer().expect("saving");

        let r = upload(&app, &token, &file, &[]).await;

        assert_eq!(r.status, 200, "{}", r.text);
        let rows = stored(&app).await;
        assert_eq!(rows[0]["external_id"], "A-9");
        assert_eq!(rows[0]["amount_minor"], 4_500_050);
        assert_eq!(rows[0]["paid_on"], "2026-11-30");
        assert_eq!(rows[0]["channel"], Value::Null);
    }
);

both!(
    a_supervisor_cannot_record_another_teams_payments_nor_a_collector_any,
    |app: TestApp| async move {
        people(&app).await;
        accounts(&app, "cartera", ["A-1", "A-2", "A-9"]).await;
        let other_team = login(&app, "sur.sup").await;
        let collector = login(&app, "ana").await;

        let refused = upload(&app, &other_team, &latin1_payments(), &[]).await;
        let forbidden = upload(&app, &collector, &latin1_payments(), &[]).await;

        assert_eq!(refused.status, 422, "{}", refused.text);
        assert_eq!(refused.body["rows_rejected_count"], 2);
        assert_eq!(forbidden.status, 403, "{}", forbidden.text);
        assert!(stored(&app).await.is_empty());
    }
);

both!(
    a_stored_payment_reaches_its_collectors_pull,
    |app: TestApp| async move {
        people(&app).await;
        accounts(&app, "cartera", ["A-1", "A-2", "A-9"]).await;
        let (sofia, ana) = (login(&app, "sofia").await, login(&app, "ana").await);

        let r = upload(&app, &sofia, &latin1_payments(), &[]).await;
        settle(app.db()).await;
        let page = app
            .get("/api/v1/sync/pull?cursor=&limit=500", Some(&ana))
            .await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(page.status, 200, "{}", page.text);
        let payments: Vec<&Value> = page.body["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .filter(|c| c["entity_type"] == "payment")
            .collect();
        assert_eq!(payments.len(), 2, "{:?}", ids(&page.body));
        assert_eq!(payments[0]["body"]["reference"], "R-77");
        assert_eq!(payments[0]["body"]["amount_minor"], 25_000_000);
        assert_eq!(payments[0]["body"]["currency"], "COP");
        assert_eq!(payments[0]["body"]["date"], "2026-11-26");
    }
);
