//! Locations proposed by check-ins for debtors without one (a `location_capture` server verdict
//! in `checkins`), for a supervisor to approve or reject. Approving sets the account's location
//! and bumps its version, recording the account for its collector's devices in the same
//! transaction; either decision is kept in `capture_reviews`, so a capture is decided once.
//!
//! Scope: the caller's [`SCOPE`] over the account's collector (the check-in's collector while
//! the account is unassigned). A debtor that has a location lists no capture.

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::Serialize;
use terreno_shared::geofence::Verdict;

use super::now_ms;
use super::portfolio::{RouteEditError, WriteTx, collector_of};
use super::scope::{SCOPE, scope_binds};
use super::sessions::Session;
use super::visit_list::Visits;
use crate::{on_read, on_tx};

/// A pending capture.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LocationCapture {
    /// The check-in's device.
    pub device: String,
    /// The check-in's sequence number on that device.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: i64,
    /// Account.
    pub account: String,
    /// The creditor's code for the account.
    pub external_id: String,
    /// Debtor's name.
    pub debtor: String,
    /// Address.
    pub address: String,
    /// Login name of the collector who checked in.
    pub collector: String,
    /// When (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
    /// Proposed latitude.
    pub lat: f64,
    /// Proposed longitude.
    pub lon: f64,
    /// Typical accuracy of the fixes averaged, metres.
    pub accuracy_m: f64,
}

/// Approve or reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The point becomes the debtor's location.
    Approve,
    /// The point is dropped.
    Reject,
}

#[derive(sqlx::FromRow)]
struct CaptureRow {
    device_id: String,
    seq: i64,
    account_id: String,
    external_id: String,
    debtor_name: String,
    address: String,
    username: String,
    at_ms: i64,
    server_verdict: String,
    org_id: String,
    owner: Option<String>,
    owner_team: Option<String>,
}

/// Pending captures of debtors still without a location; `$1`/`$6` filter one check-in.
fn pending_sql() -> String {
    format!(
        "select k.device_id, cast(k.seq as bigint) as seq, k.account_id, a.external_id,
                a.debtor_name, a.address, author.username, k.at_ms, k.server_verdict, c.org_id,
                a.collector_id as owner, owner_u.team_id as owner_team
         from checkins k join devices d on d.id = k.device_id
         join users author on author.id = d.user_id
         join accounts a on a.id = k.account_id
         left join users owner_u on owner_u.id = a.collector_id
         join users c on c.id = coalesce(a.collector_id, d.user_id)
         where a.lat is null and k.server_verdict like '%location_capture%'
           and not exists (select 1 from capture_reviews r
                           where r.device_id = k.device_id and r.seq = k.seq)
           and ($1 is null or k.device_id = $1) and ($6 is null or k.seq = $6) and {SCOPE}
         order by k.at_ms, k.device_id, k.seq"
    )
}

impl CaptureRow {
    fn into_capture(self) -> anyhow::Result<Option<LocationCapture>> {
        let verdict: Verdict =
            serde_json::from_str(&self.server_verdict).context("a stored server verdict")?;
        let Verdict::LocationCapture {
            proposed,
            accuracy_m,
            ..
        } = verdict
        else {
            return Ok(None);
        };
        Ok(Some(LocationCapture {
            device: self.device_id,
            seq: self.seq,
            account: self.account_id,
            external_id: self.external_id,
            debtor: self.debtor_name,
            address: self.address,
            collector: self.username,
            at: DateTime::from_timestamp_millis(self.at_ms).context("a stored check-in time")?,
            lat: proposed.lat(),
            lon: proposed.lon(),
            accuracy_m,
        }))
    }
}

impl Visits<'_> {
    /// The pending captures `who` may decide, oldest first.
    pub async fn captures(&self, who: &Session) -> anyhow::Result<Vec<LocationCapture>> {
        let (org, role, team, user) = scope_binds(who);
        let rows: Vec<CaptureRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(pending_sql()))
                .bind(None::<String>)
                .bind(&org)
                .bind(role)
                .bind(&team)
                .bind(&user)
                .bind(None::<i64>)
                .fetch_all(pool)
                .await
                .context("listing location captures")?
        });
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.extend(r.into_capture()?);
        }
        Ok(out)
    }

    /// Decides the pending capture of check-in `(device, seq)`.
    pub async fn decide_capture(
        &self,
        who: &Session,
        device: &str,
        seq: i64,
        decision: Decision,
    ) -> Result<(), RouteEditError> {
        let mut tx = self.begin_write().await?;
        let row = tx.pending_capture(who, device, seq).await?;
        let org = row.org_id.parse().context("stored org id")?;
        let (account, owner, owner_team) = (
            row.account_id.clone(),
            row.owner.clone(),
            row.owner_team.clone(),
        );
        let capture = row.into_capture()?.ok_or_else(|| {
            RouteEditError::NotFound(format!("check-in {device}/{seq} proposed no location"))
        })?;
        let label = match decision {
            Decision::Approve => "approved",
            Decision::Reject => "rejected",
        };
        // A concurrent decision on the same capture (PostgreSQL) committed first: nothing is
        // inserted, and this one is refused before the account is touched.
        let inserted = on_tx!(tx, |c| {
            sqlx::query(
                "insert into capture_reviews (device_id, seq, decision, decided_by, decided_ms)
                 values ($1, $2, $3, $4, $5) on conflict do nothing",
            )
            .bind(device)
            .bind(seq)
            .bind(label)
            .bind(who.user_id.to_string())
            .bind(now_ms())
            .execute(&mut **c)
            .await
            .context("recording the decision")?
            .rows_affected()
        });
        if inserted == 0 {
            return Err(RouteEditError::NotFound(format!(
                "location capture {device}/{seq} was decided already"
            )));
        }
        if decision == Decision::Approve {
            tx.locate_account(&account, capture.lat, capture.lon)
                .await?;
            if let Some(owner) = owner {
                let collector = collector_of(&owner, owner_team.as_deref())?;
                let change = tx.account_upsert(org, &account, collector).await?;
                tx.record_all(&[change]).await?;
            }
        }
        tx.commit().await.context("committing the decision")?;
        Ok(())
    }
}

impl WriteTx {
    async fn pending_capture(
        &mut self,
        who: &Session,
        device: &str,
        seq: i64,
    ) -> Result<CaptureRow, RouteEditError> {
        let (org, role, team, user) = scope_binds(who);
        let row: Option<CaptureRow> = on_tx!(self, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(pending_sql()))
                .bind(Some(device))
                .bind(&org)
                .bind(role)
                .bind(&team)
                .bind(&user)
                .bind(Some(seq))
                .fetch_optional(&mut **c)
                .await
                .context("reading the capture")?
        });
        row.ok_or_else(|| {
            RouteEditError::NotFound(format!(
                "there is no pending location capture {device}/{seq} in your teams \
                 (decided already, or the debtor has a location)"
            ))
        })
    }

    /// Sets an account's location; its version grows so devices replace their copy.
    async fn locate_account(&mut self, account: &str, lat: f64, lon: f64) -> anyhow::Result<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "update accounts set lat = $2, lon = $3, version = version + 1, updated_ms = $4
                 where id = $1",
            )
            .bind(account)
            .bind(lat)
            .bind(lon)
            .bind(now_ms())
            .execute(&mut **c)
            .await
            .context("setting the account's location")?;
        });
        Ok(())
    }
}
