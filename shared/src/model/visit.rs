//! Visits: the status lifecycle and the outcome a collector records.
//!
//! Status moves planned → in progress (checked in) → done / not done / cancelled. Under
//! concurrent edits the status is a lattice (see [`crate::sync::merge`]): a terminal status is
//! never overwritten by a stale "in progress"; only a supervisor's reopen (a new epoch) moves a
//! visit back.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::ValidationError;
use crate::geofence::Verdict;
use crate::ids::{AccountId, FormId, StopId};
use crate::model::account::Money;
use crate::model::position::Fix;

/// Where a visit is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

    /// Whether the visit is finished (done, not done or cancelled).
    pub fn is_terminal(self) -> bool {
        self.rank() == 2
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

/// A check-in attempt: the fact a device records whether or not it was allowed, so a refused
/// attempt is evidence too. The server re-runs the geofence on `evidence` and keeps its own
/// verdict beside `device_verdict`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInRecord {
    /// The account being visited.
    pub account: AccountId,
    /// The route stop, when the visit was planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<StopId>,
    /// When the collector asked to check in (the instant the verdict is judged at).
    pub at: DateTime<Utc>,
    /// The recent fixes the verdict was computed from.
    pub evidence: Vec<Fix>,
    /// What the device decided.
    pub device_verdict: Verdict,
}

/// A promise to pay: an amount by a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawPromise", into = "RawPromise")]
pub struct PromiseToPay {
    amount: Money,
    due: NaiveDate,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPromise {
    amount: Money,
    due: NaiveDate,
}

impl PromiseToPay {
    /// A promise of a positive amount due on a date. Whether the date is close enough and the
    /// amount within the balance is the questionnaire's business (form constraints).
    pub fn new(amount: Money, due: NaiveDate) -> Result<Self, ValidationError> {
        if amount.minor_units() <= 0 {
            return Err(ValidationError::new(
                "promise amount",
                format!("{} must be positive", amount.minor_units()),
            ));
        }
        Ok(PromiseToPay { amount, due })
    }
    /// The amount promised.
    pub fn amount(&self) -> Money {
        self.amount
    }
    /// The date it is due.
    pub fn due(&self) -> NaiveDate {
        self.due
    }
}

impl TryFrom<RawPromise> for PromiseToPay {
    type Error = ValidationError;
    fn try_from(r: RawPromise) -> Result<Self, ValidationError> {
        PromiseToPay::new(r.amount, r.due)
    }
}

impl From<PromiseToPay> for RawPromise {
    fn from(p: PromiseToPay) -> Self {
        RawPromise {
            amount: p.amount,
            due: p.due,
        }
    }
}

/// How a payment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Cash handed to the collector.
    Cash,
    /// Bank transfer or deposit.
    Transfer,
    /// Card.
    Card,
    /// Cheque.
    Cheque,
    /// Anything else.
    Other,
}

/// A payment received during a visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawPayment", into = "RawPayment")]
pub struct Payment {
    amount: Money,
    method: PaymentMethod,
    receipt: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPayment {
    amount: Money,
    method: PaymentMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    receipt: Option<String>,
}

impl Payment {
    /// A positive payment; the receipt number, when given, is trimmed and at most 64 characters.
    pub fn new(
        amount: Money,
        method: PaymentMethod,
        receipt: Option<&str>,
    ) -> Result<Self, ValidationError> {
        if amount.minor_units() <= 0 {
            return Err(ValidationError::new(
                "payment amount",
                format!("{} must be positive", amount.minor_units()),
            ));
        }
        let receipt = receipt.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = receipt
            && (r.chars().count() > 64 || r.chars().any(char::is_control))
        {
            return Err(ValidationError::new(
                "receipt",
                format!("{r:?} must be at most 64 printable characters"),
            ));
        }
        Ok(Payment {
            amount,
            method,
            receipt: receipt.map(str::to_owned),
        })
    }
    /// The amount paid.
    pub fn amount(&self) -> Money {
        self.amount
    }
    /// How.
    pub fn method(&self) -> PaymentMethod {
        self.method
    }
    /// The receipt number, if any.
    pub fn receipt(&self) -> Option<&str> {
        self.receipt.as_deref()
    }
}

impl TryFrom<RawPayment> for Payment {
    type Error = ValidationError;
    fn try_from(r: RawPayment) -> Result<Self, ValidationError> {
        Payment::new(r.amount, r.method, r.receipt.as_deref())
    }
}

impl From<Payment> for RawPayment {
    fn from(p: Payment) -> Self {
        RawPayment {
            amount: p.amount,
            method: p.method,
            receipt: p.receipt,
        }
    }
}

/// A questionnaire answer: a question name (XLSForm rules: a letter or `_` first, then letters,
/// digits, `-`, `.`, `_`) and its value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    name: String,
    value: Value,
}

