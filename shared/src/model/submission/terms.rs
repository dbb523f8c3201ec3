//! What a completion's answers commit the debtor to: the promise to pay of a `promise_to_pay`
//! outcome, the payment of a `paid` one, read from the questionnaire's answers by fixed
//! question names. The device builds a submission's promise or payment with it, and the server
//! checks a submission's against it, so both read the same answers the same way.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::Value;

use super::{Payment, PaymentMethod, PromiseToPay};
use crate::ValidationError;
use crate::form::runtime::answer_text;
use crate::model::money::{Currency, Money};
use crate::model::visit::Outcome;

/// The amount promised (decimal, in the account's currency).
pub const PROMISE_AMOUNT: &str = "promise_amount";
/// The date it is due (`YYYY-MM-DD`).
pub const PROMISE_DATE: &str = "promise_date";
/// The amount paid (decimal, in the account's currency).
pub const PAYMENT_AMOUNT: &str = "payment_amount";
/// How it was paid ([`PaymentMethod`]'s snake_case name).
pub const PAYMENT_METHOD: &str = "payment_method";
/// The receipt number, if any.
pub const PAYMENT_RECEIPT: &str = "payment_receipt";

/// The promise or payment a completion's answers describe (at most one, by outcome).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Terms {
    /// The promise, for a `promise_to_pay` outcome.
    pub promise: Option<PromiseToPay>,
    /// The payment, for a `paid` outcome.
    pub payment: Option<Payment>,
}

/// Why the answers do not describe the promise or payment their outcome needs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TermsError {
    /// The outcome needs an answer that is absent or empty.
    #[error("a {outcome} outcome needs the answer {question}")]
    Missing {
        /// The outcome.
        outcome: Outcome,
        /// The question.
        question: &'static str,
    },
    /// An answer does not read as what its question holds.
    #[error("answer {question}: {reason}")]
    Invalid {
        /// The question.
        question: &'static str,
        /// Why.
        reason: String,
    },
    /// The answers read, but describe no valid promise or payment.
    #[error("the {what}: {error}")]
    Rule {
        /// `promise to pay` or `payment`.
        what: &'static str,
        /// The rule broken.
        error: ValidationError,
    },
}

impl Terms {
    /// The terms `answers` describe for `outcome`, amounts in `currency`; none for an outcome
    /// that commits the debtor to nothing. Answers read as [`answer_text`] reads them.
    pub fn from_answers(
        outcome: Outcome,
        answers: &BTreeMap<String, Value>,
        currency: Currency,
    ) -> Result<Terms, TermsError> {
        let read = Reader { outcome, answers };
        Ok(match outcome {
            Outcome::PromiseToPay => Terms {
                promise: Some(read.promise(currency)?),
                payment: None,
            },
            Outcome::Paid => Terms {
                promise: None,
                payment: Some(read.payment(currency)?),
            },
            _ => Terms::default(),
        })
    }
}

struct Reader<'a> {
    outcome: Outcome,
    answers: &'a BTreeMap<String, Value>,
}

impl Reader<'_> {
    fn optional(&self, question: &str) -> Option<String> {
        self.answers
            .get(question)
            .map(answer_text)
            .filter(|t| !t.is_empty())
    }

    fn text(&self, question: &'static str) -> Result<String, TermsError> {
        self.optional(question).ok_or(TermsError::Missing {
            outcome: self.outcome,
            question,
        })
    }

    fn amount(&self, question: &'static str, currency: Currency) -> Result<Money, TermsError> {
        Money::from_decimal_str(&self.text(question)?, currency).map_err(|e| invalid(question, e))
    }

    fn promise(&self, currency: Currency) -> Result<PromiseToPay, TermsError> {
        let amount = self.amount(PROMISE_AMOUNT, currency)?;
        let due: NaiveDate = self
            .text(PROMISE_DATE)?
            .parse()
            .map_err(|e| invalid(PROMISE_DATE, e))?;
        PromiseToPay::new(amount, due).map_err(|error| TermsError::Rule {
            what: "promise to pay",
            error,
        })
    }

    fn payment(&self, currency: Currency) -> Result<Payment, TermsError> {
        let amount = self.amount(PAYMENT_AMOUNT, currency)?;
        let method: PaymentMethod =
            serde_json::from_value(Value::String(self.text(PAYMENT_METHOD)?))
                .map_err(|e| invalid(PAYMENT_METHOD, e))?;
        let receipt = self.optional(PAYMENT_RECEIPT);
        Payment::new(amount, method, receipt.as_deref()).map_err(|error| TermsError::Rule {
            what: "payment",
            error,
        })
    }
}

fn invalid(question: &'static str, e: impl std::fmt::Display) -> TermsError {
    TermsError::Invalid {
        question,
        reason: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answers(v: Value) -> BTreeMap<String, Value> {
        serde_json::from_value(v).expect("an object")
    }

    fn cop() -> Currency {
        Currency::parse("COP").expect("a currency")
    }

    #[test]
    fn a_promise_is_read_from_its_amount_and_date() {
        let a = answers(json!({"promise_amount": "250000.50", "promise_date": "2026-12-05"}));

        let terms = Terms::from_answers(Outcome::PromiseToPay, &a, cop()).expect("a promise");

        let promise = terms.promise.expect("a promise");
        assert_eq!(promise.amount().minor_units(), 25_000_050);
        assert_eq!(promise.due().to_string(), "2026-12-05");
        assert_eq!(terms.payment, None);
    }

    #[test]
    fn a_payment_is_read_from_its_amount_method_and_receipt() {
        let a = answers(json!({
            "payment_amount": 1000, "payment_method": "cash", "payment_receipt": " R-1 "
        }));

        let payment = Terms::from_answers(Outcome::Paid, &a, cop())
            .expect("a payment")
            .payment
            .expect("a payment");

        assert_eq!(
            payment.amount().minor_units(),
            100_000,
            "a number reads as its text"
        );
        assert_eq!(payment.method(), PaymentMethod::Cash);
        assert_eq!(payment.receipt(), Some("R-1"));
    }

    #[test]
    fn an_outcome_that_commits_nobody_reads_nothing() {
        let a = answers(json!({"promise_amount": "oops"}));

        assert_eq!(
            Terms::from_answers(Outcome::Contacted, &a, cop()),
            Ok(Terms::default())
        );
    }

    #[test]
    fn a_missing_empty_or_unreadable_answer_is_named() {
        let missing = Terms::from_answers(Outcome::PromiseToPay, &answers(json!({})), cop());
        assert_eq!(
            missing,
            Err(TermsError::Missing {
                outcome: Outcome::PromiseToPay,
                question: PROMISE_AMOUNT
            })
        );
        let cleared = answers(json!({"payment_amount": null}));
        assert!(matches!(
            Terms::from_answers(Outcome::Paid, &cleared, cop()),
            Err(TermsError::Missing {
                question: PAYMENT_AMOUNT,
                ..
            })
        ));
        let bad = answers(json!({"promise_amount": "12", "promise_date": "05/12/2026"}));
        let err = Terms::from_answers(Outcome::PromiseToPay, &bad, cop()).expect_err("bad date");
        assert!(
            err.to_string().starts_with("answer promise_date: "),
            "{err}"
        );
        let zero = answers(json!({"promise_amount": "0", "promise_date": "2026-12-05"}));
        assert!(matches!(
            Terms::from_answers(Outcome::PromiseToPay, &zero, cop()),
            Err(TermsError::Rule {
                what: "promise to pay",
                ..
            })
        ));
    }
}
