//! `form add` and `form list`, run as the real `terreno-server` binary on temporary SQLite
//! databases: every XLSForm of `shared/fixtures/xlsform` gets the verdict of
//! `shared/fixtures/MANIFEST.md` section 1 (pyxform 4.5's, or Terreno's own where the manifest
//! says so), a refused form prints every problem and stores nothing, and a version is stored
//! once.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common;

use crate::common::TempDb;

/// What the manifest expects of a file.
#[derive(Debug, Clone, Copy)]
enum Verdict {
    /// Imported (1a, 1b).
    Accept,
    /// Imported, with a warning naming a column containing this text.
    AcceptWarning(&'static str),
    /// Refused with a problem on `sheet` (and `row`, where the manifest gives one) whose
    /// message contains `text` (compared in lower case).
    Refuse {
        sheet: &'static str,
        row: Option<u32>,
        text: &'static str,
    },
    /// Refused before any sheet is read: not a spreadsheet.
    NotASpreadsheet,
}

use Verdict::*;

/// Every file of the folder, and its verdict (a new fixture fails the test until it is here).
const VERDICTS: &[(&str, Verdict)] = &[
    // 1a. Real-world field forms.
    ("onadata__Geotraces.xlsx", Accept),
    ("onadata__external_choice_form_v1.xlsx", Accept),
    ("onadata__photo_type_in_repeat_group.xlsx", Accept),
    ("onadata__select_one_choices_test.xlsx", Accept),
    ("onadata__subdistrict_profiling_tool.xlsx", Accept),
    ("pyodk__fav_color.xlsx", Accept),
    ("pyxform__UCL_Biomass_Plot_Form.xlsx", Accept),
    ("webforms__philsa-disaster-incidence-v20240917.xlsx", Accept),
    // 1b. Specification and feature forms.
    ("onadata__multi_lingual_form.xlsx", Accept),
    ("pyxform__attribute_columns_test.xlsx", Accept),
    ("pyxform__cascading_select_test_equivalent.xls", Accept),
    ("pyxform__case_insensitivity.xlsx", Accept),
    ("pyxform__choice_filter_test.xlsx", Accept),
    ("pyxform__geo.xlsx", Accept),
    ("pyxform__repeat_date_test.xls", Accept),
    ("pyxform__table-list.xls", Accept),
    ("pyxform__widgets.xls", Accept),
    ("pyxform__xlsform_spec_test.xlsx", Accept),
    ("pyxform__xml_escaping.xls", Accept),
    ("webforms__all-question-types-v2024091201-3.xlsx", Accept),
    // 1c. Bad inputs, with Terreno's own verdict for the last three.
    (
        "onadata__MCH_v1.xlsx",
        Refuse {
            sheet: "survey",
            row: None,
            text: "unknown question type 'select one from source'",
        },
    ),
    (
        "onadata__transportation.no_choices.xlsx",
        Refuse {
            sheet: "survey",
            row: None,
            text: "there should be a choices sheet",
        },
    ),
    (
        "pyxform__brackets_mismatch.xls",
        Refuse {
            sheet: "survey",
            row: Some(4),
            text: "reference variables must start with '${'",
        },
    ),
    (
        "pyxform__calculate_without_calculation.xls",
        Refuse {
            sheet: "survey",
            row: Some(34),
            text: "missing calculation",
        },
    ),
    ("pyxform__corrupt.xlsx", NotASpreadsheet),
    (
        "pyxform__duplicate_columns.xlsx",
        Refuse {
            sheet: "survey",
            row: None,
            text: "duplicate column header: label",
        },
    ),
    (
        "pyxform__empty.xlsx",
        Refuse {
            sheet: "survey",
            row: None,
            text: "you must have a sheet named 'survey'",
        },
    ),
    (
        "pyxform__group_name_test.xls",
        Refuse {
            sheet: "survey",
            row: Some(3),
            text: "question or group with no name",
        },
    ),
    (
        "pyxform__unknown_question_type.xls",
        Refuse {
            sheet: "survey",
            row: None,
            text: "'bind:relevant', 'relevance'",
        },
    ),
    (
        "pyxform__bad_calc.xlsx",
        Refuse {
            sheet: "survey",
            row: None,
            text: "does not parse",
        },
    ),
    (
        "pyxform__image-description_translated.xlsx",
        AcceptWarning("image-description::"),
    ),
    (
        "webforms__ifrc-distribution-site-assessment-v1.xlsx",
        Accept,
    ),
];

/// The folder of XLSForm fixtures, or `None` (after a skip line) where it is absent outside CI.
fn xlsform_dir() -> Option<PathBuf> {
    common::fixture("xlsform")
}

/// The spreadsheets of the folder (not SOURCES.tsv, not the golden XForms), by name.
fn form_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("listing the fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| n != "SOURCES.tsv")
        .collect();
    names.sort();
    names
}

/// What one `form add` did.
struct Outcome {
    code: i32,
    json: Value,
    stderr: String,
}

trait FormCli {
    fn add(&self, file: &Path, json: bool) -> Outcome;
    fn list(&self) -> Vec<Value>;
}

impl FormCli for TempDb {
    /// `form add FILE [--json]`.
    fn add(&self, file: &Path, json: bool) -> Outcome {
        let mut args = vec!["form", "add", file.to_str().expect("utf-8 path")];
        if json {
            args.push("--json");
        }
        let out = self.run(&args, "");
        Outcome {
            code: out.status.code().expect("exit code"),
            json: serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
                Value::String(String::from_utf8_lossy(&out.stdout).into_owned())
            }),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `form list --json`, without the shipped visit form every organization starts with.
    fn list(&self) -> Vec<Value> {
        let out = self.run(&["form", "list", "--json"], "");
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let all: Vec<Value> = serde_json::from_slice(&out.stdout).expect("a JSON array");
        all.into_iter()
            .filter(|f| f["form_id"] != "visita_cobranza")
            .collect()
    }
}

/// Checks one file against its verdict; the reason when it does not hold.
fn check(file: &Path, verdict: Verdict) -> Result<(), String> {
    let db = TempDb::new("forms");
    let out = db.add(file, true);
    let accepted = out.code == 0;
    match verdict {
        Accept | AcceptWarning(_) if !accepted => {
            return Err(format!("refused: {}\n{}", out.json, out.stderr));
        }
        Accept => {}
        AcceptWarning(column) => {
            let warned = out.json["warnings"]
                .as_array()
                .is_some_and(|ws| ws.iter().any(|w| text(&w["column"]).contains(column)));
            if !warned {
                return Err(format!("no warning naming {column:?}: {}", out.json));
            }
        }
        Refuse { .. } | NotASpreadsheet if accepted => {
            return Err(format!("accepted: {}", out.json));
        }
        Refuse {
            sheet,
            row,
            text: want,
        } => {
            let problems = out.json["problems"].as_array().cloned().unwrap_or_default();
            let found = problems.iter().any(|p| {
                p["sheet"] == sheet
                    && row.is_none_or(|r| p["row"] == r)
                    && text(&p["message"]).to_lowercase().contains(want)
            });
            if !found || out.code != 1 {
                return Err(format!(
                    "exit {}; no problem on sheet {sheet} row {row:?} saying {want:?}: {}\n{}",
                    out.code, out.json, out.stderr
                ));
            }
        }
        NotASpreadsheet => {
            if out.code != 1 || !out.stderr.contains("not a spreadsheet") {
                return Err(format!("exit {}: {}", out.code, out.stderr));
            }
        }
    }
    let stored = db.list();
    match (accepted, stored.len()) {
        (true, 1) if stored[0]["questions"].as_u64() > Some(0) => Ok(()),
        (false, 0) => Ok(()),
        _ => Err(format!("stored after exit {}: {stored:?}", out.code)),
    }
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

#[test]
fn every_xlsform_fixture_gets_the_manifest_verdict() {
    let Some(dir) = xlsform_dir() else {
        return;
    };
    let files = form_files(&dir);
    let mut listed: Vec<String> = VERDICTS.iter().map(|(n, _)| (*n).to_owned()).collect();
    listed.sort();
    assert_eq!(files, listed, "every fixture has a verdict, and only those");

    let failures: Vec<String> = VERDICTS
        .iter()
        .filter_map(|(name, verdict)| {
            check(&dir.join(name), *verdict)
                .err()
                .map(|why| format!("{name} ({verdict:?}): {why}"))
        })
        .collect();

    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_refused_form_prints_each_problem_on_its_own_line_naming_the_file() {
    let db = TempDb::new("forms");
    let file = db.file(
        "visita.csv",
        b"type,name,label,relevant\ntext,a,A,\ninteger,b,B,${a\ncalculate,c,,\n",
    );

    let out = db.add(&file, false);

    assert_eq!(out.code, 1, "{}", out.stderr);
    let shown = file.display();
    let printed = text(&out.json);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 2, "{printed}");
    assert!(
        lines[0].starts_with(&format!("{shown}: survey sheet, row 3, column relevant: ")),
        "{printed}"
    );
    assert_eq!(
        lines[1],
        format!("{shown}: survey sheet, row 4, column calculation: missing calculation")
    );
    assert!(
        out.stderr.contains(&format!(
            "{shown}: the form has 2 problem(s); nothing was stored"
        )),
        "{}",
        out.stderr
    );
    assert!(db.list().is_empty());
}

#[test]
fn importing_the_same_form_version_twice_is_refused_the_second_time() {
    let db = TempDb::new("forms");
    let v1 = b"type,name,label\ntext,a,A\n";
    let file = db.file("visita.csv", v1);
    let first = db.add(&file, true);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.json["form_id"], "visita");
    assert_eq!(first.json["version"], Value::Null);
    assert_eq!(first.json["questions"], 1);

    let second = db.add(&file, true);

    assert_eq!(second.code, 1);
    assert!(
        second
            .stderr
            .contains("form \"visita\" without a version is already stored"),
        "{}",
        second.stderr
    );
    let stored = db.list();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0]["title"], "visita");
}

