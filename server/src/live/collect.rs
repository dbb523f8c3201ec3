//! What a committed batch changed, read back from the database for the feed: the device's
//! last position (when the batch had fixes, with a low-battery crossing), its check-ins in the
//! seq range with both verdicts, and the visits its submissions completed. Also the snapshot
//! of last positions a connection starts with.

use anyhow::Context;
use chrono::{DateTime, Utc};
use terreno_shared::geofence::Verdict;
use terreno_shared::ids::{OrgId, TeamId};

use super::{CheckIn, LiveEvent, Position, Scoped, Signal};
use crate::on_read;
use crate::state::AppState;

#[derive(sqlx::FromRow)]
struct PositionRow {
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

#[derive(sqlx::FromRow)]
struct CompletedRow {
    id: String,
    account_id: String,
    debtor_name: String,
    outcome: Option<String>,
    completed_ms: Option<i64>,
    submission: Option<String>,
}

const POSITIONS: &str = "select p.device_id, u.username, p.lat, p.lon, p.accuracy_m, p.battery,
        p.charging, p.t_ms, p.received_ms
    from last_positions p join users u on u.id = p.user_id";

fn time(ms: i64) -> anyhow::Result<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).with_context(|| format!("stored time {ms}"))
}

impl TryFrom<PositionRow> for Position {
    type Error = anyhow::Error;
    fn try_from(r: PositionRow) -> anyhow::Result<Position> {
        Ok(Position {
            device: r.device_id,
            username: r.username,
            lat: r.lat,
            lon: r.lon,
            accuracy_m: r.accuracy_m,
            battery: r.battery,
            charging: r.charging,
            t: time(r.t_ms)?,
            last_seen: time(r.received_ms)?,
        })
    }
}

/// The last positions a session may see: its organization's (admins) or its team's
/// (supervisors).
pub async fn snapshot(
    state: &AppState,
    org: OrgId,
    team: Option<TeamId>,
) -> anyhow::Result<Vec<Position>> {
    let sql = format!(
        "{POSITIONS} where u.org_id = $1 and (cast($2 as text) is null or u.team_id = $2)
         order by u.username, p.device_id"
    );
    let rows: Vec<PositionRow> = on_read!(&state.db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org.to_string())
            .bind(team.map(|t| t.to_string()))
            .fetch_all(pool)
            .await
            .context("reading last positions")?
    });
    rows.into_iter().map(Position::try_from).collect()
}

/// The events of a committed batch: what it changed is read back here, and what the feed
/// says of it is decided by [`frames`].
pub async fn events(state: &AppState, s: &Signal) -> anyhow::Result<Vec<Scoped>> {
    let Some(owner) = read_owner(state, s).await? else {
        return Ok(Vec::new());
    };
    let position = match s.fixes {
        true => read_position(state, s).await?,
        false => None,
    };
    let low = position
        .as_ref()
        .is_some_and(|p| state.live.crossed_low(&p.device, p.battery));
    let checkins = read_checkins(state, s).await?;
    let completed = read_completed(state, s).await?;
    frames(s, owner, position.map(|p| (p, low)), checkins, completed)
}

/// The device's collector: login, name, organization and team.
type Owner = (String, String, String, Option<String>);

async fn read_owner(state: &AppState, s: &Signal) -> anyhow::Result<Option<Owner>> {
    Ok(on_read!(&state.db, |pool| {
        sqlx::query_as(
            "select u.username, u.display_name, u.org_id, u.team_id from devices d
             join users u on u.id = d.user_id where d.id = $1",
        )
        .bind(&s.device)
        .fetch_optional(pool)
        .await
        .context("reading the device's user")?
    }))
}

async fn read_position(state: &AppState, s: &Signal) -> anyhow::Result<Option<Position>> {
    let sql = format!("{POSITIONS} where p.device_id = $1");
    let row: Option<PositionRow> = on_read!(&state.db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&s.device)
            .fetch_optional(pool)
            .await
            .context("reading a last position")?
    });
    row.map(Position::try_from).transpose()
}

