//! The differential test of the XLSForm importer: ODK's pyxform 4.5.0 (the reference, installed
//! by scripts/test in a venv named by `TERRENO_PYXFORM`) and Terreno's `forms::read_path` read
//! the same files, and must agree on accepting or refusing each, and on the sheet and row of the
//! problem pyxform reports (pyxform stops at its first problem; Terreno reports them all, so
//! pyxform's must be among Terreno's).
//!
//! The files: every fixture in `$TERRENO_FIXTURES/xlsform`, and a few hundred small forms that
//! `forms_pyxform.py` generates from a fixed seed (as `.xlsx` and as pyxform's one-file `.csv`),
//! valid ones and ones with one planted defect each. For a generated defect Terreno must also
//! name the row it was planted on, whatever pyxform says. Where Terreno differs from pyxform on
//! purpose, [`deliberate`] says so and why, and Terreno's own verdict is checked instead.
//!
//! One python process converts every file. Without pyxform or the fixtures the test prints a
//! skip line, except under `CI`, where that is a failure.

use crate::common;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde::Deserialize;
use terreno_server::forms::{self, FormError};
use terreno_shared::form::xlsform::Problem;

/// Seed and size of the generated set: fixed, so a failure names a file that can be made again.
const SEED: u64 = 20_240_917;
const GENERATED: usize = 300;

/// pyxform's verdict on one file, as the helper prints it.
#[derive(Debug, Clone, Deserialize)]
struct Pyxform {
    file: String,
    ok: bool,
    error: Option<String>,
    error_type: Option<String>,
}

/// What the generator planted in one file.
#[derive(Debug, Clone, Deserialize)]
struct Planted {
    file: String,
    defect: Option<String>,
    sheet: Option<String>,
    row: Option<u32>,
}

/// Terreno's verdict on one file.
#[derive(Debug, Clone)]
enum Terreno {
    Accepted,
    Refused(Vec<Problem>),
    /// Not read as a spreadsheet at all (not a workbook, not CSV, empty).
    Unreadable(String),
}

/// One file both tools read.
#[derive(Debug)]
struct Case {
    /// The file name (fixtures) or generated name.
    name: String,
    /// `None` for a fixture.
    planted: Option<Planted>,
    pyxform: Pyxform,
    terreno: Terreno,
}

/// Terreno's verdict where it differs from pyxform on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Own {
    Accept,
    Refuse,
}

/// Where Terreno's verdict is not pyxform's, on purpose: Terreno's verdict and the reason.
fn deliberate(case: &Case) -> Option<(Own, &'static str)> {
    let defect = case.planted.as_ref().and_then(|p| p.defect.as_deref());
    match (case.name.as_str(), defect) {
        // The three files of MANIFEST.md's "Terreno's verdict where pyxform's is not the one to
        // copy".
        ("webforms__ifrc-distribution-site-assessment-v1.xlsx", _) => Some((
            Own::Accept,
            "an .xls workbook under an .xlsx name: Terreno reads the content, pyxform trusts \
             the extension",
        )),
        ("pyxform__image-description_translated.xlsx", _) => Some((
            Own::Accept,
            "pyxform crashes (AttributeError) on image-description:: columns; Terreno warns \
             about the unknown columns",
        )),
        ("pyxform__bad_calc.xlsx", _) => Some((
            Own::Refuse,
            "the calculation is free text: pyxform passes it through, ODK Validate refuses it",
        )),
        (_, Some("calculation_cycle")) => Some((
            Own::Refuse,
            "pyxform 4.5 looks for cycles only through ODK Validate, which the reference run \
             leaves out; a cycle can never be evaluated",
        )),
        (_, Some("bad_expression")) => Some((
            Own::Refuse,
            "pyxform does not parse expressions (ODK Validate does); the device could not \
             evaluate them",
        )),
        (name, Some("duplicate_column")) if name.ends_with(".csv") => Some((
            Own::Refuse,
            "pyxform's CSV reader keeps the last of two same-named columns without a word (its \
             workbook readers refuse them); which one the author meant is unknowable",
        )),
        _ => None,
    }
}

/// The fixture folder, or `None` after a skip line (a failure under `CI`).
fn xlsform_dir() -> Option<PathBuf> {
    common::fixture("xlsform")
}

/// pyxform's python, or `None` after a skip line (a failure under `CI`).
pub(crate) fn pyxform_python() -> Option<PathBuf> {
    match std::env::var_os("TERRENO_PYXFORM") {
        Some(python) if Path::new(&python).is_file() => Some(python.into()),
        Some(python) => {
            skip(&format!(
                "TERRENO_PYXFORM={} does not exist (run scripts/test once)",
                Path::new(&python).display()
            ));
            None
        }
        None => {
            skip("TERRENO_PYXFORM is not set (scripts/test installs pyxform and sets it)");
            None
        }
    }
}

