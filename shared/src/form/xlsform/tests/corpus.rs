//! Shapes real forms have that pyxform accepts (found by the server's corpus test): loops over a
//! choice list, type aliases, selects from attached files.

use super::*;
use crate::form::xlsform::{GroupKind, QuestionType};

fn group(node: &Node) -> &crate::form::xlsform::Group {
    match node {
        Node::Group(g) => g,
        Node::Question(q) => panic!("{} is a question", q.name),
    }
}

fn question(node: &Node) -> &crate::form::xlsform::Question {
    match node {
        Node::Question(q) => q,
        Node::Group(g) => panic!("{} is a group", g.name),
    }
}

#[test]
fn a_loop_is_a_group_per_choice_with_the_choice_put_in() {
    let (form, _) = accept(&[
        survey(&[
            &["type", "name", "label::en", "relevant"],
            &["select_multiple transport", "has", "What is there?", ""],
            &["begin loop over transport", "each", "", ""],
            &[
                "integer",
                "count",
                "How many %(label)s (%(name)s)? 100%%",
                "selected(${has}, '%(name)s')",
            ],
            &["end loop", "", "", ""],
        ]),
        sheet(
            "choices",
            &[
                &["list_name", "name", "label::en"],
                &["transport", "bus", "Buses"],
                &["transport", "none", "None"],
                &["transport", "taxi", "Taxis"],
            ],
        ),
    ]);

    let outer = group(node(&form, "each"));
    assert_eq!(outer.kind, GroupKind::Group);
    let names: Vec<&str> = outer.children.iter().map(Node::name).collect();
    assert_eq!(
        names,
        ["bus", "taxi"],
        "one group per choice, `none` left out"
    );
    let taxi = group(&outer.children[1]);
    assert_eq!(taxi.label.get("en"), Some("Taxis"));
    let count = question(&taxi.children[0]);
    assert_eq!(count.name, "count");
    assert_eq!(count.label.get("en"), Some("How many Taxis (taxi)? 100%"));
    assert_eq!(count.relevant.as_deref(), Some("selected(${has}, 'taxi')"));
    assert_eq!(count.kind, QuestionType::Integer);
}

#[test]
fn a_loop_ends_with_end_loop_only() {
    let problems = refuse(&[
        survey(&[
            &["type", "name", "label"],
            &["begin loop over yn", "l", "L"],
            &["text", "a", "A"],
            &["end group", "", ""],
        ]),
        yes_no_choices(),
    ]);

    assert_problem(
        &problems,
        "survey",
        Some(4),
        Some("type"),
        "'end_group' closes 'begin_loop' 'l' of row 2",
    );
}

#[test]
fn shorthand_types_bring_their_constraint_unless_the_row_has_one() {
    let (form, _) = accept(&[survey(&[
        &["type", "name", "label", "constraint"],
        &["phone number", "phone", "Phone", ""],
        &["percentage", "share", "Share", ". < 50"],
        &["q geotrace", "road", "Road", ""],
    ])]);

    let phone = question(node(&form, "phone"));
    assert_eq!(phone.kind, QuestionType::Text);
    assert_eq!(phone.constraint.as_deref(), Some(r"regex(., '^\d*$')"));
    assert_eq!(phone.hint.get("default"), Some("Enter numbers only."));
    let share = question(node(&form, "share"));
    assert_eq!(share.kind, QuestionType::Integer);
    assert_eq!(share.constraint.as_deref(), Some(". < 50"));
    assert_eq!(question(node(&form, "road")).kind, QuestionType::Geotrace);
}

#[test]
fn external_choices_may_repeat_a_name() {
    let (form, warnings) = accept(&[
        survey(&[
            &["type", "name", "label"],
            &["select_one_external towns", "town", "Town"],
        ]),
        sheet(
            "external_choices",
            &[
                &["list_name", "name", "label"],
                &["towns", "a", "A"],
                &["towns", "a", "A again"],
                &["towns", "", "Nameless"],
            ],
        ),
    ]);

    assert_eq!(form.external_choices["towns"].len(), 2);
    assert!(
        warnings
            .iter()
            .any(|w| w.sheet == "external_choices" && w.row == Some(3)),
        "{warnings:?}"
    );
}

