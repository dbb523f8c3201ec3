//! The corpus test of the XLSForm importer: 222 real questionnaires written by others
//! (`$TERRENO_FIXTURES/xlsform-corpus`, see its README.md) are read by `forms::read_path`, what
//! `terreno-server form add` reads with, and each verdict is held to pyxform 4.5.0's and ODK
//! Validate's, as `EXPECTED.tsv` records them (no python needed here):
//!
//! - pyxform and ODK Validate both accept: Terreno imports it (warnings allowed);
//! - pyxform accepts, ODK Validate refuses: Terreno may import it, or refuse it saying why (the
//!   form would not load in ODK Collect either);
//! - pyxform refuses: Terreno refuses it, naming pyxform's sheet and row where pyxform names one;
//! - pyxform crashes (a message starting with a Python exception name): either verdict.
//!
//! Whatever the form, the importer must not panic or hang: each file is read on its own thread
//! and one that takes over [`PER_FILE`] fails the test, named. Where Terreno's verdict differs on
//! purpose, [`deliberate`] says so and why. Before failing, the test prints a table of counts per
//! category and every mismatch with pyxform's message and Terreno's first problems: the worklist.
//!
//! Without the corpus the test prints a skip line, except under `CI`, where that is a failure.

use crate::common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use terreno_server::forms::{self, FormError};
use terreno_shared::form::xlsform::Problem;

/// The longest one file may take (a debug build reads the largest corpus form in about a
/// second); over it the importer is taken to hang.
const PER_FILE: Duration = Duration::from_secs(20);

/// What the whole corpus may take.
const WHOLE: Duration = Duration::from_secs(60);

/// What the references say of one file, from `EXPECTED.tsv`.
#[derive(Debug, Clone)]
struct Expected {
    file: String,
    /// pyxform accepts it.
    ok: bool,
    /// The row pyxform's refusal names.
    row: Option<u32>,
    /// pyxform's message (first 200 characters).
    message: String,
    /// ODK Validate's verdict on pyxform's XForm; `None` where pyxform refused.
    odk_ok: Option<bool>,
}

/// What the references make of a file, for the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Category {
    /// pyxform and ODK Validate accept.
    Valid,
    /// pyxform accepts, ODK Validate refuses.
    OdkRefuses,
    /// pyxform refuses, naming a row.
    RefusedAtRow,
    /// pyxform refuses without a row.
    Refused,
    /// pyxform crashes.
    Crash,
}

impl Category {
    fn of(e: &Expected) -> Category {
        match (e.ok, e.odk_ok, e.row) {
            (true, Some(false), _) => Category::OdkRefuses,
            (true, _, _) => Category::Valid,
            (false, _, _) if is_crash(&e.message) => Category::Crash,
            (false, _, Some(_)) => Category::RefusedAtRow,
            (false, _, None) => Category::Refused,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Category::Valid => "pyxform ok, ODK Validate ok",
            Category::OdkRefuses => "pyxform ok, ODK Validate error",
            Category::RefusedAtRow => "pyxform error at a row",
            Category::Refused => "pyxform error, no row",
            Category::Crash => "pyxform crash",
        }
    }
}

/// A pyxform crash rather than a considered refusal: the message is a Python exception.
fn is_crash(message: &str) -> bool {
    message
        .split_once(':')
        .is_some_and(|(name, _)| name.ends_with("Error") && !name.contains(' '))
}

/// Terreno's verdict on one file.
#[derive(Debug, Clone)]
enum Terreno {
    Accepted,
    Refused(Vec<Problem>),
    /// Not read as a form at all (not a workbook, no form id, ...).
    Unreadable(String),
    Panicked(String),
    Hung,
}

impl Terreno {
    fn short(&self) -> &'static str {
        match self {
            Terreno::Accepted => "accepted",
            Terreno::Refused(_) => "refused",
            Terreno::Unreadable(_) => "unreadable",
            Terreno::Panicked(_) => "PANICKED",
            Terreno::Hung => "HUNG",
        }
    }
}