impl Answer {
    /// Validates the question name.
    pub fn new(name: &str, value: Value) -> Result<Self, ValidationError> {
        let mut chars = name.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_');
        let rest_ok = chars.all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_'));
        if !first_ok || !rest_ok || name.len() > 128 {
            return Err(ValidationError::new(
                "question name",
                format!("{name:?} is not a valid XLSForm name"),
            ));
        }
        Ok(Answer {
            name: name.to_owned(),
            value,
        })
    }
    /// The question's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The value given.
    pub fn value(&self) -> &Value {
        &self.value
    }
}

/// Which form version a visit was filled with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormRef {
    /// The form.
    pub id: FormId,
    /// Its version string (XLSForm `settings.version`).
    pub version: String,
}

/// A visit submitted as complete: the fact that closes the collector's part of a visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawSubmission", into = "RawSubmission")]
pub struct Submission {
    raw: RawSubmission,
}

/// The unvalidated shape of a [`Submission`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSubmission {
    /// The account visited.
    pub account: AccountId,
    /// The result.
    pub outcome: Outcome,
    /// When the collector completed it.
    pub completed_at: DateTime<Utc>,
    /// The form version used, if a questionnaire was filled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<FormRef>,
    /// Answers by question name, as submitted (relevance already applied).
    #[serde(default)]
    pub answers: BTreeMap<String, Value>,
    /// The promise made, required when the outcome is a promise to pay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promise: Option<PromiseToPay>,
    /// The payment received, required when the outcome is paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<Payment>,
}

impl TryFrom<RawSubmission> for Submission {
    type Error = ValidationError;
    fn try_from(raw: RawSubmission) -> Result<Self, ValidationError> {
        if raw.outcome == Outcome::PromiseToPay && raw.promise.is_none() {
            return Err(ValidationError::new(
                "promise",
                "a promise_to_pay outcome needs the promise (amount and date)",
            ));
        }
        if raw.outcome == Outcome::Paid && raw.payment.is_none() {
            return Err(ValidationError::new(
                "payment",
                "a paid outcome needs the payment (amount and method)",
            ));
        }
        for name in raw.answers.keys() {
            Answer::new(name, Value::Null)?;
        }
        Ok(Submission { raw })
    }
}

impl From<Submission> for RawSubmission {
    fn from(s: Submission) -> Self {
        s.raw
    }
}

impl Submission {
    /// The validated content.
    pub fn get(&self) -> &RawSubmission {
        &self.raw
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
    fn nobody_home_ends_the_visit_as_not_done() {
        assert_eq!(Outcome::NobodyHome.final_status(), VisitStatus::NotDone);
        assert_eq!(Outcome::PromiseToPay.final_status(), VisitStatus::Done);
        assert!(!Outcome::NobodyHome.is_contact());
    }

    fn cop(minor: i64) -> Money {
        Money::from_minor(
            minor,
            crate::model::account::Currency::parse("COP").unwrap(),
        )
    }

    fn submission(outcome: &str, extra: serde_json::Value) -> Result<Submission, String> {
        let mut v = serde_json::json!({
            "account": "0192f0c8-7a00-7000-8000-000000000009",
            "outcome": outcome,
            "completed_at": "2026-11-24T15:00:00Z",
        });
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        serde_json::from_value(v).map_err(|e| e.to_string())
    }

    #[test]
    fn a_promise_outcome_without_a_promise_is_refused() {
        let err = submission("promise_to_pay", serde_json::json!({})).unwrap_err();
        assert!(err.contains("promise"), "{err}");
        let ok = submission(
            "promise_to_pay",
            serde_json::json!({"promise": {"amount": cop(5_000_000), "due": "2026-12-01"}}),
        );
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn a_paid_outcome_needs_a_positive_payment() {
        assert!(submission("paid", serde_json::json!({})).is_err());
        let zero = serde_json::json!({"payment": {"amount": cop(0), "method": "cash"}});
        assert!(submission("paid", zero).unwrap_err().contains("positive"));
        let ok = serde_json::json!({"payment": {"amount": cop(1), "method": "cash", "receipt": " R-1 "}});
        let s = submission("paid", ok).unwrap();
        assert_eq!(s.get().payment.as_ref().unwrap().receipt(), Some("R-1"));
    }

    #[test]
    fn answers_with_invalid_question_names_are_refused() {
        let bad = serde_json::json!({"answers": {"1st": "x"}});
        assert!(
            submission("contacted", bad)
                .unwrap_err()
                .contains("question name")
        );
        for good in ["contact_result", "_x", "a.b-c", "resultado_contacto"] {
            assert!(Answer::new(good, Value::Null).is_ok(), "{good}");
        }
    }

    #[test]
    fn unknown_fields_in_a_submission_are_refused() {
        assert!(submission("contacted", serde_json::json!({"mood": "ok"})).is_err());
    }
}
