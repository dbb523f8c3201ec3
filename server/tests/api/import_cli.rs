//! `import-routes` and `debtors list`, run as the real `terreno-server` binary on a temporary
//! SQLite database with the route files of `shared/fixtures`: exit codes, summaries, what is
//! stored, and that a refused import leaves the database file as it was.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::fixture;

use crate::common::TempDb;

/// The import commands over a [`TempDb`].
trait ImportCli {
    fn import(&self, file: &Path, args: &[&str]) -> (i32, Value, String);
    fn debtors(&self) -> Vec<Value>;
    fn bytes(&self) -> Vec<(String, Vec<u8>)>;
}

impl ImportCli for TempDb {
    /// `import-routes FILE ARGS --json`: the exit code, the summary (Null when none) and stderr.
    fn import(&self, file: &Path, args: &[&str]) -> (i32, Value, String) {
        let mut all = vec![
            "import-routes",
            file.to_str().expect("utf-8 path"),
            "--json",
        ];
        all.extend_from_slice(args);
        let out = self.run(&all, "");
        let summary = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.code().expect("exit code"), summary, stderr)
    }

    /// `debtors list --json`.
    fn debtors(&self) -> Vec<Value> {
        let out = self.run(&["debtors", "list", "--json"], "");
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        serde_json::from_slice(&out.stdout).expect("a JSON array")
    }

    /// The bytes of the database and its write-ahead log (the shared-memory index is not data).
    fn bytes(&self) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(self.dir())
            .expect("listing the directory")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.to_string_lossy().contains("t.db") && !p.ends_with("t.db-shm"))
            .map(|p| (p.display().to_string(), std::fs::read(&p).expect("reading")))
            .collect();
        files.sort();
        files
    }
}

fn by_id<'a>(debtors: &'a [Value], id: &str) -> &'a Value {
    debtors
        .iter()
        .find(|d| d["external_id"] == id)
        .unwrap_or_else(|| panic!("no debtor {id}"))
}

#[test]
fn route_basic_imports_twenty_debtors_and_invites_its_four_collectors() {
    let Some(file) = fixture("route_basic.csv") else {
        return;
    };
    let db = TempDb::new("import");

    let (code, summary, stderr) = db.import(&file, &[]);

    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["rows_read"], 20);
    assert_eq!(summary["debtors_created"], 20);
    assert_eq!(summary["rows_rejected"], serde_json::json!([]));
    let mut created: Vec<&str> = summary["collectors_created"]
        .as_array()
        .expect("collectors")
        .iter()
        .map(|c| c.as_str().expect("name"))
        .collect();
    created.sort_unstable();
    assert_eq!(
        created,
        [
            "gestor.beltran",
            "gestor.nunez",
            "gestor.ospina",
            "gestor.ramirez"
        ]
    );
    let users = db.run(&["user", "list", "--json"], "");
    let users: Vec<Value> = serde_json::from_slice(&users.stdout).expect("users");
    for name in created {
        let user = users.iter().find(|u| u["username"] == name).expect("user");
        assert_eq!(user["role"], "collector");
        assert_eq!(user["invited"], true, "{name} has no password yet");
    }
    let debtors = db.debtors();
    assert_eq!(debtors.len(), 20);
    let first = by_id(&debtors, "CL-100000");
    assert_eq!(first["name"], "José González Vargas");
    assert_eq!(first["neighbourhood"], "Fontibón");
    assert_eq!(first["balance_minor"], 188_590_728);
    assert_eq!(first["currency"], "COP");
    assert_eq!(first["national_id"], "212142728");
    assert_eq!(first["days_past_due"], 200);
    assert_eq!(first["bucket"], "d181_360");
    assert_eq!(first["collector"], "gestor.ramirez");
    assert_eq!(first["needs_location"], false);
    assert_eq!(
        by_id(&debtors, "CL-100001")["balance_minor"],
        2_148_294_121_i64
    );
    assert_eq!(by_id(&debtors, "CL-100003")["name"], "Óscar Núñez Díaz");
    assert_eq!(by_id(&debtors, "CL-100003")["balance_minor"], 1_442_442_920);
}

