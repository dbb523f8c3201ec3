//! What a visit produces beyond its status: the check-in attempt with its evidence, and the
//! submission that completes it (outcome, answers, promise to pay, payment). Both are facts of
//! the event log, validated on the way in so a malformed one is refused as an event error.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

use crate::ValidationError;
use crate::geofence::Verdict;
use crate::ids::{AccountId, FormId, StopId};
use crate::model::money::Money;
use crate::model::position::Fix;
use crate::model::visit::Outcome;
// An answer travels as a `field_set` event's field name, so a path fits in one.
use crate::sync::event::MAX_FIELD_LEN;

pub mod terms;
pub use terms::{Terms, TermsError};

/// A check-in attempt: the fact a device records whether or not it was allowed, so a refused
/// attempt is evidence too. The server re-runs the geofence on `evidence` and keeps its own
/// verdict beside `device_verdict`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The visit's reopen epoch the device saw. An allowed check-in moves the visit to
    /// "in progress" within that epoch, so a stale one cannot undo a supervisor's reopen.
    #[serde(default)]
    pub epoch: u32,
}

/// A promise to pay: an amount by a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawPromise", into = "RawPromise")]
pub struct PromiseToPay {
    amount: Money,
    due: NaiveDate,
}

#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
struct RawPromise {
    amount: Money,
    due: NaiveDate,
}

#[cfg(feature = "openapi")]
crate::openapi::schema_via!(PromiseToPay, RawPromise);

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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
struct RawPayment {
    amount: Money,
    method: PaymentMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    receipt: Option<String>,
}

#[cfg(feature = "openapi")]
crate::openapi::schema_via!(Payment, RawPayment);

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

/// A questionnaire answer: a question's path (`q`, `group/q`, `repeat[2]/q`: names from the top
/// down, a repeat's with its 1-based instance index) and its value. Each name follows XLSForm's
/// rule: a letter or `_` first, then letters, digits, `-`, `.`, `_`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    name: String,
    value: Value,
}

impl Answer {
    /// Validates the question's path.
    pub fn new(name: &str, value: Value) -> Result<Self, ValidationError> {
        if name.len() > MAX_FIELD_LEN || !name.split('/').all(is_path_segment) {
            return Err(ValidationError::new(
                "question name",
                format!("{name:?} is not a valid XLSForm name or path"),
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

/// One segment of an answer path: an XLSForm name, optionally followed by `[N]` (N >= 1, no
/// leading zero, so one instance has one spelling).
fn is_path_segment(segment: &str) -> bool {
    let name = match segment.split_once('[') {
        Some((name, rest)) => {
            let Some(digits) = rest.strip_suffix(']') else {
                return false;
            };
            let canonical = !digits.is_empty()
                && !digits.starts_with('0')
                && digits.bytes().all(|b| b.is_ascii_digit());
            if !canonical {
                return false;
            }
            name
        }
        None => segment,
    };
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_');
    first_ok && chars.all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

/// Which form version a visit was filled with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = BTreeMap<String, crate::openapi::AnswerValue>)
    )]
    pub answers: BTreeMap<String, Value>,
    /// The promise made, required when the outcome is a promise to pay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promise: Option<PromiseToPay>,
    /// The payment received, required when the outcome is paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<Payment>,
    /// The visit's reopen epoch the device saw: the submission ends the visit within it.
    #[serde(default)]
    pub epoch: u32,
}

#[cfg(feature = "openapi")]
crate::openapi::schema_via!(Submission, RawSubmission);

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
    fn answer_paths_name_groups_and_repeat_instances_with_xlsform_names() {
        for good in ["grp/q", "hh[2]/name", "hh[1]/kids[12]/age", "a.b/_c[3]/d-e"] {
            assert!(Answer::new(good, Value::Null).is_ok(), "{good}");
        }
        let long = format!("g/{}", "q".repeat(127));
        for bad in [
            "", "/q", "q/", "a//b", "hh[0]/q", "hh[01]/q", "hh[]/q", "hh[x]/q", "hh[2/q",
            "hh]2[/q", "[2]/q", "grp/1st", "hh[2]x/q", &long,
        ] {
            let err = Answer::new(bad, Value::Null).unwrap_err().to_string();
            assert!(err.contains("question name"), "{bad}: {err}");
        }
    }

    #[test]
    fn unknown_fields_in_a_submission_are_refused() {
        assert!(submission("contacted", serde_json::json!({"mood": "ok"})).is_err());
    }
}