pub(crate) fn skip(why: &str) {
    assert!(std::env::var_os("CI").is_none(), "under CI: {why}");
    eprintln!("skipped: {why}");
}

fn helper() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/forms_pyxform.py")
}

/// Writes the generated forms into `dir`; what was planted in each.
fn generate(python: &Path, dir: &Path) -> Vec<Planted> {
    let out = Command::new(python)
        .arg(helper())
        .args(["generate", dir.to_str().expect("utf-8 path")])
        .args([SEED.to_string(), GENERATED.to_string()])
        .output()
        .expect("running the form generator");
    assert!(
        out.status.success(),
        "the form generator failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_lines(&out.stdout)
}

/// pyxform's verdicts on `files`, from one python process.
fn pyxform(python: &Path, files: &[PathBuf]) -> HashMap<String, Pyxform> {
    let mut child = Command::new(python)
        .arg(helper())
        .arg("convert")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting pyxform");
    let list: String = files.iter().map(|f| format!("{}\n", f.display())).collect();
    // Written from a thread: pyxform answers as it reads, and a full stdout pipe would stall
    // both processes.
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(list.as_bytes()));
    let out = child.wait_with_output().expect("waiting for pyxform");
    writer
        .join()
        .expect("stdin writer")
        .expect("writing file names");
    assert!(
        out.status.success(),
        "pyxform's helper failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verdicts: Vec<Pyxform> = json_lines(&out.stdout);
    assert_eq!(verdicts.len(), files.len(), "one verdict per file");
    verdicts.into_iter().map(|v| (v.file.clone(), v)).collect()
}

pub(crate) fn json_lines<T: for<'a> Deserialize<'a>>(bytes: &[u8]) -> Vec<T> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn terreno(path: &Path) -> Terreno {
    match forms::read_path(path) {
        Ok(_) => Terreno::Accepted,
        Err(FormError::Refused(problems)) => Terreno::Refused(problems),
        Err(e) => Terreno::Unreadable(e.to_string()),
    }
}

/// Every case, read by both tools once for all tests (the generated files are deleted after),
/// or `None` where pyxform is not installed.
fn cases() -> Option<&'static [Case]> {
    static CASES: OnceLock<Option<Vec<Case>>> = OnceLock::new();
    CASES
        .get_or_init(|| {
            let python = pyxform_python()?;
            let dir =
                std::env::temp_dir().join(format!("terreno-pyxform-{}", uuid::Uuid::now_v7()));
            std::fs::create_dir_all(&dir).expect("creating a temporary directory");
            let planted = generate(&python, &dir);
            let mut files: Vec<(String, PathBuf, Option<Planted>)> = planted
                .into_iter()
                .map(|p| {
                    let path = PathBuf::from(&p.file);
                    (file_name(&path), path, Some(p))
                })
                .collect();
            if let Some(fixtures) = xlsform_dir() {
                files.extend(
                    fixture_files(&fixtures)
                        .into_iter()
                        .map(|p| (file_name(&p), p, None)),
                );
            }
            let paths: Vec<PathBuf> = files.iter().map(|(_, p, _)| p.clone()).collect();
            let mut verdicts = pyxform(&python, &paths);
            let cases = files
                .into_iter()
                .map(|(name, path, planted)| Case {
                    pyxform: verdicts
                        .remove(&path.display().to_string())
                        .expect("pyxform's verdict"),
                    terreno: terreno(&path),
                    name,
                    planted,
                })
                .collect();
            std::fs::remove_dir_all(&dir).expect("removing the generated forms");
            Some(cases)
        })
        .as_deref()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .expect("a file name")
}

/// The spreadsheets of the fixture folder (not SOURCES.tsv, not the golden XForms).
fn fixture_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("listing the fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "SOURCES.tsv"))
        .collect();
    files.sort();
    files
}

/// Where pyxform's message puts its problem: `[row : N]`, and the sheet in `On the 'X' sheet`
/// or `sheet: 'X'`. pyxform's older messages name a row but no sheet; they all come from its
/// pass over the survey sheet.
fn pyxform_place(message: &str) -> (Option<String>, Option<u32>) {
    let row = between(message, "[row : ", "]").and_then(|r| r.trim().parse().ok());
    let sheet = between(message, "On the '", "' sheet")
        .or_else(|| between(message, "sheet: '", "'"))
        .map(str::to_lowercase)
        .or_else(|| row.map(|_| "survey".to_owned()));
    (sheet, row)
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let len = text[start..].find(close)?;
    Some(&text[start..start + len])
}

