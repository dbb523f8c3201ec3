//! `GET /api/v1/live`: the supervisors' live feed over a WebSocket (events in
//! [`crate::live`]). Authenticated by `Authorization: Bearer`, a `token` query parameter
//! (browsers cannot set headers on WebSockets) or the dashboard's `terreno_token` cookie;
//! anonymous connections get 401 before the upgrade and collectors 403. The first frame is
//! always a snapshot (every visible device's last position, possibly none); then increments,
//! for the caller's organization (admins) or team (supervisors).
//!
//! Memory per connection stays small and bounded: small WebSocket buffers, incoming frames of
//! at most 4 KiB (the feed takes nothing from clients but pings), positions coalesced per
//! device when several wait (the newest wins), and a connection that falls more than
//! [`crate::live::BROADCAST_CAPACITY`] events behind is closed (code 1008, "too slow") — it
//! may reconnect and starts over from a snapshot.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use terreno_shared::api::{ErrorBody, ErrorCode};

use axum::extract::FromRequestParts;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::get;
use terreno_shared::model::Role;
use tokio::sync::broadcast::error::RecvError;
use utoipa::OpenApi;

use crate::error::{ApiError, ApiResult};
use crate::extract::{bearer_token, session_for};
use crate::live::{LiveEvent, Scoped};
use crate::state::AppState;

/// Largest frame a client may send.
const MAX_INCOMING: usize = 4 * 1024;
/// A frame the client does not take within this time closes the connection (a stalled
/// client must not hold the events waiting for it).
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How often an open connection's token is checked again (disabled users, revoked or expired
/// tokens lose the feed within this time).
const REAUTH_EVERY: Duration = Duration::from_secs(60);

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new().route("/api/v1/live", get(live))
}

#[derive(OpenApi)]
#[openapi(paths(live))]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

#[derive(Debug, serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// The token of a WebSocket request: bearer header, `token` query parameter or cookie.
fn live_token(parts: &Parts, query: &TokenQuery) -> ApiResult<String> {
    let cookie = cookie_token(&parts.headers);
    bearer_token(parts)
        .map(str::to_owned)
        .or_else(|| query.token.clone())
        .or(cookie)
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "log in first: send Authorization: Bearer TOKEN or ?token=TOKEN".into(),
            )
        })
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == "terreno_token")
        .map(|(_, v)| v.trim().to_owned())
}

/// The live feed (WebSocket; JSON text frames, each with a `type`: `snapshot` first, then
/// `position`, `check_in`, `check_in_refused`, `visit_completed`, `device_offline`,
/// `low_battery`).
#[utoipa::path(get, path = "/api/v1/live", tag = "live",
    params(("token" = Option<String>, Query, description = "the bearer token, for browsers")),
    responses((status = 101, description = "switching to the WebSocket feed"),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "`forbidden`: collectors have no live feed", body = ErrorBody)),
    security(("bearer" = [])))]
async fn live(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
    request: axum::extract::Request,
) -> ApiResult<Response> {
    let (mut parts, _) = request.into_parts();
    let token = live_token(&parts, &query)?;
    let session = session_for(&state, &token).await?;
    let team = match (session.role, session.team_id) {
        (Role::Admin, _) => None,
        (Role::Supervisor, Some(t)) => Some(t),
        _ => {
            return Err(ApiError::Forbidden {
                code: ErrorCode::Forbidden,
                message: "the live feed is for supervisors and administrators".into(),
            });
        }
    };
    let upgrade = WebSocketUpgrade::from_request_parts(&mut parts, &state)
        .await
        .map_err(|e| ApiError::bad_request(format!("not a WebSocket request: {e}")))?;
    // Subscribe before reading the snapshot, so nothing committed in between is missed.
    let rx = state.live.subscribe();
    let snapshot = state.db.live().positions(session.org_id, team).await?;
    let scope = Scope {
        org: session.org_id,
        team,
    };
    Ok(upgrade
        .max_message_size(MAX_INCOMING)
        .max_frame_size(MAX_INCOMING)
        .write_buffer_size(0)
        .read_buffer_size(4 * 1024)
        .on_upgrade(move |socket| feed(socket, rx, snapshot, scope, state, token)))
}

/// Who a connection may see.
#[derive(Debug, Clone, Copy)]
struct Scope {
    org: terreno_shared::ids::OrgId,
    team: Option<terreno_shared::ids::TeamId>,
}

impl Scope {
    fn sees(&self, e: &Scoped) -> bool {
        e.org == self.org && (self.team.is_none() || e.team == self.team)
    }
}

async fn send(socket: &mut WebSocket, event: &LiveEvent) -> bool {
    let Ok(text) = serde_json::to_string(event) else {
        return false;
    };
    matches!(
        tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Text(text.into()))).await,
        Ok(Ok(()))
    )
}

/// Completes when the server begins to shut down (at once if it has).
async fn until_stopping(stopping: &mut tokio::sync::watch::Receiver<bool>) {
    // An error means the state is gone: the server is stopping anyway.
    let _ = stopping.wait_for(|s| *s).await;
}

