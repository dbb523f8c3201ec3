//! Forms that must be accepted: types and their legacy spellings, nesting, languages, aliases,
//! settings.

use std::collections::BTreeMap;

use super::*;
use crate::form::xlsform::{Condition, GroupKind, Metadata, QuestionType, Text};

fn question_kind(type_cell: &str) -> QuestionType {
    let (form, _) = accept(&[
        survey(&[&["type", "name", "label"], &[type_cell, "q", "Q"]]),
        sheet(
            "choices",
            &[&["list_name", "name", "label"], &["colors", "red", "Red"]],
        ),
        sheet(
            "external_choices",
            &[&["list_name", "name", "label"], &["towns", "a", "A"]],
        ),
    ]);
    match node(&form, "q") {
        Node::Question(q) => q.kind.clone(),
        other => panic!("not a question: {other:?}"),
    }
}

#[test]
// Long: a table of every question type and spelling, one per line.
fn every_question_type_and_legacy_spelling_is_understood() {
    use QuestionType as T;
    let select_one = T::SelectOne {
        list: "colors".into(),
        or_other: false,
    };
    let select_many = T::SelectMultiple {
        list: "colors".into(),
        or_other: false,
    };
    let meta = |kind| T::Metadata { kind };
    let cases: Vec<(&str, T)> = vec![
        ("text", T::Text),
        ("string", T::Text),
        ("integer", T::Integer),
        ("int", T::Integer),
        ("decimal", T::Decimal),
        ("date", T::Date),
        ("time", T::Time),
        ("datetime", T::DateTime),
        ("dateTime", T::DateTime),
        ("geopoint", T::Geopoint),
        ("gps", T::Geopoint),
        ("geotrace", T::Geotrace),
        ("geoshape", T::Geoshape),
        ("image", T::Image),
        ("photo", T::Image),
        ("audio", T::Audio),
        ("video", T::Video),
        ("file", T::File),
        ("barcode", T::Barcode),
        ("note", T::Note),
        ("acknowledge", T::Acknowledge),
        ("trigger", T::Acknowledge),
        ("range", T::Range),
        ("hidden", T::Hidden),
        ("select_one colors", select_one.clone()),
        ("select one colors", select_one.clone()),
        ("select one from colors", select_one.clone()),
        ("select1 colors", select_one.clone()),
        ("select_one  colors ", select_one),
        ("select_multiple colors", select_many.clone()),
        ("select all that apply from colors", select_many.clone()),
        ("select all that apply colors", select_many),
        (
            "select_one colors or_other",
            T::SelectOne {
                list: "colors".into(),
                or_other: true,
            },
        ),
        (
            "select_multiple colors or specify other",
            T::SelectMultiple {
                list: "colors".into(),
                or_other: true,
            },
        ),
        (
            "rank colors",
            T::Rank {
                list: "colors".into(),
            },
        ),
        (
            "select_one_from_file towns.csv",
            T::SelectOneFromFile {
                file: "towns.csv".into(),
            },
        ),
        (
            "select one from file towns.xml",
            T::SelectOneFromFile {
                file: "towns.xml".into(),
            },
        ),
        (
            "select_multiple_from_file a.geojson",
            T::SelectMultipleFromFile {
                file: "a.geojson".into(),
            },
        ),
        (
            "select_one_external towns",
            T::SelectOneExternal {
                list: "towns".into(),
            },
        ),
        ("start", meta(Metadata::Start)),
        ("end", meta(Metadata::End)),
        ("today", meta(Metadata::Today)),
        ("deviceid", meta(Metadata::DeviceId)),
        ("imei", meta(Metadata::DeviceId)),
        ("subscriberid", meta(Metadata::SubscriberId)),
        ("simserial", meta(Metadata::SimSerial)),
        ("phonenumber", meta(Metadata::PhoneNumber)),
        ("username", meta(Metadata::Username)),
        ("email", meta(Metadata::Email)),
        ("audit", meta(Metadata::Audit)),
        ("start-geopoint", meta(Metadata::StartGeopoint)),
        ("background-audio", meta(Metadata::BackgroundAudio)),
        (
            "xml-external",
            T::ExternalInstance {
                format: "xml".into(),
            },
        ),
    ];
    for (cell, expected) in cases {
        assert_eq!(question_kind(cell), expected, "type {cell:?}");
    }
}

