//! The two outside programs of the runtime differential test: pyxform (the form generator and
//! the XLSForm-to-XForm conversion, `server/tests/forms_odk.py`, in the venv `TERRENO_PYXFORM`
//! names) and ODK's engine under Node (`server/tests/odk_engine/run.mjs`, its packages installed
//! by scripts/test with `npm ci`). Each is started once for all forms.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde::{Deserialize, Serialize};

use super::compare::OdkState;
use super::steps::Step;
use crate::forms_pyxform::{json_lines, pyxform_python, skip};

fn helper() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/forms_odk.py")
}

fn harness_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/odk_engine")
}

/// pyxform's python, or `None` after a skip line (a failure under `CI`).
pub fn python() -> Option<PathBuf> {
    pyxform_python()
}

/// One generated form.
#[derive(Debug, Deserialize)]
pub struct Generated {
    pub file: String,
    pub features: Vec<String>,
}

/// Writes `count` generated forms from `seed` into `dir`.
pub fn generate(python: &Path, dir: &Path, seed: u64, count: usize) -> Vec<Generated> {
    let out = Command::new(python)
        .arg(helper())
        .args(["generate", dir.to_str().expect("utf-8 path")])
        .args([seed.to_string(), count.to_string()])
        .output()
        .expect("running the form generator");
    assert!(
        out.status.success(),
        "the form generator failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_lines(&out.stdout)
}

/// pyxform's XForm of one file, or why it has none.
#[derive(Debug, Deserialize)]
pub struct Converted {
    pub file: String,
    pub xform: Option<String>,
    pub error: Option<String>,
}

/// pyxform's XForms of `files`, in order, from one python process.
pub fn xforms(python: &Path, files: &[PathBuf]) -> Vec<Converted> {
    let mut child = Command::new(python)
        .arg(helper())
        .arg("xform")
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
    writer.join().expect("stdin writer").expect("writing paths");
    assert!(
        out.status.success(),
        "pyxform's helper failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let converted: Vec<Converted> = json_lines(&out.stdout);
    assert_eq!(converted.len(), files.len(), "one XForm per file");
    for (c, f) in converted.iter().zip(files) {
        assert_eq!(c.file, f.display().to_string(), "pyxform answers in order");
    }
    converted
}

/// ODK's engine, running in one Node process.
pub struct Odk {
    child: Child,
    input: BufWriter<ChildStdin>,
    output: BufReader<ChildStdout>,
}

#[derive(Serialize)]
struct Case<'a> {
    id: &'a str,
    xform: &'a str,
    steps: &'a [Step],
}

/// ODK's answer for one case.
#[derive(Debug, Deserialize)]
pub struct OdkRun {
    pub id: String,
    pub error: Option<String>,
    pub states: Vec<OdkState>,
}

impl Odk {
    /// Starts the harness with its clock frozen at `now_ms` in a zone `offset_hours` east of
    /// UTC, or `None` after a skip line where Node or the harness's packages are missing.
    pub fn start(now_ms: i64, offset_hours: i32) -> Option<Odk> {
        let dir = harness_dir();
        let node = std::env::var_os("TERRENO_NODE").unwrap_or_else(|| "node".into());
        if !dir.join("node_modules/@getodk/xforms-engine").is_dir() {
            skip(&format!(
                "ODK's engine is not installed in {} (scripts/test runs npm ci there)",
                dir.display()
            ));
            return None;
        }
        // POSIX zone names count the other way: Etc/GMT-3 is UTC+03:00.
        let zone = format!("Etc/GMT{:+}", -offset_hours);
        let child = Command::new(&node)
            .current_dir(&dir)
            .arg("run.mjs")
            .arg(now_ms.to_string())
            .env("TZ", zone)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn();
        let mut child = match child {
            Ok(child) => child,
            Err(e) => {
                skip(&format!(
                    "cannot run node ({e}): install Node.js 20.19 or newer"
                ));
                return None;
            }
        };
        let input = BufWriter::new(child.stdin.take().expect("stdin"));
        let output = BufReader::new(child.stdout.take().expect("stdout"));
        Some(Odk {
            child,
            input,
            output,
        })
    }

    /// Runs one form through `steps`: ODK's state before the first and after each.
    pub fn run(&mut self, id: &str, xform: &str, steps: &[Step]) -> OdkRun {
        let case = Case { id, xform, steps };
        serde_json::to_writer(&mut self.input, &case).expect("writing a case to node");
        self.input.write_all(b"\n").expect("writing to node");
        self.input.flush().expect("writing to node");
        let mut line = String::new();
        let read = self.output.read_line(&mut line).expect("reading from node");
        assert!(
            read > 0,
            "ODK's engine harness stopped (see its errors above)"
        );
        let run: OdkRun = serde_json::from_str(&line).expect("the harness's JSON line");
        assert_eq!(run.id, id, "the harness answers in order");
        run
    }
}

impl Drop for Odk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
