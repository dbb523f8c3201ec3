//! A collector at a door: skip logic, required answers, constraints, defaults and labels.

use super::*;

/// Contacted? If not, why (and, for "other", what); if so, a promise.
fn visit() -> Engine {
    engine(
        &[
            &["type", "name", "label", "relevant"],
            &["select_one yn", "contacted", "Contacted?", ""],
            &[
                "select_one reason",
                "why_not",
                "Why not?",
                "${contacted} = 'no'",
            ],
            &[
                "text",
                "other",
                "Other reason",
                "selected(${why_not}, 'other')",
            ],
            &[
                "select_one yn",
                "promise",
                "Promise?",
                "${contacted} = 'yes'",
            ],
        ],
        &[
            &["list_name", "name", "label"],
            &["yn", "yes", "Yes"],
            &["yn", "no", "No"],
            &["reason", "absent", "Absent"],
            &["reason", "other", "Other"],
        ],
    )
}

#[test]
fn skip_logic_follows_a_chain_of_answers() {
    let engine = visit();
    let shown = |pairs: &[(&str, &str)]| {
        let e = engine.evaluate(&answers(pairs), &env());
        ["contacted", "why_not", "other", "promise"].map(|p| relevant(&e, p))
    };
    assert_eq!(shown(&[]), [true, false, false, false]);
    assert_eq!(shown(&[("contacted", "no")]), [true, true, false, false]);
    let other = [("contacted", "no"), ("why_not", "other")];
    assert_eq!(shown(&other), [true, true, true, false]);
    // A non-relevant answer reads as empty: "other" hides although why_not still holds it.
    let changed_mind = [("contacted", "yes"), ("why_not", "other")];
    assert_eq!(shown(&changed_mind), [true, false, false, true]);
}

#[test]
// Long: a scenario test read top to bottom: one form, answered step by step.
fn required_applies_to_relevant_answerable_questions_with_their_message() {
    let engine = engine(
        &[
            &[
                "type",
                "name",
                "label",
                "required",
                "required_message",
                "required_message::Español (es)",
                "relevant",
                "read_only",
                "calculation",
            ],
            &[
                "text",
                "name",
                "Name",
                "yes",
                "the debtor's name",
                "el nombre",
                "",
                "",
                "",
            ],
            &["integer", "age", "Age", "true()", "", "", "", "", ""],
            &[
                "text",
                "skipped",
                "Skipped",
                "yes",
                "",
                "",
                "${age} > 100",
                "",
                "",
            ],
            &["note", "intro", "Hello", "yes", "", "", "", "", ""],
            &["text", "fixed", "Fixed", "yes", "", "", "", "yes", ""],
            &["calculate", "c", "", "yes", "", "", "", "", "''"],
            &[
                "text",
                "when_old",
                "If old",
                "${age} >= 65",
                "",
                "",
                "",
                "",
                "",
            ],
        ],
        &[],
    );
    let e = engine.evaluate(&Answers::new(), &env());
    assert_eq!(paths(&e.missing_required), ["name", "age"]);
    assert_eq!(e.missing_required[0].message, "the debtor's name");
    assert_eq!(e.missing_required[1].message, DEFAULT_REQUIRED_MESSAGE);
    let spanish = Env {
        language: Some("Español (es)".into()),
        ..env()
    };
    let e = engine.evaluate(&answers(&[("age", "70")]), &spanish);
    assert_eq!(paths(&e.missing_required), ["name", "when_old"]);
    assert_eq!(e.missing_required[0].message, "el nombre");
    let e = engine.evaluate(&answers(&[("age", "101"), ("name", "Ana")]), &env());
    assert_eq!(paths(&e.missing_required), ["skipped", "when_old"]);
}

/// A promise to pay: no more than the balance (a calculation, or a default the collector may
/// change), on a date within 30 days.
fn promise() -> Engine {
    engine(
        &[
            &[
                "type",
                "name",
                "label",
                "calculation",
                "default",
                "constraint",
                "constraint_message",
            ],
            &["calculate", "balance", "", "1000 + 500", "", "", ""],
            &[
                "decimal",
                "amount",
                "Amount",
                "",
                "",
                ". > 0 and . <= ${balance}",
                "at most ${balance}",
            ],
            &[
                "date",
                "pay_on",
                "Date",
                "",
                "",
                ". >= today() and . <= today() + 30",
                "within 30 days",
            ],
            &["decimal", "fee", "Fee", "", "20", ". < ${amount}", ""],
        ],
        &[],
    )
}

