//! The shell's commands through Tauri's real IPC layer on the mock runtime (no display),
//! against a real `terreno-server` on port 0 with the demo route of `samples/`: what
//! the UI sends and receives, errors included.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody, InvokeResponseBody};
use tauri::test::{INVOKE_KEY, MockRuntime, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};
use terreno_app::Clock;
use terreno_mobile::{Shell, ShellConfig};
use terreno_tests::server::PASSWORD;
use terreno_tests::{Backend, TempDir, TestServer, samples};

fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("an RFC 3339 time")
}

/// The app with its commands and a shell on `data_dir`, replaying `track`, clock at `now`.
struct TestApp {
    _app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

impl TestApp {
    fn new(data_dir: &std::path::Path, track: Option<std::path::PathBuf>, now: &str) -> TestApp {
        let mut config = ShellConfig::new(data_dir);
        config.clock = Clock::Fixed(t(now));
        config.track = track;
        let app = terreno_mobile::register(mock_builder())
            .build(mock_context(noop_assets()))
            .expect("building the mock app");
        app.manage(Shell::open(config).expect("opening the shell"));
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("a mock window");
        TestApp { _app: app, window }
    }

    fn request(
        &self,
        cmd: &str,
        body: InvokeBody,
        headers: tauri::http::HeaderMap,
    ) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            // The origin the Linux webview uses (`http://tauri.localhost` counts as remote).
            url: "tauri://localhost".parse().expect("a url"),
            body,
            headers,
            invoke_key: INVOKE_KEY.to_owned(),
        };
        tauri::test::get_ipc_response(&self.window, request).map(|body| match body {
            InvokeResponseBody::Json(s) => serde_json::from_str(&s).expect("a JSON response"),
            InvokeResponseBody::Raw(b) => {
                panic!("{cmd}: unexpected raw response of {} bytes", b.len())
            }
        })
    }

    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        self.request(cmd, InvokeBody::Json(args), Default::default())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn err(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Err(e) => e,
            Ok(v) => panic!("{cmd} should have failed, returned {v}"),
        }
    }

    /// Syncs until `done` holds on the route of the fixture day (the server's feed may hold a
    /// fresh import back for a moment); at most 20 s.
    fn sync_until(&self, what: &str, done: impl Fn(&TestApp) -> bool) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            self.ok("sync_run", json!({}));
            if done(self) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {what}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date")
}

