//! The `user` and `device` commands, run as the real `terreno-server` binary on a temporary
//! SQLite database: output, exit codes (0 done, 1 failed, 2 bad usage) and what they store.

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use terreno_server::Db;
use terreno_server::db::DbUrl;
use terreno_shared::ids::DeviceId;
use terreno_shared::model::Username;
use terreno_shared::sync::DeviceKey;

use crate::common::TempDb;

/// Helpers over a [`TempDb`] for these tests.
trait CliExt {
    fn ok(&self, args: &[&str], stdin: &str) -> String;
    async fn db(&self) -> Db;
}

impl CliExt for TempDb {
    /// Runs a command that must succeed and returns its stdout.
    fn ok(&self, args: &[&str], stdin: &str) -> String {
        let out = self.run(args, stdin);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    async fn db(&self) -> Db {
        Db::connect(&DbUrl::Sqlite(self.path()))
            .await
            .expect("opening the test database")
    }
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("an exit code")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn users_json(t: &TempDb) -> Vec<Value> {
    let out = t.ok(&["user", "list", "--json"], "");
    serde_json::from_str::<Value>(&out)
        .expect("user list --json prints JSON")
        .as_array()
        .expect("an array")
        .clone()
}

async fn stored_hash(path: &Path, name: &str) -> Option<String> {
    let db = Db::connect(&DbUrl::Sqlite(path.to_owned())).await.unwrap();
    let user = db
        .users()
        .find_login(&Username::parse(name).unwrap())
        .await
        .unwrap();
    db.close().await;
    user.and_then(|u| u.password_hash)
}

#[tokio::test]
async fn users_are_added_invited_given_a_password_from_stdin_listed_and_disabled() {
    let t = TempDb::new("cli");

    let added = t.ok(
        &[
            "user",
            "add",
            "Ana.Ruiz",
            "--role",
            "collector",
            "--display-name",
            "Ana Ruiz",
        ],
        "",
    );
    let invited = users_json(&t);
    let set = t.ok(&["user", "passwd", "ana.ruiz"], "s3cret-pass\n");
    let active = users_json(&t);
    t.ok(&["user", "disable", "ana.ruiz"], "");
    let disabled = users_json(&t);
    let table = t.ok(&["user", "list"], "");

    assert!(added.contains("ana.ruiz"), "{added}");
    assert_eq!(invited.len(), 1);
    let u = &invited[0];
    assert_eq!(u["username"], "ana.ruiz");
    assert_eq!(u["display_name"], "Ana Ruiz");
    assert_eq!(u["role"], "collector");
    assert_eq!(u["team"], "default");
    assert_eq!(
        (&u["active"], &u["invited"]),
        (&Value::Bool(true), &Value::Bool(true))
    );
    assert!(set.contains("ana.ruiz"), "{set}");
    assert_eq!(active[0]["invited"], false);
    assert_eq!(disabled[0]["active"], false);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("USERNAME"), "{table}");
    assert_eq!(lines[0].find("ROLE"), lines[1].find("collector"), "{table}");
    let hash = stored_hash(&t.path(), "ana.ruiz").await.expect("a hash");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let matches = terreno_server::auth::verify_password("s3cret-pass".into(), Some(hash));
    assert!(
        matches.await.unwrap(),
        "the line ending is not part of the password"
    );
}

#[tokio::test]
async fn short_or_empty_passwords_are_refused_and_leave_the_user_invited() {
    let t = TempDb::new("cli");
    t.ok(&["user", "add", "ana", "--role", "collector"], "");

    let short = t.run(&["user", "passwd", "ana"], "short\n");
    let empty = t.run(&["user", "passwd", "ana"], "");

    assert_eq!(code(&short), 1);
    assert!(stderr(&short).contains("at least 8"), "{}", stderr(&short));
    assert_eq!(code(&empty), 1);
    assert!(stderr(&empty).contains("empty"), "{}", stderr(&empty));
    assert_eq!(stored_hash(&t.path(), "ana").await, None);
}

#[test]
fn passwd_never_takes_the_password_as_an_argument() {
    let t = TempDb::new("cli");
    t.ok(&["user", "add", "ana", "--role", "collector"], "");

    let positional = t.run(&["user", "passwd", "ana", "s3cret-pass"], "");
    let flag = t.run(&["user", "passwd", "ana", "--password", "s3cret-pass"], "");

    assert_eq!(code(&positional), 2, "{}", stderr(&positional));
    assert_eq!(code(&flag), 2, "{}", stderr(&flag));
    assert_eq!(users_json(&t)[0]["invited"], true);
}

#[test]
fn failures_exit_1_with_one_sentence_and_bad_usage_exits_2() {
    let t = TempDb::new("cli");
    t.ok(&["user", "add", "ana", "--role", "collector"], "");

    let failures = [
        (
            t.run(&["user", "add", "ana", "--role", "collector"], ""),
            "is taken (usernames are unique across the whole server)",
        ),
        (
            t.run(&["user", "add", "No Spaces", "--role", "admin"], ""),
            "contains ' '",
        ),
        (
            t.run(
                &["user", "add", "root", "--role", "admin", "--team", "x"],
                "",
            ),
            "no team",
        ),
        (t.run(&["user", "disable", "nobody"], ""), "no user named"),
        (
            t.run(&["user", "passwd", "nobody"], "s3cret-pass\n"),
            "no user named",
        ),
        (
            t.run(&["device", "revoke", "not-a-uuid"], ""),
            "not a device id",
        ),
    ];
    let usage = [
        t.run(&["user", "add", "beto"], ""),
        t.run(&["user", "add", "beto", "--role", "boss"], ""),
        t.run(&["user", "frobnicate"], ""),
        t.run(&["device", "list", "--yaml"], ""),
    ];

    for (out, says) in &failures {
        let err = stderr(out);
        assert_eq!(code(out), 1, "{err}");
        assert!(err.contains(says), "{err:?} should say {says:?}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    for out in &usage {
        assert_eq!(code(out), 2, "{}", stderr(out));
    }
    assert!(
        stderr(&usage[1]).contains("admin, supervisor, collector"),
        "an unknown role lists the valid ones: {}",
        stderr(&usage[1])
    );
    assert_eq!(users_json(&t).len(), 1, "failed commands stored nothing");
}

#[tokio::test]
async fn devices_are_listed_and_revoked_by_id() {
    let t = TempDb::new("cli");
    t.ok(&["user", "add", "ana", "--role", "collector"], "");
    let db = t.db().await;
    let ana = db
        .users()
        .find_login(&Username::parse("ana").unwrap())
        .await
        .unwrap()
        .unwrap();
    let id = DeviceId::from_uuid(uuid::Uuid::now_v7());
    let key = DeviceKey::from_seed(&[3; 32]).unwrap().public_key();
    db.devices()
        .enroll(ana.info.id, id, key, "Moto G")
        .await
        .unwrap();
    db.close().await;

    let before: Value = serde_json::from_str(&t.ok(&["device", "list", "--json"], "")).unwrap();
    let revoked = t.ok(&["device", "revoke", &id.to_string()], "");
    let unknown = t.run(&["device", "revoke", &uuid::Uuid::now_v7().to_string()], "");
    let after: Value = serde_json::from_str(&t.ok(&["device", "list", "--json"], "")).unwrap();
    let table = t.ok(&["device", "list"], "");

    let d = &before[0];
    assert_eq!(d["id"], id.to_string());
    assert_eq!(
        (&d["user"], &d["label"], &d["head"]),
        (&"ana".into(), &"Moto G".into(), &0.into())
    );
    assert!(d["enrolled_at"].is_string());
    assert!(d["revoked_at"].is_null() && d["last_seen_at"].is_null());
    assert!(revoked.contains(&id.to_string()), "{revoked}");
    assert_eq!(code(&unknown), 1);
    assert!(
        stderr(&unknown).contains("no device"),
        "{}",
        stderr(&unknown)
    );
    assert!(after[0]["revoked_at"].is_string());
    assert!(table.starts_with("ID"), "{table}");
    assert!(table.contains("Moto G"), "{table}");
    let db = t.db().await;
    assert!(db.devices().find(id).await.unwrap().unwrap().revoked);
    db.close().await;
}

#[test]
fn listing_an_empty_database_works() {
    let t = TempDb::new("cli");

    let users = t.ok(&["user", "list", "--json"], "");
    let devices = t.ok(&["device", "list", "--json"], "");
    let table = t.ok(&["device", "list"], "");

    assert_eq!(
        serde_json::from_str::<Value>(&users).unwrap(),
        Value::Array(vec![])
    );
    assert_eq!(
        serde_json::from_str::<Value>(&devices).unwrap(),
        Value::Array(vec![])
    );
    assert!(table.starts_with("ID"), "{table}");
}

#[test]
fn add_tracker_registers_an_osmand_identifier_for_a_collector_once() {
    let t = TempDb::new("cli");
    t.ok(&["user", "add", "ana", "--role", "collector"], "");
    t.ok(&["user", "add", "jefe", "--role", "supervisor"], "");

    let out = t.ok(
        &[
            "device",
            "add-tracker",
            "--user",
            "ana",
            "--id",
            "358240051111110",
        ],
        "",
    );
    let again = t.run(
        &[
            "device",
            "add-tracker",
            "--user",
            "ana",
            "--id",
            "358240051111110",
        ],
        "",
    );
    let not_collector = t.run(
        &["device", "add-tracker", "--user", "jefe", "--id", "x"],
        "",
    );

    assert!(
        out.contains("358240051111110") && out.contains("ana"),
        "{out}"
    );
    assert_eq!(code(&again), 1);
    assert!(
        stderr(&again).contains("already registered"),
        "{}",
        stderr(&again)
    );
    assert_eq!(code(&not_collector), 1);
    assert!(stderr(&not_collector).contains("not an active collector"));
    let listed: Vec<Value> =
        serde_json::from_str(&t.ok(&["device", "list", "--json"], "")).expect("devices");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["label"], "tracker 358240051111110");
}

#[test]
fn user_email_sets_validates_and_clears_an_address_and_email_list_shows_the_outbox() {
    let t = TempDb::new("cli");
    t.ok(&["user", "add", "sofia", "--role", "supervisor"], "");

    let set = t.ok(&["user", "email", "sofia", "sofia@example.org"], "");
    let bad = t.run(&["user", "email", "sofia", "not an address"], "");
    let cleared = t.ok(&["user", "email", "sofia"], "");
    let listed = t.ok(&["email", "list", "--json"], "");

    assert!(set.contains("sofia@example.org"), "{set}");
    assert_eq!(code(&bad), 1);
    assert!(
        stderr(&bad).contains("not an email address"),
        "{}",
        stderr(&bad)
    );
    assert!(cleared.contains("no visit emails"), "{cleared}");
    assert_eq!(listed.trim(), "[]");
}

#[test]
fn serve_refuses_an_invalid_smtp_url_or_from_address() {
    let t = TempDb::new("cli");

    let url = t.run(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--smtp-url",
            "gopher://x",
        ],
        "",
    );
    let from = t.run(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--mail-dir",
            "m",
            "--mail-from",
            "nadie",
        ],
        "",
    );

    assert_eq!(code(&url), 1);
    assert!(stderr(&url).contains("SMTP URL"), "{}", stderr(&url));
    assert_eq!(code(&from), 1);
    assert!(stderr(&from).contains("From address"), "{}", stderr(&from));
}
