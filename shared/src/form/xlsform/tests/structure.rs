//! Refused forms, continued: `begin`/`end` balance, choice lists and the choices sheet.

use super::problems::{Case, case, run};
use super::*;

// Long: a table of structural cases, one each.
fn cases() -> Vec<Case> {
    let h: &[&str] = &["type", "name", "label"];
    vec![
        case(
            "unclosed group",
            vec![survey(&[
                h,
                &["begin group", "g", "G"],
                &["text", "a", "A"],
            ])],
            ("survey", Some(2), None),
            "unmatched 'begin_group': no matching 'end_group' was found for the name 'g'",
        ),
        case(
            "unclosed repeat inside a closed group",
            vec![survey(&[
                h,
                &["begin group", "g", "G"],
                &["begin repeat", "r", "R"],
                &["text", "a", "A"],
                &["end group", "", ""],
            ])],
            ("survey", Some(5), Some("type")),
            "'end_group' closes 'begin_repeat' 'r' of row 3",
        ),
        case(
            "end without begin",
            vec![survey(&[h, &["text", "a", "A"], &["end group", "", ""]])],
            ("survey", Some(3), Some("type")),
            "unmatched 'end_group': no matching 'begin_group'",
        ),
        case(
            "end repeat closing a group",
            vec![survey(&[
                h,
                &["begin group", "g", "G"],
                &["text", "a", "A"],
                &["end repeat", "", ""],
            ])],
            ("survey", Some(4), Some("type")),
            "'end_repeat' closes 'begin_group' 'g' of row 2",
        ),
        case(
            "select list not in choices",
            vec![
                survey(&[
                    h,
                    &["select_one yn", "a", "A"],
                    &["select_one colours", "b", "B"],
                ]),
                yes_no_choices(),
            ],
            ("survey", Some(3), Some("type")),
            "the list name 'colours' was not found in the 'choices' sheet",
        ),
        case(
            "no choices sheet",
            vec![survey(&[
                h,
                &["text", "a", "A"],
                &["select_one yn", "b", "B"],
            ])],
            ("survey", Some(3), Some("type")),
            "There should be a choices sheet in this xlsform",
        ),
        case(
            "no external_choices sheet",
            vec![survey(&[h, &["select_one_external towns", "b", "B"]])],
            ("survey", Some(2), Some("type")),
            "There should be an external_choices sheet",
        ),
        case(
            "choices sheet without list_name",
            vec![
                survey(&[h, &["select_one yn", "b", "B"]]),
                sheet("choices", &[&["list", "name", "label"], &["yn", "y", "Y"]]),
            ],
            ("choices", None, None),
            "required column headers were not found: 'list_name'",
        ),
        case(
            "choice without name",
            vec![
                survey(&[h, &["select_one yn", "b", "B"]]),
                sheet(
                    "choices",
                    &[
                        &["list_name", "name", "label"],
                        &["yn", "y", "Y"],
                        &["yn", "", "N"],
                    ],
                ),
            ],
            ("choices", Some(3), Some("name")),
            "choices must have a name",
        ),
        case(
            "duplicate choice",
            vec![
                survey(&[h, &["select_one yn", "b", "B"]]),
                sheet(
                    "choices",
                    &[
                        &["list_name", "name", "label"],
                        &["yn", "y", "Y"],
                        &["yn", "n", "N"],
                        &["yn", "y", "Y2"],
                    ],
                ),
            ],
            ("choices", Some(4), Some("name")),
            "'y' is already in list 'yn' on row 2",
        ),
        case(
            "duplicate header on choices",
            vec![
                survey(&[h, &["select_one yn", "b", "B"]]),
                sheet(
                    "choices",
                    &[
                        &["list_name", "name", "label", "name"],
                        &["yn", "y", "Y", "y"],
                    ],
                ),
            ],
            ("choices", Some(1), Some("name")),
            "duplicate column header: name",
        ),
    ]
}

#[test]
fn every_bad_structure_and_choice_list_is_reported_where_it_is() {
    run(cases());
}