#[test]
// Long: a scenario test read top to bottom.
fn a_collector_logs_in_checks_in_fills_the_form_and_syncs_through_the_commands() {
    let fx = samples();
    let Some(mut server) = TestServer::spawn(Backend::Sqlite) else {
        return;
    };
    server.seed(&fx.join("route_basic.csv"), day());
    let dir = TempDir::new("mobile");
    let app = TestApp::new(
        &dir.0,
        Some(fx.join("track_day.jsonl")),
        "2026-11-24T12:50:00Z",
    );

    let before = app.err("session_status", json!({}));
    assert_eq!(before["code"], "not_enrolled", "{before}");
    let wrong = app.err(
        "session_login",
        json!({"server_url": server.url(), "username": "gestor.ramirez", "password": "nope"}),
    );
    assert_eq!(wrong["code"], "rejected", "{wrong}");
    let enrolled = app.ok(
        "session_login",
        json!({"server_url": server.url(), "username": "gestor.ramirez", "password": PASSWORD}),
    );
    assert_eq!(enrolled["new_device"], true);
    app.sync_until("the route and the visit form", |a| {
        a.call("visit_form", json!({"stop": "CL-100000"})).is_ok()
    });

    let route = app.ok("route_list", json!({"date": day()}));
    let first = route
        .as_array()
        .and_then(|r| r.iter().find(|s| s["external_id"] == "CL-100000"))
        .unwrap_or_else(|| panic!("CL-100000 on the route: {route}"));
    assert_eq!(first["status"], "planned");
    assert!(
        first["balance"].as_str().is_some_and(|b| !b.is_empty()),
        "{first}"
    );
    let detail = app.ok("stop_get", json!({"stop": "CL-100000"}));
    assert_eq!(detail["account"]["external_id"], "CL-100000");
    assert_eq!(detail["visits"], json!([]), "no visit yet");

    // Off shift the replay moves the clock but nothing is stored.
    let off = app.ok("position_replay_to", json!({"at": "2026-11-24T12:58:00Z"}));
    assert_eq!(off["source"], "replay");
    app.ok("shift_start", json!({}));
    let again = app.err("shift_start", json!({}));
    assert_eq!(again["code"], "conflict", "{again}");
    let here = app.ok("position_replay_to", json!({"at": "2026-11-24T13:03:00Z"}));
    assert!(here["last"]["accuracy_m"].as_f64().is_some(), "{here}");
    let status = app.ok("session_status", json!({}));
    assert!(status["device"]["shift_started"].is_string(), "{status}");
    assert!(
        status["device"]["last_fix"].is_array(),
        "fixes stored on shift: {status}"
    );

    // Standing at CL-100000's door: the check-in at a stop across town is refused, with the
    // geofence's reasons for the UI to put in words; the one at the door is allowed.
    let far = app.err("checkin_create", json!({"stop": "CL-100016"}));
    assert_eq!(far["code"], "refused", "{far}");
    let reasons = &far["details"]["verdict"]["reasons"];
    assert!(
        reasons
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["reason"] == "outside_radius")),
        "{far}"
    );
    let checked = app.ok("checkin_create", json!({"stop": "CL-100000"}));
    assert_eq!(checked["verdict"]["verdict"], "allowed", "{checked}");

    // The questionnaire: prefilled balance, skip logic, a constraint refused and corrected.
    let form = app.ok("visit_form", json!({"stop": "CL-100000"}));
    assert_eq!(form["state"]["answers"]["balance"], "1885907.28");
    assert_eq!(form["state"]["relevant"]["person_contacted"], false);
    let answer = |path: &str, value: &str| {
        app.ok(
            "visit_answer",
            json!({"stop": "CL-100000", "path": path, "value": value}),
        )
    };
    let form = answer("contact_result", "debtor");
    assert_eq!(
        form["state"]["relevant"]["person_contacted"], true,
        "skip logic"
    );
    answer("person_contacted", "José González");
    let form = answer("promise_amount", "2000000");
    let failed = &form["state"]["failed_constraints"];
    assert_eq!(failed[0]["path"], "promise_amount", "{failed}");
    assert!(
        failed[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no superar el saldo")),
        "{failed}"
    );
    let bad = app.err(
        "visit_answer",
        json!({"stop": "CL-100000", "path": "promise_date", "value": "pronto"}),
    );
    assert_eq!(bad["code"], "invalid", "{bad}");
    answer("promise_date", "2026-12-05");
    let refused = app.err(
        "visit_complete",
        json!({"stop": "CL-100000", "outcome": "promise_to_pay"}),
    );
    assert_eq!(refused["code"], "refused", "{refused}");
    let form = answer("promise_amount", "1885907.28");
    assert_eq!(form["state"]["failed_constraints"], json!([]));

    // The customer signs on the screen: the image arrives as a raw body.
    let mut headers = tauri::http::HeaderMap::new();
    headers.insert("x-stop", "CL-100000".parse().unwrap());
    headers.insert("x-question", "signature".parse().unwrap());
    headers.insert("x-file-name", "firma%20de%20Jos%C3%A9.png".parse().unwrap());
    let png = b"\x89PNG\r\n\x1a\n a signature".to_vec();
    let form = app
        .request("visit_attach", InvokeBody::Raw(png), headers)
        .unwrap_or_else(|e| panic!("visit_attach failed: {e}"));
    assert!(
        form["state"]["answers"]["signature"]
            .as_str()
            .is_some_and(|a| !a.is_empty()),
        "{}",
        form["state"]["answers"]
    );
    assert!(
        std::fs::read_dir(dir.0.join("inbox")).is_ok_and(|mut d| d.next().is_none()),
        "the plain copy leaves the inbox once the core encrypted it"
    );
    let done = app.ok(
        "visit_complete",
        json!({"stop": "CL-100000", "outcome": "promise_to_pay"}),
    );
    assert_eq!(done["status"], "done", "{done}");

    // Offline: the sync says so and nothing is lost; back online the visit reaches the server.
    server.stop();
    let offline = app.err("sync_run", json!({}));
    assert_eq!(offline["code"], "offline", "{offline}");
    let pending = app.ok("session_status", json!({}))["device"]["pending_events"]
        .as_u64()
        .expect("a count");
    assert!(pending > 0);
    server.start();
    let report = app.ok("sync_run", json!({}));
    assert_eq!(report["rejected"], json!([]), "{report}");
    assert_eq!(
        app.ok("session_status", json!({}))["device"]["pending_events"],
        0
    );
    let on_server = server.query(
        "select v.status, v.outcome from visits v join accounts a on a.id = v.account_id \
         where a.external_id = $1",
        "CL-100000",
    );
    assert_eq!(
        on_server,
        vec![vec![Some("done".into()), Some("promise_to_pay".into())]]
    );
    let history = app.ok("stop_get", json!({"stop": "CL-100000"}));
    assert_eq!(
        history["visits"][0]["outcome"], "promise_to_pay",
        "{history}"
    );
}

