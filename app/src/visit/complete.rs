//! Answering the visit's questions and completing it. Each answer is a `field_set` event whose
//! `base_hlc` is the stamp of the value the collector saw, so an edit that silently overwrites
//! someone else's is recorded as a conflict for review. Completion is one `visit_submitted`
//! fact carrying the outcome, the answers, and the promise or payment they describe; a visit
//! completes once.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use terreno_shared::model::money::{Currency, Money};
use terreno_shared::model::submission::{
    Payment, PaymentMethod, PromiseToPay, RawSubmission, Submission,
};
use terreno_shared::model::{Outcome, VisitStatus};
use terreno_shared::sync::payload::{FieldValue, Payload, encode};

use crate::error::{Context, Error, Result};
use crate::store::{Store, device, log, visits};
use crate::visit::Target;
use crate::visit::form;

/// The visit a command acts on: it must exist, have been checked in (collectors) and not be
/// finished (collectors; supervisors may correct a finished visit's answers).
fn open_visit(
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

/// Records answers (already parsed) in one transaction.
pub(crate) fn answer(
    store: &mut Store,
    name: &str,
    answers: &[(String, Value)],
    now: DateTime<Utc>,
) -> Result<usize> {
    let role = device::get(&store.conn)?.role;
    let (_, visit) = open_visit(store, name, role != "collector")?;
    let current: std::collections::BTreeMap<String, i64> =
        visits::fields_of(&store.conn, &visit.id)?
            .into_iter()
            .map(|f| (f.field, f.hlc))
            .collect();
    let entity: uuid::Uuid = visit
        .id
        .parse()
        .map_err(|e| Error::corrupt("reading a visit id", e))?;
    let drafts: Vec<_> = answers
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
    let tx = crate::store::write_tx(&mut store.conn)?;
    let me = device::get(&tx)?;
    let device_id = me.device_id.to_string();
    for event in log::append(&tx, drafts, now.timestamp_millis())? {
        let (field, value) = (
            event.draft().field.clone().unwrap_or_default(),
            &event.draft().payload["value"],
        );
        visits::merge_field(
            &tx,
            &visit.id,
            &field,
            value,
            (event.hlc().raw(), &device_id, event.key().seq as i64),
        )?;
    }
    tx.commit().context("committing answers")?;
    Ok(answers.len())
}

/// A completed visit.
#[derive(Debug, Clone, Serialize)]
pub struct Completed {
    /// The visit.
    pub visit_id: String,
    /// The debtor's external id.
    pub external_id: String,
    /// The outcome.
    pub outcome: Outcome,
    /// The resulting status.
    pub status: VisitStatus,
    /// The `visit_submitted` event's sequence number.
    pub seq: u64,
}

pub(crate) fn complete(
    store: &mut Store,
    name: &str,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> Result<Completed> {
    let (target, visit) = open_visit(store, name, false)?;
    let answers: std::collections::BTreeMap<String, Value> =
        visits::fields_of(&store.conn, &visit.id)?
            .into_iter()
            .filter(|f| !f.value.is_null())
            .map(|f| (f.field, f.value))
            .collect();
    let currency = Currency::parse(&target.account.currency)
        .map_err(|e| Error::corrupt("reading the account's currency", e))?;
    let raw = RawSubmission {
        account: target.account.id,
        outcome,
        completed_at: now,
        form: None,
        promise: (outcome == Outcome::PromiseToPay)
            .then(|| promise(&answers, currency))
            .transpose()?,
        payment: (outcome == Outcome::Paid)
            .then(|| payment(&answers, currency))
            .transpose()?,
        answers,
        epoch: visit.epoch,
    };
    let submission = Submission::try_from(raw)
        .map_err(|e| Error::Invalid(format!("completing the visit: {e}")))?;
    let visit_id: terreno_shared::ids::VisitId = visit
        .id
        .parse()
        .map_err(|e| Error::corrupt("reading a visit id", e))?;
    let draft = encode(&Payload::VisitSubmitted(visit_id, Box::new(submission)))
        .expect("a submission always encodes");
    let tx = crate::store::write_tx(&mut store.conn)?;
    let event = log::append(&tx, [draft], now.timestamp_millis())?.remove(0);
    let status = outcome.final_status();
    let me = device::get(&tx)?.device_id.to_string();
    visits::merge_status(
        &tx,
        &visit.id,
        (status, visit.epoch, event.hlc().raw()),
        (&me, event.key().seq as i64),
        &visits::StatusExtras {
            outcome: Some(outcome.as_str()),
            completed_ms: Some(now.timestamp_millis()),
            ..Default::default()
        },
    )?;
    tx.commit().context("committing the completed visit")?;
    Ok(Completed {
        visit_id: visit.id,
        external_id: target.account.external_id,
        outcome,
        status,
        seq: event.key().seq,
    })
}

fn text<'a>(
    answers: &'a std::collections::BTreeMap<String, Value>,
    name: &str,
    outcome: &str,
) -> Result<&'a str> {
    answers.get(name).and_then(Value::as_str).ok_or_else(|| {
        Error::Invalid(format!(
            "a {outcome} outcome needs the answer {name} (terreno visit answer STOP {name}=...)"
        ))
    })
}

fn promise(
    answers: &std::collections::BTreeMap<String, Value>,
    currency: Currency,
) -> Result<PromiseToPay> {
    let amount =
        Money::from_decimal_str(text(answers, "promise_amount", "promise_to_pay")?, currency)
            .map_err(|e| Error::Invalid(format!("answer promise_amount: {e}")))?;
    let due: NaiveDate = text(answers, "promise_date", "promise_to_pay")?
        .parse()
        .map_err(|e| Error::Invalid(format!("answer promise_date: {e}")))?;
    PromiseToPay::new(amount, due).map_err(|e| Error::Invalid(format!("the promise to pay: {e}")))
}

