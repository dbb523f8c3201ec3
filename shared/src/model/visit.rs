//! Visits: the status lifecycle and the outcome a collector records.
//!
//! Status moves planned → in progress (checked in) → done / not done / cancelled. Under
//! concurrent edits the status is a lattice (see [`crate::sync::merge`]): a terminal status is
//! never overwritten by a stale "in progress"; only a supervisor's reopen (a new epoch) moves a
//! visit back.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::ValidationError;

/// Where a visit is in its lifecycle.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VisitStatus {
    /// On a route, not started.
    Planned,
    /// Checked in at the address; questionnaire under way.
    InProgress,
    /// Finished with an outcome.
    Done,
    /// Finished without being carried out (nobody home, wrong address...).
    NotDone,
    /// Withdrawn by a supervisor.
    Cancelled,
}

impl VisitStatus {
    /// All statuses, in rank order.
    pub const ALL: [VisitStatus; 5] = [
        VisitStatus::Planned,
        VisitStatus::InProgress,
        VisitStatus::Done,
        VisitStatus::NotDone,
        VisitStatus::Cancelled,
    ];

    /// The status's height in the merge lattice: planned < in progress < any terminal status.
    pub fn rank(self) -> u8 {
        match self {
            VisitStatus::Planned => 0,
            VisitStatus::InProgress => 1,
            VisitStatus::Done | VisitStatus::NotDone | VisitStatus::Cancelled => 2,
        }
    }

    /// Whether the visit has moved past "planned": checked in, or finished.
    pub fn is_visited(self) -> bool {
        self != VisitStatus::Planned
    }

    /// The statuses that finish a visit, in rank order.
    pub const TERMINAL: [VisitStatus; 3] = [
        VisitStatus::Done,
        VisitStatus::NotDone,
        VisitStatus::Cancelled,
    ];

    /// Whether the visit is finished (done, not done or cancelled). Storage asks this of the
    /// status (through [`VisitStatus::TERMINAL`]), never of a rank number.
    pub fn is_terminal(self) -> bool {
        Self::TERMINAL.contains(&self)
    }

    /// The snake_case name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            VisitStatus::Planned => "planned",
            VisitStatus::InProgress => "in_progress",
            VisitStatus::Done => "done",
            VisitStatus::NotDone => "not_done",
            VisitStatus::Cancelled => "cancelled",
        }
    }

    /// Whether a collector's own flow may move a visit from `self` to `next` (supervisor
    /// reopen and cancellation are separate, privileged moves).
    pub fn collector_may_move_to(self, next: VisitStatus) -> bool {
        matches!(
            (self, next),
            (VisitStatus::Planned, VisitStatus::InProgress)
                | (VisitStatus::Planned, VisitStatus::NotDone)
                | (VisitStatus::InProgress, VisitStatus::Done)
                | (VisitStatus::InProgress, VisitStatus::NotDone)
        )
    }
}

impl fmt::Display for VisitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for VisitStatus {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, ValidationError> {
        VisitStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                ValidationError::new(
                    "visit status",
                    format!("{s:?} is not one of planned, in_progress, done, not_done, cancelled"),
                )
            })
    }
}

/// The result a collector records when completing a visit.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The debtor paid during the visit.
    Paid,
    /// The debtor promised to pay an amount by a date.
    PromiseToPay,
    /// The debtor was reached but made no commitment.
    Contacted,
    /// A third party was reached and took a message.
    ThirdParty,
    /// Nobody answered.
    NobodyHome,
    /// The address is wrong or does not exist.
    WrongAddress,
    /// The debtor refused to talk.
    Refused,
}

impl Outcome {
    /// All outcomes.
    pub const ALL: [Outcome; 7] = [
        Outcome::Paid,
        Outcome::PromiseToPay,
        Outcome::Contacted,
        Outcome::ThirdParty,
        Outcome::NobodyHome,
        Outcome::WrongAddress,
        Outcome::Refused,
    ];

    /// The snake_case name used on the wire and in the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Paid => "paid",
            Outcome::PromiseToPay => "promise_to_pay",
            Outcome::Contacted => "contacted",
            Outcome::ThirdParty => "third_party",
            Outcome::NobodyHome => "nobody_home",
            Outcome::WrongAddress => "wrong_address",
            Outcome::Refused => "refused",
        }
    }

    /// Whether someone was reached: contact-rate reports and the contact rules count these.
    pub fn is_contact(self) -> bool {
        matches!(
            self,
            Outcome::Paid
                | Outcome::PromiseToPay
                | Outcome::Contacted
                | Outcome::ThirdParty
                | Outcome::Refused
        )
    }

    /// The status a visit completed with this outcome ends in.
    pub fn final_status(self) -> VisitStatus {
        match self {
            Outcome::NobodyHome | Outcome::WrongAddress => VisitStatus::NotDone,
            _ => VisitStatus::Done,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Outcome {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, ValidationError> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<_> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
                ValidationError::new("outcome", format!("{s:?} is not one of {}", all.join(", ")))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_outcomes_round_trip_through_their_names() {
        for s in VisitStatus::ALL {
            assert_eq!(s.as_str().parse::<VisitStatus>().unwrap(), s);
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
        for o in Outcome::ALL {
            assert_eq!(o.as_str().parse::<Outcome>().unwrap(), o);
        }
    }

    #[test]
    fn an_unknown_outcome_lists_the_valid_ones() {
        let err = "gone".parse::<Outcome>().unwrap_err().to_string();
        assert!(err.contains("promise_to_pay"), "{err}");
    }

    #[test]
    fn terminal_statuses_outrank_in_progress() {
        assert!(VisitStatus::Done.rank() > VisitStatus::InProgress.rank());
        assert!(VisitStatus::InProgress.rank() > VisitStatus::Planned.rank());
        assert!(!VisitStatus::Done.collector_may_move_to(VisitStatus::InProgress));
        assert!(VisitStatus::Planned.collector_may_move_to(VisitStatus::InProgress));
    }

    #[test]
    fn the_terminal_list_is_exactly_the_statuses_that_finish_a_visit() {
        let listed: Vec<VisitStatus> = VisitStatus::ALL
            .into_iter()
            .filter(|s| s.is_terminal())
            .collect();
        assert_eq!(listed, VisitStatus::TERMINAL);
    }

    #[test]
    fn nobody_home_ends_the_visit_as_not_done() {
        assert_eq!(Outcome::NobodyHome.final_status(), VisitStatus::NotDone);
        assert_eq!(Outcome::PromiseToPay.final_status(), VisitStatus::Done);
        assert!(!Outcome::NobodyHome.is_contact());
    }
}