fn has_problem(problems: &[Problem], sheet: Option<&str>, row: Option<u32>) -> bool {
    problems
        .iter()
        .any(|p| sheet.is_none_or(|s| p.sheet == s) && row.is_none_or(|r| p.row == Some(r)))
}

/// Checks one case; the reason when the tools disagree where they should not.
fn check(case: &Case) -> Result<(), String> {
    if let Some(planted) = &case.planted {
        check_planted(planted, &case.terreno)?;
    }
    if let Some((own, why)) = deliberate(case) {
        let agrees = match (&case.terreno, own) {
            (Terreno::Accepted, Own::Accept) => true,
            (Terreno::Accepted, Own::Refuse) | (_, Own::Accept) => false,
            (_, Own::Refuse) => true,
        };
        return match agrees {
            true => Ok(()),
            false => Err(format!(
                "Terreno should {own:?} ({why}): {:?}",
                case.terreno
            )),
        };
    }
    let pyxform_error = || {
        format!(
            "pyxform {}: {}",
            case.pyxform.error_type.as_deref().unwrap_or_default(),
            case.pyxform.error.as_deref().unwrap_or_default()
        )
    };
    let place = pyxform_place(case.pyxform.error.as_deref().unwrap_or_default());
    match (&case.terreno, case.pyxform.ok) {
        (Terreno::Accepted, true) => Ok(()),
        (Terreno::Accepted, false) => Err(format!("Terreno accepts; {}", pyxform_error())),
        (terreno, true) => Err(format!("pyxform accepts; Terreno: {terreno:?}")),
        (Terreno::Unreadable(why), false) => match place {
            // pyxform read the file and found a problem in a row: Terreno must read it too.
            (_, Some(row)) => Err(format!(
                "Terreno cannot read it ({why}); {} (row {row})",
                pyxform_error()
            )),
            (_, None) => Ok(()),
        },
        (Terreno::Refused(problems), false) => {
            let (sheet, row) = place;
            match has_problem(problems, sheet.as_deref(), row) {
                true => Ok(()),
                false => Err(format!(
                    "no Terreno problem on sheet {sheet:?} row {row:?}; {}; Terreno: {problems:#?}",
                    pyxform_error()
                )),
            }
        }
    }
}

/// A generated defect is refused with a problem where it was planted.
fn check_planted(planted: &Planted, terreno: &Terreno) -> Result<(), String> {
    let Some(defect) = &planted.defect else {
        return Ok(());
    };
    match terreno {
        Terreno::Refused(problems)
            if has_problem(problems, planted.sheet.as_deref(), planted.row) =>
        {
            Ok(())
        }
        other => Err(format!(
            "planted {defect} on sheet {:?} row {:?}; Terreno: {other:?}",
            planted.sheet, planted.row
        )),
    }
}

fn failures<'a>(cases: impl Iterator<Item = &'a Case>) -> Vec<String> {
    cases
        .filter_map(|c| check(c).err().map(|why| format!("{}: {why}", c.name)))
        .collect()
}

#[test]
fn every_fixture_gets_pyxforms_verdict_except_where_the_manifest_says_otherwise() {
    let Some(cases) = cases() else {
        return;
    };
    let fixtures: Vec<&Case> = cases.iter().filter(|c| c.planted.is_none()).collect();
    if fixtures.is_empty() {
        return; // xlsform_dir printed why
    }

    let failures = failures(fixtures.iter().copied());

    assert!(
        failures.is_empty(),
        "{} of {} fixtures:\n{}",
        failures.len(),
        fixtures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn generated_forms_get_pyxforms_verdict_and_name_the_planted_row() {
    let Some(cases) = cases() else {
        return;
    };
    let generated: Vec<&Case> = cases.iter().filter(|c| c.planted.is_some()).collect();
    let csv = generated
        .iter()
        .filter(|c| c.name.ends_with(".csv"))
        .count();
    let valid = generated
        .iter()
        .filter(|c| c.planted.as_ref().is_some_and(|p| p.defect.is_none()))
        .count();
    assert_eq!(generated.len(), GENERATED);
    assert!(csv > 50 && valid > 50, "{csv} CSV and {valid} valid forms");

    let failures = failures(generated.iter().copied());

    assert!(
        failures.is_empty(),
        "{} of {} generated forms:\n{}",
        failures.len(),
        generated.len(),
        failures.join("\n\n")
    );
}
