//! Writes the TypeScript declarations of what the collector app's web UI reads (the shared wire
//! types and what the app core's use cases return through the Tauri commands) into
//! `mobile/ui/src/generated/`, one file per type plus an `index.ts`, from the Rust types
//! themselves (ts-rs), so the UI cannot drift from the core.
//!
//! Run `cargo test -p terreno-app --features ts --test ts_export` after changing such a type and
//! commit the result. scripts/test runs it and fails when git then sees a difference: the
//! checked-in files were stale.
#![cfg(feature = "ts")]

#[path = "../../shared/tests/ts_common/mod.rs"]
mod ts_common;

use std::fs;
use std::path::Path;

use terreno_app::visit::checkin::CheckIn;
use terreno_app::visit::complete::Completed;
use terreno_app::visit::detail::StopDetail;
use terreno_app::visit::live::LiveForm;
use terreno_app::visit::route::RouteStop;
use terreno_app::{Enrolled, Status};
use ts_rs::{ExportError, TS};

/// The app core's own root types (what they name comes along), written into `dir`.
fn export_app(dir: &Path) -> Result<(), ExportError> {
    Enrolled::export_all_to(dir)?;
    Status::export_all_to(dir)?;
    RouteStop::export_all_to(dir)?;
    StopDetail::export_all_to(dir)?;
    CheckIn::export_all_to(dir)?;
    LiveForm::export_all_to(dir)?;
    Completed::export_all_to(dir)?;
    Ok(())
}

#[test]
fn the_collector_app_types_are_written_as_typescript() {
    let dir = ts_common::workspace_dir("mobile/ui/src/generated");
    ts_common::regenerate(
        &dir,
        "cargo test -p terreno-app --features ts --test ts_export",
        export_app,
    );
    let form = fs::read_to_string(dir.join("Node.ts")).expect("Node.ts");
    assert!(form.contains("\"node\": \"question\""), "{form}");
}
