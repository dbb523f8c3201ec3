//! The two search steps over a [`Problem`]: the time-aware nearest neighbour that builds a
//! sequence, and the 2-opt that shortens it. Owns the order; must not change which stops are in
//! the sequence during 2-opt, nor accept a reversal that makes a stop miss its window.

use chrono::{DateTime, Utc};

use super::MAX_TWO_OPT_PASSES;
use super::schedule::Problem;

/// A reversal must save more than this many metres: float noise on equal-length reversals would
/// otherwise count as an improvement and make sweeps flip segments back and forth.
const MIN_GAIN_M: f64 = 1e-6;

/// A feasible visiting sequence of candidate nodes with the visit start of each.
pub(super) struct Route {
    /// Candidate nodes in visiting order.
    pub(super) nodes: Vec<usize>,
    /// `etas[k]` is when the visit to `nodes[k]` starts.
    pub(super) etas: Vec<DateTime<Utc>>,
}

/// Builds the visiting sequence greedily: from where the collector is, the feasible stop with the
/// earliest visit start, then the shorter leg, then the earlier input. Without a start position
/// the first stop is the one whose window opens first.
pub(super) fn nearest_neighbour(problem: &Problem) -> Route {
    let mut left: Vec<usize> = (0..problem.len()).collect();
    let mut route = Route {
        nodes: Vec::with_capacity(left.len()),
        etas: Vec::with_capacity(left.len()),
    };
    let mut from = None;
    let mut depart = Some(problem.now());
    while let Some(at) = depart {
        let Some((pick, eta)) = best_next(problem, &left, from, at) else {
            break;
        };
        let node = left.remove(pick);
        route.nodes.push(node);
        route.etas.push(eta);
        from = Some(node);
        depart = problem.departure(eta);
    }
    route
}

/// The position in `left` and the visit start of the next stop to take, if any is feasible.
fn best_next(
    problem: &Problem,
    left: &[usize],
    from: Option<usize>,
    depart: DateTime<Utc>,
) -> Option<(usize, DateTime<Utc>)> {
    let free_first_leg = from.is_none() && !problem.has_start();
    let mut best: Option<(DateTime<Utc>, f64, usize, DateTime<Utc>)> = None;
    // `left` stays in ascending node order, so keeping the first of equal keys prefers the
    // earlier input stop.
    for (pos, &node) in left.iter().enumerate() {
        let Some(eta) = problem.eta(from, depart, node) else {
            continue;
        };
        let rank = if free_first_leg {
            problem.opens(node)
        } else {
            eta
        };
        let leg = problem.leg_m(from, node);
        let better = best.is_none_or(|(r, l, _, _)| rank < r || (rank == r && leg < l));
        if better {
            best = Some((rank, leg, pos, eta));
        }
    }
    best.map(|(_, _, pos, eta)| (pos, eta))
}

/// Improves `sequence` by segment reversals that strictly shorten the travel distance, keep
/// every stop within its window and do not make the last visit start later; at most
/// [`MAX_TWO_OPT_PASSES`] sweeps.
///
/// The last condition is why this is not plain 2-opt: with windows, a shorter path can be one
/// that waits hours for a late window before doing the stops open now, which idles the collector.
pub(super) fn two_opt(problem: &Problem, route: &mut Route) {
    let Some(mut finish) = route.etas.last().copied() else {
        return;
    };
    let sequence = &mut route.nodes;
    for _ in 0..MAX_TWO_OPT_PASSES {
        let mut improved = false;
        for i in 0..sequence.len() {
            for j in i + 1..sequence.len() {
                if reversal_gain_m(problem, sequence, i, j) <= MIN_GAIN_M {
                    continue;
                }
                sequence[i..=j].reverse();
                match problem.schedule(sequence) {
                    Some(etas) if etas.last().is_some_and(|&end| end <= finish) => {
                        finish = etas[etas.len() - 1];
                        route.etas = etas;
                        improved = true;
                    }
                    _ => sequence[i..=j].reverse(),
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// Metres saved by reversing `sequence[i..=j]`: only the two edges at the segment's ends change
/// (the path is open, so a missing neighbour contributes nothing; a missing start is free).
fn reversal_gain_m(problem: &Problem, sequence: &[usize], i: usize, j: usize) -> f64 {
    let (first, last) = (sequence[i], sequence[j]);
    let before = if i == 0 { None } else { Some(sequence[i - 1]) };
    let mut gain = problem.leg_m(before, first) - problem.leg_m(before, last);
    if let Some(&after) = sequence.get(j + 1) {
        gain += problem.leg_m(Some(last), after) - problem.leg_m(Some(first), after);
    }
    gain
}