fn payment(
    answers: &std::collections::BTreeMap<String, Value>,
    currency: Currency,
) -> Result<Payment> {
    let amount = Money::from_decimal_str(text(answers, "payment_amount", "paid")?, currency)
        .map_err(|e| Error::Invalid(format!("answer payment_amount: {e}")))?;
    let method: PaymentMethod =
        serde_json::from_value(json!(text(answers, "payment_method", "paid")?))
            .map_err(|e| Error::Invalid(format!("answer payment_method: {e}")))?;
    let receipt = answers.get("payment_receipt").and_then(Value::as_str);
    Payment::new(amount, method, receipt).map_err(|e| Error::Invalid(format!("the payment: {e}")))
}

/// `FIELD=VALUE` pairs parsed against the form: typed answers, and photo files to attach.
#[derive(Debug, Default)]
pub struct ParsedAnswers {
    /// Answers with their JSON values.
    pub values: Vec<(String, Value)>,
    /// Photo files.
    pub photos: Vec<std::path::PathBuf>,
}

/// Parses `FIELD=VALUE` pairs against the form; every pair is checked before anything is
/// recorded.
pub fn parse_pairs(pairs: &[String]) -> Result<ParsedAnswers> {
    let mut out = ParsedAnswers::default();
    for p in pairs {
        let (name, value) = p
            .split_once('=')
            .ok_or_else(|| Error::Invalid(format!("{p:?} is not FIELD=VALUE")))?;
        let q = form::question(name.trim())?;
        if matches!(q.kind, form::Kind::Photo) {
            let path = std::path::PathBuf::from(value.trim());
            crate::blobs::media_type(&path)?;
            if !path.is_file() {
                return Err(Error::Invalid(format!(
                    "answer photo: {} is not a file",
                    path.display()
                )));
            }
            out.photos.push(path);
        } else {
            out.values.push((q.name.to_owned(), form::parse(q, value)?));
        }
    }
    Ok(out)
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
    /// Current answers (last writer wins), by name.
    pub answers: std::collections::BTreeMap<String, Value>,
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
        answers,
    })
}

/// Attaches a photo file to the visit: the bytes are stored encrypted, then one transaction
/// records the `attachment_added` event, the upload row, and the `photo` answer pointing at it.
pub(crate) fn attach_photo(
    store: &mut Store,
    blobs: &crate::blobs::Blobs,
    name: &str,
    path: &std::path::Path,
    now: DateTime<Utc>,
) -> Result<String> {
    use terreno_shared::ids::AttachmentId;
    use terreno_shared::sync::event::EventHash;
    use terreno_shared::sync::payload::{AttachmentRef, AttachmentRole};
    let role = device::get(&store.conn)?.role;
    let (_, visit) = open_visit(store, name, role != "collector")?;
    let media_type = crate::blobs::media_type(path)?;
    let size = std::fs::metadata(path)
        .map_err(|e| Error::Invalid(format!("photo {}: {e}", path.display())))?
        .len();
    if size == 0 || size > crate::blobs::MAX_BLOB_BYTES {
        return Err(Error::Invalid(format!(
            "photo {}: {size} bytes (must be 1 byte to {} MiB)",
            path.display(),
            crate::blobs::MAX_BLOB_BYTES / 1024 / 1024
        )));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Invalid(format!("photo {}: {e}", path.display())))?;
    let sha = blobs.put(&bytes)?;
    let attachment = AttachmentId::from_uuid(uuid::Uuid::now_v7());
    let visit_id: terreno_shared::ids::VisitId = visit
        .id
        .parse()
        .map_err(|e| Error::corrupt("reading a visit id", e))?;
    let sha_hash: EventHash = sha
        .parse()
        .map_err(|e| Error::corrupt("hashing a photo", e))?;
    let added = encode(&Payload::AttachmentAdded(
        visit_id,
        AttachmentRef {
            attachment_id: attachment,
            sha256: sha_hash,
            media_type: media_type.into(),
            bytes: size,
            role: AttachmentRole::Photo,
        },
    ))
    .expect("an attachment always encodes");
    let current = visits::fields_of(&store.conn, &visit.id)?
        .into_iter()
        .find(|f| f.field == "photo")
        .map(|f| f.hlc);
    let value = json!({"attachment_id": attachment, "sha256": sha, "media_type": media_type, "bytes": size});
    let field = encode(&Payload::FieldSet(
        *visit_id.as_uuid(),
        "photo".into(),
        FieldValue {
            value: value.clone(),
        },
    ))
    .expect("a field always encodes")
    .base(current.map(terreno_shared::sync::Hlc::from_raw));
    let tx = crate::store::write_tx(&mut store.conn)?;
    let events = log::append(&tx, [added, field], now.timestamp_millis())?;
    let device_id = device::get(&tx)?.device_id.to_string();
    crate::store::attachments::insert(
        &tx,
        &crate::store::attachments::NewAttachment {
            attachment_id: &attachment.to_string(),
            visit_id: &visit.id,
            sha256: &sha,
            media_type,
            bytes: size,
            role: "photo",
            created_ms: now.timestamp_millis(),
        },
    )?;
    let f = &events[1];
    visits::merge_field(
        &tx,
        &visit.id,
        "photo",
        &value,
        (f.hlc().raw(), &device_id, f.key().seq as i64),
    )?;
    tx.commit().context("committing a photo")?;
    Ok(attachment.to_string())
}
