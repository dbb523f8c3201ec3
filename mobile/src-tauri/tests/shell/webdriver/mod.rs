//! End to end on the real Linux build: the app (UI embedded) under Xvfb, driven through
//! WebDriver (tauri-driver + WebKitWebDriver), against a real `terreno-server` on port 0 with
//! the demo route. A collector logs in, sees the route, replays `track_day.jsonl`, gets a
//! check-in refused (too far) and then allowed at the door, fills the visit form (a skip-logic
//! branch, a validation error corrected), completes; goes offline, completes another visit with
//! a photo from a file; comes back online, and the server holds both visits. A screenshot of
//! each step is saved under `mobile/test-artifacts/webdriver/`.
//!
//! Runs only when the binary embeds the UI (`--features custom-protocol`) and `TERRENO_WEBDRIVER`
//! is set (a display, tauri-driver and WebKitWebDriver present): scripts/test sets up both.

mod client;

use chrono::NaiveDate;
use serde_json::json;
use terreno_tests::server::PASSWORD;
use terreno_tests::{Backend, TempDir, TestServer, samples};

use client::{Session, TauriDriver};

fn enabled() -> bool {
    if !cfg!(feature = "custom-protocol") {
        eprintln!("skipped: the WebDriver test needs the UI embedded (--features custom-protocol)");
        return false;
    }
    if std::env::var_os("TERRENO_WEBDRIVER").is_none() {
        eprintln!("skipped: set TERRENO_WEBDRIVER=1 (with a display and tauri-driver) to run it");
        return false;
    }
    true
}

/// Moves the desktop replay (position and clock) to `at`.
fn replay_to(s: &Session, at: &str) {
    s.type_into("#replay-at", at);
    s.click("#replay-go");
    s.wait(&format!("the replay at {at}"), || {
        let v = s.exec(
            "return document.getElementById('replay-at').value",
            json!([]),
        );
        (v.as_str() == Some(at)).then_some(())
    });
}

fn choose(s: &Session, question: &str, choice: &str) {
    s.click(&format!(
        ".q[data-path=\"{question}\"] label.opt[data-choice=\"{choice}\"]"
    ));
    s.find(&format!(
        ".q[data-path=\"{question}\"] label.opt.on[data-choice=\"{choice}\"]"
    ));
}

fn set_value(s: &Session, css: &str, value: &str) {
    let v = s.exec(
        "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
         e.dispatchEvent(new Event('change', {bubbles: true})); return e.value",
        json!([css, value]),
    );
    assert_eq!(v, json!(value), "setting {css}");
}

fn wait_saved(s: &Session, question: &str) {
    s.wait_text(&format!(".q[data-path=\"{question}\"] .saved"), "✓");
}

fn check_in(s: &mut Session, stop: &str) {
    s.click(&format!("button.stop[data-stop=\"{stop}\"]"));
    s.wait_text("#live", "±");
    s.click("#checkin");
    s.find(".q[data-path=\"contact_result\"]");
}

