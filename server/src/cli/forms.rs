//! `terreno-server form add|list`: XLSForm questionnaires of the organization.
//!
//! `form add [--use-for-visits] [--media PATH...] FILE` reads the file with [`crate::forms`]
//! and its media files with [`crate::forms::media`] (before touching the database; a bad media
//! file is refused naming its file and line, a file the form reads but was not given is a
//! warning) and stores it as a new form version, the organization's visit form with
//! `--use-for-visits` or when it is a new version of the visit form (`form list` marks it in
//! its `visits` column). A refused form prints every problem, one per line as
//! `FILE: survey sheet, row 4, column relevant: message` (or, with `--json`, the same body as
//! the HTTP 422 answer), stores nothing and exits 1. Output for people is a table; `--json` is
//! for scripts.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail};
use terreno_shared::form::xlsform::Warning;

use super::users::{print, table};
use super::{Cli, DEFAULT_DB, FormCommand};
use crate::db::forms::{FormSummary, InsertFormError, NewForm};
use crate::forms::media::{self, NewMedia};
use crate::forms::{self, FormError, ReadForm};
use crate::routes::forms::ImportedForm;

/// Runs the command.
pub async fn run(cli: &Cli, cmd: &FormCommand) -> anyhow::Result<()> {
    match cmd {
        FormCommand::Add {
            file,
            use_for_visits,
            media,
            json,
        } => add(cli, file, media, *use_for_visits, *json).await,
        FormCommand::List { json } => list(cli, *json).await,
    }
}

async fn add(
    cli: &Cli,
    file: &Path,
    media_paths: &[PathBuf],
    use_for_visits: bool,
    json: bool,
) -> anyhow::Result<()> {
    let shown = file.display();
    let read = match forms::read_path(file) {
        Ok(read) => read,
        Err(FormError::Refused(problems)) => {
            if json {
                let body = serde_json::json!({
                    "code": "invalid_form",
                    "message": format!("{shown}: the form has {} problem(s)", problems.len()),
                    "problems": problems,
                });
                print(&format!("{}\n", serde_json::to_string_pretty(&body)?))?;
            } else {
                let lines: String = problems.iter().map(|p| format!("{shown}: {p}\n")).collect();
                print(&lines)?;
            }
            bail!(
                "{shown}: the form has {} problem(s); nothing was stored",
                problems.len()
            );
        }
        Err(e) => bail!("{shown}: {e}"),
    };
    let (files, media_warnings) = read_media(&read, media_paths)?;
    let mut new = NewForm::from_read(&read, None);
    new.media = &files;
    let (db, org) = cli.open(DEFAULT_DB).await?;
    let result = db.forms().insert(org.id, &new, use_for_visits).await;
    db.close().await;
    let form = match result {
        Ok(form) => form,
        Err(e @ InsertFormError::Duplicate { .. }) => bail!("{shown}: {e}"),
        Err(InsertFormError::Other(e)) => return Err(e),
    };
    let imported = ImportedForm {
        form,
        warnings: [read.warnings, media_warnings].concat(),
    };
    if json {
        return print(&format!("{}\n", serde_json::to_string_pretty(&imported)?));
    }
    print(&human(&imported, &shown.to_string()))
}

/// Reads and checks the media files, refusing the first bad one (`FILE, line N: ...`).
fn read_media(read: &ReadForm, paths: &[PathBuf]) -> anyhow::Result<(Vec<NewMedia>, Vec<Warning>)> {
    let uploads = paths
        .iter()
        .map(|p| media::read_path(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow!("{e}; nothing was stored"))?;
    media::check(&read.form, uploads).map_err(|e| anyhow!("{e}; nothing was stored"))
}

fn human(imported: &ImportedForm, shown: &str) -> String {
    let mut out = format!("imported {shown}\n");
    out.push_str(&summary_table(std::slice::from_ref(&imported.form)));
    out.push_str(&warning_lines(&imported.warnings, shown));
    out
}

fn warning_lines(warnings: &[Warning], shown: &str) -> String {
    if warnings.is_empty() {
        return String::new();
    }
    let mut out = format!("\n{} warning(s):\n", warnings.len());
    for w in warnings {
        out.push_str(&format!("{shown}: {w}\n"));
    }
    out
}

fn summary_table(forms: &[FormSummary]) -> String {
    table(
        &[
            "form id",
            "version",
            "title",
            "questions",
            "imported",
            "by",
            "visits",
        ],
        forms.iter().map(|f| {
            vec![
                f.form_id.clone(),
                f.version.clone().unwrap_or_default(),
                f.title.clone(),
                f.questions.to_string(),
                chrono::DateTime::from_timestamp_millis(f.created_ms)
                    .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_default(),
                f.created_by.clone().unwrap_or_default(),
                if f.visit_form { "yes" } else { "" }.to_owned(),
            ]
        }),
    )
}

async fn list(cli: &Cli, json: bool) -> anyhow::Result<()> {
    let (db, org) = cli.open(DEFAULT_DB).await?;
    let result = db.forms().list(org.id).await;
    db.close().await;
    let forms = result?;
    if json {
        return print(&format!("{}\n", serde_json::to_string_pretty(&forms)?));
    }
    print(&summary_table(&forms))
}
