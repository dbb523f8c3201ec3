//! Running the real `terreno-server` binary on a temporary SQLite database, for the command-line
//! test targets.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A temporary directory holding the database, removed on drop.
pub struct TempDb(PathBuf);

impl TempDb {
    /// A fresh directory named after the test target.
    pub fn new(prefix: &str) -> TempDb {
        let dir = std::env::temp_dir().join(format!("terreno-{prefix}-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("creating a temporary directory");
        TempDb(dir)
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.0
    }

    /// The database file.
    pub fn path(&self) -> PathBuf {
        self.0.join("t.db")
    }

    /// Writes a file beside the database and returns its path.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).expect("writing a test file");
        path
    }

    /// Runs `terreno-server --db PATH ARGS`, feeding `stdin`.
    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        self.run_env(args, stdin, &[])
    }

    /// [`TempDb::run`] with environment variables set (`TERRENO_NOW`...).
    pub fn run_env(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_terreno-server"))
            .arg("--db")
            .arg(self.path())
            .args(args)
            .env_remove("TERRENO_DB")
            .env_remove("TERRENO_ORG")
            .env_remove("TERRENO_NOW")
            .envs(env.iter().copied())
            .env("TERRENO_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting terreno-server");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("writing stdin");
        child
            .wait_with_output()
            .expect("waiting for terreno-server")
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fixture file or folder (`TERRENO_FIXTURES`, default `shared/fixtures` beside the
/// repository), or `None` after a skip line where it is absent outside CI; under `CI` a missing
/// fixture is a failure (CONVENTIONS.md).
pub fn fixture(name: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("TERRENO_FIXTURES").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"),
        PathBuf::from,
    );
    let path = dir.join(name);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "fixture {} is missing",
        path.display()
    );
    eprintln!("skipped: fixture {} is absent", path.display());
    None
}