#[test]
// Long: a scenario test read top to bottom.
fn a_collectors_day_in_the_real_app_reaches_the_server() {
    if !enabled() {
        return;
    }
    let fx = samples();
    let Some(mut server) = TestServer::spawn(Backend::Sqlite) else {
        return;
    };
    let day = NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date");
    server.seed(&fx.join("route_basic.csv"), day);
    let home = TempDir::new("webdriver");
    let track = fx.join("track_day.jsonl");
    let now = std::path::PathBuf::from("2026-11-24T12:50:00Z");
    // XDG_DATA_HOME keeps the webview's storage and the app's data in this run's folder.
    let driver = TauriDriver::start(&[
        ("XDG_DATA_HOME", &home.0),
        ("TERRENO_TRACK", &track),
        ("TERRENO_NOW", &now),
    ]);
    let artifacts = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../test-artifacts/webdriver"
    ));
    let _ = std::fs::remove_dir_all(&artifacts);
    let mut s = Session::new(
        &driver,
        std::path::Path::new(env!("CARGO_BIN_EXE_terreno-mobile")),
        artifacts,
    );

    // Log in as a demo collector; the route arrives with the first syncs.
    s.type_into("#server", &server.url());
    s.type_into("#username", "gestor.ramirez");
    s.type_into("#password", PASSWORD);
    s.screenshot("login");
    s.click("#login");
    s.wait("CL-100000 on the route", || {
        if s.try_find("button.stop[data-stop=\"CL-100000\"]").is_some() {
            return Some(());
        }
        if s.try_find("#sync:not([disabled])").is_some() {
            s.click("#sync");
        }
        None
    });
    s.screenshot("route");

    // On shift, standing at CL-100000's door at 08:03 local: CL-100012, across town, is too far.
    replay_to(&s, "2026-11-24T12:59:00Z");
    s.click("#shift-toggle");
    s.wait_text("#shift", "En turno");
    replay_to(&s, "2026-11-24T13:03:00Z");
    s.click("button.stop[data-stop=\"CL-100012\"]");
    s.wait_text("#live", "±");
    s.click("#checkin");
    s.wait_text("#reasons", "Muy lejos");
    s.screenshot("checkin-refused-too-far");
    s.click("#back");
    check_in(&mut s, "CL-100000");
    s.screenshot("visit-form");

    // Skip logic: a contacted debtor opens "who did you speak to".
    assert!(
        s.try_find(".q.hidden[data-path=\"person_contacted\"]")
            .is_some(),
        "hidden before the contact result"
    );
    choose(&s, "contact_result", "debtor");
    s.find(".q:not(.hidden)[data-path=\"person_contacted\"]");
    s.type_into("#q-person_contacted", "José González");
    wait_saved(&s, "person_contacted");
    // A promise above the balance: the form's own message; corrected, it goes away.
    s.type_into("#q-promise_amount", "2000000");
    s.wait_text(".q[data-path=\"promise_amount\"] .issue", "saldo");
    s.scroll_to(".q[data-path=\"promise_amount\"]");
    s.screenshot("validation-error");
    s.type_into("#q-promise_amount", "1885907.28");
    s.wait("the promise accepted", || {
        let issue = s.text(".q[data-path=\"promise_amount\"] .issue");
        let saved = s.text(".q[data-path=\"promise_amount\"] .saved");
        (issue.is_empty() && saved.contains('✓')).then_some(())
    });
    set_value(&s, "#q-promise_date", "2026-12-05");
    wait_saved(&s, "promise_date");
    set_value(&s, "#outcome", "promise_to_pay");
    s.scroll_to("#complete");
    s.screenshot("form-filled");
    s.click("#complete");
    s.wait_text("#done", "Promesa de pago");
    s.screenshot("visit-done");
    s.click("#to-route");
    s.wait("the first visit synced", || {
        let pending = s.text("#pending");
        (pending.ends_with(": 0")).then_some(()).or_else(|| {
            if s.try_find("#sync:not([disabled])").is_some() {
                s.click("#sync");
            }
            None
        })
    });

    // Offline: later that afternoon at CL-100012, nobody home: a photo of the façade from a file.
    server.stop();
    replay_to(&s, "2026-11-24T15:07:00Z");
    check_in(&mut s, "CL-100012");
    choose(&s, "contact_result", "nobody_home");
    let photo = home.0.join("fachada.jpg");
    std::fs::write(&photo, b"\xff\xd8\xff\xe0 the closed door").expect("a photo file");
    s.find(".q:not(.hidden)[data-path=\"photo\"]");
    s.type_into("#q-photo", &photo.display().to_string());
    wait_saved(&s, "photo");
    set_value(&s, "#outcome", "nobody_home");
    s.scroll_to(".q[data-path=\"photo\"]");
    s.screenshot("offline-visit-with-photo");
    s.click("#complete");
    s.wait_text("#done", "Nadie en casa");
    s.wait_text("#offline", "Sin conexión");
    s.screenshot("offline-banner");

    // Back online: a sync on demand brings both visits to the server.
    server.start();
    s.click("#to-route");
    s.wait("everything synced", || {
        if s.try_find("#offline").is_none() && s.text("#pending").ends_with(": 0") {
            return Some(());
        }
        if s.try_find("#sync:not([disabled])").is_some() {
            s.click("#sync");
        }
        None
    });
    s.screenshot("synced");
    for (debtor, outcome) in [
        ("CL-100000", "promise_to_pay"),
        ("CL-100012", "nobody_home"),
    ] {
        let rows = server.query(
            "select v.status, v.outcome from visits v join accounts a on a.id = v.account_id \
             where a.external_id = $1",
            debtor,
        );
        let status = if outcome == "nobody_home" {
            "not_done"
        } else {
            "done"
        };
        assert_eq!(
            rows,
            vec![vec![Some(status.into()), Some(outcome.into())]],
            "{debtor} on the server"
        );
    }
    let photos = server.query(
        "select cast(b.complete as text) from visit_attachments t \
         join blobs b on b.sha256 = t.sha256 join visits v on v.id = t.visit_id \
         join accounts a on a.id = v.account_id where a.external_id = $1",
        "CL-100012",
    );
    assert!(
        matches!(photos.as_slice(), [row] if matches!(row[0].as_deref(), Some("1" | "true"))),
        "the photo's bytes reached the server: {photos:?}"
    );
}
