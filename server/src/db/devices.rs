//! Enrolled devices: enrollment, the lists each role may see, revocation, and the record the
//! sync engine verifies pushes against ([`Devices::find`]).
//!
//! Owns the `devices` table's enrollment columns (`user_id`, `public_key`, `label`, `enrolled_ms`,
//! `revoked_ms`). It must not move a device's log head (`head_seq`, `head_hash`, `max_seen`,
//! `last_seen_ms`): the sync engine does, inside its push transaction. A device belongs to the
//! organization and team of its user; the table has no copy of them, so they never disagree.

use anyhow::Context;
use chrono::{DateTime, Utc};
use terreno_shared::api::v1::auth::DeviceInfo;
use terreno_shared::ids::{DeviceId, OrgId, TeamId, UserId};
use terreno_shared::sync::{EventHash, PublicKey};

use super::now_ms;
use crate::{on_read, on_write};

/// What the sync engine needs to know about a device to accept or refuse its requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    /// The device.
    pub id: DeviceId,
    /// Its user.
    pub user_id: UserId,
    /// The user's organization.
    pub org_id: OrgId,
    /// The user's team.
    pub team_id: Option<TeamId>,
    /// The key its batches are signed with; none for a tracker (an OsmAnd sender), whose log
    /// the server writes, unsigned.
    pub public_key: Option<PublicKey>,
    /// Revoked: its requests get 403 `device_revoked` and it must wipe its data.
    pub revoked: bool,
    /// The contiguous prefix of its log the server holds.
    pub head_seq: u64,
    /// Hash of the event at `head_seq` (none before the first).
    pub head_hash: Option<EventHash>,
    /// The highest seq stored (beyond a gap when greater than `head_seq`).
    pub max_seen: u64,
}

/// Which devices a listing or a revocation may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceScope {
    /// Every device of the organization (admins, the command line).
    Org(OrgId),
    /// The devices of a team's users (supervisors).
    Team(OrgId, TeamId),
    /// One user's own devices (collectors).
    User(OrgId, UserId),
    /// None (a supervisor without a team may revoke nothing).
    Nothing,
}

/// The outcome of an enrollment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enrollment {
    /// A new device.
    Created(DeviceInfo),
    /// The same device, key and user enrolled before: nothing changed.
    Unchanged(DeviceInfo),
    /// The id is taken by another key or another user.
    Conflict,
    /// The same device enrolled before and was revoked since; it must wipe and start over.
    Revoked,
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: String,
    user_id: String,
    org_id: String,
    team_id: Option<String>,
    public_key: String,
    revoked_ms: Option<i64>,
    head_seq: i64,
    head_hash: Option<String>,
    max_seen: i64,
}

