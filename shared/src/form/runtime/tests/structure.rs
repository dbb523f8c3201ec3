//! Lists, repeats and submissions: cascading selects, repeat counts and aggregates, instance
//! scoping, and the cleaned answers `result` submits.

use super::*;

fn places() -> Engine {
    engine(
        &[
            &["type", "name", "label", "choice_filter"],
            &["select_one dept", "dept", "Department", ""],
            &["select_one city", "city", "City", "dept = ${dept}"],
            &[
                "select_multiple channel",
                "channels",
                "Channels",
                "not(${city} = 'rio') or name != 'visit'",
            ],
        ],
        &[
            &["list_name", "name", "label", "dept"],
            &["dept", "ant", "Antioquia", ""],
            &["dept", "cun", "Cundinamarca", ""],
            &["city", "med", "Medellín", "ant"],
            &["city", "rio", "Rionegro", "ant"],
            &["city", "bog", "Bogotá", "cun"],
            &["channel", "visit", "Visit", ""],
            &["channel", "call", "Call", ""],
        ],
    )
}

#[test]
fn cascading_selects_offer_the_choices_their_filter_leaves() {
    let engine = places();
    let choices = |pairs: &[(&str, &str)], path: &str| {
        engine.evaluate(&answers(pairs), &env()).choices[path].clone()
    };
    assert_eq!(choices(&[], "dept"), ["ant", "cun"]);
    assert_eq!(choices(&[], "city"), Vec::<String>::new());
    assert_eq!(choices(&[("dept", "ant")], "city"), ["med", "rio"]);
    assert_eq!(choices(&[("dept", "cun")], "city"), ["bog"]);
    assert_eq!(
        choices(&[("dept", "ant"), ("city", "med")], "channels"),
        ["visit", "call"]
    );
    assert_eq!(
        choices(&[("dept", "ant"), ("city", "rio")], "channels"),
        ["call"]
    );
}

/// Payments agreed: how many, then each with an amount; a total and a check on it.
fn payments() -> Engine {
    engine(
        &[
            &[
                "type",
                "name",
                "label",
                "repeat_count",
                "calculation",
                "required",
                "relevant",
                "constraint",
            ],
            &["integer", "n", "How many payments?", "", "", "", "", ""],
            &["decimal", "balance", "Balance", "", "", "", "", ""],
            &["begin repeat", "pay", "Payment", "${n}", "", "", "", ""],
            &["calculate", "number", "", "", "position(..)", "", "", ""],
            &[
                "decimal",
                "amount",
                "Amount",
                "",
                "",
                "yes",
                "",
                ". <= ${balance}",
            ],
            &["date", "due", "Due", "", "", "", "${amount} > 100", ""],
            &["end repeat", "", "", "", "", "", "", ""],
            &["calculate", "total", "", "", "sum(${amount})", "", "", ""],
            &["calculate", "first", "", "", "${amount}", "", "", ""],
            &[
                "note",
                "short",
                "Short of the balance",
                "",
                "",
                "",
                "${total} < ${balance}",
                "",
            ],
        ],
        &[],
    )
}

#[test]
fn a_repeat_count_sets_the_instances_and_aggregates_read_them_all() {
    let engine = payments();
    let given = [
        ("n", "3"),
        ("balance", "500"),
        ("pay[1]/amount", "50"),
        ("pay[2]/amount", "150"),
    ];
    let e = engine.evaluate(&answers(&given), &env());
    assert_eq!(e.repeat_counts["pay"], 3);
    assert_eq!(paths(&e.missing_required), ["pay[3]/amount"]);
    assert_eq!(e.calculated["pay[3]/number"], "3");
    assert_eq!(
        e.calculated["total"], "NaN",
        "an empty amount sums to NaN, as in ODK"
    );
    assert_eq!(
        e.calculated["first"], "50",
        "outside the repeat: the first instance"
    );
    assert_eq!(
        [relevant(&e, "pay[1]/due"), relevant(&e, "pay[2]/due")],
        [false, true]
    );
    let mut all = answers(&given);
    all.set("pay[3]/amount", "200");
    let e = engine.evaluate(&all, &env());
    assert_eq!(e.calculated["total"], "400");
    assert!(relevant(&e, "short"));
    all.set("n", "2");
    let e = engine.evaluate(&all, &env());
    assert_eq!(e.repeat_counts["pay"], 2);
    assert_eq!(e.calculated["total"], "200");
    assert!(!e.relevant.contains_key("pay[3]/amount"));
    let cleaned = engine.result(&all, &env()).expect("complete");
    assert_eq!(
        cleaned.get("pay[3]/amount"),
        None,
        "beyond the count: not submitted"
    );
    assert_eq!(cleaned.instances("pay"), Some(2));
}

