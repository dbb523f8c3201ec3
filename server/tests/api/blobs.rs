//! Attachment blobs: chunked resumable upload, its refusals, server-generated storage names and
//! who may download.

use axum::body::Body;
use axum::http::{Method, Request, header};
use ring::digest;
use terreno_server::db::now_ms;
use terreno_server::db::users::NewUser;
use terreno_shared::ids::UserId;
use terreno_shared::model::Role;

use crate::both;
use crate::harness::{Resp, TestApp};

/// A user of the test's organization with a valid token.
pub async fn user_with_token(app: &TestApp, name: &str, role: Role) -> (UserId, String) {
    let org = app
        .db()
        .orgs()
        .resolve(None, "default", chrono_tz::America::Bogota)
        .await
        .expect("the organization");
    let new = NewUser {
        username: name,
        role,
        team: None,
        display_name: None,
    };
    let user = app.db().users().insert(org.id, &new).await.expect("a user");
    let token = terreno_server::auth::new_token().expect("a token");
    let hash = terreno_server::auth::token_hash(&token);
    app.db()
        .users()
        .insert_token(user.id, &hash, now_ms() + 3_600_000)
        .await
        .expect("storing the token");
    (user.id, token)
}

fn content(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

fn sha256_hex(data: &[u8]) -> String {
    let d = digest::digest(&digest::SHA256, data);
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

async fn put_chunk(app: &TestApp, token: &str, sha: &str, range: &str, chunk: &[u8]) -> Resp {
    let req = Request::builder()
        .method(Method::PUT)
        .uri(format!("/api/v1/blobs/{sha}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "image/jpeg")
        .header(header::CONTENT_RANGE, range)
        .body(Body::from(chunk.to_vec()))
        .expect("request");
    app.send(req).await
}

/// Names of the files in the blob directory (none when it does not exist).
fn stored_files(app: &TestApp) -> Vec<String> {
    match std::fs::read_dir(&app.state.config.blob_dir) {
        Ok(dir) => dir
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn remove_blob_dir(app: &TestApp) {
    let _ = std::fs::remove_dir_all(&app.state.config.blob_dir);
}

both!(
    a_blob_uploaded_in_three_chunks_resumes_from_its_status_and_completes,
    |app: TestApp| async move {
        let (_, token) = user_with_token(&app, "gestor.uno", Role::Collector).await;
        let data = content(3000);
        let sha = sha256_hex(&data);
        let status_path = format!("/api/v1/blobs/{sha}/status");

        let first = put_chunk(&app, &token, &sha, "bytes 0-999/3000", &data[..1000]).await;
        let after_first = app.get(&status_path, Some(&token)).await;
        put_chunk(
            &app,
            &token,
            &sha,
            "bytes 1000-1999/3000",
            &data[1000..2000],
        )
        .await;
        let after_second = app.get(&status_path, Some(&token)).await;
        let last = put_chunk(&app, &token, &sha, "bytes 2000-2999/3000", &data[2000..]).await;
        let again = put_chunk(&app, &token, &sha, "bytes 0-999/3000", &data[..1000]).await;

        assert_eq!(first.status, 200, "{}", first.text);
        assert_eq!(after_first.body["received"], 1000, "{}", after_first.text);
        assert_eq!(after_first.body["bytes"], 3000);
        assert_eq!(after_first.body["complete"], false);
        assert_eq!(after_second.body["received"], 2000, "{}", after_second.text);
        assert_eq!(last.status, 200, "{}", last.text);
        assert_eq!(last.body["complete"], true, "{}", last.text);
        assert_eq!(
            (again.status.as_u16(), &again.body["complete"]),
            (200, &true.into())
        );
        let files = stored_files(&app);
        assert_eq!(files.len(), 1, "{files:?}");
        let stored = std::fs::read(app.state.config.blob_dir.join(&files[0])).expect("the file");
        assert_eq!(stored, data);
        remove_blob_dir(&app);
    }
);

both!(
    a_chunk_at_the_wrong_offset_is_refused_naming_the_expected_offset,
    |app: TestApp| async move {
        let (_, token) = user_with_token(&app, "gestor.uno", Role::Collector).await;
        let data = content(3000);
        let sha = sha256_hex(&data);
        put_chunk(&app, &token, &sha, "bytes 0-999/3000", &data[..1000]).await;

        let skipped = put_chunk(&app, &token, &sha, "bytes 2000-2999/3000", &data[2000..]).await;
        let other = sha256_hex(b"other");
        let fresh = put_chunk(&app, &token, &other, "bytes 5-9/10", b"abcde").await;

        assert_eq!(skipped.status, 409, "{}", skipped.text);
        assert_eq!(skipped.body["code"], "wrong_offset");
        assert!(skipped.text.contains("1000"), "{}", skipped.text);
        assert_eq!(fresh.status, 409, "{}", fresh.text);
        assert!(fresh.text.contains("offset 0"), "{}", fresh.text);
        let status = app.db().blobs().find(&sha).await.unwrap().unwrap();
        assert_eq!((status.received, status.complete), (1000, false));
        assert!(app.db().blobs().find(&other).await.unwrap().is_none());
        remove_blob_dir(&app);
    }
);

both!(
    a_chunk_whose_body_disagrees_with_its_range_is_refused_and_not_counted,
    |app: TestApp| async move {
        let (_, token) = user_with_token(&app, "gestor.uno", Role::Collector).await;
        let data = content(2000);
        let sha = sha256_hex(&data);
        put_chunk(&app, &token, &sha, "bytes 0-999/2000", &data[..1000]).await;

        let long = put_chunk(&app, &token, &sha, "bytes 1000-1499/2000", &data[1000..]).await;
        let short = put_chunk(
            &app,
            &token,
            &sha,
            "bytes 1000-1999/2000",
            &data[1000..1500],
        )
        .await;
        let garbled = put_chunk(&app, &token, &sha, "bytes 1000/2000", &data[1000..]).await;

        for r in [&long, &short, &garbled] {
            assert_eq!(r.status, 400, "{}", r.text);
        }
        let blob = app.db().blobs().find(&sha).await.unwrap().unwrap();
        assert_eq!(blob.received, 1000);
        let done = put_chunk(&app, &token, &sha, "bytes 1000-1999/2000", &data[1000..]).await;
        assert_eq!(done.body["complete"], true, "{}", done.text);
        remove_blob_dir(&app);
    }
);

both!(
    content_that_does_not_match_its_hash_is_refused_with_422_and_nothing_is_kept,
    |app: TestApp| async move {
        let (_, token) = user_with_token(&app, "gestor.uno", Role::Collector).await;
        let data = content(1500);
        let claimed = sha256_hex(b"something else entirely");
        put_chunk(&app, &token, &claimed, "bytes 0-999/1500", &data[..1000]).await;

        let last = put_chunk(
            &app,
            &token,
            &claimed,
            "bytes 1000-1499/1500",
            &data[1000..],
        )
        .await;

        assert_eq!(last.status, 422, "{}", last.text);
        assert!(last.text.contains("discarded"), "{}", last.text);
        assert!(app.db().blobs().find(&claimed).await.unwrap().is_none());
        assert_eq!(stored_files(&app), Vec::<String>::new());
        let status = app
            .get(&format!("/api/v1/blobs/{claimed}/status"), Some(&token))
            .await;
        assert_eq!(
            (
                status.body["received"].as_i64(),
                status.body["complete"].as_bool()
            ),
            (Some(0), Some(false))
        );
        remove_blob_dir(&app);
    }
);

both!(
    a_blob_over_the_size_limit_is_refused_with_413_before_anything_is_stored,
    |app: TestApp| async move {
        let (_, token) = user_with_token(&app, "gestor.uno", Role::Collector).await;
        let max = app.state.config.max_blob_bytes;
        let sha = sha256_hex(b"big");

        let r = put_chunk(
            &app,
            &token,
            &sha,
            &format!("bytes 0-2/{}", max + 1),
            b"big",
        )
        .await;

        assert_eq!(r.status, 413, "{}", r.text);
        assert_eq!(r.body["code"], "too_large");
        assert!(app.db().blobs().find(&sha).await.unwrap().is_none());
        assert_eq!(stored_files(&app), Vec::<String>::new());
    }
);

both!(
    names_that_look_like_paths_are_refused_and_files_get_server_generated_names,
    |app: TestApp| async move {
        let (_, token) = user_with_token(&app, "gestor.uno", Role::Collector).await;
        let data = content(10);
        let sha = sha256_hex(&data);

        let traversal = put_chunk(
            &app,
            &token,
            "..%2F..%2Fetc%2Fpasswd",
            "bytes 0-9/10",
            &data,
        )
        .await;
        let query = app
            .get("/api/v1/blobs/..%2Fterreno.db/status", Some(&token))
            .await;
        let ok = put_chunk(&app, &token, &sha.to_uppercase(), "bytes 0-9/10", &data).await;

        assert_eq!(traversal.status, 400, "{}", traversal.text);
        assert_eq!(traversal.body["code"], "invalid_hash");
        assert_eq!(query.status, 400, "{}", query.text);
        assert_eq!(ok.body["sha256"], sha.as_str(), "{}", ok.text);
        let files = stored_files(&app);
        assert_eq!(files.len(), 1);
        for name in files {
            assert!(uuid::Uuid::parse_str(&name).is_ok(), "{name} is not a UUID");
        }
        remove_blob_dir(&app);
    }
);

both!(
    only_someone_who_may_see_a_referencing_visit_downloads_a_blob,
    |app: TestApp| async move {
        let (owner, owner_token) = user_with_token(&app, "gestor.uno", Role::Collector).await;
        let (other_id, other_token) = user_with_token(&app, "gestor.dos", Role::Collector).await;
        let (_, supervisor_token) = user_with_token(&app, "super.visor", Role::Supervisor).await;
        let data = content(1200);
        let sha = sha256_hex(&data);
        let path = format!("/api/v1/blobs/{sha}");
        put_chunk(&app, &owner_token, &sha, "bytes 0-1199/1200", &data).await;
        let before_reference = app.get(&path, Some(&owner_token)).await;
        reference_from_a_visit(&app, owner, owner, &sha).await;

        let other = app.get(&path, Some(&other_token)).await;
        let anonymous = app.get(&path, None).await;
        let mine = download(&app, &path, &owner_token).await;
        let supervisor = app.get(&path, Some(&supervisor_token)).await;

        assert_eq!(before_reference.status, 404, "no visit references it yet");
        assert_eq!(other.status, 404, "{}", other.text);
        assert_eq!(anonymous.status, 401);
        assert_eq!(mine.0, 200);
        assert_eq!(mine.1.as_deref(), Some("image/jpeg"));
        assert_eq!(mine.2, data, "the exact bytes");
        assert_eq!(
            supervisor.status, 200,
            "the owner's team supervisor sees it"
        );
        // A reference added by someone other than the uploader (who learnt the hash somewhere)
        // grants nothing, even on a visit the caller may see.
        let other_data = content(900);
        let other_sha = sha256_hex(&other_data);
        put_chunk(
            &app,
            &owner_token,
            &other_sha,
            "bytes 0-899/900",
            &other_data,
        )
        .await;
        reference_from_a_visit(&app, owner, other_id, &other_sha).await;
        let borrowed = app
            .get(&format!("/api/v1/blobs/{other_sha}"), Some(&owner_token))
            .await;
        assert_eq!(borrowed.status, 404, "{}", borrowed.text);
        remove_blob_dir(&app);
    }
);

/// Status, content type and exact body of a download.
async fn download(app: &TestApp, path: &str, token: &str) -> (u16, Option<String>, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req = Request::builder()
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let resp = terreno_server::router(app.state.clone())
        .oneshot(req)
        .await
        .expect("the router never fails");
    let status = resp.status().as_u16();
    let media = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned());
    let body = resp
        .into_body()
        .collect()
        .await
        .expect("the body")
        .to_bytes();
    (status, media, body.to_vec())
}

/// A visit of `collector` on an account of theirs, with an attachment row naming `sha` added by
/// a device of `adder`.
async fn reference_from_a_visit(app: &TestApp, collector: UserId, adder: UserId, sha: &str) {
    let account = crate::demo::one_account_of(app, "gestor.uno").await;
    let visit = uuid::Uuid::now_v7().to_string();
    let device = uuid::Uuid::now_v7().to_string();
    terreno_server::on_write!(app.db(), |pool| {
        sqlx::query(
            "insert into visits (id, account_id, collector_id, created_ms) values ($1, $2, $3, $4)",
        )
        .bind(&visit)
        .bind(&account)
        .bind(collector.to_string())
        .bind(now_ms())
        .execute(pool)
        .await
        .expect("a visit");
        sqlx::query(
            "insert into devices (id, user_id, public_key, label, enrolled_ms)
             values ($1, $2, $3, 'phone', 0)",
        )
        .bind(&device)
        .bind(adder.to_string())
        .bind("00".repeat(32))
        .execute(pool)
        .await
        .expect("a device");
        sqlx::query(
            "insert into visit_attachments (visit_id, attachment_id, sha256, media_type, bytes, role,
                added_device)
             values ($1, $2, $3, 'image/jpeg', 1200, 'photo', $4)",
        )
        .bind(&visit)
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(sha)
        .bind(&device)
        .execute(pool)
        .await
        .expect("an attachment");
    });
}