#[test]
fn constraints_refuse_answers_with_their_message_and_skip_empty_ones() {
    let engine = promise();
    let failed = |pairs: &[(&str, &str)]| {
        let e = engine.evaluate(&answers(pairs), &env());
        e.failed_constraints
            .iter()
            .map(|i| format!("{}: {}", i.path, i.message))
            .collect::<Vec<_>>()
    };
    assert_eq!(failed(&[("fee", "")]), Vec::<String>::new());
    assert_eq!(
        failed(&[("amount", "1500"), ("pay_on", "2024-04-14")]),
        Vec::<String>::new()
    );
    assert_eq!(
        failed(&[("amount", "1500.01"), ("pay_on", "2024-04-15"), ("fee", "")]),
        ["amount: at most 1500", "pay_on: within 30 days"]
    );
    assert_eq!(
        failed(&[("amount", "0"), ("pay_on", "2024-03-14"), ("fee", "")]),
        ["amount: at most 1500", "pay_on: within 30 days"]
    );
    // The default fee is a value like an answer: checked against the amount.
    assert_eq!(
        failed(&[("amount", "10")]),
        [format!("fee: {DEFAULT_CONSTRAINT_MESSAGE}")]
    );
}

#[test]
fn defaults_stand_in_for_absent_answers_and_a_cleared_answer_stays_cleared() {
    let engine = engine(
        &[
            &["type", "name", "label", "default"],
            &["integer", "visits", "Visits", "1"],
            &["text", "debtor", "Debtor", ""],
            &["text", "addressee", "Addressee", "${debtor}"],
        ],
        &[],
    );
    let e = engine.evaluate(&answers(&[("debtor", "Ana")]), &env());
    assert_eq!(e.calculated.get("visits").map(String::as_str), Some("1"));
    assert_eq!(
        e.calculated.get("addressee").map(String::as_str),
        Some("Ana")
    );
    let e = engine.evaluate(&answers(&[("visits", ""), ("addressee", "Caio")]), &env());
    assert!(e.calculated.is_empty(), "{:?}", e.calculated);
    let cleaned = engine
        .result(&answers(&[("debtor", "Ana")]), &env())
        .expect("complete");
    assert_eq!(cleaned.get("visits"), Some("1"));
    assert_eq!(cleaned.get("addressee"), Some("Ana"));
}

#[test]
fn choice_names_read_labels_in_the_language_and_calculations_see_now_and_uuid() {
    let engine = engine(
        &[
            &["type", "name", "label::English (en)", "calculation"],
            &["select_one yn", "agree", "Agree?", ""],
            &[
                "calculate",
                "said",
                "",
                "jr:choice-name(${agree}, '${agree}')",
            ],
            &["calculate", "id", "", "uuid()"],
            &["calculate", "day", "", "format-date(today(), '%Y-%m-%d')"],
        ],
        &[
            &[
                "list_name",
                "name",
                "label::English (en)",
                "label::Español (es)",
            ],
            &["yn", "yes", "Yes", "Sí"],
            &["yn", "no", "No", "No"],
        ],
    );
    let spanish = Env {
        language: Some("Español (es)".into()),
        ..env()
    };
    let e = engine.evaluate(&answers(&[("agree", "yes")]), &spanish);
    assert_eq!(e.calculated["said"], "Sí");
    assert_eq!(e.calculated["id"], env().uuid);
    assert_eq!(e.calculated["day"], "2024-03-15");
    let english = Env {
        language: Some("English (en)".into()),
        ..env()
    };
    assert_eq!(
        engine
            .evaluate(&answers(&[("agree", "yes")]), &english)
            .calculated["said"],
        "Yes"
    );
}

#[test]
fn expression_errors_are_reported_with_path_and_column_and_do_not_block() {
    let engine = engine(
        &[
            &["type", "name", "label", "constraint", "relevant"],
            &["text", "pattern", "Pattern", "", ""],
            &[
                "text",
                "code",
                "Code",
                "regex(., ${pattern})",
                "regex('x', ${pattern})",
            ],
        ],
        &[],
    );
    let e = engine.evaluate(&answers(&[("pattern", "(unclosed"), ("code", "x")]), &env());
    let columns: Vec<(&str, &str)> = e
        .errors
        .iter()
        .map(|i| (i.path.as_str(), i.column))
        .collect();
    assert_eq!(columns, [("code", "relevant"), ("code", "constraint")]);
    assert!(relevant(&e, "code"));
    assert!(e.is_complete());
}
