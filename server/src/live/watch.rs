//! The `device_offline` events: a periodic scan of last positions for devices not heard from
//! for the configured time, each reported once per silence (again after it reports anew).
//! Every server scans for its own connections.

use std::collections::HashSet;
use std::time::Duration;

use anyhow::Context;
use terreno_shared::ids::{OrgId, TeamId};

use super::{LiveEvent, Scoped};
use crate::db::now_ms;
use crate::on_read;
use crate::state::AppState;

/// Scans every `every` until the process ends; devices silent for `after` are reported.
pub async fn offline(state: AppState, after: Duration, every: Duration) {
    let mut reported: HashSet<String> = HashSet::new();
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        if let Err(e) = scan(&state, after, &mut reported).await {
            tracing::warn!(
                error = format!("{e:#}"),
                "live feed: scanning for offline devices"
            );
        }
    }
}

/// One scan: reports newly silent devices and forgets those heard from again.
pub async fn scan(
    state: &AppState,
    after: Duration,
    reported: &mut HashSet<String>,
) -> anyhow::Result<()> {
    let cutoff = now_ms() - i64::try_from(after.as_millis()).unwrap_or(i64::MAX);
    let silent: Vec<(String, String, String, String, Option<String>, i64)> =
        on_read!(&state.db, |pool| {
            sqlx::query_as(
                "select p.device_id, u.username, u.display_name, u.org_id, u.team_id, p.received_ms
             from last_positions p join users u on u.id = p.user_id
             where p.received_ms < $1",
            )
            .bind(cutoff)
            .fetch_all(pool)
            .await
            .context("reading last positions")?
        });
    let now_silent: HashSet<String> = silent.iter().map(|s| s.0.clone()).collect();
    reported.retain(|d| now_silent.contains(d));
    let mut events = Vec::new();
    for (device, username, display_name, org, team, last) in silent {
        if !reported.insert(device.clone()) {
            continue;
        }
        let org: OrgId = org.parse().context("stored org id")?;
        let team: Option<TeamId> = team.map(|t| t.parse()).transpose().context("stored team")?;
        events.push(Scoped {
            org,
            team,
            event: LiveEvent::DeviceOffline {
                device,
                username,
                display_name,
                last_seen: chrono::DateTime::from_timestamp_millis(last).context("stored time")?,
            },
        });
    }
    state.live.send(events);
    Ok(())
}
