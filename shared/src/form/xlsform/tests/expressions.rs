//! References and expressions: unknown, ambiguous and malformed references in every column
//! that may hold them, expressions that do not parse, and calculation cycles.

use super::*;

const HEADER: &[&str] = &[
    "type",
    "name",
    "label",
    "relevant",
    "constraint",
    "calculation",
    "required",
    "default",
    "choice_filter",
    "repeat_count",
    "hint::en",
];

/// A row under [`HEADER`] with one cell set.
fn row_with(column: &str, value: &'static str) -> Vec<&'static str> {
    let mut row = vec!["text", "q", "Q", "", "", "", "", "", "", "", ""];
    let at = HEADER
        .iter()
        .position(|h| *h == column)
        .expect("a column of HEADER");
    row[at] = value;
    if column == "calculation" {
        row[0] = "calculate";
    }
    if column == "choice_filter" {
        row[0] = "select_one yn";
    }
    if column == "repeat_count" {
        row[0] = "begin repeat";
    }
    row
}

fn refused_at(column: &'static str, value: &'static str, text: &str) {
    let row = row_with(column, value);
    let mut rows: Vec<&[&str]> = vec![
        HEADER,
        &["integer", "age", "Age", "", "", "", "", "", "", "", ""],
        &row,
    ];
    let end = ["end repeat", "", "", "", "", "", "", "", "", "", ""];
    if column == "repeat_count" {
        rows.push(&end);
    }
    let problems = refuse(&[survey(&rows), yes_no_choices()]);
    assert_problem(&problems, "survey", Some(3), Some(column), text);
}

#[test]
fn unknown_references_are_reported_in_every_column() {
    for column in [
        "label",
        "relevant",
        "constraint",
        "calculation",
        "required",
        "default",
        "choice_filter",
        "repeat_count",
        "hint::en",
    ] {
        refused_at(column, "${agee} > 1", "'agee' was not found");
    }
}

#[test]
fn malformed_references_are_reported_in_every_column() {
    for column in [
        "label",
        "relevant",
        "constraint",
        "calculation",
        "hint::en",
        "choice_filter",
    ] {
        refused_at(
            column,
            "${age -> ${age}",
            "reference variables must start with '${', then a question name, and end with '}'",
        );
    }
}

#[test]
fn expressions_that_do_not_parse_are_reported_with_the_position() {
    refused_at("relevant", "${age} >", "does not parse at character");
    refused_at("constraint", ". >= 18 and", "does not parse");
    refused_at(
        "calculation",
        "because pyxform doesn't know what to do",
        "does not parse",
    );
    refused_at("required", "${age} > > 3", "does not parse");
}

#[test]
// Long: a table of valid expressions, one per line.
fn valid_references_and_expressions_pass() {
    accept(&[
        survey(&[
            HEADER,
            &[
                "integer",
                "age",
                "Age ${age}",
                ". >= 0",
                ". < 130",
                "",
                "",
                "",
                "",
                "",
                "${age} years",
            ],
            &[
                "calculate",
                "double",
                "",
                "",
                "",
                "${age} * 2",
                "",
                "",
                "",
                "",
                "",
            ],
            &[
                "select_one yn",
                "adult",
                "Adult?",
                "${age} >= 18",
                "",
                "",
                "${double} > 10",
                "",
                "name != ${double}",
                "",
                "",
            ],
            &[
                "begin repeat",
                "kids",
                "Kids",
                "",
                "",
                "",
                "",
                "",
                "",
                "${age} div 10",
                "",
            ],
            &["text", "kid", "Kid", "", "", "", "", "${age}", "", "", ""],
            &["end repeat", "", "", "", "", "", "", "", "", "", ""],
        ]),
        yes_no_choices(),
    ]);
}

#[test]
fn a_reference_to_a_name_used_twice_is_ambiguous() {
    let problems = refuse(&[survey(&[
        &["type", "name", "label", "relevant"],
        &["begin group", "a", "A", ""],
        &["text", "x", "X", ""],
        &["end group", "", "", ""],
        &["begin group", "b", "B", ""],
        &["text", "x", "X", ""],
        &["end group", "", "", ""],
        &["text", "y", "Y", "${x} = 'yes'"],
    ])]);
    assert_problem(
        &problems,
        "survey",
        Some(8),
        Some("relevant"),
        "occurs more than once in the survey sheet (rows 3, 6)",
    );
}

#[test]
fn references_in_choice_labels_and_instance_name_are_checked() {
    let problems = refuse(&[
        survey(&[
            &["type", "name", "label"],
            &["text", "who", "Who?"],
            &["select_one yn", "ok", "OK?"],
        ]),
        sheet(
            "choices",
            &[
                &["list_name", "name", "label::es"],
                &["yn", "y", "Sí, ${whom}"],
                &["yn", "n", "No, ${who}"],
            ],
        ),
        sheet(
            "settings",
            &[
                &["form_id", "instance_name"],
                &["f", "concat(${who}, ${whose})"],
            ],
        ),
    ]);
    assert_problem(
        &problems,
        "choices",
        Some(2),
        Some("label::es"),
        "'whom' was not found",
    );
    assert_problem(
        &problems,
        "settings",
        Some(2),
        Some("instance_name"),
        "'whose' was not found",
    );
    assert_eq!(problems.len(), 2, "{}", render(&problems));
}

#[test]
fn calculations_that_depend_on_each_other_are_a_cycle() {
    let problems = refuse(&[survey(&[
        &["type", "name", "label", "calculation"],
        &["calculate", "a", "", "${b} + 1"],
        &["calculate", "b", "", "${c} + 1"],
        &["calculate", "c", "", "${a} + 1"],
        &["calculate", "d", "", "${d} + 1"],
        &["calculate", "e", "", "${a} + 1"],
    ])]);
    assert_problem(
        &problems,
        "survey",
        Some(2),
        Some("calculation"),
        "a cycle: a -> b -> c -> a",
    );
    assert_problem(
        &problems,
        "survey",
        Some(5),
        Some("calculation"),
        "a cycle: d -> d",
    );
    assert_eq!(problems.len(), 2, "each cycle once:\n{}", render(&problems));
}

#[test]
fn a_chain_of_calculations_is_not_a_cycle() {
    accept(&[survey(&[
        &["type", "name", "label", "calculation"],
        &["calculate", "a", "", "1"],
        &["calculate", "b", "", "${a} + ${a}"],
        &["calculate", "c", "", "${a} + ${b}"],
    ])]);
}

#[test]
fn typographic_quotes_delimit_strings_with_a_warning() {
    let (_, warnings) = accept(&[survey(&[
        &["type", "name", "label", "relevant", "calculation"],
        &["text", "a", "A", "", ""],
        &["text", "b", "B", "${a} = ‘yes’", ""],
        &["text", "c", "C", "${a} = \"it’s\"", ""],
        &[
            "calculate",
            "d",
            "",
            "",
            "instance('l’)/root/item[name=${a}]/label",
        ],
        &["text", "e", "E", "${a}=’no' or ${a} != ”\"", ""],
    ])]);

    let quoted: Vec<Option<u32>> = warnings
        .iter()
        .filter(|w| w.message.contains("typographic quotes"))
        .map(|w| w.row)
        .collect();
    assert_eq!(quoted, [Some(3), Some(5), Some(6)], "{warnings:?}");
}

#[test]
fn an_apostrophe_closing_a_plain_string_is_refused_with_a_hint() {
    refused_at(
        "relevant",
        "${q} = 'it’s'",
        "an apostrophe inside a string needs the other quotes",
    );
}

#[test]
fn bare_names_are_accepted_with_a_warning() {
    let (_, warnings) = accept(&[survey(&[
        &["type", "name", "label", "relevant", "calculation"],
        &["text", "a", "A", "FALSE", ""],
        &["calculate", "b", "", "", "if(${a} = yes, 1, 0)"],
        &["text", "c", "C", "${a} = 'yes'", ""],
    ])]);
    let bare: Vec<(Option<u32>, Option<&str>)> = warnings
        .iter()
        .filter(|w| w.message.contains("bare name"))
        .map(|w| (w.row, w.column.as_deref()))
        .collect();
    assert_eq!(
        bare,
        [(Some(2), Some("relevant")), (Some(3), Some("calculation"))],
        "{warnings:?}"
    );
    let first = warnings
        .iter()
        .find(|w| w.message.contains("bare name"))
        .expect("a bare-name warning");
    assert!(first.message.contains("'FALSE'") && first.message.contains("false()"));
}

#[test]
fn last_saved_references_must_name_a_question_but_are_no_dependency() {
    accept(&[survey(&[
        &["type", "name", "label", "default", "calculation"],
        &["integer", "width", "W", "${last-saved#width}", ""],
        &["calculate", "c", "", "", "coalesce(${last-saved#c}, 0) + 1"],
    ])]);
    refused_at(
        "calculation",
        "${last-saved#nope}",
        "the reference ${nope} names no question",
    );
}

#[test]
fn an_unknown_function_is_kept_with_a_warning_only_in_a_constraint() {
    let (_, warnings) = accept(&[survey(&[
        &["type", "name", "label", "constraint"],
        &["text", "a", "A", "wq:length(5)"],
    ])]);
    assert!(
        warnings
            .iter()
            .any(|w| w.row == Some(2) && w.message.contains("unknown function 'wq:length'")),
        "{warnings:?}"
    );
    refused_at("calculation", "concatx('a')", "unknown function 'concatx'");
}