#[test]
fn repeats_without_a_count_have_the_instances_the_answers_imply_and_read_their_own() {
    let engine = engine(
        &[
            &["type", "name", "label", "calculation", "relevant"],
            &["integer", "head_age", "Head's age", "", ""],
            &["begin group", "home", "Home", "", ""],
            &["begin repeat", "member", "Member", "", ""],
            &["integer", "age", "Age", "", ""],
            &["calculate", "adult", "", "${age} >= 18", ""],
            &["calculate", "older", "", "${age} > ${head_age}", ""],
            &["text", "school", "School", "", "${adult} = 'false'"],
            &["end repeat", "", "", "", ""],
            &["end group", "", "", "", ""],
            &[
                "calculate",
                "adults",
                "",
                "count-non-empty(${school}) + count(${member})",
                "",
            ],
        ],
        &[],
    );
    let mut given = answers(&[
        ("head_age", "40"),
        ("home/member[1]/age", "12"),
        ("home/member[2]/age", "45"),
    ]);
    let e = engine.evaluate(&given, &env());
    assert_eq!(e.repeat_counts["home/member"], 2);
    assert_eq!(e.calculated["home/member[1]/adult"], "false");
    assert_eq!(e.calculated["home/member[2]/adult"], "true");
    assert_eq!(e.calculated["home/member[2]/older"], "true");
    assert!(relevant(&e, "home/member[1]/school") && !relevant(&e, "home/member[2]/school"));
    given.set_instances("home/member", 3);
    let e = engine.evaluate(&given, &env());
    assert_eq!(e.repeat_counts["home/member"], 3);
    assert_eq!(e.calculated["adults"], "3");
}

#[test]
// Long: a scenario test read top to bottom: one form, answered step by step.
fn result_submits_only_relevant_answers_and_refuses_with_every_issue() {
    let engine = engine(
        &[
            &[
                "type",
                "name",
                "label",
                "relevant",
                "required",
                "constraint",
                "calculation",
            ],
            &[
                "select_one yn",
                "contacted",
                "Contacted?",
                "",
                "yes",
                "",
                "",
            ],
            &[
                "text",
                "phone",
                "Phone",
                "${contacted} = 'yes'",
                "",
                "string-length(.) = 10",
                "",
            ],
            &[
                "begin group",
                "refusal",
                "Refusal",
                "${contacted} = 'no'",
                "",
                "",
                "",
            ],
            &["text", "reason", "Reason", "", "yes", "", ""],
            &["end group", "", "", "", "", "", ""],
            &[
                "calculate",
                "summary",
                "",
                "",
                "",
                "",
                "concat(${contacted}, ':', ${reason})",
            ],
        ],
        YES_NO,
    );
    let stale = [
        ("contacted", "yes"),
        ("phone", "3001234567"),
        ("refusal/reason", "busy"),
    ];
    let cleaned = engine.result(&answers(&stale), &env()).expect("complete");
    let submitted: Vec<(&str, &str)> = cleaned.iter().collect();
    assert_eq!(
        submitted,
        [
            ("contacted", "yes"),
            ("phone", "3001234567"),
            ("summary", "yes:")
        ]
    );
    let issues = engine
        .result(&answers(&[("contacted", "yes"), ("phone", "123")]), &env())
        .expect_err("bad phone");
    assert_eq!(paths(&issues), ["phone"]);
    let issues = engine
        .result(&answers(&[("contacted", "no"), ("phone", "123")]), &env())
        .expect_err("no reason");
    assert_eq!(paths(&issues), ["refusal/reason"]);
    let issues = engine
        .result(&Answers::new(), &env())
        .expect_err("nothing answered");
    assert_eq!(paths(&issues), ["contacted"]);
}

#[test]
fn a_relevance_or_calculation_reading_its_own_answer_reads_it_as_empty() {
    // Found by `generated`: with `.` read as the answer, "3" hid `q` and was cleaned away, and
    // without it `q` was asked again and required, so the cleaned answers were refused; and
    // `. + 1` grew by one each time its result was submitted again.
    let engine = engine(
        &[
            &[
                "type",
                "name",
                "label",
                "relevant",
                "required",
                "calculation",
            ],
            &["integer", "q", "Q", "not(. > 2)", "yes", ""],
            &["calculate", "c", "", "", "", "coalesce(., 0) + 1"],
        ],
        &[],
    );
    let given = answers(&[("q", "3"), ("c", "7")]);

    let evaluation = engine.evaluate(&given, &env());
    let cleaned = engine
        .result(&given, &env())
        .expect("q is relevant and answered");

    assert!(relevant(&evaluation, "q"));
    assert_eq!(evaluation.calculated["c"], "1");
    assert_eq!(cleaned.get("q"), Some("3"));
    assert_eq!(engine.result(&cleaned, &env()), Ok(cleaned.clone()));
}
