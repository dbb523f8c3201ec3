//! The visit: check-in, the live questionnaire, answers (each saved as it is entered), a photo
//! from the camera or a file, and completion.

use tauri::State;
use tauri::ipc::Request;
use terreno_app::visit::answer::VisitInfo;
use terreno_app::visit::checkin::CheckIn;
use terreno_app::visit::complete::Completed;
use terreno_app::visit::live::LiveForm;
use terreno_shared::model::Outcome;

use crate::error::CommandResult;
use crate::state::Shell;
use crate::upload::Upload;

/// Checks in at a stop; `refused` with the verdict's reasons (recorded as evidence).
#[tauri::command]
pub async fn checkin_create(shell: State<'_, Shell>, stop: String) -> CommandResult<CheckIn> {
    shell.run(move |core| core.check_in(&stop)).await
}

/// The visit's questionnaire: the form's definition and its live evaluation.
#[tauri::command]
pub async fn visit_form(shell: State<'_, Shell>, stop: String) -> CommandResult<LiveForm> {
    shell.run(move |core| core.visit_form(&stop)).await
}

/// The visit's status and answers; `not_found` before the first check-in.
#[tauri::command]
pub async fn visit_get(shell: State<'_, Shell>, stop: String) -> CommandResult<VisitInfo> {
    shell.run(move |core| core.visit(&stop)).await
}

/// Saves one answer (an empty value clears it) and returns the re-evaluated questionnaire.
#[tauri::command]
pub async fn visit_answer(
    shell: State<'_, Shell>,
    stop: String,
    path: String,
    value: String,
) -> CommandResult<LiveForm> {
    shell
        .run(move |core| {
            core.answer(&stop, &[format!("{path}={value}")])?;
            core.visit_form(&stop)
        })
        .await
}

/// Attaches a file (raw body; headers `x-stop`, `x-question`, `x-file-name`, URI-encoded) as a
/// file question's answer; returns the re-evaluated questionnaire.
#[tauri::command]
pub async fn visit_attach(
    shell: State<'_, Shell>,
    request: Request<'_>,
) -> CommandResult<LiveForm> {
    let upload = Upload::from_request(&request)?;
    shell.with(move |s| upload.attach(s)).await
}

/// Completes the visit; `refused` with every missing answer and failed constraint.
#[tauri::command]
pub async fn visit_complete(
    shell: State<'_, Shell>,
    stop: String,
    outcome: Outcome,
) -> CommandResult<Completed> {
    shell.run(move |core| core.complete(&stop, outcome)).await
}
