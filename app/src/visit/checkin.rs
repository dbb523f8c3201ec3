//! The check-in: contact rules first (a visit outside the legal hours or too soon after the
//! last contact is refused with the rule and the next allowed moment, and nothing is recorded:
//! no contact took place), then the geofence verdict from the recorded fixes. Every geofence
//! verdict is recorded as a `check_in` fact with its evidence, refusals included: a refused
//! attempt is evidence for supervisors, never silently dropped. An accepted one moves the visit
//! to in progress in the same transaction, and starts it on the current visit form (the version
//! the visit is filled with from then on, its `balance` prefilled from the account).

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use serde_json::json;
use terreno_shared::contact::Decision;
use terreno_shared::geofence::{self, Verdict};
use terreno_shared::ids::VisitId;
use terreno_shared::model::submission::CheckInRecord;
use terreno_shared::model::{Fix, VisitStatus};
use terreno_shared::sync::Stamp;
use terreno_shared::sync::merge::StatusCell;
use terreno_shared::sync::payload::{Payload, encode};

use crate::error::{Context, Error, Result};
use crate::store::{Store, device, fixes, forms, log, visits};
use crate::visit::Target;
use crate::visit::answer::record_fields;
use crate::visit::form::{self, Compiled, prefills};
use crate::visit::target::Rules;

/// Most fixes kept as a check-in's evidence (the event payload limit is 64 KiB).
const MAX_EVIDENCE: usize = 200;

/// A recorded check-in.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckIn {
    /// The visit it belongs to.
    pub visit_id: String,
    /// The stop, when planned.
    pub stop_id: Option<String>,
    /// The debtor's external id.
    pub external_id: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The device's verdict.
    pub verdict: Verdict,
    /// The `check_in` event's sequence number.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: u64,
}

// Long: the check-in flow in the order the collector lives it: target, rules, evidence, verdict.
pub(crate) fn check_in(
    store: &mut Store,
    name: &str,
    now: DateTime<Utc>,
    new_visit: VisitId,
    form: Option<&Compiled>,
) -> Result<CheckIn> {
    let me = device::get(&store.conn)?;
    let target = Target::resolve(&store.conn, name)?;
    let rules = Rules::from_settings(me.settings.as_ref(), now);
    if let Some(v) = &target.visit
        && v.status.is_terminal()
    {
        return Err(Error::refused(
            format!(
                "the visit to {} is already {}: it cannot be checked in again",
                target.account.external_id,
                v.status.as_str()
            ),
            json!({"visit_id": v.id, "status": v.status}),
        ));
    }
    let history = Rules::history(
        &store.conn,
        &target.account,
        target.visit.as_ref().map(|v| v.id.as_str()),
    )?;
    if let Decision::Refused {
        rule,
        also,
        next_allowed,
    } = rules.decide(target.debtor_window(), &history, now)
    {
        let when = next_allowed.map_or_else(|| "not within a year".to_owned(), |t| t.to_rfc3339());
        let mut why = vec![rule.to_string()];
        why.extend(also.iter().map(ToString::to_string));
        return Err(Error::refused(
            format!(
                "contact rules refuse visiting {} now: {}; next allowed: {when}",
                target.account.external_id,
                why.join("; ")
            ),
            json!({"contact": {"rule": rule, "also": also, "next_allowed": next_allowed}}),
        ));
    }
    let window = TimeDelta::milliseconds((rules.geofence.window_secs() * 1000.0) as i64);
    let age = TimeDelta::milliseconds((rules.geofence.max_fix_age_secs() * 1000.0) as i64);
    let from = now - window.max(age);
    let mut evidence =
        fixes::between(&store.conn, from.timestamp_millis(), now.timestamp_millis())?;
    let verdict = geofence::verdict(target.location(), &rules.geofence, &evidence, now);
    if evidence.len() > MAX_EVIDENCE {
        evidence.drain(..evidence.len() - MAX_EVIDENCE);
    }
    let recorded = record(store, &target, (evidence, verdict), now, new_visit, form)?;
    if recorded.verdict.is_accepted() {
        return Ok(recorded);
    }
    let reasons: Vec<String> = recorded
        .verdict
        .reasons()
        .iter()
        .map(ToString::to_string)
        .collect();
    Err(Error::refused(
        format!(
            "check-in at {} refused (recorded as evidence): {}",
            target.account.external_id,
            reasons.join("; ")
        ),
        json!({"visit_id": recorded.visit_id, "seq": recorded.seq, "verdict": recorded.verdict}),
    ))
}

// Long: the visit, its check-in and their outbox events are written in one transaction.
fn record(
    store: &mut Store,
    target: &Target,
    (evidence, verdict): (Vec<Fix>, Verdict),
    now: DateTime<Utc>,
    new_visit: VisitId,
    form: Option<&Compiled>,
) -> Result<CheckIn> {
    let account_id = target.account.id.to_string();
    let stop_id = target.stop.as_ref().map(|s| s.id.to_string());
    let (visit_id, epoch) = match &target.visit {
        Some(v) => (v.id.clone(), v.epoch),
        None => (new_visit.to_string(), 0),
    };
    let record = CheckInRecord {
        account: target.account.id,
        stop: target.stop.as_ref().map(|s| s.id),
        at: now,
        evidence,
        device_verdict: verdict.clone(),
        epoch,
    };
    let visit: VisitId = visit_id
        .parse()
        .map_err(|e| Error::corrupt("reading a visit id", e))?;
    let draft =
        encode(&Payload::CheckIn(visit, Box::new(record))).expect("a check-in always encodes");
    let tx = crate::store::write_tx(&mut store.conn)?;
    visits::insert(&tx, &visit_id, &account_id, stop_id.as_deref())?;
    let event = log::append(&tx, [draft], now.timestamp_millis())?.remove(0);
    let me = device::get(&tx)?;
    visits::upsert_checkin(
        &tx,
        &visits::CheckinRow {
            device_id: &me.device_id.to_string(),
            seq: event.key().seq as i64,
            visit_id: &visit_id,
            account_id: &account_id,
            at_ms: now.timestamp_millis(),
            device_verdict: &serde_json::to_value(&verdict).unwrap_or_default(),
            server_verdict: None,
            flagged: false,
        },
    )?;
    if verdict.is_accepted() {
        visits::merge_status(
            &tx,
            &visit_id,
            &StatusCell {
                epoch,
                status: VisitStatus::InProgress,
                stamp: Stamp::of(&event, event.hlc()),
            },
            &visits::StatusExtras {
                checked_in_ms: Some(now.timestamp_millis()),
                ..Default::default()
            },
        )?;
        let unstarted = target.visit.as_ref().is_none_or(|v| v.form.is_none());
        if let Some(form) = form.filter(|_| unstarted) {
            forms::pin(&tx, &visit_id, &form.version.id.to_string())?;
            let answers = form::answers_of(&visits::fields_of(&tx, &visit_id)?);
            record_fields(
                &tx,
                &visit_id,
                &prefills(form, &target.account, &answers, &me, now)?,
                now,
            )?;
        }
    }
    tx.commit().context("committing a check-in")?;
    Ok(CheckIn {
        visit_id,
        stop_id,
        external_id: target.account.external_id.clone(),
        at: now,
        verdict,
        seq: event.key().seq,
    })
}
