//! The merge: folds events into state with a join (commutative, associative, idempotent), so
//! delivery order, duplicates and replays cannot change the result — only which events arrived.
//!
//! | data | rule | key |
//! |---|---|---|
//! | fix, check-in, submitted visit | grow-only set | `(device_id, seq)` |
//! | field / answer | LWW register by `(hlc, device_id, seq)` | `(entity, field)` |
//! | visit status | lattice max by `(epoch, rank, hlc, device_id, seq)`; an allowed check-in implies "in progress", a submission its final status | visit |
//! | attachment | add/remove set, remove wins | `(visit, attachment)` |
//! | deletion | `_deleted` cell, kept forever | entity |
//!
//! The order itself ([`Stamp`], the status key) lives in [`crate::sync::stamp`], which also
//! gives storage the one sortable key its SQL compares.
//!
//! Conflicts (an edit overwritten by one whose author had not seen it, judged through
//! `base_hlc`) are recorded for review as a side output. The state never depends on them.
//! Replays are recognised by event key, so folding twice records nothing new; but with three or
//! more concurrent edits of one register the record may name different pairs depending on
//! arrival order, since a register keeps only its winner. SYNC.md allows that: the record only
//! feeds a review queue.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

use crate::ids::{AttachmentId, VisitId};
use crate::model::visit::VisitStatus;
use crate::sync::event::{Event, EventKey, EventKind};
use crate::sync::hlc::Hlc;
use crate::sync::payload::{self, AttachmentRef, Payload, PayloadError};
pub use crate::sync::stamp::Stamp;
use crate::sync::stamp::status_key;

/// A fact's summary in the grow-only set (the full event lives in the log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactRef {
    /// What kind of fact.
    pub kind: EventKind,
    /// Its author's stamp.
    pub hlc: Hlc,
    /// The entity it is about, if any.
    pub entity: Option<Uuid>,
}

/// The current value of one `(entity, field)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Register {
    /// The value (`null` once cleared).
    pub value: Value,
    /// Who wrote it, when.
    pub stamp: Stamp,
    /// What its author had seen.
    pub base_hlc: Option<Hlc>,
}

/// The current status of one visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCell {
    /// Reopen generation.
    pub epoch: u32,
    /// The status.
    pub status: VisitStatus,
    /// Who set it, when.
    pub stamp: Stamp,
}

impl StatusCell {
    fn order(&self) -> (u32, u8, Stamp) {
        (self.epoch, self.status.rank(), self.stamp)
    }

    /// The cell's place in the lattice as the sortable key storage keeps
    /// ([`crate::sync::stamp::status_key`]).
    pub fn order_key(&self) -> String {
        status_key(self.epoch, self.status, &self.stamp)
    }
}

/// One attachment of a visit: added (with its blob reference) and perhaps removed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AttachmentCell {
    /// The add with the greatest stamp, if any add arrived.
    pub added: Option<(Stamp, AttachmentRef)>,
    /// The greatest removal stamp, if any removal arrived. Remove wins over any add.
    pub removed: Option<Stamp>,
}

impl AttachmentCell {
    /// Whether the attachment is part of the visit.
    pub fn is_present(&self) -> bool {
        self.added.is_some() && self.removed.is_none()
    }

    fn join(&mut self, other: &AttachmentCell) {
        if other.added.as_ref().map(|a| a.0) > self.added.as_ref().map(|a| a.0) {
            self.added.clone_from(&other.added);
        }
        self.removed = self.removed.max(other.removed);
    }
}

/// An edit overwritten by one whose author had not seen it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Conflict {
    /// The register.
    pub entity: Uuid,
    /// Its field.
    pub field: String,
    /// The edit that lost.
    pub overwritten: Stamp,
    /// The edit that won.
    pub by: Stamp,
}

/// What applying one event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// A new fact, or a state write that is now the current value.
    Changed,
    /// A state write older than the current value (kept in the log, no effect on state).
    Superseded,
    /// Already applied (same key): no effect.
    Duplicate,
    /// A kind or version newer than this build: recorded, not projected.
    Deferred,
}

/// State folded from events. Equality ignores the conflict record (see the module docs).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    /// Every event applied, so a replay is recognised whatever its kind.
    seen: BTreeSet<EventKey>,
    facts: BTreeMap<EventKey, FactRef>,
    registers: BTreeMap<(Uuid, String), Register>,
    statuses: BTreeMap<VisitId, StatusCell>,
    attachments: BTreeMap<(VisitId, AttachmentId), AttachmentCell>,
    deleted: BTreeMap<Uuid, Stamp>,
    deferred: BTreeSet<EventKey>,
    conflicts: BTreeSet<Conflict>,
}

