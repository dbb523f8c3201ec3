//! The `terreno` command line as a script uses it: JSON output, exit codes (0 done, 1 failed,
//! 2 bad usage or input, 3 refused by the rules), one clear sentence per error, and nothing
//! stored from a file it refuses.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use chrono::{TimeDelta, Utc};
use serde_json::Value;
use terreno_tests::{TempDir, TestServer};

use crate::both;

struct Cli {
    data: String,
}

impl Cli {
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_terreno-e2e-cli"));
        cmd.args(["--data", &self.data])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("starting terreno");
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(input.as_bytes())
                .expect("writing stdin");
        }
        drop(child.stdin.take());
        child.wait_with_output().expect("running terreno")
    }

    fn json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all, None);
        let body = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?} printed no JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        });
        (out.status.code().expect("an exit code"), body)
    }
}

both!(the_cli_speaks_json_and_exit_codes, |backend| {
    let Some(server) = TestServer::spawn(backend) else {
        return;
    };
    let dir = TempDir::new("cli");
    let route = dir.0.join("route.csv");
    std::fs::write(&route, "external_id,debtor_name,address,latitude,longitude,balance,days_past_due,collector,visit_date\n\
        C-1,Ana Pérez,Calle 1 # 2-3,4.60,-74.10,100000,40,gestor.cli,2026-11-24\n").expect("writing a route");
    let seeded = server.seed(
        &route,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date"),
    );
    server.allow_contact_any_time(seeded.org);
    let cli = Cli {
        data: dir.0.join("phone").display().to_string(),
    };

    let login = cli.run(
        &["login", "--server", &server.url(), "--user", "gestor.cli"],
        Some(&format!("{}\n", terreno_tests::server::PASSWORD)),
    );
    assert!(
        login.status.success(),
        "{}",
        String::from_utf8_lossy(&login.stderr)
    );
    // The feed may hold a fresh import back while other transactions run: sync until it arrives.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let route = loop {
        assert_eq!(cli.json(&["sync"]).0, 0);
        let (code, route) = cli.json(&["route", "--date", "2026-11-24"]);
        assert_eq!(code, 0);
        if route.as_array().is_some_and(|r| !r.is_empty()) || std::time::Instant::now() > deadline {
            break route;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(
        (
            route[0]["external_id"].as_str(),
            route[0]["status"].as_str()
        ),
        (Some("C-1"), Some("planned"))
    );

    let (code, err) = cli.json(&["checkin", "C-1"]);
    assert_eq!(code, 3, "no position yet: refused by the rules");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("no location"),
        "{err}"
    );

    let bad_gpx = dir.0.join("broken.gpx");
    std::fs::write(
        &bad_gpx,
        "<gpx><trk><trkseg><trkpt lat=\"4.6\" lon=\"-74.1\"><time>2026-11-24T",
    )
    .expect("a broken file");
    let shift_start = (Utc::now() - TimeDelta::minutes(10)).to_rfc3339();
    assert_eq!(cli.json(&["--now", &shift_start, "shift", "start"]).0, 0);
    let out = cli.run(&["track", "import", bad_gpx.to_str().expect("path")], None);
    assert_eq!(out.status.code(), Some(2));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("broken.gpx") && message.contains("line 1"),
        "{message}"
    );

    let now = Utc::now();
    let track = dir.0.join("door.jsonl");
    let lines: Vec<String> = (0..24)
        .map(|i| format!("{{\"t\": \"{}\", \"lat\": 4.6, \"lon\": -74.1, \"accuracy_m\": 5.0, \"battery\": 0.81}}", (now - TimeDelta::seconds(5 * (23 - i))).to_rfc3339()))
        .collect();
    std::fs::write(&track, lines.join("\n")).expect("a track");
    let (code, imported) = cli.json(&["track", "import", track.to_str().expect("path")]);
    assert_eq!(
        (code, imported["recorded"]["stored"].as_u64()),
        (0, Some(24)),
        "{imported}"
    );
    let (code, checked) = cli.json(&["checkin", "C-1"]);
    assert_eq!(
        (code, checked["verdict"]["verdict"].as_str()),
        (0, Some("allowed")),
        "{checked}"
    );

    let (code, err) = cli.json(&[
        "visit",
        "answer",
        "C-1",
        "promise_amount=doce mil",
        "contact_result=maybe",
    ]);
    assert_eq!(code, 2);
    let message = err["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("promise_amount") && message.contains("contact_result"),
        "every bad answer is named: {err}"
    );
    assert_eq!(
        cli.json(&[
            "visit",
            "answer",
            "C-1",
            "contact_result=debtor",
            "comment=pagará el viernes"
        ])
        .0,
        0
    );
    let (code, form) = cli.json(&["visit", "form", "C-1"]);
    assert_eq!(
        (code, form["complete"].as_bool()),
        (0, Some(false)),
        "{form}"
    );
    let question = |path: &str| {
        form["questions"]
            .as_array()
            .and_then(|qs| qs.iter().find(|q| q["path"] == path))
            .cloned()
            .unwrap_or_else(|| panic!("{path} is listed: {form}"))
    };
    assert_eq!(question("balance")["value"], "100000.00", "prefilled");
    assert_eq!(question("contact_result")["value"], "debtor");
    assert!(question("person_contacted")["issue"].is_string(), "{form}");
    assert_eq!(question("relationship")["relevant"], false);
    let human = cli.run(&["visit", "form", "C-1"], None);
    assert!(
        String::from_utf8_lossy(&human.stdout).contains("person_contacted"),
        "{}",
        String::from_utf8_lossy(&human.stdout)
    );
    let (code, refused) = cli.json(&["visit", "complete", "C-1", "--outcome", "contacted"]);
    assert_eq!(code, 3, "the form is not complete: {refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("person_contacted"),
        "{refused}"
    );
    assert_eq!(
        cli.json(&[
            "visit",
            "answer",
            "C-1",
            "person_contacted=Ana Pérez",
            "non_payment_reason=forgot",
        ])
        .0,
        0
    );
    assert_eq!(
        cli.run(&["visit", "complete", "C-1", "--outcome", "maybe"], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        cli.json(&["visit", "complete", "C-1", "--outcome", "contacted"])
            .0,
        0
    );
    assert_eq!(
        cli.json(&["visit", "complete", "C-1", "--outcome", "contacted"])
            .0,
        3,
        "a visit completes once"
    );

    let (_, status) = cli.json(&["status"]);
    assert!(
        status["pending_events"].as_u64().unwrap_or_default() >= 27,
        "{status}"
    );
    assert_eq!(status["battery_percent"].as_f64(), Some(81.0));
    assert_eq!(cli.json(&["sync"]).0, 0);
    let (_, status) = cli.json(&["status"]);
    assert_eq!(status["pending_events"].as_u64(), Some(0));
    assert_eq!(
        cli.run(&["route", "--date", "2026-13-01"], None)
            .status
            .code(),
        Some(2)
    );
});