impl TryFrom<RecordRow> for DeviceRecord {
    type Error = anyhow::Error;
    fn try_from(r: RecordRow) -> anyhow::Result<DeviceRecord> {
        Ok(DeviceRecord {
            id: r.id.parse().context("stored device id")?,
            user_id: r.user_id.parse().context("stored user id")?,
            org_id: r.org_id.parse().context("stored org id")?,
            team_id: r
                .team_id
                .map(|t| t.parse())
                .transpose()
                .context("stored team id")?,
            public_key: match r.public_key.as_str() {
                "" => None,
                key => Some(key.parse().context("stored public key")?),
            },
            revoked: r.revoked_ms.is_some(),
            head_seq: u64::try_from(r.head_seq).context("stored head_seq")?,
            head_hash: r
                .head_hash
                .map(|h| h.parse())
                .transpose()
                .context("stored head hash")?,
            max_seen: u64::try_from(r.max_seen).context("stored max_seen")?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct InfoRow {
    id: String,
    user_id: String,
    username: String,
    label: String,
    enrolled_ms: i64,
    revoked_ms: Option<i64>,
    last_seen_ms: Option<i64>,
    head_seq: i64,
}

impl TryFrom<InfoRow> for DeviceInfo {
    type Error = anyhow::Error;
    fn try_from(r: InfoRow) -> anyhow::Result<DeviceInfo> {
        Ok(DeviceInfo {
            id: r.id.parse().context("stored device id")?,
            user: r.user_id.parse().context("stored user id")?,
            username: r.username,
            label: r.label,
            enrolled_at: time(r.enrolled_ms)?,
            revoked_at: r.revoked_ms.map(time).transpose()?,
            last_seen_at: r.last_seen_ms.map(time).transpose()?,
            head: u64::try_from(r.head_seq).context("stored head_seq")?,
        })
    }
}

/// A stored millisecond time as UTC.
pub(crate) fn time(ms: i64) -> anyhow::Result<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).with_context(|| format!("stored time {ms} is out of range"))
}

const INFO_SELECT: &str = "select d.id, d.user_id, u.username, d.label, d.enrolled_ms,
        d.revoked_ms, d.last_seen_ms, d.head_seq
    from devices d join users u on u.id = d.user_id";

/// The `(org, team, user)` filter of a scope as bind values; `None` for [`DeviceScope::Nothing`].
fn scope_binds(scope: DeviceScope) -> Option<(String, Option<String>, Option<String>)> {
    match scope {
        DeviceScope::Org(o) => Some((o.to_string(), None, None)),
        DeviceScope::Team(o, t) => Some((o.to_string(), Some(t.to_string()), None)),
        DeviceScope::User(o, u) => Some((o.to_string(), None, Some(u.to_string()))),
        DeviceScope::Nothing => None,
    }
}

area! {
    /// Enrolled devices: enrolling, revoking, listing them, and which have gone silent.
    Devices, devices
}

impl Devices<'_> {
    /// A device with its user's organization and team, revoked or not.
    pub async fn find(&self, id: DeviceId) -> anyhow::Result<Option<DeviceRecord>> {
        let row: Option<RecordRow> = on_read!(self, |pool| {
            sqlx::query_as(
                "select d.id, d.user_id, u.org_id, u.team_id, d.public_key, d.revoked_ms,
                        d.head_seq, d.head_hash, d.max_seen
                 from devices d join users u on u.id = d.user_id
                 where d.id = $1",
            )
            .bind(id.to_string())
            .fetch_optional(pool)
            .await?
        });
        row.map(DeviceRecord::try_from).transpose()
    }

    /// Registers a device's key for a user. Idempotent for the same id, key and user; an id
    /// already held by another key or user is a conflict, never overwritten.
    pub async fn enroll(
        &self,
        user: UserId,
        id: DeviceId,
        key: PublicKey,
        label: &str,
    ) -> anyhow::Result<Enrollment> {
        let inserted = on_write!(self, |pool| {
            sqlx::query(
                "insert into devices (id, user_id, public_key, label, enrolled_ms)
                 values ($1, $2, $3, $4, $5) on conflict (id) do nothing",
            )
            .bind(id.to_string())
            .bind(user.to_string())
            .bind(key.to_string())
            .bind(label)
            .bind(now_ms())
            .execute(pool)
            .await
            .context("enrolling a device")?
            .rows_affected()
        });
        let existing = self
            .find(id)
            .await?
            .context("reading back an enrolled device")?;
        let info = self
            .info(id)
            .await?
            .context("reading back an enrolled device")?;
        Ok(if inserted == 1 {
            Enrollment::Created(info)
        } else if existing.user_id != user || existing.public_key != Some(key) {
            Enrollment::Conflict
        } else if existing.revoked {
            Enrollment::Revoked
        } else {
            Enrollment::Unchanged(info)
        })
    }

    /// One device as shown to people.
    pub async fn info(&self, id: DeviceId) -> anyhow::Result<Option<DeviceInfo>> {
        let sql = format!("{INFO_SELECT} where d.id = $1");
        let row: Option<InfoRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(id.to_string())
                .fetch_optional(pool)
                .await?
        });
        row.map(DeviceInfo::try_from).transpose()
    }

    /// The devices a scope reaches, oldest enrollment first.
    pub async fn list(&self, scope: DeviceScope) -> anyhow::Result<Vec<DeviceInfo>> {
        let Some((org, team, user)) = scope_binds(scope) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "{INFO_SELECT} where u.org_id = $1 and ($2 is null or u.team_id = $2)
                and ($3 is null or d.user_id = $3)
             order by d.enrolled_ms, d.id"
        );
        let rows: Vec<InfoRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(&org)
                .bind(&team)
                .bind(&user)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(DeviceInfo::try_from).collect()
    }

    /// Revokes a device the scope reaches (revoking twice keeps the first time). `None` when
    /// the device is absent or out of reach, which callers answer alike so ids do not leak.
    pub async fn revoke(
        &self,
        scope: DeviceScope,
        id: DeviceId,
    ) -> anyhow::Result<Option<DeviceInfo>> {
        let Some((org, team, user)) = scope_binds(scope) else {
            return Ok(None);
        };
        let changed = on_write!(self, |pool| {
            sqlx::query(
                "update devices set revoked_ms = coalesce(revoked_ms, $5)
                 where id = $4 and user_id in (
                    select u.id from users u where u.org_id = $1
                        and ($2 is null or u.team_id = $2) and ($3 is null or u.id = $3))",
            )
            .bind(&org)
            .bind(&team)
            .bind(&user)
            .bind(id.to_string())
            .bind(now_ms())
            .execute(pool)
            .await
            .context("revoking a device")?
            .rows_affected()
        });
        if changed == 0 {
            return Ok(None);
        }
        self.info(id).await
    }
}
