//! The bad inputs of `shared/fixtures/MANIFEST.md` section 1c, rebuilt inline in their shape
//! (this crate reads no spreadsheets): each must be refused at the same sheet and row as
//! pyxform 4.5 refuses the real file, or, where Terreno's verdict differs, as the manifest says.

use super::*;

#[test]
fn calculate_without_calculation_is_refused_at_row_34() {
    // A broad widget form: 32 questions, then the calculate on spreadsheet row 34.
    let types = [
        "text", "integer", "decimal", "date", "time", "geopoint", "image", "audio",
    ];
    let names: Vec<String> = (0..32).map(|i| format!("q{i}")).collect();
    let mut rows: Vec<Vec<&str>> = vec![vec!["type", "name", "label", "calculation"]];
    for (i, name) in names.iter().enumerate() {
        rows.push(vec![types[i % types.len()], name, "A widget", ""]);
    }
    rows.push(vec!["calculate", "calc", "", ""]);
    rows.push(vec!["note", "done", "Done", ""]);
    let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    let problems = refuse(&[survey(&rows)]);
    assert_problem(
        &problems,
        "survey",
        Some(34),
        Some("calculation"),
        "missing calculation",
    );
    assert_eq!(problems.len(), 1, "{}", render(&problems));
}

#[test]
fn group_name_test_is_refused_at_row_3() {
    let problems = refuse(&[survey(&[
        &["type", "name", "label"],
        &["text", "before", "Before the group"],
        &["begin group", "", "A group with no name"],
        &["text", "inside", "Inside"],
        &["end group", "", ""],
    ])]);
    assert_problem(
        &problems,
        "survey",
        Some(3),
        Some("name"),
        "question or group with no name",
    );
}

#[test]
fn duplicate_columns_is_refused_naming_label() {
    let problems = refuse(&[survey(&[
        &["type", "name", "label", "hint", "label"],
        &["text", "a", "A", "", "A"],
    ])]);
    assert_problem(
        &problems,
        "survey",
        Some(1),
        Some("label"),
        "duplicate column header: label",
    );
}

#[test]
fn unknown_question_type_xls_is_refused_for_its_alias_clash() {
    let problems = refuse(&[survey(&[
        &[
            "type",
            "name",
            "caption:English",
            "caption:French",
            "bind:relevant",
            "relevance",
            "bind:required",
        ],
        &["text", "a", "A", "A", "", "", "yes"],
        &["unknown", "b", "B", "B", "", "", ""],
    ])]);
    assert_problem(
        &problems,
        "survey",
        Some(1),
        Some("relevance"),
        "headers that are different names for the same column were found: 'bind:relevant', 'relevance'",
    );
    assert_problem(
        &problems,
        "survey",
        Some(3),
        Some("type"),
        "unknown question type 'unknown'",
    );
}

#[test]
fn brackets_mismatch_is_refused_at_row_4_relevant() {
    let problems = refuse(&[
        survey(&[
            &["type", "name", "label", "relevant", "calculation"],
            &[
                "select_one methods",
                "current_fp_method",
                "Current method?",
                "",
                "",
            ],
            &["integer", "children", "Children?", "", ""],
            &[
                "integer",
                "months",
                "Months?",
                "${current_fp_method -> ${current_fp_method}",
                "",
            ],
            &["calculate", "ratio", "", "", "${months} div ${children}"],
        ]),
        sheet(
            "choices",
            &[
                &["list_name", "name", "label"],
                &["methods", "pill", "Pill"],
            ],
        ),
    ]);
    assert_problem(
        &problems,
        "survey",
        Some(4),
        Some("relevant"),
        "reference variables must start with '${', then a question name, and end with '}'",
    );
    assert_eq!(problems.len(), 1, "{}", render(&problems));
}

