//! The built-in debt-collection questionnaire, used until forms come from the server: each
//! question's name, type and choices, and the parsing of a typed answer (`FIELD=VALUE` on the
//! command line, a widget in the app) into the JSON value its `field_set` event carries.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::{Error, Result};

/// A question's type.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(tag = "type", content = "choices", rename_all = "snake_case")]
pub enum Kind {
    /// One of the choices.
    SelectOne(&'static [&'static str]),
    /// Free text up to 1,000 characters.
    Text,
    /// A positive decimal amount in the account's currency (`150000.50`).
    Amount,
    /// A calendar date (`2026-12-05`).
    Date,
    /// A photo file, attached to the visit.
    Photo,
}

/// One question.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Question {
    /// Answer name (the field of the visit).
    pub name: &'static str,
    /// What the collector sees.
    pub label: &'static str,
    /// Its type.
    #[serde(flatten)]
    pub kind: Kind,
}

/// The questions, in the order the app shows them.
pub const QUESTIONS: &[Question] = &[
    Question {
        name: "contact_result",
        label: "Contact result",
        kind: Kind::SelectOne(&[
            "debtor",
            "third_party",
            "nobody_home",
            "wrong_address",
            "refused",
        ]),
    },
    Question {
        name: "person_contacted",
        label: "Person contacted",
        kind: Kind::Text,
    },
    Question {
        name: "promise_amount",
        label: "Promise to pay: amount",
        kind: Kind::Amount,
    },
    Question {
        name: "promise_date",
        label: "Promise to pay: date",
        kind: Kind::Date,
    },
    Question {
        name: "payment_amount",
        label: "Payment received: amount",
        kind: Kind::Amount,
    },
    Question {
        name: "payment_method",
        label: "Payment received: method",
        kind: Kind::SelectOne(&["cash", "transfer", "card", "cheque", "other"]),
    },
    Question {
        name: "payment_receipt",
        label: "Payment received: receipt number",
        kind: Kind::Text,
    },
    Question {
        name: "non_payment_reason",
        label: "Reason for non-payment",
        kind: Kind::SelectOne(&[
            "unemployed",
            "illness",
            "disputes_debt",
            "forgot",
            "no_funds",
            "other",
        ]),
    },
    Question {
        name: "comment",
        label: "Comment",
        kind: Kind::Text,
    },
    Question {
        name: "photo",
        label: "Photo of the façade or receipt",
        kind: Kind::Photo,
    },
];

/// The question called `name`.
pub fn question(name: &str) -> Result<&'static Question> {
    QUESTIONS.iter().find(|q| q.name == name).ok_or_else(|| {
        let names: Vec<&str> = QUESTIONS.iter().map(|q| q.name).collect();
        Error::Invalid(format!(
            "{name:?} is not a question of the visit form (one of {})",
            names.join(", ")
        ))
    })
}

/// Parses the text answer to a question; an empty text clears it (`null`). Photos are handled
/// by the caller (the file is read and attached) and never reach here.
pub fn parse(q: &Question, text: &str) -> Result<Value> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Value::Null);
    }
    let bad = |why: String| Error::Invalid(format!("answer {}: {why}", q.name));
    match q.kind {
        Kind::SelectOne(choices) => {
            if choices.contains(&text) {
                Ok(json!(text))
            } else {
                Err(bad(format!(
                    "{text:?} is not one of {}",
                    choices.join(", ")
                )))
            }
        }
        Kind::Text => {
            if text.chars().count() > 1_000 || text.chars().any(|c| c.is_control() && c != '\n') {
                Err(bad("must be at most 1,000 printable characters".into()))
            } else {
                Ok(json!(text))
            }
        }
        Kind::Amount => {
            let ok = text.split_once('.').map_or(text, |(i, f)| {
                if f.chars().all(|c| c.is_ascii_digit()) {
                    i
                } else {
                    "x"
                }
            });
            let positive = text.parse::<f64>().is_ok_and(|v| v > 0.0 && v.is_finite());
            if ok.chars().all(|c| c.is_ascii_digit()) && !ok.is_empty() && positive {
                Ok(json!(text))
            } else {
                Err(bad(format!(
                    "{text:?} is not a positive amount like 150000.50"
                )))
            }
        }
        Kind::Date => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(|d| json!(d.to_string()))
            .map_err(|_| bad(format!("{text:?} is not a date like 2026-12-05"))),
        Kind::Photo => Err(bad("a photo is a file path, attached by the caller".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse_by_type_and_bad_ones_name_the_question() {
        let q = |n| question(n).unwrap();
        assert_eq!(
            parse(q("contact_result"), "debtor").unwrap(),
            json!("debtor")
        );
        assert_eq!(
            parse(q("promise_amount"), "150000.50").unwrap(),
            json!("150000.50")
        );
        assert_eq!(
            parse(q("promise_date"), "2026-12-05").unwrap(),
            json!("2026-12-05")
        );
        assert_eq!(parse(q("comment"), "  ").unwrap(), Value::Null);
        for (name, text) in [
            ("contact_result", "maybe"),
            ("promise_amount", "-4"),
            ("promise_amount", "doce mil"),
            ("promise_date", "05/12/2026"),
        ] {
            let err = parse(q(name), text).unwrap_err().to_string();
            assert!(err.contains(name), "{err}");
        }
        assert!(
            question("colour")
                .unwrap_err()
                .to_string()
                .contains("contact_result")
        );
    }
}
