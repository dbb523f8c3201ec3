//! A small W3C WebDriver client over blocking HTTP, and `tauri-driver` as a child process.
//! Every wait polls with a deadline; the driver is stopped with SIGTERM (only its signal
//! handler stops its WebKitWebDriver child; a SIGKILL would orphan it and hang the CI step).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// The key W3C WebDriver names element references by.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long any wait for the UI lasts.
pub const WAIT: Duration = Duration::from_secs(20);

/// A free loopback port (bound and released: tauri-driver binds it right after).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `tauri-driver` running on its own ports, stopped (SIGTERM) on drop.
pub struct TauriDriver {
    child: Child,
    port: u16,
}

impl TauriDriver {
    /// Starts `tauri-driver` with `env` for the app it will launch.
    pub fn start(env: &[(&str, &Path)]) -> TauriDriver {
        let (port, native) = (free_port(), free_port());
        let mut cmd = Command::new("tauri-driver");
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .stdin(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .expect("starting tauri-driver (cargo install tauri-driver --locked)");
        let driver = TauriDriver { child, port };
        let deadline = Instant::now() + WAIT;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        driver
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!("tauri-driver ignored SIGTERM for 10 s: killing it");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A WebDriver session on the app.
pub struct Session {
    http: reqwest::blocking::Client,
    base: String,
    artifacts: PathBuf,
    shots: usize,
}

impl Session {
    /// Opens a session that launches `application`; screenshots go to `artifacts`.
    pub fn new(driver: &TauriDriver, application: &Path, artifacts: PathBuf) -> Session {
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("an HTTP client");
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": application},
        }}});
        let root = format!("http://127.0.0.1:{}", driver.port);
        let created: Value = http
            .post(format!("{root}/session"))
            .json(&caps)
            .send()
            .and_then(|r| r.json())
            .expect("creating a WebDriver session");
        let id = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"));
        std::fs::create_dir_all(&artifacts).expect("creating the artifacts folder");
        Session {
            base: format!("{root}/session/{id}"),
            http,
            artifacts,
            shots: 0,
        }
    }

    fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req
            .send()
            .and_then(|r| r.json())
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        v["value"].clone()
    }

    fn post(&self, path: &str, body: Value) -> Value {
        self.send(reqwest::Method::POST, path, Some(body))
    }

    /// The first element matching `css`, if any now.
    pub fn try_find(&self, css: &str) -> Option<String> {
        let v = self.post("/element", json!({"using": "css selector", "value": css}));
        v[ELEMENT].as_str().map(str::to_owned)
    }

    /// Waits for an element matching `css`.
    pub fn find(&self, css: &str) -> String {
        self.wait(&format!("an element {css}"), || self.try_find(css))
    }

    /// Polls `f` until it gives a value, failing after [`WAIT`].
    pub fn wait<T>(&self, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(v) = f() {
                return v;
            }
            if Instant::now() > deadline {
                let shot = self.screenshot_to("timeout");
                panic!(
                    "timed out waiting for {what} (screenshot {})",
                    shot.display()
                );
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// Waits for `css` to show text containing `needle`; returns the text.
    pub fn wait_text(&self, css: &str, needle: &str) -> String {
        self.wait(&format!("{css} to read {needle:?}"), || {
            self.try_find(css)
                .map(|e| self.text_of(&e))
                .filter(|t| t.contains(needle))
        })
    }

    fn text_of(&self, element: &str) -> String {
        let v = self.send(
            reqwest::Method::GET,
            &format!("/element/{element}/text"),
            None,
        );
        v.as_str().unwrap_or_default().to_owned()
    }

    /// The text of the element matching `css` (waiting for it).
    pub fn text(&self, css: &str) -> String {
        self.text_of(&self.find(css))
    }

    /// Clicks the element matching `css` (found again if the UI redrew it meanwhile).
    pub fn click(&self, css: &str) {
        self.act(css, "click", |e| {
            self.post(&format!("/element/{e}/click"), json!({}))
        });
    }

    /// Replaces the value of the field matching `css` by typing `text`.
    pub fn type_into(&self, css: &str, text: &str) {
        self.act(css, "type into", |e| {
            self.post(&format!("/element/{e}/clear"), json!({}));
            self.post(&format!("/element/{e}/value"), json!({"text": text}))
        });
    }

    /// Does `f` to the element matching `css`, again on a fresh reference while the element
    /// went stale (a redraw between finding and acting) or lay under the sticky status bar
    /// (then scrolled to the middle first); any other error fails the test.
    fn act(&self, css: &str, what: &str, f: impl Fn(&str) -> Value) {
        self.wait(&format!("to {what} {css}"), || {
            let v = f(&self.find(css));
            match v["error"].as_str() {
                None => Some(()),
                Some("stale element reference") => None,
                Some("element click intercepted") => {
                    self.scroll_to(css);
                    None
                }
                Some(_) => panic!("{what} {css}: {v}"),
            }
        });
    }

    /// Runs `script` in the page with `args`.
    pub fn exec(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": args}))
    }

    /// Scrolls the element matching `css` to the middle of the window (screenshots show the
    /// viewport only).
    pub fn scroll_to(&self, css: &str) {
        self.find(css);
        self.exec(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'})",
            json!([css]),
        );
    }

    /// Saves a numbered screenshot named `name`; returns its path.
    pub fn screenshot(&mut self, name: &str) -> PathBuf {
        self.shots += 1;
        self.screenshot_to(&format!("{:02}-{name}", self.shots))
    }

    fn screenshot_to(&self, name: &str) -> PathBuf {
        let v = self.send(reqwest::Method::GET, "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .expect("a base64 screenshot");
        let path = self.artifacts.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("saving a screenshot");
        path
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.http.delete(&self.base).send();
    }
}