#[test]
fn route_with_errors_imports_the_eleven_good_rows_and_reports_the_four_bad_lines() {
    let Some(file) = fixture("route_with_errors.csv") else {
        return;
    };
    let db = TempDb::new("import");

    let (code, summary, stderr) = db.import(&file, &["--date", "2026-11-24"]);

    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["rows_read"], 15);
    assert_eq!(summary["debtors_created"], 11);
    let rejected = summary["rows_rejected"].as_array().expect("rejected");
    let lines: Vec<(u64, &str)> = rejected
        .iter()
        .map(|r| {
            let line = r["line"].as_u64().expect("line");
            (line, r["column"].as_str().expect("column"))
        })
        .collect();
    assert_eq!(
        lines,
        [
            (6, "latitude"),
            (9, "longitude"),
            (11, "balance"),
            (13, "days_past_due")
        ]
    );
    assert!(
        rejected
            .iter()
            .all(|r| !r["reason"].as_str().unwrap_or("").is_empty())
    );
    assert!(
        rejected[2]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("doce mil")
    );
    let debtors = db.debtors();
    assert_eq!(debtors.len(), 11);
    assert!(debtors.iter().all(|d| d["external_id"] != "CL-100048"));
    let quoted = by_id(&debtors, "CL-100047");
    assert_eq!(quoted["name"], "Ana López Castaño, \"el Mono\"");
    let multiline = by_id(&debtors, "CL-100046");
    assert_eq!(
        multiline["address"],
        "Avenida Carrera 21 # 7-94, Torre 2\nInterior 5"
    );
}

#[test]
fn all_or_nothing_with_bad_rows_exits_1_and_leaves_the_database_file_unchanged() {
    let (Some(good), Some(bad)) = (fixture("route_basic.csv"), fixture("route_with_errors.csv"))
    else {
        return;
    };
    let db = TempDb::new("import");
    let (code, _, stderr) = db.import(&good, &[]);
    assert_eq!(code, 0, "{stderr}");
    let before = db.bytes();

    let (code, summary, stderr) = db.import(&bad, &["--all-or-nothing"]);

    assert_eq!(code, 1);
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(summary["written"], false);
    assert_eq!(summary["rows_rejected"].as_array().map(Vec::len), Some(4));
    assert!(db.bytes() == before, "the database files changed");
    assert_eq!(db.debtors().len(), 20);
}

#[test]
fn importing_the_same_file_twice_changes_nothing_the_second_time() {
    let Some(file) = fixture("route_basic.csv") else {
        return;
    };
    let db = TempDb::new("import");
    let (code, _, stderr) = db.import(&file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let first = db.debtors();

    let (code, summary, stderr) = db.import(&file, &[]);

    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["debtors_created"], 0);
    assert_eq!(summary["debtors_updated"], 0);
    assert_eq!(summary["debtors_unchanged"], 20);
    assert_eq!(summary["collectors_created"], serde_json::json!([]));
    assert_eq!(db.debtors(), first);
}

#[test]
fn a_file_with_only_unknown_headers_is_refused_with_its_headers_listed() {
    let db = TempDb::new("import");
    let file = db.file("unknown.csv", b"foo,bar baz,qux\n1,2,3\n");

    let (code, summary, stderr) = db.import(&file, &[]);

    assert_eq!(code, 1);
    assert_eq!(summary, Value::Null, "no summary for a refused file");
    for header in ["foo", "bar baz", "qux", "external_id", "balance"] {
        assert!(stderr.contains(header), "{header} missing from: {stderr}");
    }
    assert_eq!(stderr.trim().lines().count(), 1, "one sentence: {stderr}");
    assert!(db.debtors().is_empty());
}

#[test]
fn a_collector_name_held_by_a_supervisor_rejects_its_rows_and_imports_the_rest() {
    let db = TempDb::new("import");
    let add = db.run(&["user", "add", "jefe", "--role", "supervisor"], "");
    assert_eq!(add.status.code(), Some(0), "{add:?}");
    let file = db.file(
        "mixed.csv",
        "external_id,debtor_name,address,balance,collector\n\
         A-1,Ana,Calle 1,100.50,jefe\n\
         A-2,Beto,Calle 2,200,gestor.nuevo\n"
            .as_bytes(),
    );

    let (code, summary, stderr) = db.import(&file, &["--team", "norte"]);

    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["debtors_created"], 1);
    assert_eq!(summary["needs_location"], 1);
    assert_eq!(summary["rows_rejected"][0]["line"], 2);
    assert_eq!(summary["rows_rejected"][0]["column"], "collector");
    assert_eq!(
        summary["collectors_created"],
        serde_json::json!(["gestor.nuevo"])
    );
    let debtors = db.debtors();
    assert_eq!(debtors.len(), 1);
    assert_eq!(debtors[0]["balance_minor"], 20_000);
    assert_eq!(debtors[0]["needs_location"], true);
    let users = db.run(&["user", "list", "--json"], "");
    let users: Vec<Value> = serde_json::from_slice(&users.stdout).expect("users");
    let new = users.iter().find(|u| u["username"] == "gestor.nuevo");
    assert_eq!(new.map(|u| &u["team"]), Some(&Value::from("norte")));
}

