//! What a committed batch changed, as feed events: the device's last position (when the batch
//! had fixes, with a low-battery crossing), its check-ins in the seq range with both verdicts,
//! and the visits its submissions completed. Also the snapshot of last positions a connection
//! starts with. The reads are `Db`'s ([`crate::db::live_reads`]); this module decides the events.

use terreno_shared::ids::{OrgId, TeamId};

use super::{CheckIn, LiveEvent, Position, Scoped, Signal};
use crate::state::AppState;

/// The last positions a session may see: its organization's (admins) or its team's
/// (supervisors).
pub async fn snapshot(
    state: &AppState,
    org: OrgId,
    team: Option<TeamId>,
) -> anyhow::Result<Vec<Position>> {
    state.db.live_positions(org, team).await
}

/// The events of a committed batch.
pub async fn events(state: &AppState, s: &Signal) -> anyhow::Result<Vec<Scoped>> {
    let Some(owner) = state.db.device_owner(&s.device).await? else {
        return Ok(Vec::new());
    };
    let (org, team) = (owner.org, owner.team);
    let mut out = Vec::new();
    let mut push = |event| out.push(Scoped { org, team, event });
    let position = match s.fixes {
        true => state.db.last_position_of(&s.device).await?,
        false => None,
    };
    if let Some(p) = position {
        if state.live.crossed_low(&p.device, p.battery) {
            push(LiveEvent::LowBattery {
                device: p.device.clone(),
                username: p.username.clone(),
                display_name: owner.display_name.clone(),
                battery: p.battery.unwrap_or_default(),
            });
        }
        push(LiveEvent::Position(p));
    }
    let range = (s.first, s.last);
    for k in state.db.batch_checkins(&s.device, range).await? {
        let c = CheckIn {
            visit: k.visit_id,
            account: k.account_id,
            device: s.device.clone(),
            username: owner.username.clone(),
            display_name: owner.display_name.clone(),
            at: k.at,
            device_verdict: k.device_verdict,
            server_verdict: k.server_verdict,
            flagged: k.flagged,
        };
        push(if k.server_allowed {
            LiveEvent::CheckIn(c)
        } else {
            LiveEvent::CheckInRefused(c)
        });
    }
    for v in state.db.batch_completed_visits(&s.device, range).await? {
        push(LiveEvent::VisitCompleted {
            visit: v.id,
            account: v.account_id,
            debtor: v.debtor_name,
            username: owner.username.clone(),
            display_name: owner.display_name.clone(),
            outcome: v.outcome,
            submission: v.submission,
            completed_at: v.completed_at,
        });
    }
    Ok(out)
}