#[test]
fn groups_and_repeats_nest_in_every_spelling() {
    let (form, _) = accept(&[survey(&[
        &["type", "name", "label", "repeat_count"],
        &["integer", "n", "How many?", ""],
        &["begin group", "household", "Household", ""],
        &["begin_repeat", "member", "Member", "${n}"],
        &["text", "name", "Name", ""],
        &["begin_group", "contact", "Contact", ""],
        &["text", "phone", "Phone", ""],
        &["end_group", "", "", ""],
        &["end repeat", "", "", ""],
        &["end group", "household", "", ""],
        &["note", "bye", "Bye", ""],
    ])]);
    let names: Vec<&str> = form.children.iter().map(|n| n.name()).collect();
    assert_eq!(names, ["n", "household", "bye"]);
    let Node::Group(household) = node(&form, "household") else {
        panic!("group")
    };
    assert_eq!(household.kind, GroupKind::Group);
    let Node::Group(member) = &household.children[0] else {
        panic!("repeat")
    };
    assert_eq!(
        member.kind,
        GroupKind::Repeat {
            count: Some("${n}".into())
        }
    );
    assert_eq!(member.row, 4);
    let inner: Vec<&str> = member.children.iter().map(|n| n.name()).collect();
    assert_eq!(inner, ["name", "contact"]);
}

#[test]
fn the_same_name_is_fine_in_different_groups() {
    accept(&[survey(&[
        &["type", "name", "label"],
        &["begin group", "a", "A"],
        &["text", "x", "X"],
        &["end group", "", ""],
        &["begin group", "b", "B"],
        &["text", "x", "X"],
        &["end group", "", ""],
    ])]);
}

#[test]
fn sheet_names_and_headers_are_read_in_any_case() {
    let (form, _) = accept(&[
        sheet(
            "SURVEY",
            &[
                &["TYPE", "Name", "LABEL::EN", "Choice_Filter"],
                &["select_one c", "q", "Q", ""],
            ],
        ),
        sheet(
            "Choices",
            &[&["LIST_NAME", "NAME", "Label::EN"], &["c", "a", "A"]],
        ),
        sheet("SETTINGS", &[&["FORM_ID", "Form_Title"], &["f", "F"]]),
    ]);
    assert_eq!(form.settings.form_id.as_deref(), Some("f"));
    assert_eq!(form.languages, ["EN"]);
    assert_eq!(form.choices["c"][0].label.get("EN"), Some("A"));
}

#[test]
fn labels_come_in_several_languages_with_untidy_headers() {
    let (form, _) = accept(&[
        survey(&[
            &[
                "type",
                "name",
                "label::English\n",
                "label::Español (es)",
                "hint::English",
                "constraint_message::Español (es)",
                "constraint",
                "image::English",
            ],
            &[
                "integer",
                "age",
                "Age",
                "Edad",
                "In years",
                "Mínimo 18",
                ". >= 18",
                "age.png",
            ],
        ]),
        sheet("settings", &[&["default_language"], &["English"]]),
    ]);
    assert_eq!(form.languages, ["English", "Español (es)"]);
    let Node::Question(age) = node(&form, "age") else {
        panic!("question")
    };
    assert_eq!(age.label.get("Español (es)"), Some("Edad"));
    assert_eq!(age.label.get("English"), Some("Age"));
    assert_eq!(age.hint.get("English"), Some("In years"));
    assert_eq!(
        age.constraint_message.get("Español (es)"),
        Some("Mínimo 18")
    );
    assert_eq!(age.media["image"].get("English"), Some("age.png"));
}

