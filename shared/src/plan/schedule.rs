//! The planning problem in index form: the stops that could be visited today, their distances
//! and the timing rule (travel, waiting, service). Owns feasibility; must not choose an order
//! (that is [`super::search`]'s job).

use chrono::{DateTime, TimeDelta, Utc};

use super::{PlanParams, PlanStop};
use crate::contact::AllowedInterval;
use crate::model::GeoPoint;

/// A located stop whose window is still open at `now`: the only kind a sequence can hold.
struct Node {
    input: usize,
    window: AllowedInterval,
}

/// The candidates of one plan, numbered `0..len()` in input order (so a lower node is an earlier
/// input stop, which the searches use to break ties).
pub(super) struct Problem {
    nodes: Vec<Node>,
    /// Row-major `(len + 1)²` metres; the extra row and column are the start position (zeros when
    /// there is none, which makes the first leg free).
    dist: Vec<f64>,
    has_start: bool,
    now: DateTime<Utc>,
    secs_per_m: f64,
    service: TimeDelta,
}

impl Problem {
    /// Keeps the located stops with a non-empty window that has not closed by `now`, and
    /// measures every distance between them and the start once, since the searches reread them.
    pub(super) fn new(
        start: Option<GeoPoint>,
        now: DateTime<Utc>,
        stops: &[PlanStop],
        params: &PlanParams,
    ) -> Self {
        let mut points = Vec::new();
        let mut nodes = Vec::new();
        for (input, stop) in stops.iter().enumerate() {
            if let (Some(point), Some(window)) = (stop.point, stop.allowed)
                && window.start < window.end
                && now < window.end
            {
                points.push(point);
                nodes.push(Node { input, window });
            }
        }
        let side = points.len() + 1;
        points.extend(start);
        let mut dist = vec![0.0; side * side];
        for a in 0..points.len() {
            for b in a + 1..points.len() {
                let d = points[a].distance_m(&points[b]);
                dist[a * side + b] = d;
                dist[b * side + a] = d;
            }
        }
        Self {
            nodes,
            dist,
            has_start: start.is_some(),
            now,
            secs_per_m: params.road_factor() / params.travel_speed_ms(),
            service: millis(params.service_secs()).unwrap_or(TimeDelta::MAX),
        }
    }

    /// How many candidate stops there are.
    pub(super) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the plan starts from a known position (so the first leg has a length).
    pub(super) fn has_start(&self) -> bool {
        self.has_start
    }

    /// The index in the caller's input of candidate `node`.
    pub(super) fn input_index(&self, node: usize) -> usize {
        self.nodes[node].input
    }

    /// When candidate `node`'s window opens.
    pub(super) fn opens(&self, node: usize) -> DateTime<Utc> {
        self.nodes[node].window.start
    }

    /// Metres from `from` (`None` = the start position) to `to`; zero from an unknown start.
    pub(super) fn leg_m(&self, from: Option<usize>, to: usize) -> f64 {
        let side = self.nodes.len() + 1;
        let from = from.unwrap_or(self.nodes.len());
        self.dist[from * side + to]
    }

    /// The visit start at `to` when leaving `from` at `depart`: arrival, or opening if later.
    /// `None` when that is not before the window closes (or the time overflows).
    pub(super) fn eta(
        &self,
        from: Option<usize>,
        depart: DateTime<Utc>,
        to: usize,
    ) -> Option<DateTime<Utc>> {
        let travel = millis(self.leg_m(from, to) * self.secs_per_m)?;
        let window = self.nodes[to].window;
        let eta = depart.checked_add_signed(travel)?.max(window.start);
        (eta < window.end).then_some(eta)
    }

    /// When the collector leaves after a visit starting at `eta`.
    pub(super) fn departure(&self, eta: DateTime<Utc>) -> Option<DateTime<Utc>> {
        eta.checked_add_signed(self.service)
    }

    /// The visit starts along `sequence` from the start at `now`, or `None` if a stop misses
    /// its window.
    pub(super) fn schedule(&self, sequence: &[usize]) -> Option<Vec<DateTime<Utc>>> {
        let mut etas = Vec::with_capacity(sequence.len());
        let mut from = None;
        let mut depart = Some(self.now);
        for &to in sequence {
            let eta = self.eta(from, depart?, to)?;
            etas.push(eta);
            from = Some(to);
            depart = self.departure(eta);
        }
        Some(etas)
    }

    /// When the collector leaves the start.
    pub(super) fn now(&self) -> DateTime<Utc> {
        self.now
    }
}

/// A duration in seconds rounded to the millisecond; `None` if it does not fit a `TimeDelta`.
fn millis(secs: f64) -> Option<TimeDelta> {
    let ms = (secs * 1000.0).round();
    // `as` saturates, so a huge duration becomes the longest one and any addition of it overflows.
    if ms.is_finite() {
        TimeDelta::try_milliseconds(ms as i64)
    } else {
        None
    }
}