#[test]
fn a_workbook_with_settings_is_stored_under_its_form_id_and_version() {
    let db = TempDb::new("forms");
    let file = db.path().with_file_name("survey-export.bin");
    write_workbook(&file);

    let out = db.add(&file, false);

    assert_eq!(out.code, 0, "{}", out.stderr);
    let printed = text(&out.json);
    assert!(printed.contains("visita_campo"), "{printed}");
    assert!(printed.contains("Visita de campo"), "{printed}");
    let stored = db.list();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["form_id"], "visita_campo");
    assert_eq!(stored[0]["version"], "3");
    assert_eq!(stored[0]["questions"], 2);
    assert_eq!(stored[0]["created_by"], Value::Null);
}

/// An XLSX (under a name that says nothing) whose settings give id, title and a numeric
/// version cell (`3.0` is read as `3`).
fn write_workbook(path: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let survey = wb.add_worksheet().set_name("survey").expect("name");
    for (c, h) in ["type", "name", "label"].iter().enumerate() {
        survey.write_string(0, c as u16, *h).expect("cell");
    }
    for (r, row) in [
        ["integer", "edad", "Edad"],
        ["select_one sn", "ok", "¿Pagó?"],
    ]
    .iter()
    .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            survey
                .write_string(r as u32 + 1, c as u16, *v)
                .expect("cell");
        }
    }
    let choices = wb.add_worksheet().set_name("choices").expect("name");
    for (r, row) in [
        ["list_name", "name", "label"],
        ["sn", "si", "Sí"],
        ["sn", "no", "No"],
    ]
    .iter()
    .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            choices.write_string(r as u32, c as u16, *v).expect("cell");
        }
    }
    let settings = wb.add_worksheet().set_name("settings").expect("name");
    for (c, h) in ["form_id", "form_title", "version"].iter().enumerate() {
        settings.write_string(0, c as u16, *h).expect("cell");
    }
    settings.write_string(1, 0, "visita_campo").expect("cell");
    settings
        .write_string(1, 1, "Visita de campo")
        .expect("cell");
    settings.write_number(1, 2, 3.0).expect("cell");
    wb.save(path).expect("writing the workbook");
}

#[test]
fn a_form_added_for_visits_is_marked_as_the_visit_form_in_the_listing() {
    let db = TempDb::new("forms");
    let file = db.file("cobro.csv", b"type,name,label\ntext,nota,Nota\n");

    let out = db.run(
        &[
            "form",
            "add",
            "--use-for-visits",
            "--json",
            file.to_str().expect("utf-8"),
        ],
        "",
    );

    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let added: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(added["visit_form"], true);
    let table = db.run(&["form", "list"], "");
    let printed = String::from_utf8_lossy(&table.stdout);
    let lines: Vec<&str> = printed.lines().collect();
    assert!(lines[0].ends_with("visits"), "{printed}");
    let marked: Vec<&str> = lines[1..]
        .iter()
        .filter(|l| l.trim_end().ends_with("yes"))
        .copied()
        .collect();
    assert_eq!(marked.len(), 1, "{printed}");
    assert!(marked[0].starts_with("cobro "), "{printed}");
    assert!(
        lines.iter().any(|l| l.starts_with("visita_cobranza ")),
        "the shipped form stays listed: {printed}"
    );
}
