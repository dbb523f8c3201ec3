//! Form media over HTTP: an upload with `media` parts stores the files with the version and
//! serves them to the organization's devices (not to another organization); a file the form
//! reads but was not given is a warning naming it; a bad CSV is refused naming its line; a part
//! over 10 MiB is refused with 413 before the rest of it is read; a name with a folder is
//! refused; the preview evaluates `pulldata` with the stored table.

use axum::body::{Body, Bytes};
use axum::http::{Method, Request, header};
use serde_json::{Value, json};
use terreno_shared::model::Role;

use crate::auth::{login, org, user};
use crate::both;
use crate::harness::{Resp, TestApp};

const BOUNDARY: &str = "terreno-media-boundary";

/// Reads `tramos.csv` twice: a select's choices and a `pulldata`.
const FORM: &str = "type,name,label,calculation\n\
    select_one_from_file tramos.csv,tramo,Tramo,\n\
    calculate,tasa,,\"pulldata('tramos', 'tasa', 'name', ${tramo})\"\n";

const TRAMOS: &str = "name,label,tasa\nbajo,Bajo,0.5\nalto,Alto,2.5\n";

/// The multipart body: the form as `file`, then each `(file name, bytes)` as a `media` part.
fn body(media: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"tarifas.csv\"\r\n\r\n{FORM}"
    )
    .into_bytes();
    for (name, bytes) in media {
        body.extend_from_slice(
            format!(
                "\r\n--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"media\"; \
                 filename=\"{name}\"\r\ncontent-type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
    }
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload(app: &TestApp, token: &str, body: Body) -> Resp {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/forms")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .expect("request");
    app.send(req).await
}

async fn admin(app: &TestApp) -> String {
    let org = org(app).await;
    user(app, org, "root", Role::Admin, None).await;
    login(app, "root").await
}

fn media_path(version: &Value, name: &str) -> String {
    let id = version.as_str().expect("a version id");
    format!("/api/v1/forms/versions/{id}/media/{name}")
}

both!(
    media_files_are_stored_with_the_version_and_served_to_its_organization_only,
    |app: TestApp| async move {
        let token = admin(&app).await;
        let acme = org(&app).await;
        user(&app, acme, "ana", Role::Collector, Some("norte")).await;
        let other = app
            .db()
            .orgs()
            .insert("otra", chrono_tz::America::Bogota)
            .await
            .expect("another organization")
            .id;
        user(&app, other, "otro.admin", Role::Admin, None).await;

        let r = upload(
            &app,
            &token,
            Body::from(body(&[("tramos.csv", TRAMOS.as_bytes())])),
        )
        .await;

        assert_eq!(r.status, 201, "{}", r.text);
        assert!(!r.text.contains("not among its media files"), "{}", r.text);
        let path = media_path(&r.body["id"], "tramos.csv");
        let collector = login(&app, "ana").await;
        let got = app.get(&path, Some(&collector)).await;
        assert_eq!(got.status, 200, "{}", got.text);
        assert_eq!(got.text, TRAMOS);
        let foreign = app.get(&path, Some(&login(&app, "otro.admin").await)).await;
        assert_eq!(foreign.status, 404, "{}", foreign.text);
        assert_eq!(app.get(&path, None).await.status, 401);
        let listed = app.get("/api/v1/forms", Some(&collector)).await;
        assert_eq!(listed.status, 200);
        let stored = app
            .db()
            .forms()
            .find(acme, "tarifas", None)
            .await
            .expect("finding")
            .expect("stored");
        let preview = app
            .post(
                &format!("/api/v1/forms/versions/{}/preview", stored.summary.id),
                Some(&token),
                &json!({"answers": {"tramo": "alto"}}),
            )
            .await;
        assert_eq!(preview.status, 200, "{}", preview.text);
        assert_eq!(
            preview.body["state"]["calculated"]["tasa"], "2.5",
            "{}",
            preview.text
        );
        let tramo = (preview.body["items"].as_array().expect("items").iter())
            .find(|i| i["path"] == "tramo")
            .expect("the select");
        assert_eq!(
            tramo["choices"][1],
            json!({"name": "alto", "label": "Alto"})
        );
    }
);

both!(
    a_form_without_the_file_it_reads_imports_with_a_warning_naming_it,
    |app: TestApp| async move {
        let token = admin(&app).await;

        let r = upload(&app, &token, Body::from(body(&[]))).await;

        assert_eq!(r.status, 201, "{}", r.text);
        let warnings = r.body["warnings"].as_array().expect("warnings");
        assert_eq!(warnings.len(), 1, "{}", r.text);
        assert_eq!(warnings[0]["row"], 2);
        let message = warnings[0]["message"].as_str().expect("a message");
        assert!(message.contains("tramos.csv"), "{message}");
    }
);

both!(
    a_bad_csv_is_refused_naming_its_file_and_line_and_nothing_is_stored,
    |app: TestApp| async move {
        let token = admin(&app).await;
        let bad = "name,label,tasa\nbajo,Bajo,0.5\nalto,\"Alto,2.5\n";

        let r = upload(
            &app,
            &token,
            Body::from(body(&[("tramos.csv", bad.as_bytes())])),
        )
        .await;

        assert_eq!(r.status, 422, "{}", r.text);
        let message = r.body["message"].as_str().expect("a message");
        assert!(message.starts_with("tramos.csv, line 3: "), "{message}");
        let forms = app
            .db()
            .forms()
            .list(org(&app).await)
            .await
            .expect("listing");
        assert!(forms.iter().all(|f| f.form_id != "tarifas"));
    }
);

both!(
    a_media_name_with_a_folder_or_an_unknown_extension_is_refused,
    |app: TestApp| async move {
        let token = admin(&app).await;
        for name in ["../tramos.csv", "tramos.exe"] {
            let r = upload(&app, &token, Body::from(body(&[(name, TRAMOS.as_bytes())]))).await;

            assert_eq!(r.status, 422, "{name}: {}", r.text);
            assert!(r.text.contains(name), "{name}: {}", r.text);
        }
    }
);

both!(
    a_media_part_over_10_mib_is_refused_with_413_before_the_rest_is_read,
    |app: TestApp| async move {
        let token = admin(&app).await;
        let head = body(&[("tramos.csv", b"name,label\n")]);
        // The part's bytes: 10 MiB and one chunk more, then a body that never ends. A server
        // that read the whole part before checking it would wait here forever.
        let cut = head.len() - format!("\r\n--{BOUNDARY}--\r\n").len();
        let chunks = [
            Bytes::copy_from_slice(&head[..cut]),
            Bytes::from(vec![b'a'; 10 << 20]),
            Bytes::from(vec![b'a'; 64 << 10]),
        ];
        let stream = futures_util::stream::StreamExt::chain(
            futures_util::stream::iter(chunks.map(Ok::<_, std::io::Error>)),
            futures_util::stream::pending(),
        );

        let r = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            upload(&app, &token, Body::from_stream(stream)),
        )
        .await
        .expect("answered without reading the rest of the part");

        assert_eq!(r.status, 413, "{}", r.text);
        assert!(r.text.contains("tramos.csv"), "{}", r.text);
    }
);