#[test]
fn legacy_single_colon_headers_and_aliases_are_understood() {
    let (form, _) = accept(&[survey(&[
        &[
            "type",
            "name",
            "caption:English",
            "caption:French",
            "bind:relevant",
            "bind:constraint",
            "bind:jr:constraintMsg",
            "bind:required",
            "bind:calculate",
            "bind:readonly",
        ],
        &[
            "integer", "a", "A", "A fr", "", ". > 0", "positive", "yes", "", "false()",
        ],
        &[
            "integer", "b", "B", "B fr", "${a} > 1", "", "", "${a} > 5", "", "",
        ],
        &["calculate", "c", "", "", "", "", "", "", "${a} + 1", ""],
    ])]);
    assert_eq!(form.languages, ["English", "French"]);
    let Node::Question(a) = node(&form, "a") else {
        panic!()
    };
    assert_eq!(a.constraint.as_deref(), Some(". > 0"));
    assert_eq!(a.constraint_message.get("x"), Some("positive"));
    assert_eq!(a.required, Condition::Always);
    assert_eq!(a.read_only, Condition::Never);
    let Node::Question(b) = node(&form, "b") else {
        panic!()
    };
    assert_eq!(b.relevant.as_deref(), Some("${a} > 1"));
    assert_eq!(b.required, Condition::When("${a} > 5".into()));
    let Node::Question(c) = node(&form, "c") else {
        panic!()
    };
    assert_eq!(c.calculation.as_deref(), Some("${a} + 1"));
}

#[test]
// Long: one form with every column, and one assertion per column.
fn every_column_of_a_question_is_kept() {
    let (form, warnings) = accept(&[
        survey(&[
            &[
                "type",
                "name",
                "label",
                "hint",
                "guidance_hint",
                "required",
                "required_message",
                "relevance",
                "constraint_message",
                "calculation",
                "default",
                "choice_filter",
                "read_only",
                "appearance",
                "parameters",
                "bind::saveIncomplete",
                "body::accuracyThreshold",
                "instance::tag",
                "author notes",
            ],
            &[
                "text", "town", "Town", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
                "",
            ],
            &[
                "select_one c",
                "q",
                "Q",
                "h",
                "gh",
                "TRUE()",
                "needed",
                "${town} != ''",
                "bad",
                "",
                "a",
                "region = ${town}",
                "no",
                "minimal",
                "randomize=true seed=3",
                "true()",
                "10",
                "x",
                "check this",
            ],
        ]),
        sheet(
            "choices",
            &[
                &["list_name", "name", "label", "region"],
                &["c", "a", "A", "north"],
            ],
        ),
    ]);
    let Node::Question(q) = node(&form, "q") else {
        panic!()
    };
    assert_eq!(q.hint.get(Text::NO_LANGUAGE), Some("h"));
    assert_eq!(q.guidance_hint.get(Text::NO_LANGUAGE), Some("gh"));
    assert_eq!(q.required, Condition::Always);
    assert_eq!(q.required_message.get("any"), Some("needed"));
    assert_eq!(q.default.as_deref(), Some("a"));
    assert_eq!(q.choice_filter.as_deref(), Some("region = ${town}"));
    assert_eq!(q.appearance.as_deref(), Some("minimal"));
    let parameters: BTreeMap<String, String> = [("randomize", "true"), ("seed", "3")]
        .map(|(k, v)| (k.into(), v.into()))
        .into();
    assert_eq!(q.parameters, parameters);
    assert_eq!(q.extra["bind::saveIncomplete"], "true()");
    assert_eq!(q.extra["body::accuracyThreshold"], "10");
    assert_eq!(q.extra["instance::tag"], "x");
    assert_eq!(q.extra["author notes"], "check this");
    assert_eq!(form.choices["c"][0].properties["region"], "north");
    assert!(
        warnings
            .iter()
            .any(|w| w.column.as_deref() == Some("author notes")),
        "{warnings:?}"
    );
    assert!(
        !warnings
            .iter()
            .any(|w| w.column.as_deref() == Some("bind::saveIncomplete"))
    );
}

#[test]
fn a_note_without_a_name_is_named_after_its_row_as_pyxform_does() {
    let (form, _) = accept(&[survey(&[
        &["type", "name", "label"],
        &["text", "a", "A"],
        &["note", " ", "Read this"],
    ])]);

    let Node::Question(note) = node(&form, "generated_note_name_3") else {
        panic!("a note")
    };
    assert!(matches!(note.kind, QuestionType::Note), "{note:?}");
}

#[test]
fn a_required_group_is_accepted_with_a_warning_that_it_is_ignored() {
    let (_, warnings) = accept(&[survey(&[
        &["type", "name", "label", "required"],
        &["begin group", "g", "G", "yes"],
        &["text", "a", "A", ""],
        &["end group", "", "", ""],
    ])]);

    assert!(
        warnings.iter().any(|w| w.row == Some(2)
            && w.column.as_deref() == Some("required")
            && w.message.contains("groups and repeats cannot be required")),
        "{warnings:?}"
    );
}
