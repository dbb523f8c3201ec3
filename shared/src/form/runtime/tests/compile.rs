//! Compiling forms (refusals found only with the whole dependency graph) and incremental updates.

use super::*;
use crate::form::xlsform::Problem;

fn refused(survey: &[&[&str]], choices: &[&[&str]]) -> Vec<Problem> {
    let mut sheets = vec![sheet("survey", survey)];
    if !choices.is_empty() {
        sheets.push(sheet("choices", choices));
    }
    let (form, _) = parse_form(&sheets).unwrap_or_else(|p| panic!("form refused: {p:#?}"));
    match Engine::new(&form) {
        Ok(_) => panic!("the engine accepted the form"),
        Err(problems) => problems,
    }
}

#[test]
fn relevance_cycles_are_refused_with_the_cycle_named() {
    let problems = refused(
        &[
            &["type", "name", "label", "relevant"],
            &["text", "a", "A", "${b} != ''"],
            &["text", "b", "B", "${a} != ''"],
            &["text", "c", "C", "${c} != ''"],
        ],
        &[],
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].row, Some(2));
    assert!(
        problems[0].message.ends_with("a -> b -> a"),
        "{}",
        problems[0].message
    );
}

#[test]
// Long: one form, read first in full for each kind of opening, then through updates.
fn a_group_relevant_on_its_own_question_reads_it_as_if_the_group_were_shown() {
    // CHT's shape: the `inputs` group is shown only when the form is opened by a person, which
    // its own `source` question says; the app fills it in otherwise.
    let engine = engine(
        &[
            &[
                "type",
                "name",
                "label",
                "relevant",
                "default",
                "calculation",
            ],
            &[
                "begin group",
                "inputs",
                "Inputs",
                "./source = 'user'",
                "",
                "",
            ],
            &["hidden", "source", "", "", "user", ""],
            &[
                "begin group",
                "contact",
                "Contact",
                "${kind} != 'none'",
                "",
                "",
            ],
            &["text", "name", "Name", "", "", ""],
            &["end group", "", "", "", "", ""],
            &["end group", "", "", "", "", ""],
            &["text", "kind", "Kind", "", "", ""],
            &["calculate", "who", "", "", "", "${name}"],
        ],
        &[],
    );
    let by_person = answers(&[("inputs/contact/name", "Ana")]);
    let shown = engine.evaluate(&by_person, &env());
    assert!(relevant(&shown, "inputs"));
    assert!(relevant(&shown, "inputs/contact/name"));
    assert_eq!(shown.calculated["who"], "Ana");

    let by_app = answers(&[("inputs/source", "task"), ("inputs/contact/name", "Ana")]);
    let hidden = engine.evaluate(&by_app, &env());
    assert!(!relevant(&hidden, "inputs"));
    assert!(!relevant(&hidden, "inputs/source"));
    assert_eq!(hidden.calculated["who"], "");

    let mut given = by_person.clone();
    let mut evaluation = shown;
    for (path, text) in [
        ("inputs/source", "task"),
        ("kind", "none"),
        ("inputs/source", "user"),
        ("kind", "x"),
    ] {
        given.set(path, text);
        evaluation = engine.update(&evaluation, &given, path, &env());
        assert_eq!(evaluation, engine.evaluate(&given, &env()), "after {path}");
    }
}

#[test]
fn a_group_relevant_on_a_question_computed_from_inside_it_is_a_cycle() {
    let problems = refused(
        &[
            &["type", "name", "label", "relevant", "calculation"],
            &["begin group", "g", "G", "${flag} = 'x'", ""],
            &["text", "inside", "Inside", "", ""],
            &["calculate", "flag", "", "", "${inside}"],
            &["end group", "", "", "", ""],
        ],
        &[],
    );
    assert!(problems[0].message.contains("cycle"), "{problems:?}");
}

#[test]
fn a_choice_filter_that_does_not_parse_is_refused_at_its_cell() {
    let problems = refused(
        &[
            &["type", "name", "label", "choice_filter"],
            &["select_one yn", "q", "Q", "name = = 'yes'"],
        ],
        YES_NO,
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].column.as_deref(), Some("choice_filter"));
    assert!(
        problems[0].message.contains("at character 7"),
        "{}",
        problems[0].message
    );
}

#[test]
fn paths_are_dependencies_like_references() {
    let engine = engine(
        &[
            &["type", "name", "label", "calculation", "relevant"],
            &["begin group", "debt", "Debt", "", ""],
            &["decimal", "balance", "Balance", "", ""],
            &["end group", "", "", "", ""],
            &["calculate", "half", "", "/data/debt/balance div 2", ""],
            &["text", "why", "Why?", "", "../half > 100"],
        ],
        &[],
    );
    let before = engine.evaluate(&Answers::new(), &env());
    let given = answers(&[("debt/balance", "500")]);
    let after = engine.update(&before, &given, "debt/balance", &env());
    assert_eq!(after.calculated["half"], "250");
    assert!(relevant(&after, "why"));
    assert_eq!(after, engine.evaluate(&given, &env()));
}

#[test]
fn updates_equal_full_evaluations_through_repeats_and_instance_changes() {
    let engine = engine(
        &[
            &[
                "type",
                "name",
                "label",
                "calculation",
                "relevant",
                "constraint",
            ],
            &["decimal", "limit", "Limit", "", "", ""],
            &["begin repeat", "pay", "Payment", "", "", ""],
            &["decimal", "amount", "Amount", "", "", ". <= ${limit}"],
            &[
                "calculate",
                "share",
                "",
                "${amount} div sum(${amount})",
                "",
                "",
            ],
            &["end repeat", "", "", "", "", ""],
            &["calculate", "total", "", "sum(${amount})", "", ""],
            &["text", "note", "Note", "", "${total} > ${limit}", ""],
        ],
        &[],
    );
    let steps: &[(&str, Option<&str>)] = &[
        ("limit", Some("100")),
        ("pay[1]/amount", Some("60")),
        ("pay[2]/amount", Some("70")),
        ("pay[4]/amount", Some("150")),
        ("pay[2]/amount", None),
        ("limit", Some("1000")),
        ("unknown/path", Some("x")),
    ];
    let mut given = Answers::new();
    let mut evaluation = engine.evaluate(&given, &env());
    for (path, text) in steps {
        match text {
            Some(text) => given.set(*path, *text),
            None => drop(given.remove(path)),
        }
        evaluation = engine.update(&evaluation, &given, path, &env());
        assert_eq!(evaluation, engine.evaluate(&given, &env()), "after {path}");
    }
    given.set_instances("pay", 6);
    evaluation = engine.update(&evaluation, &given, "pay", &env());
    assert_eq!(evaluation, engine.evaluate(&given, &env()));
    assert_eq!(evaluation.repeat_counts["pay"], 6);
    let later = Env {
        now: env().now + chrono::TimeDelta::days(1),
        ..env()
    };
    assert_eq!(
        engine.update(&evaluation, &given, "limit", &later),
        engine.evaluate(&given, &later)
    );
}