impl PartialEq for State {
    fn eq(&self, o: &Self) -> bool {
        self.seen == o.seen
            && self.facts == o.facts
            && self.registers == o.registers
            && self.statuses == o.statuses
            && self.attachments == o.attachments
            && self.deleted == o.deleted
            && self.deferred == o.deferred
    }
}

impl State {
    /// Folds events, skipping (deterministically) any whose payload is invalid.
    pub fn fold<'a>(events: impl IntoIterator<Item = &'a Event>) -> State {
        let mut s = State::default();
        for e in events {
            // An invalid event changes nothing; the server reports it in `rejected[]`.
            let _ = s.apply(e);
        }
        s
    }

    /// Applies an event with its own stamp.
    pub fn apply(&mut self, e: &Event) -> Result<Applied, PayloadError> {
        self.apply_stamped(e, e.hlc())
    }

    /// Applies an event with the stamp the merge must use (the server's clamped stamp for an
    /// event from a device whose clock ran ahead). On error the state is unchanged.
    pub fn apply_stamped(&mut self, e: &Event, merge_hlc: Hlc) -> Result<Applied, PayloadError> {
        if self.seen.contains(&e.key()) {
            return Ok(Applied::Duplicate);
        }
        let payload = payload::decode(e.draft())?;
        self.seen.insert(e.key());
        let stamp = Stamp::of(e, merge_hlc);
        Ok(match payload {
            Payload::Future => changed_if(self.deferred.insert(e.key()), Applied::Duplicate),
            Payload::Fix(_) | Payload::CheckIn(..) | Payload::VisitSubmitted(..) => {
                self.write_fact(e, &payload, stamp)
            }
            Payload::FieldSet(entity, field, v) => {
                let reg = Register {
                    value: v.value,
                    stamp,
                    base_hlc: e.draft().base_hlc,
                };
                self.write_register(entity, field, reg)
            }
            Payload::StatusSet(visit, c) => {
                let cell = StatusCell {
                    epoch: c.epoch,
                    status: c.status,
                    stamp,
                };
                self.write_status(visit, cell)
            }
            Payload::AttachmentAdded(visit, a) => self.write_attachment(
                (visit, a.attachment_id),
                AttachmentCell {
                    added: Some((stamp, a)),
                    removed: None,
                },
            ),
            Payload::AttachmentRemoved(visit, r) => self.write_attachment(
                (visit, r.attachment_id),
                AttachmentCell {
                    added: None,
                    removed: Some(stamp),
                },
            ),
            Payload::Deleted(entity) => self.write_deletion(entity, stamp),
        })
    }

    /// A fact (fix, check-in, submission) is kept once; the status it implies merges like any
    /// status write.
    fn write_fact(&mut self, e: &Event, payload: &Payload, stamp: Stamp) -> Applied {
        let fact = FactRef {
            kind: e.kind().clone(),
            hlc: e.hlc(),
            entity: e.draft().entity,
        };
        if let Some((visit, cell)) = implied_status(payload, stamp) {
            self.write_status(visit, cell);
        }
        changed_if(
            self.facts.insert(e.key(), fact).is_none(),
            Applied::Duplicate,
        )
    }

    fn write_deletion(&mut self, entity: Uuid, stamp: Stamp) -> Applied {
        match self.deleted.get(&entity) {
            Some(old) if *old == stamp => Applied::Duplicate,
            // The first deletion is the one on record; later ones change nothing.
            Some(old) if *old < stamp => Applied::Superseded,
            _ => {
                self.deleted.insert(entity, stamp);
                Applied::Changed
            }
        }
    }

    fn write_register(&mut self, entity: Uuid, field: String, new: Register) -> Applied {
        let key = (entity, field);
        let Some(cur) = self.registers.get(&key) else {
            self.registers.insert(key, new);
            return Applied::Changed;
        };
        if cur.stamp == new.stamp {
            return Applied::Duplicate;
        }
        let (winner, loser) = if new.stamp > cur.stamp {
            (&new, cur)
        } else {
            (cur, &new)
        };
        if winner
            .stamp
            .is_unseen_overwrite(winner.base_hlc, &loser.stamp)
        {
            self.conflicts.insert(Conflict {
                entity: key.0,
                field: key.1.clone(),
                overwritten: loser.stamp,
                by: winner.stamp,
            });
        }
        if new.stamp > cur.stamp {
            self.registers.insert(key, new);
            Applied::Changed
        } else {
            Applied::Superseded
        }
    }

    fn write_status(&mut self, visit: VisitId, new: StatusCell) -> Applied {
        match self.statuses.get(&visit) {
            Some(cur) if cur.stamp == new.stamp => Applied::Duplicate,
            Some(cur) if cur.order() > new.order() => Applied::Superseded,
            _ => {
                self.statuses.insert(visit, new);
                Applied::Changed
            }
        }
    }

    fn write_attachment(&mut self, key: (VisitId, AttachmentId), new: AttachmentCell) -> Applied {
        let cell = self.attachments.entry(key).or_default();
        let before = cell.clone();
        cell.join(&new);
        changed_if(*cell != before, Applied::Superseded)
    }

    /// Joins another replica's state into this one: the result equals folding the union of
    /// both replicas' events.
    pub fn join(&mut self, other: &State) {
        self.seen.extend(other.seen.iter().copied());
        for (k, f) in &other.facts {
            self.facts.entry(*k).or_insert_with(|| f.clone());
        }
        for ((entity, field), r) in &other.registers {
            self.write_register(*entity, field.clone(), r.clone());
        }
        for (v, c) in &other.statuses {
            self.write_status(*v, *c);
        }
        for (k, c) in &other.attachments {
            self.write_attachment(*k, c.clone());
        }
        for (e, s) in &other.deleted {
            let cur = self.deleted.entry(*e).or_insert(*s);
            *cur = (*cur).min(*s);
        }
        self.deferred.extend(other.deferred.iter().copied());
        self.conflicts.extend(other.conflicts.iter().cloned());
    }

    /// The current value of a field, if ever written.
    pub fn register(&self, entity: Uuid, field: &str) -> Option<&Register> {
        self.registers.get(&(entity, field.to_owned()))
    }
    /// Every register of an entity, by field name.
    pub fn registers_of(&self, entity: Uuid) -> impl Iterator<Item = (&str, &Register)> {
        self.registers
            .range((entity, String::new())..)
            .take_while(move |((e, _), _)| *e == entity)
            .map(|((_, f), r)| (f.as_str(), r))
    }
    /// A visit's status cell, if any status was set.
    pub fn status(&self, visit: VisitId) -> Option<&StatusCell> {
        self.statuses.get(&visit)
    }
    /// The attachments present on a visit (added and not removed).
    pub fn attachments_of(&self, visit: VisitId) -> impl Iterator<Item = &AttachmentRef> {
        self.attachments
            .range((visit, AttachmentId::from_uuid(Uuid::nil()))..)
            .take_while(move |((v, _), _)| *v == visit)
            .filter(|(_, c)| c.is_present())
            .filter_map(|(_, c)| c.added.as_ref().map(|a| &a.1))
    }
    /// Whether an entity was deleted (forever).
    pub fn is_deleted(&self, entity: Uuid) -> bool {
        self.deleted.contains_key(&entity)
    }
    /// The facts, by key.
    pub fn facts(&self) -> &BTreeMap<EventKey, FactRef> {
        &self.facts
    }
    /// Events kept but not projected (newer kinds or versions).
    pub fn deferred(&self) -> &BTreeSet<EventKey> {
        &self.deferred
    }
    /// Overwritten edits recorded for review.
    pub fn conflicts(&self) -> &BTreeSet<Conflict> {
        &self.conflicts
    }
}

/// The status a fact implies: an allowed check-in puts the visit in progress, a submission
/// ends it with its outcome's final status — each within the epoch its device saw, through the
/// same lattice as explicit status writes, so the device and the server agree on the status
/// whatever the arrival order. A refused check-in implies nothing.
fn implied_status(p: &Payload, stamp: Stamp) -> Option<(VisitId, StatusCell)> {
    let (visit, status, epoch) = match p {
        Payload::CheckIn(v, rec) if rec.device_verdict.is_accepted() => {
            (*v, VisitStatus::InProgress, rec.epoch)
        }
        Payload::VisitSubmitted(v, sub) => (*v, sub.get().outcome.final_status(), sub.get().epoch),
        _ => return None,
    };
    Some((
        visit,
        StatusCell {
            epoch,
            status,
            stamp,
        },
    ))
}

fn changed_if(changed: bool, otherwise: Applied) -> Applied {
    if changed { Applied::Changed } else { otherwise }
}

#[cfg(test)]
mod tests;