#[test]
fn a_desktop_without_a_track_file_refuses_to_replay_and_says_why() {
    let dir = TempDir::new("mobile-notrack");
    let app = TestApp::new(&dir.0, None, "2026-11-24T12:50:00Z");
    let position = app.ok("position_get", json!({}));
    assert_eq!(position["source"], "none");
    assert_eq!(position["last"], Value::Null);
    let e = app.err("position_replay_to", json!({"at": "2026-11-24T13:00:00Z"}));
    assert_eq!(e["code"], "invalid");
    assert!(
        e["message"]
            .as_str()
            .is_some_and(|m| m.contains("TERRENO_TRACK")),
        "{e}"
    );
    let e = app.err("route_list", json!({}));
    assert_eq!(e["code"], "not_enrolled", "{e}");
}

#[test]
fn fixes_from_the_phone_are_checked_like_any_other_input() {
    let dir = TempDir::new("mobile-fixes");
    let app = TestApp::new(&dir.0, None, "2026-11-24T12:50:00Z");
    let bad = app.err(
        "position_record",
        json!({"fixes": [{"t": "2026-11-24T12:49:00Z", "lat": 95.0, "lon": -74.1, "accuracy_m": 5.0}]}),
    );
    // Tauri refuses arguments that do not deserialize before the command runs, with a plain
    // string (the UI wraps it as `invalid`); the shared crate's validation names the reason.
    let text = bad.as_str().unwrap_or_default();
    assert!(
        text.contains("`fixes`") && text.contains("latitude"),
        "{bad}"
    );
}

#[test]
fn a_map_tile_is_null_without_a_tile_server_and_an_address_out_of_range_is_invalid() {
    let dir = TempDir::new("mobile-tiles");
    let app = TestApp::new(&dir.0, None, "2026-11-24T12:50:00Z");

    let none = app.ok("map_tile", json!({"z": 17, "x": 37_566, "y": 63_280}));
    let deep = app.err("map_tile", json!({"z": 23, "x": 0, "y": 0}));
    let outside = app.err("map_tile", json!({"z": 2, "x": 4, "y": 0}));

    assert_eq!(none, Value::Null, "not enrolled: no tile server, no tile");
    assert_eq!(deep["code"], "invalid", "{deep}");
    assert_eq!(
        deep["message"],
        "map tile zoom 23 is out of range: it must be 0 to 22"
    );
    assert_eq!(outside["code"], "invalid", "{outside}");
}
