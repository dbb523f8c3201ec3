//! Finding `../shared/fixtures` for tests (CONVENTIONS.md §6): `TERRENO_FIXTURES`, else the
//! `shared/fixtures` folder beside the repository. Where it is absent the test prints a skip line
//! and passes, except under CI, where a missing folder is a failure.

#![allow(dead_code)]

use std::path::PathBuf;

use terreno_shared::model::Fix;

/// The fixtures folder, or `None` (after printing a skip line) when this clone has none.
pub fn fixtures_dir(test: &str) -> Option<PathBuf> {
    let dir = match std::env::var_os("TERRENO_FIXTURES") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"),
    };
    if dir.join("README.md").is_file() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "{test}: fixtures not found at {} (set TERRENO_FIXTURES); CI requires them",
            dir.display()
        );
    }
    eprintln!(
        "skipped {test}: fixtures not found at {} (set TERRENO_FIXTURES)",
        dir.display()
    );
    None
}

/// Reads a `.jsonl` track in the `track_day.jsonl` format; a bad line fails with its number.
pub fn read_track(path: &std::path::Path) -> Vec<Fix> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}
