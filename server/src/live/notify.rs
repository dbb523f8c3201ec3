//! Fan-out between servers sharing one PostgreSQL database: each committed batch is announced
//! with `NOTIFY terreno_live, '<signal JSON>'` (about 150 bytes: a device and a seq range, never
//! the fixes), and every server runs a listener that turns other servers' signals into events
//! for its own connections. On SQLite there is one server and nothing to tell.

use anyhow::Context;

use super::Signal;
use super::collect;
use crate::state::AppState;

/// The channel name.
pub const CHANNEL: &str = "terreno_live";

/// Announces a committed batch to the other servers (PostgreSQL only).
pub async fn tell_others(state: &AppState, signal: &Signal) -> anyhow::Result<()> {
    if !state.db.is_postgres() {
        return Ok(());
    }
    let payload = serde_json::to_string(signal).context("encoding a signal")?;
    state.db.notify(CHANNEL, &payload).await
}

/// Listens for other servers' signals until the process ends (PostgreSQL only). A lost
/// connection is re-established by `PgListener`; signals sent meanwhile are lost, which only
/// delays those events until the next batch of the same device or a reconnecting client's
/// snapshot.
pub async fn listen(state: AppState) -> anyhow::Result<()> {
    let Some(mut listener) = state
        .db
        .listen(CHANNEL)
        .await
        .context("starting the live-feed listener")?
    else {
        return Ok(());
    };
    loop {
        let n = listener.recv().await.context("receiving a notification")?;
        let signal: Signal = match serde_json::from_str(n.payload()) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "live feed: an unreadable signal");
                continue;
            }
        };
        if signal.origin == state.live.origin || !state.live.watched() {
            continue;
        }
        match collect::events(&state, &signal).await {
            Ok(events) => state.live.send(events),
            Err(e) => tracing::warn!(error = format!("{e:#}"), "live feed: reading a batch"),
        }
    }
}