#[test]
fn the_windows_1252_excel_export_imports_twenty_five_debtors_with_accents() {
    let Some(file) = fixture("ruta_excel_cp1252.csv") else {
        return;
    };
    let db = TempDb::new("import");

    let (code, summary, stderr) = db.import(&file, &[]);

    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["debtors_created"], 25);
    assert_eq!(summary["rows_rejected"], serde_json::json!([]));
    let debtors = db.debtors();
    assert_eq!(debtors.len(), 25);
    let first = by_id(&debtors, "CL-100020");
    assert_eq!(first["name"], "María Núñez García");
    assert_eq!(first["balance_minor"], 1_303_096_551);
    assert_eq!(first["lat"], 4.739473);
    assert_eq!(first["lon"], -74.046819);
}

#[test]
fn an_xlsx_version_of_route_basic_imports_the_same_debtors() {
    let Some(csv_file) = fixture("route_basic.csv") else {
        return;
    };
    let db = TempDb::new("import");
    let text = std::fs::read_to_string(&csv_file).expect("reading the fixture");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r, c) = (
                u32::try_from(r).expect("row"),
                u16::try_from(c).expect("col"),
            );
            sheet.write_string(r, c, cell).expect("writing a cell");
        }
    }
    let file = db.file("route_basic.xlsx", &book.save_to_buffer().expect("saving"));

    let (code, summary, stderr) = db.import(&file, &[]);

    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["debtors_created"], 20);
    let debtors = db.debtors();
    assert_eq!(by_id(&debtors, "CL-100000")["balance_minor"], 188_590_728);
    assert_eq!(by_id(&debtors, "CL-100003")["name"], "Óscar Núñez Díaz");
}

/// `route_basic.csv` without the rows of `drop` (by external id), and with `extra` lines
/// appended (a header-compatible CSV line each).
fn route_basic_without(db: &TempDb, file: &Path, drop: &[&str], extra: &[&str]) -> PathBuf {
    let text = std::fs::read_to_string(file).expect("reading route_basic.csv");
    let mut lines: Vec<&str> = text
        .lines()
        .filter(|l| !drop.iter().any(|id| l.starts_with(&format!("{id},"))))
        .collect();
    lines.extend_from_slice(extra);
    db.file("smaller.csv", format!("{}\n", lines.join("\n")).as_bytes())
}

#[test]
fn close_missing_closes_the_accounts_a_new_file_leaves_out_and_a_later_file_reopens_them() {
    let Some(file) = fixture("route_basic.csv") else {
        return;
    };
    let db = TempDb::new("import");
    let (code, _, stderr) = db.import(&file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let smaller = route_basic_without(&db, &file, &["CL-100002", "CL-100007"], &[]);

    let (code, summary, stderr) = db.import(&smaller, &["--close-missing"]);

    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["debtors_closed"], 2);
    assert_eq!(summary["debtors_unchanged"], 18);
    let debtors = db.debtors();
    let closed: Vec<&str> = debtors
        .iter()
        .filter(|d| d["status"] == "closed")
        .map(|d| d["external_id"].as_str().expect("id"))
        .collect();
    assert_eq!(closed, ["CL-100002", "CL-100007"]);

    let (code, summary, stderr) = db.import(&file, &["--close-missing"]);

    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        (&summary["debtors_updated"], &summary["debtors_closed"]),
        (&Value::from(2), &Value::from(0)),
        "the two come back open: {summary}"
    );
    assert!(db.debtors().iter().all(|d| d["status"] == "open"));
}

#[test]
fn without_close_missing_accounts_left_out_of_a_file_stay_open() {
    let Some(file) = fixture("route_basic.csv") else {
        return;
    };
    let db = TempDb::new("import");
    assert_eq!(db.import(&file, &[]).0, 0);
    let smaller = route_basic_without(&db, &file, &["CL-100002"], &[]);

    let (code, summary, _) = db.import(&smaller, &[]);

    assert_eq!((code, &summary["debtors_closed"]), (0, &Value::from(0)));
    assert!(db.debtors().iter().all(|d| d["status"] == "open"));
}

