//! The form runtime (`terreno_shared::form::runtime`) against real XLSForms: every valid form of
//! `shared/fixtures/xlsform` filled in by a seeded collector (`collector`, `fixtures`), and
//! expectations checked by hand on forms with skip logic, cascading selects and repeats
//! (`cascades`, `skip_logic`, `repeats`). Forms are read as the server reads them
//! (`terreno_server::forms`), so what is tested is what an uploaded file becomes.
//!
//! Where `TERRENO_FIXTURES` (default: `shared/fixtures` beside the repository) is absent the
//! tests print a skip line, unless `CI` is set, where that is a failure.

use crate::common;

mod cascades;
pub(crate) mod collector;
mod fixtures;
mod repeats;
mod skip_logic;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::DateTime;
use terreno_server::forms;
use terreno_shared::form::runtime::{Answers, Engine, Env, Evaluation, Issue};
use terreno_shared::form::xlsform::Form;

/// The folder of XLSForm fixtures, or `None` (after a skip line) where it is absent outside CI.
fn xlsform_dir() -> Option<PathBuf> {
    common::fixture("xlsform")
}

/// A fixture form and its compiled engine.
struct Loaded {
    form: Form,
    engine: Engine,
}

/// Reads and compiles the fixture `name`, or `None` (after a skip line) without fixtures.
///
/// Each form is read once per test binary (the UCL workbook alone carries a million blank rows).
fn load(name: &'static str) -> Option<Arc<Loaded>> {
    static LOADED: Mutex<BTreeMap<&str, Arc<Loaded>>> = Mutex::new(BTreeMap::new());
    let dir = xlsform_dir()?;
    let mut loaded = LOADED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let form = loaded
        .entry(name)
        .or_insert_with(|| Arc::new(read(&dir, name)));
    Some(Arc::clone(form))
}

fn read(dir: &Path, name: &str) -> Loaded {
    let form = forms::read_path(&dir.join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .form;
    let engine = Engine::new(&form).unwrap_or_else(|p| panic!("{name}: engine refused: {p:#?}"));
    Loaded { form, engine }
}

/// 2024-05-20, 09:30 in Nairobi, no language chosen: a fixed clock and id, as the app passes.
fn env() -> Env {
    Env {
        now: DateTime::parse_from_rfc3339("2024-05-20T09:30:00+03:00").expect("a valid instant"),
        uuid: "uuid:0b7e8f2a-4d1c-4c59-9a0e-2f3b5d6c7e81".to_owned(),
        language: None,
    }
}

/// `env()` with messages in `language`.
fn env_in(language: &str) -> Env {
    Env {
        language: Some(language.to_owned()),
        ..env()
    }
}

/// Answers from `(path, text)` pairs.
fn answers(pairs: &[(&str, &str)]) -> Answers {
    pairs.iter().copied().collect()
}

/// Whether `path` is relevant (failing the test when the evaluation does not know it).
fn relevant(e: &Evaluation, path: &str) -> bool {
    *e.relevant
        .get(path)
        .unwrap_or_else(|| panic!("no relevance for {path}"))
}

/// The choices offered at `path` (none when the question is not relevant).
fn choices<'a>(e: &'a Evaluation, path: &str) -> &'a [String] {
    e.choices.get(path).map_or(&[], Vec::as_slice)
}

/// The message of the issue at `path` among `issues`.
fn message<'a>(issues: &'a [Issue], path: &str) -> Option<&'a str> {
    issues
        .iter()
        .find(|i| i.path == path)
        .map(|i| i.message.as_str())
}
