//! Answering the visit's questions. Each answer is a `field_set` event named by the question's
//! path in the visit's form, whose `base_hlc` is the stamp of the value the collector saw, so an
//! edit that silently overwrites someone else's is recorded as a conflict for review. A file
//! question's answer is an attachment: the encrypted blob, an `attachment_added` event and the
//! answer pointing at it. Every typed answer is checked against the form before anything is
//! recorded; all of one call is one transaction.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use rusqlite::Transaction;
use serde::Serialize;
use serde_json::{Value, json};
use terreno_shared::form::xlsform::Form;
use terreno_shared::model::VisitStatus;
use terreno_shared::sync::Stamp;
use terreno_shared::sync::payload::{AttachmentRole, FieldValue, Payload, encode};

use crate::blobs::Blobs;
use crate::error::{Context, Error, Result};
use crate::store::{Store, device, forms, log, visits};
use crate::visit::Target;
use crate::visit::form::{self, Forms};
use crate::visit::typed::{self, Typed};

/// The visit a command acts on: it must exist, have been checked in (collectors) and not be
/// finished (collectors; supervisors may correct a finished visit's answers).
pub(crate) fn open_visit(
    store: &Store,
    name: &str,
    may_edit_finished: bool,
) -> Result<(Target, visits::VisitRow)> {
    let target = Target::resolve(&store.conn, name)?;
    let Some(visit) = target.visit.clone() else {
        return Err(Error::refused(
            format!(
                "{} has no visit yet: check in first",
                target.account.external_id
            ),
            json!({"status": "planned"}),
        ));
    };
    if visit.status == VisitStatus::Planned && !may_edit_finished {
        return Err(Error::refused(
            format!(
                "the visit to {} has no accepted check-in: check in first",
                target.account.external_id
            ),
            json!({"visit_id": visit.id, "status": visit.status}),
        ));
    }
    if visit.status.is_terminal() && !may_edit_finished {
        return Err(Error::refused(
            format!(
                "the visit to {} is already {}",
                target.account.external_id,
                visit.status.as_str()
            ),
            json!({"visit_id": visit.id, "status": visit.status}),
        ));
    }
    Ok((target, visit))
}

/// `PATH=VALUE` pairs read against the form.
#[derive(Debug, Default)]
pub(crate) struct ParsedAnswers {
    /// Answers: the path and its JSON value (text, or `null` for a cleared one).
    pub values: Vec<(String, Value)>,
    /// Files to attach: the path of the question, the file, its role.
    pub files: Vec<(String, PathBuf, AttachmentRole)>,
}

/// Reads every pair against `form`; refuses with every bad pair, each named by its question.
pub(crate) fn parse_pairs(form: &Form, pairs: &[String]) -> Result<ParsedAnswers> {
    let mut out = ParsedAnswers::default();
    let mut problems = Vec::new();
    for p in pairs {
        let Some((path, text)) = p.split_once('=') else {
            problems.push(format!("{p:?} is not QUESTION=VALUE"));
            continue;
        };
        let path = path.trim();
        let typed = typed::question_at(form, path).and_then(|q| {
            typed::parse(form, q, text).map_err(|why| format!("answer {path}: {why}"))
        });
        match typed {
            Ok(Typed::Text(t)) if t.is_empty() => out.values.push((path.to_owned(), Value::Null)),
            Ok(Typed::Text(t)) => out.values.push((path.to_owned(), Value::String(t))),
            Ok(Typed::File(file, role)) => match crate::blobs::media_type(&file) {
                Ok(_) => out.files.push((path.to_owned(), file, role)),
                Err(e) => problems.push(format!("answer {path}: {e}")),
            },
            Err(why) => problems.push(why),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Invalid(problems.join("; ")))
    }
}

/// Records answers `PATH=VALUE` to the visit's form in one transaction; a visit answered for
/// the first time starts on the current visit form (pinned, balance prefilled). Returns the
/// number of answers given.
pub(crate) fn answer(
    store: &mut Store,
    forms: &Forms,
    blobs: &Blobs,
    name: &str,
    pairs: &[String],
    now: DateTime<Utc>,
) -> Result<usize> {
    let me = device::get(&store.conn)?;
    let (target, visit) = open_visit(store, name, me.role != "collector")?;
    let form = forms.for_visit(&store.conn, Some(&visit))?;
    let parsed = parse_pairs(&form.version.definition, pairs)?;
    let files = parsed
        .files
        .iter()
        .map(|(path, file, role)| Ok((path.as_str(), store_file(blobs, file)?, *role)))
        .collect::<Result<Vec<_>>>()?;
    let mut values = Vec::new();
    if visit.form.is_none() {
        let answers = form::answers_of(&visits::fields_of(&store.conn, &visit.id)?);
        values = form::prefills(&form, &target.account, &answers, &me, now)?;
    }
    values.extend(parsed.values);
    let tx = crate::store::write_tx(&mut store.conn)?;
    forms::pin(&tx, &visit.id, &form.version.id.to_string())?;
    record_fields(&tx, &visit.id, &values, now)?;
    for (path, file, role) in &files {
        record_file(&tx, &visit.id, path, file, *role, now)?;
    }
    tx.commit().context("committing answers")?;
    let zone = crate::visit::target::Rules::from_settings(me.settings.as_ref(), now).zone;
    let answers = form::answers_of(&visits::fields_of(&store.conn, &visit.id)?);
    forms.evaluate(
        &form,
        &visit.id,
        &answers,
        &form::live_env(now, zone, &visit.id),
    );
    Ok(pairs.len())
}