/// Files Terreno refuses on purpose though the references accept them, or without naming
/// pyxform's row, with the reason. Nothing else may differ.
const DELIBERATE: &[(&str, &str)] = &[
    (
        "pyxform__extra_columns.xls",
        "eleven cells spread from A1 to IV19999: reading them takes a grid of 5.1 million cells \
         (164 MB), over the 64 MiB a workbook may take, the bound that keeps a small file from \
         exhausting the server's memory",
    ),
    (
        "koboloadeR__form.xls",
        "its compound file is malformed (FAT sector 689 is not marked as one): Terreno's XLS \
         reader refuses a broken container rather than guess its sectors as xlrd does, so it \
         is refused without reaching pyxform's choices row",
    ),
];

/// Why Terreno refuses `file` on purpose, if it does.
fn deliberate(file: &str) -> Option<&'static str> {
    DELIBERATE
        .iter()
        .find(|(f, _)| *f == file)
        .map(|(_, why)| *why)
}

fn read_expected(path: &Path) -> Vec<Expected> {
    let text = std::fs::read_to_string(path).expect("reading EXPECTED.tsv");
    let mut lines = text.lines();
    let header = lines.next().expect("a header");
    assert_eq!(
        header, "file\tverdict\trow\tmessage\twarnings\todk_validate",
        "EXPECTED.tsv's columns"
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            assert_eq!(cells.len(), 6, "EXPECTED.tsv line: {line}");
            let odk_ok = match cells[5] {
                "ok" => Some(true),
                "error" => Some(false),
                _ => None,
            };
            Expected {
                file: cells[0].to_owned(),
                ok: cells[1] == "ok",
                row: cells[2].parse().ok(),
                message: cells[3].to_owned(),
                odk_ok,
            }
        })
        .collect()
}

/// Reads one file on its own thread: a panic is caught, a hang is reported after [`PER_FILE`]
/// (the thread is left behind; the test fails anyway).
fn terreno(path: &Path) -> Terreno {
    let (send, receive) = mpsc::channel();
    let owned = path.to_owned();
    std::thread::Builder::new()
        .name("corpus-form".into())
        .spawn(move || {
            let verdict = std::panic::catch_unwind(|| match forms::read_path(&owned) {
                Ok(_) => Terreno::Accepted,
                Err(FormError::Refused(problems)) => Terreno::Refused(problems),
                Err(e) => Terreno::Unreadable(e.to_string()),
            });
            let verdict = verdict.unwrap_or_else(|panic| {
                let text = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                Terreno::Panicked(text)
            });
            let _ = send.send(verdict);
        })
        .expect("starting a reader thread");
    match receive.recv_timeout(PER_FILE) {
        Ok(verdict) => verdict,
        Err(mpsc::RecvTimeoutError::Timeout) => Terreno::Hung,
        Err(mpsc::RecvTimeoutError::Disconnected) => Terreno::Panicked("no verdict".into()),
    }
}

/// The sheet pyxform's message puts its problem on: `On the 'X' sheet`, else the survey (its
/// older messages, `List name not in choices sheet`, come from its pass over the survey).
fn pyxform_sheet(message: &str) -> String {
    between(message, "On the '", "' sheet")
        .map(str::to_lowercase)
        .unwrap_or_else(|| "survey".to_owned())
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let len = text[start..].find(close)?;
    Some(&text[start..start + len])
}

/// How one file came out, for the table: Terreno's verdict, finer where the row matters.
fn outcome(expected: &Expected, terreno: &Terreno) -> &'static str {
    match (terreno, expected.row) {
        (Terreno::Refused(problems), Some(row)) if !expected.ok => {
            let sheet = pyxform_sheet(&expected.message);
            match problems
                .iter()
                .any(|p| p.sheet == sheet && p.row == Some(row))
            {
                true => "refused at pyxform's row",
                false => "refused elsewhere",
            }
        }
        (other, _) => other.short(),
    }
}

