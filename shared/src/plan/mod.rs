//! Today's visiting order for a collector: which stops to visit, in what order, with an arrival
//! estimate for each, and which ones cannot be visited now.
//!
//! Owns [`plan_route`], its inputs ([`PlanStop`], [`PlanParams`]) and its output ([`PlannedStop`],
//! [`Placement`]). Must not read a clock, evaluate contact rules or touch storage: `now`, the
//! position and each stop's allowed interval (from [`crate::contact`], evaluated by the caller)
//! are arguments, so the same input always gives the same plan. No `HashMap`, no randomness.
//!
//! # Time model
//!
//! The collector leaves `start` at `now`. Travel time is the straight-line (geodesic) distance
//! times [`PlanParams::road_factor`] divided by [`PlanParams::travel_speed_ms`], rounded to the
//! millisecond. Reaching a stop before its window opens means waiting until `allowed.start`; the
//! visit starts (the stop's `eta`) at the later of arrival and opening, and the collector leaves
//! [`PlanParams::service_secs`] after it. A stop is *feasible* at a place in the sequence when its
//! `eta` is before `allowed.end` (the window is half-open and only the arrival must fall in it:
//! the law regulates when contact starts, not how long it lasts).
//!
//! # Heuristic
//!
//! 1. **Nearest neighbour in time.** From `start`, repeatedly go to the remaining feasible stop
//!    with the earliest `eta` (travel plus waiting); ties go to the shorter distance, then to input
//!    order. Without `start`, the first stop is the feasible one whose window opens first (then
//!    input order), reached with no travel. Stops never feasible when the sequence ends are
//!    *not now*.
//! 2. **2-opt.** Reverse a segment of that sequence only if the total travel distance strictly
//!    drops, every stop stays feasible and the last visit does not start later; sweep all
//!    segments, first improvement wins, until a sweep changes nothing or [`MAX_TWO_OPT_PASSES`]
//!    sweeps were made. The last condition keeps 2-opt from trading distance for idle time (going
//!    first to a near stop that opens in three hours). The path is open: there is no return leg,
//!    and without `start` no first leg, so 2-opt may then change which stop comes first.
//!
//! 2-opt only reorders the nearest neighbour's sequence: it never adds or drops a stop. Cost: one
//! distance matrix (`n²/2` geodesic distances), then `O(n²)` per sweep plus an `O(n)` schedule
//! check per shortening reversal tried; 300 stops take well under a second even unoptimized.
//!
//! # Output order
//!
//! Every input stop appears exactly once, in three groups:
//! 1. located doable stops in visiting order ([`Placement::Visit`]);
//! 2. stops with no known location whose window is still open at `now`, in input order
//!    ([`Placement::Unlocated`]): no distance to them can be computed, so they get no `eta` and
//!    the collector fits them in by hand;
//! 3. the rest ([`Placement::NotNow`]), by `next_allowed` (unknown last), ties in input order.

mod params;
mod schedule;
mod search;

#[cfg(test)]
mod tests;

pub use params::PlanParams;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::contact::AllowedInterval;
use crate::model::GeoPoint;
use schedule::Problem;
use search::Route;

/// Upper bound on 2-opt sweeps, so the plan is bounded in time whatever the input; random tours of
/// a few hundred stops settle well within it.
pub const MAX_TWO_OPT_PASSES: usize = 50;

/// One stop the collector could visit today, as the caller prepared it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanStop {
    /// The caller's key for the stop (for example an index into its own list); passed through.
    pub key: usize,
    /// The debtor's location; `None` when unknown (see the module docs: such a stop gets no
    /// `eta` and is listed after the located ones).
    pub point: Option<GeoPoint>,
    /// When a visit is allowed today (contact rules and the debtor's window, from
    /// [`crate::contact::ContactContext::allowed_interval_on`]); `None` means not today at all.
    pub allowed: Option<AllowedInterval>,
    /// When the rules next allow a visit if not today; copied into [`Placement::NotNow`].
    pub next_allowed: Option<DateTime<Utc>>,
}

