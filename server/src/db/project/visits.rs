//! Visits: created by their first check-in or submission, re-verified check-ins (the server's
//! own geofence verdict beside the device's), submissions (checked against their form first,
//! see `forms`), and the status lattice.

use terreno_shared::api::ErrorCode;
use terreno_shared::api::v1::sync::{Change, Record};
use terreno_shared::api::v1::views::{CheckInView, VisitView};
use terreno_shared::geofence::{GeofencePolicy, verdict};
use terreno_shared::ids::{AccountId, StopId, VisitId};
use terreno_shared::model::submission::{CheckInRecord, Submission};
use terreno_shared::model::{GeoPoint, Role, VisitStatus};
use terreno_shared::sync::Hlc;
use terreno_shared::sync::payload::StatusChange;
use terreno_shared::sync::stamp::status_key;

use super::sql::{self, AccountRow, CheckInRow, StatusWrite, VisitRow};
use super::{ProjEvent, ProjectStore, Projected, Projector, json, rejected};
use crate::db::now_ms;

impl Projector {
    pub(super) async fn check_in<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        e: &ProjEvent<'_>,
        visit: VisitId,
        rec: &CheckInRecord,
    ) -> sqlx::Result<Projected> {
        let (account, row) = match self.visit_for(c, visit, rec.account, rec.stop).await? {
            Ok(found) => found,
            Err(refusal) => return Ok(refusal),
        };
        if let Some(refusal) = self.epoch_refusal(visit, rec.epoch, &row) {
            return Ok(refusal);
        }
        let policy = self.policy(c).await?;
        let target = account
            .lat
            .zip(account.lon)
            .and_then(|(lat, lon)| GeoPoint::parse(lat, lon).ok());
        let server = verdict(target, &policy, &rec.evidence, rec.at);
        let device_allowed = rec.device_verdict.is_accepted();
        let flagged = device_allowed && !server.is_accepted();
        let r = CheckInRow {
            device: self.device.clone(),
            seq: sql::i(e.seq),
            visit: visit.to_string(),
            account: rec.account.to_string(),
            at_ms: rec.at.timestamp_millis(),
            device_verdict: json(&rec.device_verdict).to_string(),
            server_verdict: json(&server).to_string(),
            device_allowed,
            server_allowed: server.is_accepted(),
            flagged,
        };
        c.insert_checkin(&r).await?;
        if flagged {
            c.flag_visit(&r.visit).await?;
        }
        if device_allowed {
            self.write_status(c, e, &row, rec.epoch, VisitStatus::InProgress)
                .await?;
        }
        let view = CheckInView {
            visit,
            account: rec.account,
            at: rec.at,
            device_verdict: rec.device_verdict.clone(),
            server_verdict: server,
            flagged,
        };
        let id = format!("{}/{}", self.device, e.seq);
        self.feed(c, &row, Change::upsert(id, Record::CheckIn(view)))
            .await?;
        self.feed_visit(c, visit).await?;
        Ok(Projected::Applied)
    }

    pub(super) async fn submit<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        e: &ProjEvent<'_>,
        visit: VisitId,
        sub: &Submission,
    ) -> sqlx::Result<Projected> {
        let s = sub.get();
        let account = match self.visitable_account(c, s.account).await? {
            Ok(a) => a,
            Err(refusal) => return Ok(refusal),
        };
        // Checked before the visit is created: a refused completion leaves no trace but itself.
        if let Some(refusal) = self.check_completion(c, visit, s).await? {
            return Ok(refusal);
        }
        let row = match self.open_visit(c, visit, s.account, &account, None).await? {
            Ok(row) => row,
            Err(refusal) => return Ok(refusal),
        };
        if let Some(refusal) = self.epoch_refusal(visit, s.epoch, &row) {
            return Ok(refusal);
        }
        let submission = json(sub).to_string();
        let completed = s.completed_at.timestamp_millis();
        // Several submissions of one visit (two phones, or after a reopen) merge like status
        // writes: the one whose status cell wins the lattice also owns the outcome, whatever
        // order they arrive in.
        let status = s.outcome.final_status();
        if self.write_status(c, e, &row, s.epoch, status).await? {
            c.complete_visit(&row.id, s.outcome.as_str(), completed, &submission)
                .await?;
            // The email rides in the same transaction: committed completion, queued email.
            c.enqueue_email(&row.id, completed, crate::db::now_ms())
                .await?;
            self.feed_visit(c, visit).await?;
        }
        Ok(Projected::Applied)
    }

    pub(super) async fn set_status<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        e: &ProjEvent<'_>,
        visit: VisitId,
        change: &StatusChange,
    ) -> sqlx::Result<Projected> {
        let row = match self.writable_visit(c, visit).await? {
            Ok(v) => v,
            Err(refusal) => return Ok(refusal),
        };
        if let Some(refusal) = self.epoch_refusal(visit, change.epoch, &row) {
            return Ok(refusal);
        }
        if self
            .write_status(c, e, &row, change.epoch, change.status)
            .await?
        {
            self.feed_visit(c, visit).await?;
        }
        Ok(Projected::Applied)
    }

    /// Only a supervisor opens a new epoch (a reopen): a collector's write naming an epoch
    /// beyond the visit's is refused.
    fn epoch_refusal(&self, visit: VisitId, epoch: u32, row: &VisitRow) -> Option<Projected> {
        let epoch = i64::from(epoch);
        (self.role == Role::Collector && epoch > row.status_epoch).then(|| {
            let msg = format!("only a supervisor may reopen visit {visit} (epoch {epoch})");
            rejected(ErrorCode::NotAllowed, msg)
        })
    }

    /// Writes a status cell through the lattice; whether it became the visit's status.
    async fn write_status<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        e: &ProjEvent<'_>,
        row: &VisitRow,
        epoch: u32,
        status: VisitStatus,
    ) -> sqlx::Result<bool> {
        let key = status_key(epoch, status, &self.stamp(e));
        let w = StatusWrite {
            status: status.as_str(),
            epoch: i64::from(epoch),
            rank: i64::from(status.rank()),
            hlc: e.merge_hlc.raw(),
            device: &self.device,
            seq: sql::i(e.seq),
            key: &key,
        };
        Ok(c.write_status(&row.id, w).await? > 0)
    }

    /// A visit this device may write, or the refusal to store.
    pub(super) async fn writable_visit<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        visit: VisitId,
    ) -> sqlx::Result<Result<VisitRow, Projected>> {
        let not_yours = || {
            let msg = format!("visit {visit} does not exist or is not yours to change");
            rejected(ErrorCode::NotAllowed, msg)
        };
        Ok(match c.find_visit(&visit.to_string()).await? {
            Some(v) if v.deleted => Err(deleted(visit)),
            Some(v) if self.may_write(&v.collector_id, v.collector_team.as_deref(), &v.org_id) => {
                Ok(v)
            }
            _ => Err(not_yours()),
        })
    }

    /// The account and the visit of a check-in or submission, creating the visit on first
    /// sight; a refusal when the account is not this user's to visit.
    async fn visit_for<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        visit: VisitId,
        account: AccountId,
        stop: Option<StopId>,
    ) -> sqlx::Result<Result<(AccountRow, VisitRow), Projected>> {
        let a = match self.visitable_account(c, account).await? {
            Ok(a) => a,
            Err(refusal) => return Ok(Err(refusal)),
        };
        Ok(self
            .open_visit(c, visit, account, &a, stop)
            .await?
            .map(|v| (a, v)))
    }

    /// The account, when it is assigned to a collector and this user may visit it.
    async fn visitable_account<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        account: AccountId,
    ) -> sqlx::Result<Result<AccountRow, Projected>> {
        let refuse = |what: String| Err(rejected(ErrorCode::NotAllowed, what));
        let Some(a) = c.find_account(&account.to_string()).await? else {
            return Ok(refuse(format!(
                "account {account} does not exist or is not yours"
            )));
        };
        let Some(collector) = a.collector_id.as_deref() else {
            return Ok(refuse(format!(
                "account {account} is not assigned to a collector"
            )));
        };
        if !self.may_write(collector, a.collector_team.as_deref(), &a.org_id) {
            return Ok(refuse(format!(
                "account {account} does not exist or is not yours"
            )));
        }
        Ok(Ok(a))
    }

    /// The visit of a visitable account, created on first sight.
    async fn open_visit<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        visit: VisitId,
        account: AccountId,
        a: &AccountRow,
        stop: Option<StopId>,
    ) -> sqlx::Result<Result<VisitRow, Projected>> {
        let id = visit.to_string();
        let collector = a.collector_id.as_deref().unwrap_or_default();
        // Creates the visit on first sight; `on conflict do nothing` keeps an existing one.
        let stop = stop.map(|s| s.to_string());
        c.insert_visit(
            &id,
            &account.to_string(),
            collector,
            stop.as_deref(),
            now_ms(),
        )
        .await?;
        match c.find_visit(&id).await? {
            Some(v) if v.deleted => Ok(Err(deleted(visit))),
            Some(v) if v.account_id == account.to_string() => Ok(Ok(v)),
            Some(_) => Ok(Err(rejected(
                ErrorCode::NotAllowed,
                format!("visit {visit} belongs to another account"),
            ))),
            None => Err(sqlx::Error::RowNotFound),
        }
    }

    /// The organization's geofence policy, read once per batch (`{}` = the defaults).
    async fn policy<C: ProjectStore + Send>(&mut self, c: &mut C) -> sqlx::Result<GeofencePolicy> {
        if let Some(p) = self.policy {
            return Ok(p);
        }
        let text = c.org_policy(&self.org.to_string()).await?;
        let policy = match text.as_deref().map(serde_json::from_str::<GeofencePolicy>) {
            Some(Ok(p)) => p,
            Some(Err(err)) => {
                tracing::warn!(org = %self.org, %err, "invalid geofence policy; using defaults");
                GeofencePolicy::default()
            }
            None => GeofencePolicy::default(),
        };
        self.policy = Some(policy);
        Ok(policy)
    }

    /// Appends the visit's current record to the feed.
    async fn feed_visit<C: ProjectStore + Send>(
        &mut self,
        c: &mut C,
        visit: VisitId,
    ) -> sqlx::Result<()> {
        let Some(row) = c.find_visit(&visit.to_string()).await? else {
            return Ok(());
        };
        let view = VisitView {
            id: visit,
            account: row.account_id.parse().map_err(decode)?,
            collector: row.collector_id.parse().map_err(decode)?,
            stop: row.stop_id.as_deref().and_then(|s| s.parse().ok()),
            status: row.status.parse().map_err(decode)?,
            status_epoch: u32::try_from(row.status_epoch).unwrap_or_default(),
            status_hlc: Hlc::from_raw(row.status_hlc),
            status_device: (!row.status_device.is_empty())
                .then(|| row.status_device.parse())
                .transpose()
                .map_err(decode)?,
            status_seq: (!row.status_device.is_empty())
                .then(|| u64::try_from(row.status_seq).unwrap_or_default()),
            outcome: row.outcome.as_deref().and_then(|o| o.parse().ok()),
            completed_at: row
                .completed_ms
                .and_then(chrono::DateTime::from_timestamp_millis),
            flagged: row.flagged,
        };
        self.feed(
            c,
            &row,
            Change::upsert(visit.to_string(), Record::Visit(view)),
        )
        .await
    }
}

fn decode(e: terreno_shared::ValidationError) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

/// The refusal for an event about a deleted visit: stored as evidence, never projected, so a
/// deleted visit cannot come back on anyone's device.
fn deleted(visit: VisitId) -> Projected {
    rejected(
        ErrorCode::Deleted,
        format!("visit {visit} was deleted and stays deleted"),
    )
}