/// Appends one `field_set` event per answer to `visit` and merges each into its register, in
/// the caller's transaction.
pub(crate) fn record_fields(
    tx: &Transaction<'_>,
    visit: &str,
    values: &[(String, Value)],
    now: DateTime<Utc>,
) -> Result<()> {
    if values.is_empty() {
        return Ok(());
    }
    let current: BTreeMap<String, i64> = visits::fields_of(tx, visit)?
        .into_iter()
        .map(|f| (f.field, f.hlc))
        .collect();
    let entity: uuid::Uuid = visit
        .parse()
        .map_err(|e| Error::corrupt("reading a visit id", e))?;
    let drafts: Vec<_> = values
        .iter()
        .map(|(field, value)| {
            let base = current
                .get(field)
                .map(|h| terreno_shared::sync::Hlc::from_raw(*h));
            encode(&Payload::FieldSet(
                entity,
                field.clone(),
                FieldValue {
                    value: value.clone(),
                },
            ))
            .expect("a field always encodes")
            .base(base)
        })
        .collect();
    for event in log::append(tx, drafts, now.timestamp_millis())? {
        let (field, value) = (
            event.draft().field.clone().unwrap_or_default(),
            &event.draft().payload["value"],
        );
        visits::merge_field(tx, visit, &field, value, &Stamp::of(&event, event.hlc()))?;
    }
    Ok(())
}

/// A file already stored in the encrypted blob folder.
struct StoredFile {
    sha256: String,
    media_type: &'static str,
    bytes: u64,
}

/// Checks a file's size and stores it encrypted (before the transaction that references it:
/// blobs are content-addressed, so an unreferenced one is harmless).
fn store_file(blobs: &Blobs, path: &std::path::Path) -> Result<StoredFile> {
    let media_type = crate::blobs::media_type(path)?;
    let size = std::fs::metadata(path)
        .map_err(|e| Error::Invalid(format!("file {}: {e}", path.display())))?
        .len();
    if size == 0 || size > crate::blobs::MAX_BLOB_BYTES {
        return Err(Error::Invalid(format!(
            "file {}: {size} bytes (must be 1 byte to {} MiB)",
            path.display(),
            crate::blobs::MAX_BLOB_BYTES / 1024 / 1024
        )));
    }
    let bytes =
        std::fs::read(path).map_err(|e| Error::Invalid(format!("file {}: {e}", path.display())))?;
    Ok(StoredFile {
        sha256: blobs.put(&bytes)?,
        media_type,
        bytes: size,
    })
}

/// Attaches a stored file to the visit: the `attachment_added` event, the upload row, and the
/// answer at `path` pointing at it.
fn record_file(
    tx: &Transaction<'_>,
    visit: &str,
    path: &str,
    file: &StoredFile,
    role: AttachmentRole,
    now: DateTime<Utc>,
) -> Result<()> {
    use terreno_shared::ids::AttachmentId;
    use terreno_shared::sync::event::EventHash;
    use terreno_shared::sync::payload::AttachmentRef;
    let attachment = AttachmentId::from_uuid(uuid::Uuid::now_v7());
    let visit_id: terreno_shared::ids::VisitId = visit
        .parse()
        .map_err(|e| Error::corrupt("reading a visit id", e))?;
    let sha256: EventHash = file
        .sha256
        .parse()
        .map_err(|e| Error::corrupt("hashing a file", e))?;
    let added = encode(&Payload::AttachmentAdded(
        visit_id,
        AttachmentRef {
            attachment_id: attachment,
            sha256,
            media_type: file.media_type.into(),
            bytes: file.bytes,
            role,
        },
    ))
    .expect("an attachment always encodes");
    log::append(tx, [added], now.timestamp_millis())?;
    let role_name = serde_json::to_value(role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "file".to_owned());
    crate::store::attachments::insert(
        tx,
        &crate::store::attachments::NewAttachment {
            attachment_id: &attachment.to_string(),
            visit_id: visit,
            sha256: &file.sha256,
            media_type: file.media_type,
            bytes: file.bytes,
            role: &role_name,
            created_ms: now.timestamp_millis(),
        },
    )?;
    let value = json!({"attachment_id": attachment, "sha256": file.sha256, "media_type": file.media_type, "bytes": file.bytes});
    record_fields(tx, visit, &[(path.to_owned(), value)], now)
}

/// A visit as the device knows it: status and current answers.
#[derive(Debug, Clone, Serialize)]
pub struct VisitInfo {
    /// The visit.
    pub visit_id: String,
    /// The debtor's external id.
    pub external_id: String,
    /// Status.
    pub status: VisitStatus,
    /// Outcome, once completed.
    pub outcome: Option<String>,
    /// The server re-judged a check-in the device allowed and refused it.
    pub flagged: bool,
    /// The form version the visit is filled with, once it started.
    pub form: Option<String>,
    /// Current answers (last writer wins), by path.
    pub answers: BTreeMap<String, Value>,
}

pub(crate) fn info(store: &Store, name: &str) -> Result<VisitInfo> {
    let target = Target::resolve(&store.conn, name)?;
    let visit = target.visit.ok_or_else(|| {
        Error::NotFound(format!("{} has no visit yet", target.account.external_id))
    })?;
    let answers = visits::fields_of(&store.conn, &visit.id)?
        .into_iter()
        .filter(|f| !f.value.is_null())
        .map(|f| (f.field, f.value))
        .collect();
    Ok(VisitInfo {
        visit_id: visit.id,
        external_id: target.account.external_id,
        status: visit.status,
        outcome: visit.outcome,
        flagged: visit.flagged,
        form: visit.form,
        answers,
    })
}
