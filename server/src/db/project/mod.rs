//! The materialized state, updated in the push transaction by folding each newly contiguous
//! event through the shared merge rules (SYNC.md "Merge rules", `terreno_shared::sync::merge`):
//!
//! - facts (fixes, check-ins, submissions) are only added, keyed by `(device_id, seq)`;
//! - a field is a last-writer-wins register ordered by its [`Stamp`]; the upsert's `where`
//!   compares the stamp's key, and an edit overwritten unseen ([`Stamp::is_unseen_overwrite`])
//!   is recorded in `conflicts`;
//! - a visit's status is the lattice max over `(epoch, rank, stamp)`, compared as its key
//!   (`terreno_shared::sync::stamp::status_key`);
//! - attachments are an add/remove set where remove wins (the add with the greatest stamp key
//!   holds the blob); deletions keep the first one (the least stamp key), forever.
//!
//! Permission checks come first and write nothing: an event refused here is stored as rejected
//! evidence by the caller and the rest of the batch goes on. A submission is also checked
//! against the form version it names (`forms`) before anything of it is written. Every state
//! change a device or a supervisor must see is appended to the pull feed, scoped to the visit's
//! collector and team, in a feed transaction of its own per batch (a group commit may hold
//! several batches; each is whole in the feed).
//!
//! Must not: decide envelope validity (push does), or read anything but the transaction.

mod forms;
#[cfg(test)]
mod key_tests;
mod queries;
mod sql;
mod visits;

use serde_json::Value;
use terreno_shared::api::ErrorCode;
use terreno_shared::api::v1::sync::{Change, EntityType, Record, Rejection};
use terreno_shared::api::v1::views::{AttachmentView, FieldView};
use terreno_shared::geofence::GeofencePolicy;
use terreno_shared::ids::{AttachmentId, DeviceId, OrgId, TeamId, VisitId};
use terreno_shared::model::{Fix, Role};
use terreno_shared::sync::payload::{AttachmentRef, Payload, PayloadError};
use terreno_shared::sync::{Hlc, Stamp};
use uuid::Uuid;

use sql::RegisterWrite;
pub use sql::{FixRow, ProjectStore};

use crate::db::changes::NewChange;
use crate::db::now_ms;
use crate::db::push::PreparedBatch;

/// One event to fold, wherever it comes from (a new batch, or stored beyond a filled gap).
#[derive(Debug)]
pub struct ProjEvent<'a> {
    /// Its seq.
    pub seq: u64,
    /// The stamp the merge uses.
    pub merge_hlc: Hlc,
    /// The stamp of the value its author saw.
    pub base_hlc: Option<Hlc>,
    /// The decoded payload.
    pub payload: &'a Result<Payload, PayloadError>,
}

/// What folding an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Projected {
    /// Folded into the state (perhaps superseded: still applied).
    Applied,
    /// A newer kind or version: kept, not projected.
    Deferred,
    /// Refused on its own.
    Rejected(Rejection),
}

fn rejected(code: ErrorCode, message: String) -> Projected {
    Projected::Rejected(Rejection::new(code, message))
}

/// Folds one device's events inside a transaction.
pub struct Projector {
    device_id: DeviceId,
    device: String,
    user_str: String,
    org: OrgId,
    team: Option<TeamId>,
    role: Role,
    feed_txn: Option<i64>,
    policy: Option<GeofencePolicy>,
    /// The organization's zone and visit form, read once per batch.
    org_forms: Option<forms::OrgForms>,
    engines: crate::forms::engines::FormEngines,
    fixes: Vec<FixRow>,
}

impl Projector {
    /// A projector for a batch's device.
    pub fn new(b: &PreparedBatch) -> Projector {
        Projector {
            device_id: b.device.id,
            device: b.device.id.to_string(),
            user_str: b.device.user_id.to_string(),
            org: b.device.org_id,
            team: b.device.team_id,
            role: b.role,
            feed_txn: None,
            policy: None,
            org_forms: None,
            engines: b.forms.clone(),
            fixes: Vec::new(),
        }
    }