/// Checks one file; the reason when Terreno's verdict is not the expected one.
fn check(expected: &Expected, terreno: &Terreno) -> Result<(), String> {
    match terreno {
        Terreno::Panicked(why) => return Err(format!("the importer panicked: {why}")),
        Terreno::Hung => return Err(format!("the importer took over {PER_FILE:?}")),
        _ => {}
    }
    if let Some(why) = deliberate(&expected.file) {
        return match terreno {
            Terreno::Accepted => Err(format!("Terreno should refuse it ({why})")),
            _ => Ok(()),
        };
    }
    match (Category::of(expected), terreno) {
        (Category::Crash | Category::OdkRefuses, _) => Ok(()),
        (Category::Valid, Terreno::Accepted) => Ok(()),
        (Category::Valid, _) => Err("pyxform and ODK Validate accept it".into()),
        (Category::Refused | Category::RefusedAtRow, Terreno::Accepted) => {
            Err("pyxform refuses it".into())
        }
        (Category::Refused, _) => Ok(()),
        (Category::RefusedAtRow, _) => match outcome(expected, terreno) {
            "refused at pyxform's row" => Ok(()),
            _ => Err(format!(
                "no Terreno problem on the {} sheet, row {}",
                pyxform_sheet(&expected.message),
                expected.row.unwrap_or_default()
            )),
        },
    }
}

/// Terreno's first problems, for a mismatch.
fn first_problems(terreno: &Terreno) -> String {
    match terreno {
        Terreno::Refused(problems) => {
            let mut out: String = problems
                .iter()
                .take(3)
                .map(|p| format!("\n      {p}"))
                .collect();
            if problems.len() > 3 {
                let _ = write!(out, "\n      ... {} more", problems.len() - 3);
            }
            out
        }
        Terreno::Unreadable(why) | Terreno::Panicked(why) => format!("\n      {why}"),
        Terreno::Accepted | Terreno::Hung => String::new(),
    }
}

fn summary(rows: &[(Expected, Terreno, Result<(), String>)], took: Duration) -> String {
    let mut table: BTreeMap<Category, BTreeMap<&str, usize>> = BTreeMap::new();
    for (expected, terreno, _) in rows {
        *table
            .entry(Category::of(expected))
            .or_default()
            .entry(outcome(expected, terreno))
            .or_default() += 1;
    }
    let mut out = format!("XLSForm corpus: {} files in {took:.1?}\n", rows.len());
    for (category, counts) in &table {
        let total: usize = counts.values().sum();
        let counts: Vec<String> = counts.iter().map(|(o, n)| format!("{o} {n}")).collect();
        let _ = writeln!(
            out,
            "  {:<32} {total:>3}: {}",
            category.title(),
            counts.join(", ")
        );
    }
    let mismatches: Vec<_> = rows.iter().filter(|(_, _, r)| r.is_err()).collect();
    let _ = writeln!(out, "{} mismatch(es)", mismatches.len());
    for (expected, terreno, result) in mismatches {
        let message: String = expected.message.chars().take(160).collect();
        let _ = write!(
            out,
            "- {}: {} (Terreno {})\n    expected {} row {} {message}\n    Terreno:{}\n",
            expected.file,
            result.as_ref().err().map_or("", String::as_str),
            terreno.short(),
            if expected.ok { "ok" } else { "error" },
            expected.row.map_or("-".into(), |r| r.to_string()),
            first_problems(terreno),
        );
    }
    out
}

#[test]
fn the_corpus_gets_pyxforms_and_odk_validates_verdicts() {
    let Some(dir) = common::fixture("xlsform-corpus") else {
        return;
    };
    let expected = read_expected(&dir.join("EXPECTED.tsv"));
    assert!(expected.len() > 200, "{} files listed", expected.len());

    let start = Instant::now();
    let rows: Vec<(Expected, Terreno, Result<(), String>)> = expected
        .into_iter()
        .map(|e| {
            let terreno = terreno(&dir.join(&e.file));
            let result = check(&e, &terreno);
            (e, terreno, result)
        })
        .collect();
    let took = start.elapsed();

    let report = summary(&rows, took);
    eprintln!("{report}");
    let failed = rows.iter().filter(|(_, _, r)| r.is_err()).count();
    assert!(
        failed == 0,
        "{failed} of {} corpus files: see above",
        rows.len()
    );
    assert!(took < WHOLE, "the corpus took {took:?}, over {WHOLE:?}");
}
