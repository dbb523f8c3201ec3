//! `form add FILE --media PATH...` as the real binary on a temporary SQLite database: the files
//! are stored with the version (and listed with it for devices), a file the form reads but was
//! not given is a warning naming it, and a bad media file is refused with its file and line,
//! storing nothing.

use serde_json::Value;

use crate::common::TempDb;

const FORM: &str = "type,name,label,calculation\n\
    select_one_from_file tramos.csv,tramo,Tramo,\n\
    calculate,zona,,\"instance('zonas')/root/item[name = 'z1']/label\"\n";

fn add(db: &TempDb, args: &[&str]) -> (i32, Value, String) {
    let form = db.file("tarifas.csv", FORM.as_bytes());
    let mut all = vec!["form", "add", form.to_str().expect("utf-8 path"), "--json"];
    all.extend_from_slice(args);
    let out = db.run(&all, "");
    (
        out.status.code().expect("exit code"),
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn form_add_stores_its_media_files_and_warns_about_the_missing_one() {
    let db = TempDb::new("form-media");
    let tramos = db.file("tramos.csv", b"name,label\nbajo,Bajo\nalto,Alto\n");

    let (code, json, stderr) = add(&db, &["--media", tramos.to_str().expect("utf-8 path")]);

    assert_eq!(code, 0, "{stderr}");
    let warnings = json["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{json}");
    let message = warnings[0]["message"].as_str().expect("a message");
    assert!(
        message.contains("zonas.csv, zonas.xml or zonas.geojson"),
        "{message}"
    );
    assert!(!message.contains("tramos"), "{message}");
    assert_eq!(json["form_id"], "tarifas");
    let out = db.run(&["form", "list", "--json"], "");
    let listed: Vec<Value> = serde_json::from_slice(&out.stdout).expect("a JSON array");
    assert!(
        listed.iter().any(|f| f["form_id"] == "tarifas"),
        "{listed:?}"
    );
}

#[test]
fn form_add_refuses_a_bad_media_file_naming_its_line_and_stores_nothing() {
    let db = TempDb::new("form-media");
    let tramos = db.file("tramos.csv", b"name,label\nbajo,Bajo\nalto,Alto,extra\n");
    let zonas = db.file("zonas.xml", b"<root><item><name>z1</name></item></root>");

    let (code, _, stderr) = add(
        &db,
        &[
            "--media",
            zonas.to_str().expect("utf-8 path"),
            tramos.to_str().expect("utf-8 path"),
        ],
    );

    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("tramos.csv, line 3: 3 fields"), "{stderr}");
    assert!(stderr.contains("nothing was stored"), "{stderr}");
    let out = db.run(&["form", "list", "--json"], "");
    let listed: Vec<Value> = serde_json::from_slice(&out.stdout).expect("a JSON array");
    assert!(
        listed.iter().all(|f| f["form_id"] != "tarifas"),
        "{listed:?}"
    );
}