#[test]
fn mch_v1_is_refused_for_select_one_from_source() {
    let problems = refuse(&[
        survey(&[
            &["type", "name", "label", "bind:relevant"],
            &["date", "visit_date", "Visit date", ""],
            &["begin group", "mother", "Mother", ""],
            &["Select one from source", "source", "Source", ""],
            &["date", "dob", "Date of birth", "${visit_date} != ''"],
            &["end group", "", "", ""],
        ]),
        sheet(
            "choices",
            &[
                &["list_name", "name", "label"],
                &["source", "clinic", "Clinic"],
            ],
        ),
    ]);
    assert_problem(
        &problems,
        "survey",
        Some(4),
        Some("type"),
        "unknown question type 'Select one from source'",
    );
}

#[test]
fn transportation_without_choices_sheet_is_refused() {
    let problems = refuse(&[
        survey(&[
            &["type", "name", "label", "bind:relevant"],
            &[
                "select_multiple transport_modes",
                "available_transportation_types_to_referral_facility",
                "Which?",
                "",
            ],
            &[
                "select_one frequencies",
                "frequency_to_referral_facility",
                "How often?",
                "selected(${available_transportation_types_to_referral_facility}, 'ambulance')",
            ],
        ]),
        sheet("settings", &[&["form_id"], &["transportation_2011_07_25"]]),
    ]);
    assert_problem(
        &problems,
        "survey",
        Some(2),
        Some("type"),
        "There should be a choices sheet in this xlsform",
    );
    assert_eq!(
        problems.len(),
        1,
        "reported once for the workbook:\n{}",
        render(&problems)
    );
}

#[test]
fn empty_workbook_is_refused_for_having_no_survey() {
    let problems = refuse(&[sheet("Sheet1", &[])]);
    assert_problem(
        &problems,
        "survey",
        None,
        None,
        "you must have a sheet named 'survey'",
    );
}

#[test]
fn bad_calc_is_refused_because_its_calculation_does_not_parse() {
    let problems = refuse(&[survey(&[
        &["type", "name", "label", "calculation"],
        &[
            "calculate",
            "bad",
            "",
            "because pyxform doesn't know what to do",
        ],
    ])]);
    assert_problem(
        &problems,
        "survey",
        Some(2),
        Some("calculation"),
        "does not parse",
    );
}

#[test]
fn image_description_columns_are_accepted_with_a_warning() {
    let (_, warnings) = accept(&[
        survey(&[
            &[
                "type",
                "name",
                "label::English (en)",
                "image::English (en)",
                "image-description::English (en)",
                "image-description::French (fr)",
            ],
            &["select_one c", "q", "Q", "q.png", "A photo", "Une photo"],
        ]),
        sheet(
            "choices",
            &[
                &[
                    "list_name",
                    "name",
                    "label::English (en)",
                    "image-description::English (en)",
                ],
                &["c", "a", "A", "An image"],
            ],
        ),
    ]);
    for (sheet, column) in [
        ("survey", "image-description::English (en)"),
        ("survey", "image-description::French (fr)"),
        ("choices", "image-description::English (en)"),
    ] {
        assert!(
            warnings
                .iter()
                .any(|w| w.sheet == sheet && w.column.as_deref() == Some(column)),
            "{sheet} {column}: {warnings:?}"
        );
    }
}

#[test]
fn multi_lingual_headers_with_trailing_newlines_are_accepted() {
    let (form, _) = accept(&[
        survey(&[
            &[
                "type",
                "name",
                "label::English\n",
                "label::Swahili\n",
                "label::French\n",
            ],
            &["begin group", "g", "Group", "Kundi", "Groupe"],
            &["select_multiple yn", "q", "Q", "Swali", "Question"],
            &["end group", "", "", "", ""],
        ]),
        sheet(
            "choices",
            &[
                &[
                    "list_name",
                    "name",
                    "label::English\n",
                    "label::Swahili\n",
                    "label::French\n",
                ],
                &["yn", "y", "Yes", "Ndiyo", "Oui"],
            ],
        ),
        sheet("settings", &[&["default_language"], &["English"]]),
    ]);
    assert_eq!(form.languages, ["English", "Swahili", "French"]);
}