#[test]
fn close_missing_keeps_open_an_account_whose_row_is_bad_this_time() {
    let Some(file) = fixture("route_basic.csv") else {
        return;
    };
    let db = TempDb::new("import");
    assert_eq!(db.import(&file, &[]).0, 0);
    let text = std::fs::read_to_string(&file).expect("reading");
    // Row CL-100005 comes back with a balance that is not a number.
    let header: Vec<&str> = text.lines().next().expect("header").split(',').collect();
    let balance = header
        .iter()
        .position(|h| *h == "balance")
        .expect("balance");
    let mut fields: Vec<&str> = text
        .lines()
        .find(|l| l.starts_with("CL-100005,"))
        .expect("row CL-100005")
        .split(',')
        .collect();
    fields[balance] = "doce mil";
    let bad = fields.join(",");
    let smaller = route_basic_without(&db, &file, &["CL-100005", "CL-100009"], &[&bad]);

    let (code, summary, stderr) = db.import(&smaller, &["--close-missing"]);

    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["rows_rejected_count"], 1, "{summary}");
    assert_eq!(summary["debtors_closed"], 1, "only CL-100009: {summary}");
    let debtors = db.debtors();
    assert_eq!(by_id(&debtors, "CL-100005")["status"], "open");
    assert_eq!(by_id(&debtors, "CL-100009")["status"], "closed");
}

#[test]
fn close_missing_with_a_file_without_data_rows_closes_nothing_and_exits_1() {
    let Some(file) = fixture("route_basic.csv") else {
        return;
    };
    let db = TempDb::new("import");
    assert_eq!(db.import(&file, &[]).0, 0);
    let header_only = route_basic_without(&db, &file, &[], &[]);
    let header = std::fs::read_to_string(&header_only).expect("reading");
    let header_only = db.file(
        "header.csv",
        format!("{}\n", header.lines().next().expect("header")).as_bytes(),
    );
    let before = db.bytes();

    let (code, _, stderr) = db.import(&header_only, &["--close-missing"]);

    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("no data rows"), "{stderr}");
    assert!(db.bytes() == before, "the database files changed");
}

#[test]
fn a_repeated_id_thousands_of_rows_later_wins_with_its_last_row() {
    let db = TempDb::new("import");
    let mut csv = String::from("external_id,debtor_name,address,balance,collector\n");
    for i in 0..2_500 {
        csv.push_str(&format!("A-{i},Ana {i},Calle {i},{i}.50,gestor.uno\n"));
    }
    csv.push_str("A-5,Ana Cinco,Calle Nueva,99.99,gestor.uno\n");
    let file = db.file("long.csv", csv.as_bytes());

    let (code, summary, stderr) = db.import(&file, &["--date", "2026-12-01"]);

    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["rows_read"], 2_501);
    assert_eq!(summary["debtors_created"], 2_500);
    let debtors = db.debtors();
    assert_eq!(debtors.len(), 2_500);
    let five = by_id(&debtors, "A-5");
    assert_eq!(
        (&five["name"], &five["address"], &five["balance_minor"]),
        (
            &Value::from("Ana Cinco"),
            &Value::from("Calle Nueva"),
            &Value::from(9_999)
        )
    );
}

#[test]
fn the_summary_lists_the_first_ten_thousand_bad_rows_and_counts_them_all() {
    let db = TempDb::new("import");
    let mut csv = String::from("external_id,debtor_name,address,latitude,longitude,balance\n");
    csv.push_str("OK-1,Ana,Calle 1,4.6,-74.1,10\n");
    for i in 0..10_005 {
        csv.push_str(&format!("B-{i},Ana,Calle 1,91.5,-74.1,10\n"));
    }
    let file = db.file("bad.csv", csv.as_bytes());

    let (code, summary, stderr) = db.import(&file, &[]);

    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["debtors_created"], 1);
    assert_eq!(summary["rows_rejected_count"], 10_005);
    let listed = summary["rows_rejected"].as_array().expect("rejected");
    assert_eq!(listed.len(), 10_000);
    assert_eq!(
        (&listed[0]["line"], &listed[9_999]["line"]),
        (&Value::from(3), &Value::from(10_002)),
        "the lowest lines, in order"
    );
}

#[test]
fn close_missing_with_a_file_unreadable_past_a_line_closes_nothing_and_exits_1() {
    let Some(file) = fixture("route_basic.csv") else {
        return;
    };
    let db = TempDb::new("import");
    assert_eq!(db.import(&file, &[]).0, 0);
    let text = std::fs::read_to_string(&file).expect("reading");
    let mut lines: Vec<String> = text.lines().take(6).map(str::to_owned).collect();
    // A 2 MB line without an end: nothing after it can be trusted as a row boundary.
    lines.push(format!("CL-999,{}", "x".repeat(2_000_000)));
    let truncated = db.file("truncated.csv", lines.join("\n").as_bytes());
    let before = db.bytes();

    let (code, _, stderr) = db.import(&truncated, &["--close-missing"]);

    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("could not be read past line 7"), "{stderr}");
    assert!(db.bytes() == before, "the database files changed");
    assert!(db.debtors().iter().all(|d| d["status"] == "open"));
}
