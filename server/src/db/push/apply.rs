//! One batch inside a transaction: lock the device row, check the batch against what is stored
//! (a stored event of the same key with another hash is a fork; the stored neighbours on both
//! sides must link), project the events that extend the contiguous head in seq order —
//! including pending ones stored earlier beyond a gap this batch fills — insert the new events
//! `on conflict do nothing` with the state projection gave them, keep the signed head and move
//! the device's head. The answer is derived from what is stored, so a replayed batch gets the
//! same `head`, `clamped` and `rejected` as the first time.

use std::collections::BTreeMap;
use terreno_shared::api::ErrorCode;

use terreno_shared::api::v1::sync::{EventState, RejectedEvent, Rejection};
use terreno_shared::sync::event::{Draft, EventKind};
use terreno_shared::sync::payload::{self, Payload, PayloadError};
use terreno_shared::sync::{EventHash, Hlc};

use super::plan::{self, Step};
use super::store::{HeadRow, NewEventRow, PendingRow, PushStore, StoredRow};
use super::{PreparedBatch, PreparedEvent, PushAck, PushError, to_i64};
use crate::db::project::{ProjEvent, ProjectStore, Projected, Projector};

/// Stores and projects one verified batch; the caller commits. What happens to each event is
/// decided from the locked head and the stored neighbours by [`plan`]; this runs it.
pub async fn apply<C>(c: &mut C, b: &PreparedBatch) -> Result<PushAck, PushError>
where
    C: PushStore + ProjectStore + Send,
{
    let device = b.device.id.to_string();
    let head = c
        .lock_device(&device, b.received_ms)
        .await?
        .ok_or(PushError::NotFound(b.device.id))?;
    if head.revoked_ms.is_some() {
        return Err(PushError::Revoked(b.device.id));
    }
    let (first, last) = (b.first_seq(), b.last_seq());
    let stored = stored_of_batch(c, b, &head, &device).await?;
    let mut run = Run {
        at: Head {
            seq: head.head_seq as u64,
            hash: head.head_hash.clone(),
        },
        projector: Projector::new(b),
        ack: Answer::default(),
    };
    let mut new_rows = Vec::new();
    for (e, step) in b.events.iter().zip(plan::steps(b, run.at.seq, &stored)) {
        let existing = stored.get(&e.seq);
        let Some((state, reason)) = run.step(c, e, step).await? else {
            continue;
        };
        let suspect = existing.map_or(e.clock_suspect, |r| r.clock_suspect);
        if suspect {
            run.ack.clamped.push(e.seq);
        }
        match existing {
            Some(_) => {
                c.set_event_state(&device, to_i64(e.seq), state, reason.as_deref())
                    .await?
            }
            None => new_rows.push(NewEventRow {
                event: e,
                state,
                reason,
            }),
        }
    }
    if plan::connects(first, head.head_seq as u64) && head.max_seen as u64 > last {
        // The gap this batch filled may release events stored earlier beyond it.
        run.release_pending(c, &device, last).await?;
    }
    c.insert_events(&device, b.received_ms, &new_rows).await?;
    run.projector.finish(c).await?;
    let max_seen = (head.max_seen as u64).max(last);
    keep_head(c, b, &device, &run.at, max_seen).await?;
    Ok(PushAck {
        head: run.at.seq,
        max_seen,
        clamped: run.ack.clamped,
        rejected: run.ack.rejected.into_values().collect(),
    })
}

/// The stored events of the batch's seqs, after checking that the stored neighbours on both
/// sides link to it (none are read when the batch plainly appends).
async fn stored_of_batch<C>(
    c: &mut C,
    b: &PreparedBatch,
    head: &HeadRow,
    device: &str,
) -> Result<BTreeMap<u64, StoredRow>, PushError>
where
    C: PushStore + ProjectStore + Send,
{
    let (first, last) = (b.first_seq(), b.last_seq());
    let stored = if plan::appends(head, b) {
        Vec::new()
    } else {
        c.stored_range(device, to_i64(first - 1), to_i64(last + 1))
            .await?
    };
    check_links(b, &stored)?;
    Ok(plan::in_batch(stored, first, last))
}

/// The device's contiguous head as the batch moves it.
struct Head {
    seq: u64,
    hash: Option<String>,
}

/// A batch being applied: the head it moves, the projection and the answer.
struct Run {
    at: Head,
    projector: Projector,
    ack: Answer,
}

impl Run {
    /// Runs one event's step: a reported event is done (`None`); a pending or projected one
    /// answers the state and reason to store it with.
    async fn step<C>(
        &mut self,
        c: &mut C,
        e: &PreparedEvent,
        step: Step<'_>,
    ) -> Result<Option<(EventState, Option<String>)>, PushError>
    where
        C: PushStore + ProjectStore + Send,
    {
        Ok(Some(match step {
            Step::Report(row) => {
                self.ack.report_stored(row);
                return Ok(None);
            }
            Step::Pend => (EventState::Pending, None),
            Step::Project { merge_hlc } => {
                let ev = ProjEvent {
                    seq: e.seq,
                    merge_hlc,
                    base_hlc: e.base_hlc,
                    payload: &e.payload,
                };
                let outcome = self.projector.project(c, &ev).await?;
                self.at.seq = e.seq;
                self.at.hash = Some(e.hash.to_hex());
                self.ack.outcome(e.seq, outcome)
            }
        }))
    }

