//! What a committed batch changed, as feed events: the device's last position (when the batch
//! had fixes, with a low-battery crossing), its check-ins in the seq range with both verdicts,
//! and the visits its submissions completed. The reads are `Db`'s ([`crate::db::live_reads`]); what the feed says of them is
//! decided by the pure [`frames`].

use super::{CheckIn, LiveEvent, Position, Scoped, Signal};
use crate::db::live_reads::{BatchCheckIn, CompletedVisit, DeviceOwner};
use crate::state::AppState;

/// The events of a committed batch: what it changed is read back here, and what the feed
/// says of it is decided by [`frames`].
pub async fn events(state: &AppState, s: &Signal) -> anyhow::Result<Vec<Scoped>> {
    let Some(owner) = state.db.live().device_owner(&s.device).await? else {
        return Ok(Vec::new());
    };
    let position = match s.fixes {
        true => state.db.live().last_position(&s.device).await?,
        false => None,
    };
    let position = position.map(|p| {
        let low = state.live.crossed_low(&p.device, p.battery);
        (p, low)
    });
    let range = (s.first, s.last);
    let checkins = state.db.live().checkins_of_batch(&s.device, range).await?;
    let completed = state.db.live().completed_of_batch(&s.device, range).await?;
    Ok(frames(s, &owner, position, checkins, completed))
}

/// The feed's frames for a batch of `owner`'s device, all scoped to the owner's organization
/// and team: a low-battery crossing (`position.1`) before the position it came with, then each
/// check-in (refused ones as their own type), then each completed visit.
fn frames(
    s: &Signal,
    owner: &DeviceOwner,
    position: Option<(Position, bool)>,
    checkins: Vec<BatchCheckIn>,
    completed: Vec<CompletedVisit>,
) -> Vec<Scoped> {
    let (org, team) = (owner.org, owner.team);
    let mut out = Vec::new();
    let mut push = |event| out.push(Scoped { org, team, event });
    if let Some((p, low)) = position {
        if low {
            push(LiveEvent::LowBattery {
                device: p.device.clone(),
                username: p.username.clone(),
                display_name: owner.display_name.clone(),
                battery: p.battery.unwrap_or_default(),
            });
        }
        push(LiveEvent::Position(p));
    }
    for k in checkins {
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
    for v in completed {
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
    out
}

#[cfg(test)]
#[path = "collect_tests.rs"]
mod tests;
