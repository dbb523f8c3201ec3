//! The `device_offline` events: a periodic scan of last positions for devices not heard from
//! for the configured time, each reported once per silence (again after it reports anew).
//! Every server scans for its own connections.

use std::collections::HashSet;
use std::time::Duration;

use anyhow::Context;
use terreno_shared::ids::{OrgId, TeamId};

use super::{LiveEvent, Scoped};
use crate::db::now_ms;
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
    let silent = state.db.live().silent_devices(cutoff).await?;
    let now_silent: HashSet<String> = silent.iter().map(|s| s.device_id.clone()).collect();
    reported.retain(|d| now_silent.contains(d));
    let mut events = Vec::new();
    for d in silent {
        if !reported.insert(d.device_id.clone()) {
            continue;
        }
        let org: OrgId = d.org_id.parse().context("stored org id")?;
        let team: Option<TeamId> = d
            .team_id
            .map(|t| t.parse())
            .transpose()
            .context("stored team")?;
        events.push(Scoped {
            org,
            team,
            event: LiveEvent::DeviceOffline {
                device: d.device_id,
                username: d.username,
                display_name: d.display_name,
                last_seen: chrono::DateTime::from_timestamp_millis(d.received_ms)
                    .context("stored time")?,
            },
        });
    }
    state.live.send(events);
    Ok(())
}
