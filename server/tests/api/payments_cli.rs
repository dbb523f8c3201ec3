//! `import-payments` and the server clock, run as the real `terreno-server` binary on a
//! temporary SQLite database: exit codes and summaries, re-importing that changes nothing, a
//! bad row that stores nothing, and `TERRENO_NOW` deciding the import day that dates a route
//! file's balances when `--as-of` is not given.

use serde_json::Value;

use crate::common::TempDb;
use crate::payments::latin1_payments;

const ROUTE: &str = "external_id,debtor_name,address,balance,collector\n\
    A-1,José Núñez,Calle 1,500000,ana\nA-2,Ana Díaz,Calle 4,300000,ana\n";

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

fn balance_dates(db: &TempDb) -> Vec<Value> {
    let out = db.run(&["debtors", "list", "--json"], "");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).expect("a JSON array");
    list.iter().map(|d| d["balance_as_of"].clone()).collect()
}

#[test]
fn terreno_now_sets_the_import_day_that_dates_the_balances() {
    let db = TempDb::new("payments-cli");
    let route = db.file("ruta.csv", ROUTE.as_bytes());
    let route = route.to_str().expect("utf-8 path");
    // 23:30 in Bogotá is already the next day in UTC: the import day is the organization's.
    let now = [("TERRENO_NOW", "2026-03-01T23:30:00-05:00")];

    let first = db.run_env(&["import-routes", route, "--json"], "", &now);
    let dated = balance_dates(&db);
    let second = db.run_env(&["import-routes", route, "--as-of", "2026-02-27"], "", &now);

    assert_eq!(first.status.code(), Some(0), "{first:?}");
    assert_eq!(dated, ["2026-03-01", "2026-03-01"]);
    assert_eq!(second.status.code(), Some(0), "{second:?}");
    assert_eq!(balance_dates(&db), ["2026-02-27", "2026-02-27"]);
}

#[test]
fn a_bad_terreno_now_is_refused_as_bad_usage() {
    let db = TempDb::new("payments-cli");
    let out = db.run_env(&["debtors", "list"], "", &[("TERRENO_NOW", "yesterday")]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("RFC 3339"));
}

#[test]
fn import_payments_stores_a_file_once_and_refuses_a_bad_one_whole() {
    let db = TempDb::new("payments-cli");
    let route = db.file("ruta.csv", ROUTE.as_bytes());
    let out = db.run(&["import-routes", route.to_str().expect("path")], "");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let file = db.file("pagos.csv", &latin1_payments());
    let file = file.to_str().expect("utf-8 path");
    let bad = db.file(
        "malo.csv",
        b"cuenta;valor;fecha;referencia\nA-1;5;2026-11-26;N1\nA-1;5;2026-13-01;N2\n",
    );

    let first = db.run(&["import-payments", file, "--json"], "");
    let again = db.run(&["import-payments", file, "--json"], "");
    let refused = db.run(
        &["import-payments", bad.to_str().expect("path"), "--json"],
        "",
    );
    let table = db.run(&["import-payments", file], "");

    assert_eq!(first.status.code(), Some(0), "{first:?}");
    assert_eq!(json(&first)["payments_new"], 2);
    assert_eq!(json(&again)["payments_new"], 0);
    assert_eq!(json(&again)["payments_unchanged"], 2);
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    let summary = json(&refused);
    assert_eq!(summary["written"], false);
    assert_eq!(summary["rows_rejected"][0]["line"], 3);
    assert_eq!(summary["rows_rejected"][0]["column"], "fecha");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("nothing was stored"));
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("unchanged"), "{table}");
}
