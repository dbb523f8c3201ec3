//! The server's check of a visit completion: the submitted answers evaluated with the form
//! version the collector filled, under the same rules the app ran before letting it complete
//! (`terreno_shared::form::runtime`). Pure: the caller loads the form and decides what a
//! refusal does.
//!
//! Answers travel as JSON values; the runtime reads them as text by the shared rule the device
//! reads its stored answers with (`terreno_shared::form::runtime::answer_text`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::Value;
use terreno_shared::form::runtime::{Answers, Env, Issue};

use super::engines::CompiledForm;

/// Checks the answers of a completion made at `completed_at` in an organization of zone `tz`;
/// every missing required answer and failed constraint when it may not be accepted.
///
/// `uuid` stands in for `uuid()` (anything fixed: no check of a completion may depend on it).
pub fn check(
    form: &CompiledForm,
    answers: &BTreeMap<String, Value>,
    completed_at: DateTime<Utc>,
    tz: Tz,
    uuid: &str,
) -> Result<(), Vec<Issue>> {
    let env = Env {
        // `today()` is the organization's local date when the collector completed the visit,
        // as it was on the phone, not the date the event happens to reach the server.
        now: completed_at.with_timezone(&tz).fixed_offset(),
        uuid: uuid.to_owned(),
        language: form.language.clone(),
    };
    let evaluation = form.engine.evaluate(&Answers::from_json(answers), &env);
    if evaluation.is_complete() {
        return Ok(());
    }
    let mut issues = evaluation.missing_required;
    issues.extend(evaluation.failed_constraints);
    Err(issues)
}

/// The issues as one line: `path: message; path: message`.
pub fn issues_text(issues: &[Issue]) -> String {
    issues
        .iter()
        .map(|i| format!("{}: {}", i.path, i.message))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use terreno_shared::form::runtime::Engine;
    use terreno_shared::form::xlsform::{Sheet, parse_form};

    fn form() -> CompiledForm {
        let rows = [
            ["type", "name", "label", "required", "constraint"],
            ["decimal", "amount", "Amount", "yes", ". <= 100"],
            ["date", "due", "Due", "", ". >= today()"],
            ["image", "photo", "Photo", "yes", ""],
        ];
        let survey = Sheet::new(
            "survey",
            rows.iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        );
        let (form, _) = parse_form(&[survey]).expect("a form");
        CompiledForm {
            org: terreno_shared::ids::OrgId::from_uuid(uuid::Uuid::nil()),
            version: "1".into(),
            language: None,
            engine: Engine::new(&form).expect("compiles"),
        }
    }

    fn answers(v: Value) -> BTreeMap<String, Value> {
        serde_json::from_value(v).expect("an object")
    }

    #[test]
    fn json_values_read_as_submission_text() {
        let a = Answers::from_json(&answers(json!({
            "n": 12.5, "s": "x", "b": true, "many": ["a", "b"], "none": null,
            "photo": {"attachment_id": "0193a0b0-0000-7000-8000-000000000001", "bytes": 10},
            "odd": {"x": 1},
        })));

        assert_eq!(a.get("n"), Some("12.5"));
        assert_eq!(a.get("s"), Some("x"));
        assert_eq!(a.get("b"), Some("true"));
        assert_eq!(a.get("many"), Some("a b"));
        assert_eq!(
            a.get("none"),
            Some(""),
            "a cleared answer, as on the device"
        );
        assert_eq!(a.get("photo"), Some("0193a0b0-0000-7000-8000-000000000001"));
        assert_eq!(a.get("odd"), Some(r#"{"x":1}"#));
    }

    #[test]
    fn today_is_the_organizations_date_when_the_visit_was_completed() {
        // 03:00 UTC on the 7th is still the 6th in Bogotá: a due date of the 6th is today.
        let at: DateTime<Utc> = "2026-12-07T03:00:00Z".parse().expect("a time");
        let sent =
            answers(json!({"amount": 5, "due": "2026-12-06", "photo": {"attachment_id": "p"}}));

        assert_eq!(
            check(&form(), &sent, at, chrono_tz::America::Bogota, "u"),
            Ok(())
        );
        let issues = check(&form(), &sent, at, chrono_tz::UTC, "u").expect_err("past in UTC");
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].path, "due");
    }

    #[test]
    fn every_missing_answer_and_failed_constraint_is_listed() {
        let at: DateTime<Utc> = "2026-12-06T15:00:00Z".parse().expect("a time");
        let sent = answers(json!({"amount": 101}));

        let issues = check(&form(), &sent, at, chrono_tz::UTC, "u").expect_err("incomplete");

        let text = issues_text(&issues);
        assert!(text.starts_with("photo: "), "{text}");
        assert!(text.contains("; amount: "), "{text}");
    }
}
