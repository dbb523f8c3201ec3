//! What the live feed reads: the last positions a watcher starts with, and what one device's
//! committed batch changed (its last position, its check-ins in the batch's seq range, the
//! visits its submissions completed). The feed (`crate::live`) turns these into events and
//! decides who sees them; the SQL stays here. [`PositionRow`] is also the map's. Also the scan
//! for devices gone silent.

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::Serialize;
use terreno_shared::geofence::Verdict;
use terreno_shared::ids::{OrgId, TeamId};

use super::map::time;
use crate::on_read;

/// A row of `last_positions` with its collector.
#[derive(sqlx::FromRow)]
pub(crate) struct PositionRow {
    pub(crate) user_id: String,
    device_id: String,
    username: String,
    lat: f64,
    lon: f64,
    accuracy_m: f64,
    battery: Option<f64>,
    charging: Option<bool>,
    t_ms: i64,
    received_ms: i64,
}

/// The columns of a [`PositionRow`], from last positions `p` and their users `c`.
pub(crate) const POSITION_COLUMNS: &str = "p.user_id, p.device_id, c.username, p.lat, p.lon,
    p.accuracy_m, p.battery, p.charging, p.t_ms, p.received_ms";

impl PositionRow {
    pub(crate) fn into_position(self) -> anyhow::Result<Position> {
        Ok(Position {
            device: self.device_id,
            username: self.username,
            lat: self.lat,
            lon: self.lon,
            accuracy_m: self.accuracy_m,
            battery: self.battery,
            charging: self.charging,
            t: time(self.t_ms)?,
            last_seen: time(self.received_ms)?,
        })
    }
}

/// The collector a device belongs to, and who may see their events.
#[derive(Debug, Clone)]
pub struct DeviceOwner {
    /// Login name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// Organization.
    pub org: OrgId,
    /// Team, if any.
    pub team: Option<TeamId>,
}

/// A check-in of a batch, with both verdicts.
#[derive(Debug, Clone)]
pub struct BatchCheckIn {
    /// Visit.
    pub visit_id: String,
    /// Account.
    pub account_id: String,
    /// When.
    pub at: DateTime<Utc>,
    /// What the phone decided.
    pub device_verdict: Verdict,
    /// What the server decided.
    pub server_verdict: Verdict,
    /// Whether the server allowed it.
    pub server_allowed: bool,
    /// The phone allowed it and the server did not.
    pub flagged: bool,
}

#[derive(sqlx::FromRow)]
struct CheckInRow {
    visit_id: String,
    account_id: String,
    at_ms: i64,
    device_verdict: String,
    server_verdict: String,
    server_allowed: bool,
    flagged: bool,
}