    /// Folds one event.
    pub async fn project<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        e: &ProjEvent<'_>,
    ) -> sqlx::Result<Projected> {
        let payload = match e.payload {
            Err(err) => return Ok(rejected(ErrorCode::InvalidPayload, err.to_string())),
            Ok(p) => p,
        };
        match payload {
            Payload::Future => Ok(Projected::Deferred),
            Payload::Fix(f) => {
                self.fixes.push(fix_row(e.seq, f));
                Ok(Projected::Applied)
            }
            Payload::CheckIn(visit, rec) => self.check_in(c, e, *visit, rec).await,
            Payload::VisitSubmitted(visit, sub) => self.submit(c, e, *visit, sub).await,
            Payload::StatusSet(visit, change) => self.set_status(c, e, *visit, change).await,
            Payload::FieldSet(entity, field, v) => {
                self.set_field(c, e, *entity, field, &v.value).await
            }
            Payload::AttachmentAdded(visit, a) => self.add_attachment(c, e, *visit, a).await,
            Payload::AttachmentRemoved(visit, r) => {
                self.remove_attachment(c, *visit, r.attachment_id).await
            }
            Payload::Deleted(entity) => self.delete(c, e, *entity).await,
        }
    }

    /// Writes what was buffered (fixes in one statement, the newest position once).
    pub async fn finish<C: ProjectStore + Send>(&mut self, c: &mut C) -> sqlx::Result<()> {
        if self.fixes.is_empty() {
            return Ok(());
        }
        c.insert_fixes(&self.device, &self.user_str, &self.fixes)
            .await?;
        if let Some(newest) = self.fixes.iter().max_by_key(|f| (f.t_ms, f.seq)) {
            c.upsert_last_position(&self.device, &self.user_str, newest, now_ms())
                .await?;
        }
        self.fixes.clear();
        Ok(())
    }

    async fn set_field<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        e: &ProjEvent<'_>,
        entity: Uuid,
        field: &str,
        value: &Value,
    ) -> sqlx::Result<Projected> {
        let visit = match self.writable_visit(c, VisitId::from_uuid(entity)).await? {
            Ok(v) => v,
            Err(refusal) => return Ok(refusal),
        };
        let (entity_s, seq) = (entity.to_string(), sql::i(e.seq));
        if let Some(cur) = c.find_register(&entity_s, field).await? {
            self.record_conflict(c, &entity_s, field, &cur, e).await?;
        }
        let key = self.stamp(e).order_key();
        let w = RegisterWrite {
            entity: &entity_s,
            field,
            value: &value.to_string(),
            hlc: e.merge_hlc.raw(),
            device: &self.device,
            seq,
            base_hlc: e.base_hlc.map(|h| h.raw()),
            key: &key,
        };
        if c.upsert_register(w).await? > 0 {
            let view = FieldView {
                entity,
                field: field.to_owned(),
                value: value.clone(),
                hlc: e.merge_hlc,
                device: self.device_id,
                seq: e.seq,
            };
            let id = format!("{entity}/{field}");
            self.feed(c, &visit, Change::upsert(id, Record::Field(view)))
                .await?;
        }
        Ok(Projected::Applied)
    }

    /// The stamp an event's write carries: this batch's device, the event's seq, the HLC the
    /// merge uses for it.
    fn stamp(&self, e: &ProjEvent<'_>) -> Stamp {
        Stamp {
            hlc: e.merge_hlc,
            device_id: self.device_id,
            seq: e.seq,
        }
    }

    /// An event's stamp as the columns storage keeps, with its `key`.
    fn stamp_cols<'k>(&'k self, e: &ProjEvent<'_>, key: &'k str) -> sql::StampCols<'k> {
        sql::StampCols {
            hlc: e.merge_hlc.raw(),
            device: &self.device,
            seq: sql::i(e.seq),
            key,
        }
    }

    /// Records the overwrite of the stored register `cur` or of the new write, whichever
    /// loses, when the shared rule ([`Stamp::is_unseen_overwrite`]) says its winner's author
    /// had not seen it.
    async fn record_conflict<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        entity: &str,
        field: &str,
        cur: &sql::RegisterRow,
        e: &ProjEvent<'_>,
    ) -> sqlx::Result<()> {
        let new = (self.stamp(e), e.base_hlc);
        let old = (cur.stamp()?, cur.base_hlc.map(Hlc::from_raw));
        if new.0 == old.0 {
            return Ok(());
        }
        let (winner, loser) = if new.0 > old.0 {
            (new, old)
        } else {
            (old, new)
        };
        if winner.0.is_unseen_overwrite(winner.1, &loser.0) {
            let (lost, won) = (
                loser.0.device_id.to_string(),
                winner.0.device_id.to_string(),
            );
            c.insert_conflict(
                entity,
                field,
                (&lost, sql::i(loser.0.seq)),
                (&won, sql::i(winner.0.seq)),
                now_ms(),
            )
            .await?;
        }
        Ok(())
    }

    async fn add_attachment<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        e: &ProjEvent<'_>,
        visit: VisitId,
        a: &AttachmentRef,
    ) -> sqlx::Result<Projected> {
        let row = match self.writable_visit(c, visit).await? {
            Ok(v) => v,
            Err(refusal) => return Ok(refusal),
        };
        let (v, id) = (visit.to_string(), a.attachment_id.to_string());
        let bytes = i64::try_from(a.bytes).unwrap_or(i64::MAX);
        let role = json(&a.role).as_str().unwrap_or("file").to_owned();
        let blob = (a.sha256.to_hex(), a.media_type.clone());
        let key = self.stamp(e).order_key();
        let by = self.stamp_cols(e, &key);
        let changed = c
            .add_attachment(&v, &id, (&blob.0, &blob.1, bytes, &role), by)
            .await?;
        if changed > 0 {
            self.feed_attachment(c, &row, visit, a.attachment_id)
                .await?;
        }
        Ok(Projected::Applied)
    }

    async fn remove_attachment<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        visit: VisitId,
        attachment: AttachmentId,
    ) -> sqlx::Result<Projected> {
        let row = match self.writable_visit(c, visit).await? {
            Ok(v) => v,
            Err(refusal) => return Ok(refusal),
        };
        if c.remove_attachment(&visit.to_string(), &attachment.to_string())
            .await?
            > 0
        {
            self.feed_attachment(c, &row, visit, attachment).await?;
        }
        Ok(Projected::Applied)
    }

    async fn feed_attachment<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        row: &sql::VisitRow,
        visit: VisitId,
        attachment: AttachmentId,
    ) -> sqlx::Result<()> {
        let Some(a) = c
            .find_attachment(&visit.to_string(), &attachment.to_string())
            .await?
        else {
            return Ok(());
        };
        let view = AttachmentView {
            visit,
            attachment,
            sha256: a.sha256,
            media_type: a.media_type,
            bytes: a.bytes.and_then(|b| u64::try_from(b).ok()),
            role: a.role,
            removed: a.removed,
        };
        let id = format!("{visit}/{attachment}");
        self.feed(c, row, Change::upsert(id, Record::Attachment(view)))
            .await
    }

    async fn delete<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        e: &ProjEvent<'_>,
        entity: Uuid,
    ) -> sqlx::Result<Projected> {
        let row = match self.writable_visit(c, VisitId::from_uuid(entity)).await? {
            Ok(v) => v,
            Err(refusal) => return Ok(refusal),
        };
        let key = self.stamp(e).order_key();
        let first = c
            .insert_deletion(&entity.to_string(), self.stamp_cols(e, &key))
            .await?;
        if first > 0 {
            self.feed(
                c,
                &row,
                Change::remove(EntityType::Visit, entity.to_string()),
            )
            .await?;
        }
        Ok(Projected::Applied)
    }

    /// Appends a change scoped to the visit's collector and team.
    async fn feed<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        visit: &sql::VisitRow,
        change: Change,
    ) -> sqlx::Result<()> {
        let txn = match self.feed_txn {
            Some(t) => t,
            None => {
                let t = c.begin_feed().await?;
                self.feed_txn = Some(t);
                t
            }
        };
        let change = NewChange {
            org_id: self.org,
            collector_id: visit.collector_id.parse().ok(),
            team_id: visit.collector_team.as_deref().and_then(|t| t.parse().ok()),
            change,
        };
        c.record(txn, &change).await
    }

    /// Whether this device's user may write state of a visit of `collector`.
    fn may_write(&self, collector: &str, team: Option<&str>, org: &str) -> bool {
        org == self.org.to_string()
            && match self.role {
                Role::Collector => collector == self.user_str,
                Role::Supervisor => {
                    self.team.is_some() && team == self.team.map(|t| t.to_string()).as_deref()
                }
                Role::Admin => true,
            }
    }
}

fn fix_row(seq: u64, f: &Fix) -> FixRow {
    FixRow {
        seq: sql::i(seq),
        t_ms: f.time().timestamp_millis(),
        lat: f.point().lat(),
        lon: f.point().lon(),
        accuracy_m: f.accuracy_m(),
        speed_ms: f.speed_ms(),
        heading_deg: f.heading_deg(),
        altitude_m: f.altitude_m(),
        battery: f.battery().map(|b| b.fraction()),
        charging: f.charging(),
        mock: f.is_mock(),
    }
}

fn json<T: serde::Serialize>(v: &T) -> Value {
    // View types are plain data: serializing them cannot fail.
    serde_json::to_value(v).unwrap_or(Value::Null)
}
