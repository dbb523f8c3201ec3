//! Completing a visit: the visit's form is evaluated with the answers as they stand and the
//! completion is refused, writing nothing, while a required answer is missing or a constraint
//! fails (every issue listed, in the form's language). Otherwise one `visit_submitted` fact
//! carries the outcome, the form version, the cleaned answers (irrelevant ones left out, as
//! the server's engine cleans them) and the promise or payment they describe (read by the
//! shared `submission::Terms`, as the server reads them); a visit completes once.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use terreno_shared::form::runtime::Issue;
use terreno_shared::model::money::Currency;
use terreno_shared::model::submission::{FormRef, RawSubmission, Submission, Terms, TermsError};
use terreno_shared::model::{Outcome, VisitStatus};
use terreno_shared::sync::Stamp;
use terreno_shared::sync::merge::StatusCell;
use terreno_shared::sync::payload::{Payload, encode};

use crate::error::{Context, Error, Result};
use crate::store::{Store, device, forms, log, visits};
use crate::visit::answer::{open_visit, record_fields};
use crate::visit::form::{self, Forms};
use crate::visit::target::Rules;

/// A completed visit.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: u64,
}

// Long: the completion and its events are written in one transaction (issue 17 item 5 moves its
// answer rules to shared).
pub(crate) fn complete(
    store: &mut Store,
    forms: &Forms,
    name: &str,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> Result<Completed> {
    let (target, visit) = open_visit(store, name, false)?;
    let me = device::get(&store.conn)?;
    let form = forms.for_visit(&store.conn, Some(&visit))?;
    // A visit completed without any answer on this device starts on the form now.
    let mut answers = form::answers_of(&visits::fields_of(&store.conn, &visit.id)?);
    let start = match visit.form {
        Some(_) => Vec::new(),
        None => form::prefills(&form, &target.account, &answers, &me, now)?,
    };
    for (path, value) in &start {
        answers.set(path.clone(), value.as_str().unwrap_or_default());
    }
    for (path, stamp) in form::end_stamps(&form, &me, now) {
        answers.set(path, stamp);
    }
    let zone = Rules::from_settings(me.settings.as_ref(), now).zone;
    let cleaned = form
        .engine
        .result(&answers, &form::env(now, zone, &visit.id))
        .map_err(|issues| incomplete(&target.account.external_id, &visit.id, &issues))?;
    let answers: BTreeMap<String, Value> = cleaned
        .iter()
        .map(|(p, t)| (p.to_owned(), Value::String(t.to_owned())))
        .collect();
    let currency = Currency::parse(&target.account.currency)
        .map_err(|e| Error::corrupt("reading the account's currency", e))?;
    let terms = Terms::from_answers(outcome, &answers, currency).map_err(refused_terms)?;
    let raw = RawSubmission {
        account: target.account.id,
        outcome,
        completed_at: now,
        form: Some(FormRef {
            id: form.version.id,
            version: form.version.version.clone(),
        }),
        promise: terms.promise,
        payment: terms.payment,
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
    forms::pin(&tx, &visit.id, &form.version.id.to_string())?;
    record_fields(&tx, &visit.id, &start, now)?;
    let event = log::append(&tx, [draft], now.timestamp_millis())?.remove(0);
    let status = outcome.final_status();
    visits::merge_status(
        &tx,
        &visit.id,
        &StatusCell {
            epoch: visit.epoch,
            status,
            stamp: Stamp::of(&event, event.hlc()),
        },
        &visits::StatusExtras {
            outcome: Some(outcome.as_str()),
            completed_ms: Some(now.timestamp_millis()),
            ..Default::default()
        },
    )?;
    tx.commit().context("committing the completed visit")?;
    forms.forget(&visit.id);
    Ok(Completed {
        visit_id: visit.id,
        external_id: target.account.external_id,
        outcome,
        status,
        seq: event.key().seq,
    })
}

/// The refusal of a completion the form does not accept yet, listing every issue.
fn incomplete(external_id: &str, visit: &str, issues: &[Issue]) -> Error {
    let listed: Vec<String> = issues
        .iter()
        .map(|i| format!("{}: {}", i.path, i.message))
        .collect();
    let details: Vec<Value> = issues
        .iter()
        .map(|i| json!({"path": i.path, "message": i.message}))
        .collect();
    Error::refused(
        format!(
            "the visit to {external_id} cannot be completed yet: {}",
            listed.join("; ")
        ),
        json!({"visit_id": visit, "issues": details}),
    )
}

/// The refusal of answers that do not describe the promise or payment their outcome needs; a
/// missing answer says how to give it.
fn refused_terms(e: TermsError) -> Error {
    match e {
        TermsError::Missing { question, .. } => {
            Error::Invalid(format!("{e} (terreno visit answer STOP {question}=...)"))
        }
        other => Error::Invalid(other.to_string()),
    }
}