/// Serves one connection: the snapshot, then the events its scope sees, until the client
/// leaves, falls behind, its session ends or the server stops.
async fn feed(
    mut socket: WebSocket,
    mut rx: tokio::sync::broadcast::Receiver<Arc<Scoped>>,
    snapshot: Vec<crate::live::Position>,
    scope: Scope,
    state: AppState,
    token: String,
) {
    let positions = snapshot;
    if !send(&mut socket, &LiveEvent::Snapshot { positions }).await {
        return;
    }
    let start = tokio::time::Instant::now() + REAUTH_EVERY;
    let mut reauth = tokio::time::interval_at(start, REAUTH_EVERY);
    let mut stopping = state.stopping.subscribe();
    loop {
        tokio::select! {
            // The server is shutting down: say so (1001, going away), so the dashboard
            // reconnects to the next server instead of waiting on a dead socket.
            () = until_stopping(&mut stopping) => {
                return close(&mut socket, 1001, "the server is shutting down").await;
            }
            _ = reauth.tick() => {
                if session_for(&state, &token).await.is_err() {
                    return close(&mut socket, 1008, "the session ended: log in again").await;
                }
            }
            got = rx.recv() => {
                let first = match got {
                    Ok(e) => e,
                    Err(RecvError::Lagged(_)) => {
                        let why = "too slow: reconnect for a fresh snapshot";
                        return close(&mut socket, 1008, why).await;
                    }
                    Err(RecvError::Closed) => return,
                };
                let mut waiting = vec![first];
                while let Ok(e) = rx.try_recv() {
                    waiting.push(e);
                }
                for event in to_send(&waiting, &scope) {
                    if !send(&mut socket, event).await {
                        return;
                    }
                }
            }
            incoming = socket.recv() => match incoming {
                // Pings are answered by the library; anything else is ignored.
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Closes the connection with `code` and `reason` (waiting at most [`SEND_TIMEOUT`]).
async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Close(Some(frame)))).await;
}

/// What a connection sends of the events waiting for it, in order: those its scope sees, and
/// of each device's positions only the newest (a client behind by a few seconds catches up on
/// where devices are now, not where they were).
fn to_send<'a>(waiting: &'a [Arc<Scoped>], scope: &Scope) -> Vec<&'a LiveEvent> {
    let mut newest: HashMap<&str, usize> = HashMap::new();
    for (i, e) in waiting.iter().enumerate() {
        if let LiveEvent::Position(p) = &e.event {
            newest.insert(&p.device, i);
        }
    }
    waiting
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            scope.sees(e)
                && match &e.event {
                    LiveEvent::Position(p) => newest.get(p.device.as_str()) == Some(i),
                    _ => true,
                }
        })
        .map(|(_, e)| &e.event)
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use terreno_shared::ids::{OrgId, TeamId};
    use uuid::Uuid;

    use super::*;
    use crate::live::Position;

    fn position(device: &str, lat: f64) -> LiveEvent {
        LiveEvent::Position(Position {
            device: device.into(),
            username: "ana".into(),
            lat,
            lon: -74.0,
            accuracy_m: 5.0,
            battery: None,
            charging: None,
            t: Utc::now(),
            last_seen: Utc::now(),
        })
    }

    fn offline(device: &str) -> LiveEvent {
        LiveEvent::DeviceOffline {
            device: device.into(),
            username: "ana".into(),
            display_name: "Ana".into(),
            last_seen: Utc::now(),
        }
    }

    fn scoped(org: OrgId, team: Option<TeamId>, event: LiveEvent) -> Arc<Scoped> {
        Arc::new(Scoped { org, team, event })
    }

    #[test]
    fn a_connection_gets_only_its_scopes_events_and_each_devices_newest_position() {
        let (org, other) = (
            OrgId::from_uuid(Uuid::from_u128(1)),
            OrgId::from_uuid(Uuid::from_u128(2)),
        );
        let (north, south) = (
            TeamId::from_uuid(Uuid::from_u128(3)),
            TeamId::from_uuid(Uuid::from_u128(4)),
        );
        let waiting = [
            scoped(org, Some(north), position("d1", 1.0)),
            scoped(org, Some(north), offline("d2")),
            scoped(org, Some(south), position("d3", 3.0)),
            scoped(other, Some(north), position("d4", 4.0)),
            scoped(org, Some(north), position("d1", 1.5)),
        ];
        let supervisor = Scope {
            org,
            team: Some(north),
        };
        let admin = Scope { org, team: None };

        let seen = to_send(&waiting, &supervisor);
        let all = to_send(&waiting, &admin);

        assert_eq!(
            seen,
            [&waiting[1].event, &waiting[4].event],
            "d1's older position is dropped"
        );
        assert_eq!(
            all,
            [&waiting[1].event, &waiting[2].event, &waiting[4].event]
        );
    }
}
