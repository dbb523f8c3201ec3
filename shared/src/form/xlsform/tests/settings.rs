//! Accepted forms, continued: settings, parameters, skipped rows, warnings, JSON round trip.

use std::collections::BTreeMap;

use super::*;

#[test]
fn parameters_accept_pyxform_separators() {
    use crate::form::xlsform::question::parse_parameters;
    let expected: BTreeMap<String, String> = [("start", "0"), ("end", "10"), ("step", "1")]
        .map(|(k, v)| (k.into(), v.into()))
        .into();
    for raw in [
        "start=0 end=10 step=1",
        "start=0;end=10;step=1",
        "start=0, end=10, step=1",
        "Start = 0 end=10  step= 1",
    ] {
        assert_eq!(parse_parameters(raw), Some(expected.clone()), "{raw}");
    }
    assert_eq!(parse_parameters("max-pixels"), None);
}

#[test]
fn settings_are_read_with_legacy_keys() {
    let settings = |rows: &[&[&str]]| {
        accept(&[
            survey(&[&["type", "name", "label"], &["text", "a", "A"]]),
            sheet("settings", rows),
        ])
        .0
        .settings
    };
    let s = settings(&[
        &[
            "form_id",
            "form_title",
            "version",
            "default_language",
            "instance_name",
            "allow_choice_duplicates",
            "style",
            "Submission_URL",
        ],
        &[
            "visit",
            "Visit",
            "2024091201",
            "Español (es)",
            "concat('v-', ${a})",
            "yes",
            "pages",
            "https://x",
        ],
    ]);
    assert_eq!(s.form_id.as_deref(), Some("visit"));
    assert_eq!(s.form_title.as_deref(), Some("Visit"));
    assert_eq!(s.version.as_deref(), Some("2024091201"));
    assert_eq!(s.default_language.as_deref(), Some("Español (es)"));
    assert_eq!(s.instance_name.as_deref(), Some("concat('v-', ${a})"));
    assert!(s.allow_choice_duplicates);
    assert_eq!(s.other["style"], "pages");
    assert_eq!(s.other["submission_url"], "https://x");
    let legacy = settings(&[&["id_string", "name"], &["old_id", "Old form"]]);
    assert_eq!(legacy.form_id.as_deref(), Some("old_id"));
    assert_eq!(legacy.form_title.as_deref(), Some("Old form"));
    let titled = settings(&[&["title", "name"], &["T", "root"]]);
    assert_eq!(titled.form_title.as_deref(), Some("T"));
}

#[test]
fn empty_rows_and_extra_sheets_are_ignored() {
    let (form, _) = accept(&[
        sheet("notes", &[&["anything"], &["at all"]]),
        survey(&[
            &["type", "name", "label", ""],
            &["", "", "", ""],
            &["text", "a", "A", ""],
            &["  ", "", "", ""],
            &["text", "b", "B"],
            &[],
            &["", "", ""],
        ]),
    ]);
    assert_eq!(form.children.len(), 2);
    assert_eq!(form.children[1].row(), 5);
}

#[test]
fn choice_duplicates_are_allowed_by_the_setting() {
    accept(&[
        survey(&[&["type", "name", "label"], &["select_one c", "q", "Q"]]),
        sheet(
            "choices",
            &[
                &["list_name", "name", "label"],
                &["c", "a", "A"],
                &["c", "a", "A again"],
            ],
        ),
        sheet("settings", &[&["allow_choice_duplicates"], &["Yes"]]),
    ]);
}

#[test]
fn warnings_do_not_refuse_a_form() {
    let (_, warnings) = accept(&[
        survey(&[
            &["type", "name", "label"],
            &["text", "a", "a"],
            &["", "", ""],
            &["text", "A", "x"],
        ]),
        sheet("settings", &[&["allow_choice_duplicates"], &["maybe"]]),
    ]);
    let rows: Vec<(&str, Option<u32>)> =
        warnings.iter().map(|w| (w.sheet.as_str(), w.row)).collect();
    assert!(
        rows.contains(&("survey", Some(4))),
        "case-only duplicate: {warnings:?}"
    );
    assert!(
        rows.contains(&("settings", Some(2))),
        "bad yes/no: {warnings:?}"
    );
}

#[test]
fn a_form_travels_as_json_and_back() {
    let (form, _) = accept(&[
        survey(&[
            &["type", "name", "label::en", "required", "repeat_count"],
            &["begin repeat", "r", "R", "", "2"],
            &["select_one yn", "q", "Q", "yes", ""],
            &["end repeat", "", "", "", ""],
            &["start", "s", "", "", ""],
        ]),
        yes_no_choices(),
    ]);
    let json = serde_json::to_string(&form).expect("a form serializes");
    let back: Form = serde_json::from_str(&json).expect("and deserializes");
    assert_eq!(back, form);
}
