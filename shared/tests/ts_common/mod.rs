//! The TypeScript export both UIs' generators share: the shared wire types every UI reads, and
//! the folder's rewrite with its `index.ts`. Not a test of its own (cargo does not build
//! `tests/*/mod.rs`): server/tests/ts_export.rs and app/tests/ts_export.rs include it by path,
//! each writing one UI's folder, so one folder has one writer.

use std::fs;
use std::path::{Path, PathBuf};

use terreno_shared::api::ErrorBody;
use terreno_shared::api::v1::auth::{LoginRequest, LoginResponse};
use terreno_shared::api::v1::forms::VisitForm;
use terreno_shared::api::v1::org::MapTiles;
use terreno_shared::api::v1::sync::{EventState, PushResponse, RawChange};
use terreno_shared::api::v1::views::{
    AccountView, AttachmentView, CheckInView, FieldView, StopView, VisitView,
};
use terreno_shared::model::{Outcome, Role, VisitStatus};
use ts_rs::{ExportError, TS};

/// `PATH` under the workspace root (`server/ui/src/generated`).
pub fn workspace_dir(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// The shared wire types (what they name comes along), written into `dir`.
pub fn export_shared(dir: &Path) -> Result<(), ExportError> {
    ErrorBody::export_all_to(dir)?;
    LoginRequest::export_all_to(dir)?;
    LoginResponse::export_all_to(dir)?;
    Role::export_all_to(dir)?;
    VisitStatus::export_all_to(dir)?;
    Outcome::export_all_to(dir)?;
    AccountView::export_all_to(dir)?;
    StopView::export_all_to(dir)?;
    VisitView::export_all_to(dir)?;
    FieldView::export_all_to(dir)?;
    CheckInView::export_all_to(dir)?;
    AttachmentView::export_all_to(dir)?;
    VisitForm::export_all_to(dir)?;
    MapTiles::export_all_to(dir)?;
    PushResponse::export_all_to(dir)?;
    EventState::export_all_to(dir)?;
    RawChange::export_all_to(dir)?;
    Ok(())
}

/// Rewrites `dir` from nothing with the shared types, the crate's own (`export`) and an
/// `index.ts`; `command` is what the index's header tells a reader to run instead of editing.
pub fn regenerate(dir: &Path, command: &str, export: impl Fn(&Path) -> Result<(), ExportError>) {
    // Written afresh, so a type that left the wire leaves no file behind.
    if dir.exists() {
        fs::remove_dir_all(dir).expect("clearing the generated folder");
    }
    fs::create_dir_all(dir).expect("creating the generated folder");
    export_shared(dir).unwrap_or_else(|e| panic!("writing {}: {e}", dir.display()));
    export(dir).unwrap_or_else(|e| panic!("writing {}: {e}", dir.display()));
    write_index(dir, command).expect("writing index.ts");
}

/// `index.ts`: every generated type, so the UI imports from one place.
fn write_index(dir: &Path, command: &str) -> std::io::Result<()> {
    let mut names = Vec::new();
    // ts-rs puts types of other crates in folders (`serde_json/JsonValue.ts`): one level down.
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_dir() {
            for inner in fs::read_dir(entry.path())? {
                let inner = inner?.file_name().to_string_lossy().into_owned();
                if let Some(stem) = inner.strip_suffix(".ts") {
                    names.push(format!("{name}/{stem}"));
                }
            }
        } else if let Some(stem) = name.strip_suffix(".ts").filter(|s| *s != "index") {
            names.push(stem.to_owned());
        }
    }
    names.sort();
    let mut text = format!(
        "// Generated from the Rust wire types by ts-rs. Do not edit: run\n\
         // `{command}` instead.\n\n"
    );
    for n in names {
        text.push_str(&format!("export type * from \"./{n}\";\n"));
    }
    fs::write(dir.join("index.ts"), text)
}