async fn read_checkins(state: &AppState, s: &Signal) -> anyhow::Result<Vec<CheckInRow>> {
    Ok(on_read!(&state.db, |pool| {
        sqlx::query_as(
            "select visit_id, account_id, at_ms, device_verdict, server_verdict,
                    server_allowed, flagged
             from checkins where device_id = $1 and seq between $2 and $3 order by seq",
        )
        .bind(&s.device)
        .bind(s.first)
        .bind(s.last)
        .fetch_all(pool)
        .await
        .context("reading check-ins")?
    }))
}

async fn read_completed(state: &AppState, s: &Signal) -> anyhow::Result<Vec<CompletedRow>> {
    Ok(on_read!(&state.db, |pool| {
        sqlx::query_as(
            "select v.id, v.account_id, a.debtor_name, v.outcome, v.completed_ms, v.submission
             from visits v join accounts a on a.id = v.account_id
             where v.completed_ms is not null and v.id in (
                 select e.entity from events e where e.device_id = $1
                   and e.seq between $2 and $3 and e.kind = 'visit_submitted'
                   and e.state = 'applied')",
        )
        .bind(&s.device)
        .bind(s.first)
        .bind(s.last)
        .fetch_all(pool)
        .await
        .context("reading completed visits")?
    }))
}

/// The feed's frames for a batch of `owner`'s device, all scoped to the owner's organization
/// and team: a low-battery crossing (`position.1`) before the position it came with, then each
/// check-in (refused ones as their own type), then each completed visit.
fn frames(
    s: &Signal,
    owner: Owner,
    position: Option<(Position, bool)>,
    checkins: Vec<CheckInRow>,
    completed: Vec<CompletedRow>,
) -> anyhow::Result<Vec<Scoped>> {
    let (username, display_name, org, team) = owner;
    let org: OrgId = org.parse().context("stored org id")?;
    let team: Option<TeamId> = team.map(|t| t.parse()).transpose().context("stored team")?;
    let mut out = Vec::new();
    let mut push = |event| out.push(Scoped { org, team, event });
    if let Some((p, low)) = position {
        if low {
            push(LiveEvent::LowBattery {
                device: p.device.clone(),
                username: p.username.clone(),
                display_name: display_name.clone(),
                battery: p.battery.unwrap_or_default(),
            });
        }
        push(LiveEvent::Position(p));
    }
    for r in checkins {
        push(check_in(s, r, &username, &display_name)?);
    }
    for r in completed {
        let submission = r
            .submission
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .context("stored submission")?
            .unwrap_or_default();
        push(LiveEvent::VisitCompleted {
            visit: r.id,
            account: r.account_id,
            debtor: r.debtor_name,
            username: username.clone(),
            display_name: display_name.clone(),
            outcome: r.outcome.unwrap_or_default(),
            submission,
            completed_at: time(r.completed_ms.unwrap_or_default())?,
        });
    }
    Ok(out)
}

/// A stored check-in as the feed shows it: accepted, or refused as its own type.
fn check_in(
    s: &Signal,
    r: CheckInRow,
    username: &str,
    display_name: &str,
) -> anyhow::Result<LiveEvent> {
    let verdict = |t: &str| serde_json::from_str::<Verdict>(t).context("stored verdict");
    let c = CheckIn {
        device_verdict: verdict(&r.device_verdict)?,
        server_verdict: verdict(&r.server_verdict)?,
        visit: r.visit_id,
        account: r.account_id,
        device: s.device.clone(),
        username: username.to_owned(),
        display_name: display_name.to_owned(),
        at: time(r.at_ms)?,
        flagged: r.flagged,
    };
    Ok(if r.server_allowed {
        LiveEvent::CheckIn(c)
    } else {
        LiveEvent::CheckInRefused(c)
    })
}

#[cfg(test)]
#[path = "collect_tests.rs"]
mod tests;
