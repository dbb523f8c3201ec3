//! Writes the TypeScript declarations of what the dashboard reads (the shared wire types and
//! the server's own responses and live-feed frames) into `server/ui/src/generated/`, one file
//! per type plus an `index.ts`, from the Rust types themselves (ts-rs), so the dashboard cannot
//! drift from the wire.
//!
//! Run `cargo test -p terreno-server --features ts --test ts_export` after changing a response
//! type and commit the result. scripts/test runs it and fails when git then sees a difference:
//! the checked-in files were stale.
#![cfg(feature = "ts")]

#[path = "../../shared/tests/ts_common/mod.rs"]
mod ts_common;

use std::fs;
use std::path::Path;

use terreno_server::db::day_routes::DayRoutes;
use terreno_server::db::forms::FormSummary;
use terreno_server::db::import::ImportSummary;
use terreno_server::db::live_reads::Position;
use terreno_server::db::location_captures::LocationCapture;
use terreno_server::db::reads::VisitDetail;
use terreno_server::db::reports::{ContactRate, Promises};
use terreno_server::db::visit_list::VisitPage;
use terreno_server::db::visit_reports::{RefusalReasons, VisitsPerCollector};
use terreno_server::db::visit_reviews::VisitReview;
use terreno_server::live::LiveEvent;
use terreno_server::routes::form_preview::Preview;
use terreno_server::routes::forms::ImportedForm;
use terreno_server::routes::map::MapResponse;
use terreno_server::routes::reviews::VisitHistory;
use terreno_server::routes::users::{Invited, PasswordSet, People};
use terreno_shared::form::xlsform::Problem;
use ts_rs::{ExportError, TS};

/// The server's own root types (what they name comes along), written into `dir`.
fn export_server(dir: &Path) -> Result<(), ExportError> {
    People::export_all_to(dir)?;
    Invited::export_all_to(dir)?;
    PasswordSet::export_all_to(dir)?;
    DayRoutes::export_all_to(dir)?;
    ImportSummary::export_all_to(dir)?;
    LocationCapture::export_all_to(dir)?;
    VisitsPerCollector::export_all_to(dir)?;
    RefusalReasons::export_all_to(dir)?;
    ContactRate::export_all_to(dir)?;
    Promises::export_all_to(dir)?;
    VisitPage::export_all_to(dir)?;
    VisitDetail::export_all_to(dir)?;
    VisitReview::export_all_to(dir)?;
    VisitHistory::export_all_to(dir)?;
    MapResponse::export_all_to(dir)?;
    Position::export_all_to(dir)?;
    LiveEvent::export_all_to(dir)?;
    FormSummary::export_all_to(dir)?;
    ImportedForm::export_all_to(dir)?;
    Preview::export_all_to(dir)?;
    // The problems of an `invalid_form` error body (the form upload's refusal).
    Problem::export_all_to(dir)?;
    Ok(())
}

#[test]
fn the_dashboard_types_are_written_as_typescript() {
    let dir = ts_common::workspace_dir("server/ui/src/generated");
    ts_common::regenerate(
        &dir,
        "cargo test -p terreno-server --features ts --test ts_export",
        export_server,
    );
    let user = fs::read_to_string(dir.join("UserInfo.ts")).expect("UserInfo.ts");
    assert!(user.contains("role: Role"), "{user}");
    let live = fs::read_to_string(dir.join("LiveEvent.ts")).expect("LiveEvent.ts");
    assert!(live.contains("\"type\": \"check_in\""), "{live}");
}