    /// Projects the pending events stored beyond `last` while they extend the head, in seq
    /// order.
    async fn release_pending<C>(
        &mut self,
        c: &mut C,
        device: &str,
        last: u64,
    ) -> Result<(), PushError>
    where
        C: PushStore + ProjectStore + Send,
    {
        for p in c.pending_after(device, to_i64(last)).await? {
            if p.seq as u64 != self.at.seq + 1 {
                break;
            }
            let decoded = decode_stored(&p);
            let ev = ProjEvent {
                seq: p.seq as u64,
                merge_hlc: Hlc::from_raw(p.merge_hlc),
                base_hlc: p.base_hlc.map(Hlc::from_raw),
                payload: &decoded,
            };
            let outcome = self.projector.project(c, &ev).await?;
            let (state, reason) = self.ack.outcome(ev.seq, outcome);
            c.set_event_state(device, p.seq, state, reason.as_deref())
                .await?;
            self.at.seq = ev.seq;
            self.at.hash = Some(p.hash);
        }
        Ok(())
    }
}

/// Keeps the batch's signature (a tracker's log has none) and moves the device's head.
async fn keep_head<C>(
    c: &mut C,
    b: &PreparedBatch,
    device: &str,
    at: &Head,
    max_seen: u64,
) -> Result<(), PushError>
where
    C: PushStore + ProjectStore + Send,
{
    let last_hash = b.last_hash().to_hex();
    if let Some(signature) = &b.signature {
        c.insert_signature(
            device,
            to_i64(b.last_seq()),
            &last_hash,
            &signature.to_string(),
        )
        .await?;
    }
    c.update_head(device, to_i64(at.seq), at.hash.as_deref(), to_i64(max_seen))
        .await?;
    Ok(())
}

/// The answer's per-event parts, collected as the batch is applied.
#[derive(Default)]
struct Answer {
    clamped: Vec<u64>,
    rejected: BTreeMap<u64, RejectedEvent>,
}

impl Answer {
    /// Reports an event stored before, from its stored state.
    fn report_stored(&mut self, row: &StoredRow) {
        let seq = row.seq as u64;
        if row.clock_suspect {
            self.clamped.push(seq);
        }
        if row.state == EventState::Rejected {
            let reason = row.reason.as_deref().unwrap_or_default();
            self.reject(seq, Rejection::from_reason(reason));
        }
    }

    /// The stored state and reason of a projection outcome.
    fn outcome(&mut self, seq: u64, p: Projected) -> (EventState, Option<String>) {
        match p {
            Projected::Applied => (EventState::Applied, None),
            Projected::Deferred => (EventState::Deferred, None),
            Projected::Rejected(why) => {
                let reason = why.to_reason();
                self.reject(seq, why);
                (EventState::Rejected, Some(reason))
            }
        }
    }

    fn reject(&mut self, seq: u64, why: Rejection) {
        self.rejected.insert(seq, why.into_event(seq));
    }
}

/// The stored neighbours must agree with the batch: the event before it must be the one its
/// first event links to, events of the same keys must be the same events, and the event after
/// it must link to its last one.
fn check_links(b: &PreparedBatch, stored: &[StoredRow]) -> Result<(), PushError> {
    let (first, last) = (b.first_seq(), b.last_seq());
    let hex = |h: EventHash| h.to_hex();
    for row in stored {
        let seq = row.seq as u64;
        if seq + 1 == first && row.hash != hex(b.events[0].prev_hash) {
            return Err(PushError::Invalid {
                code: ErrorCode::BrokenChain,
                message: format!(
                    "event {first} does not link to the stored event {seq} (prev_hash {}, stored hash {})",
                    b.events[0].prev_hash, row.hash
                ),
            });
        }
        if (first..=last).contains(&seq) && row.hash != hex(b.events[(seq - first) as usize].hash) {
            return Err(PushError::Fork(format!(
                "event {seq} differs from the one stored for this device: two installs share the device id; enroll a new one"
            )));
        }
        if seq == last + 1 && row.prev_hash != hex(b.last_hash()) {
            return Err(PushError::Fork(format!(
                "the stored event {seq} does not link to event {last} of this batch: two installs share the device id; enroll a new one"
            )));
        }
    }
    Ok(())
}

/// Rebuilds and decodes a stored event's payload.
fn decode_stored(p: &PendingRow) -> Result<Payload, PayloadError> {
    let invalid = |reason: String| PayloadError::Schema {
        kind: p.kind.clone(),
        v: u16::try_from(p.v).unwrap_or_default(),
        reason,
    };
    let kind: EventKind = p.kind.parse().map_err(|e| invalid(format!("{e}")))?;
    let draft = Draft {
        kind,
        v: u16::try_from(p.v).map_err(|e| invalid(e.to_string()))?,
        entity: p.entity.as_deref().and_then(|e| e.parse().ok()),
        field: p.field.clone(),
        base_hlc: p.base_hlc.map(Hlc::from_raw),
        payload: serde_json::from_str(&p.payload).map_err(|e| invalid(e.to_string()))?,
    };
    payload::decode(&draft)
}