#[test]
fn a_select_from_a_file_names_its_file() {
    let (form, _) = accept(&[survey(&[
        &["type", "name", "label"],
        &["select_one_from_file towns.csv", "town", "Town"],
        &["select_multiple_from_file shops.xml", "shops", "Shops"],
    ])]);

    assert_eq!(
        question(node(&form, "town")).kind,
        QuestionType::SelectOneFromFile {
            file: "towns.csv".into()
        }
    );
    assert_eq!(
        question(node(&form, "shops")).kind,
        QuestionType::SelectMultipleFromFile {
            file: "shops.xml".into()
        }
    );
}

#[test]
fn meta_is_reserved_inside_groups_too() {
    let problems = refuse(&[survey(&[
        &["type", "name", "label"],
        &["begin group", "g", "G"],
        &["begin group", "meta", "Meta"],
        &["text", "a", "A"],
        &["end group", "", ""],
        &["end group", "", ""],
    ])]);

    assert_problem(
        &problems,
        "survey",
        Some(3),
        Some("name"),
        "the name 'meta' is reserved",
    );
}

#[test]
fn entity_declarations_name_questions_that_exist() {
    let problems = refuse(&[
        survey(&[&["type", "name", "label"], &["text", "a", "A"]]),
        sheet(
            "entities",
            &[
                &["dataset", "label", "entity_id"],
                &["trees", "${a}", "${tree_id}"],
            ],
        ),
    ]);

    assert_eq!(problems.len(), 1, "{}", render(&problems));
    assert_problem(
        &problems,
        "entities",
        Some(2),
        Some("entity_id"),
        "${tree_id} names no question",
    );
}

#[test]
fn parameters_a_type_does_not_take_are_refused_as_pyxform_does() {
    let problems = refuse(&[survey(&[
        &["type", "name", "label", "parameters"],
        &["range", "r", "R", "start=1 end=5 steps=2"],
        &["image", "i", "I", "anything=1"],
    ])]);

    assert_eq!(problems.len(), 1, "{}", render(&problems));
    assert_problem(
        &problems,
        "survey",
        Some(2),
        Some("parameters"),
        "invalid parameter key(s): 'steps'",
    );
}

#[test]
fn a_file_and_a_list_of_the_same_name_are_refused() {
    let problems = refuse(&[
        survey(&[
            &["type", "name", "label"],
            &["select_one_from_file place.geojson", "where", "Where?"],
            &["select_one place", "kind", "Kind"],
        ]),
        sheet(
            "choices",
            &[&["list_name", "name", "label"], &["place", "a", "A"]],
        ),
    ]);

    assert_problem(
        &problems,
        "survey",
        Some(2),
        Some("type"),
        "would both be the form's instance 'place'",
    );
}

#[test]
fn the_only_sheet_is_the_survey_and_empty_sheets_are_no_sheets() {
    let (form, _) = accept(&[sheet(
        "Sheet1",
        &[&["type", "name", "label"], &["text", "a", "A"]],
    )]);
    assert_eq!(form.children.len(), 1);

    let (form, _) = accept(&[
        survey(&[&["type", "name", "label"], &["text", "a", "A"]]),
        sheet("choices", &[]),
        sheet("settings", &[&["", ""]]),
    ]);
    assert!(form.choices.is_empty());
}

#[test]
fn a_question_with_nothing_to_show_is_refused() {
    let problems = refuse(&[survey(&[
        &["type", "name", "label", "hint", "calculation"],
        &["text", "a", "", "", ""],
        &["text", "b", "", "A hint", ""],
        &["calculate", "c", "", "", "1"],
        &["select_one_from_file towns.csv", "d", "", "", ""],
    ])]);

    assert_eq!(problems.len(), 2, "{}", render(&problems));
    assert_problem(
        &problems,
        "survey",
        Some(2),
        Some("label"),
        "the question 'a' has no label or hint",
    );
}