/// A visit a batch's submission completed.
#[derive(Debug, Clone)]
pub struct CompletedVisit {
    /// Visit.
    pub id: String,
    /// Account.
    pub account_id: String,
    /// Debtor's name.
    pub debtor_name: String,
    /// Outcome (empty when none was stored).
    pub outcome: String,
    /// The submission (promise to pay, payment, answers); null when none was stored.
    pub submission: serde_json::Value,
    /// When.
    pub completed_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct CompletedRow {
    id: String,
    account_id: String,
    debtor_name: String,
    outcome: Option<String>,
    completed_ms: Option<i64>,
    submission: Option<String>,
}

area! {
    /// The live feed's reads.
    Live, live
}

impl Live<'_> {
    /// The last positions of an organization's devices (`team` `None`, an admin's), or of one
    /// team's (a supervisor's, read from the team's users), by login name.
    pub async fn positions(
        &self,
        org: OrgId,
        team: Option<TeamId>,
    ) -> anyhow::Result<Vec<Position>> {
        let sql = match team {
            None => format!(
                "select {POSITION_COLUMNS} from last_positions p join users c on c.id = p.user_id
                 where c.org_id = $1 order by c.username, p.device_id"
            ),
            Some(_) => format!(
                "select {POSITION_COLUMNS} from users c join last_positions p on p.user_id = c.id
                 where c.team_id = $2 and c.org_id = $1 order by c.username, p.device_id"
            ),
        };
        let rows: Vec<PositionRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(team.map(|t| t.to_string()))
                .fetch_all(pool)
                .await
                .context("reading last positions")?
        });
        rows.into_iter().map(PositionRow::into_position).collect()
    }

    /// The collector `device` belongs to; `None` for an unknown device.
    pub async fn device_owner(&self, device: &str) -> anyhow::Result<Option<DeviceOwner>> {
        let owner: Option<(String, String, String, Option<String>)> = on_read!(self, |pool| {
            sqlx::query_as(
                "select u.username, u.display_name, u.org_id, u.team_id from devices d
                 join users u on u.id = d.user_id where d.id = $1",
            )
            .bind(device)
            .fetch_optional(pool)
            .await
            .context("reading the device's user")?
        });
        let Some((username, display_name, org, team)) = owner else {
            return Ok(None);
        };
        Ok(Some(DeviceOwner {
            username,
            display_name,
            org: org.parse().context("stored org id")?,
            team: team.map(|t| t.parse()).transpose().context("stored team")?,
        }))
    }

    /// The last position of `device`, if it has one.
    pub async fn last_position(&self, device: &str) -> anyhow::Result<Option<Position>> {
        let sql = format!(
            "select {POSITION_COLUMNS} from last_positions p join users c on c.id = p.user_id
             where p.device_id = $1"
        );
        let row: Option<PositionRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(device)
                .fetch_optional(pool)
                .await
                .context("reading a last position")?
        });
        row.map(PositionRow::into_position).transpose()
    }

    /// The check-ins `device` sent with seq in `first..=last`, in seq order.
    pub async fn checkins_of_batch(
        &self,
        device: &str,
        (first, last): (i64, i64),
    ) -> anyhow::Result<Vec<BatchCheckIn>> {
        let rows: Vec<CheckInRow> = on_read!(self, |pool| {
            sqlx::query_as(
                "select visit_id, account_id, at_ms, device_verdict, server_verdict,
                        server_allowed, flagged
                 from checkins where device_id = $1 and seq between $2 and $3 order by seq",
            )
            .bind(device)
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await
            .context("reading check-ins")?
        });
        let verdict = |t: &str| serde_json::from_str::<Verdict>(t).context("stored verdict");
        rows.into_iter()
            .map(|r| {
                Ok(BatchCheckIn {
                    device_verdict: verdict(&r.device_verdict)?,
                    server_verdict: verdict(&r.server_verdict)?,
                    at: time(r.at_ms)?,
                    visit_id: r.visit_id,
                    account_id: r.account_id,
                    server_allowed: r.server_allowed,
                    flagged: r.flagged,
                })
            })
            .collect()
    }

    /// The visits completed by the submissions `device` sent with seq in `first..=last` (and
    /// applied).
    pub async fn completed_of_batch(
        &self,
        device: &str,
        (first, last): (i64, i64),
    ) -> anyhow::Result<Vec<CompletedVisit>> {
        let rows: Vec<CompletedRow> = on_read!(self, |pool| {
            sqlx::query_as(
                "select v.id, v.account_id, a.debtor_name, v.outcome, v.completed_ms, v.submission
                 from visits v join accounts a on a.id = v.account_id
                 where v.completed_ms is not null and v.id in (
                     select e.entity from events e where e.device_id = $1
                       and e.seq between $2 and $3 and e.kind = 'visit_submitted'
                       and e.state = 'applied')",
            )
            .bind(device)
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await
            .context("reading completed visits")?
        });
        rows.into_iter()
            .map(|r| {
                let submission = r
                    .submission
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                    .context("stored submission")?
                    .unwrap_or_default();
                Ok(CompletedVisit {
                    id: r.id,
                    account_id: r.account_id,
                    debtor_name: r.debtor_name,
                    outcome: r.outcome.unwrap_or_default(),
                    submission,
                    completed_at: time(r.completed_ms.unwrap_or_default())?,
                })
            })
            .collect()
    }
}

/// A device's last position.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Position {
    /// The device.
    pub device: String,
    /// Its collector's login.
    pub username: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Accuracy radius, metres.
    pub accuracy_m: f64,
    /// Battery fraction.
    pub battery: Option<f64>,
    /// Charging.
    pub charging: Option<bool>,
    /// Time of the fix.
    #[schema(value_type = String, format = DateTime)]
    pub t: DateTime<Utc>,
    /// When the server last heard from the device.
    #[schema(value_type = String, format = DateTime)]
    pub last_seen: DateTime<Utc>,
}

/// A device not heard from since before a cutoff, with its collector.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SilentDevice {
    /// The device.
    pub device_id: String,
    /// Its collector's login.
    pub username: String,
    /// Its collector's name.
    pub display_name: String,
    /// The collector's organization.
    pub org_id: String,
    /// The collector's team.
    pub team_id: Option<String>,
    /// When the server last heard from it, ms.
    pub received_ms: i64,
}

impl Live<'_> {
    /// Devices whose last position arrived before `cutoff_ms`.
    pub async fn silent_devices(&self, cutoff_ms: i64) -> anyhow::Result<Vec<SilentDevice>> {
        Ok(on_read!(self, |pool| {
            sqlx::query_as(
                "select p.device_id, u.username, u.display_name, u.org_id, u.team_id, p.received_ms
                 from last_positions p join users u on u.id = p.user_id
                 where p.received_ms < $1",
            )
            .bind(cutoff_ms)
            .fetch_all(pool)
            .await
            .context("reading last positions")?
        }))
    }
}