/// Where a stop landed in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Placement {
    /// Visit it in this order; the visit is estimated to start at `eta`, inside its window.
    Visit {
        /// Estimated start of the visit (arrival, or window opening if the collector must wait).
        eta: DateTime<Utc>,
    },
    /// Visitable today, but the location is unknown, so it has no place in the sequence or `eta`.
    Unlocated,
    /// Cannot be visited within its window today: no window, a window already closed, or one
    /// the route cannot reach in time.
    NotNow {
        /// The stop's [`PlanStop::next_allowed`], unchanged.
        next_allowed: Option<DateTime<Utc>>,
    },
}

/// One stop of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedStop {
    /// The caller's [`PlanStop::key`].
    pub key: usize,
    /// Where the stop landed.
    pub placement: Placement,
}

impl PlannedStop {
    /// The estimated visit start, for stops in the visiting sequence.
    pub fn eta(&self) -> Option<DateTime<Utc>> {
        match self.placement {
            Placement::Visit { eta } => Some(eta),
            _ => None,
        }
    }

    /// Whether the stop is to be visited today (in the sequence or unlocated).
    pub fn is_doable(&self) -> bool {
        !matches!(self.placement, Placement::NotNow { .. })
    }
}

/// Orders today's stops from `start` (the collector's position, if known) at `now`: nearest
/// neighbour in time improved by 2-opt, within each stop's allowed interval. Pure, deterministic
/// and total (never panics); the module docs give the exact rules and the output order.
pub fn plan_route(
    start: Option<GeoPoint>,
    now: DateTime<Utc>,
    stops: &[PlanStop],
    params: &PlanParams,
) -> Vec<PlannedStop> {
    let problem = Problem::new(start, now, stops, params);
    let mut route = search::nearest_neighbour(&problem);
    search::two_opt(&problem, &mut route);
    assemble(&problem, &route, now, stops)
}

/// [`plan_route`] without the 2-opt step, so tests can check that 2-opt never lengthens a route.
#[cfg(test)]
pub(crate) fn nearest_neighbour_route(
    start: Option<GeoPoint>,
    now: DateTime<Utc>,
    stops: &[PlanStop],
    params: &PlanParams,
) -> Vec<PlannedStop> {
    let problem = Problem::new(start, now, stops, params);
    let route = search::nearest_neighbour(&problem);
    assemble(&problem, &route, now, stops)
}

/// Lays out the three output groups around the located visiting `route`.
fn assemble(
    problem: &Problem,
    route: &Route,
    now: DateTime<Utc>,
    stops: &[PlanStop],
) -> Vec<PlannedStop> {
    let mut placed = vec![false; stops.len()];
    let mut out = Vec::with_capacity(stops.len());
    for (&node, &eta) in route.nodes.iter().zip(&route.etas) {
        let input = problem.input_index(node);
        placed[input] = true;
        out.push(PlannedStop {
            key: stops[input].key,
            placement: Placement::Visit { eta },
        });
    }
    // Stops without a location never enter the sequence, so no check against it is needed.
    for (i, stop) in stops.iter().enumerate() {
        let open = stop.allowed.is_some_and(|w| w.start < w.end && now < w.end);
        if stop.point.is_none() && open {
            placed[i] = true;
            out.push(PlannedStop {
                key: stop.key,
                placement: Placement::Unlocated,
            });
        }
    }
    let mut not_now: Vec<&PlanStop> = stops
        .iter()
        .enumerate()
        .filter(|(i, _)| !placed[*i])
        .map(|(_, s)| s)
        .collect();
    // Stable sort: equal `next_allowed` keep input order; `None` (unknown) sorts last.
    not_now.sort_by_key(|s| (s.next_allowed.is_none(), s.next_allowed));
    out.extend(not_now.into_iter().map(|s| PlannedStop {
        key: s.key,
        placement: Placement::NotNow {
            next_allowed: s.next_allowed,
        },
    }));
    out
}
