//! Forms that must be refused, each problem with its sheet, row and column: headers, names
//! and types here, nesting and choice lists in `structure`.

use super::*;

pub(super) struct Case {
    what: &'static str,
    sheets: Vec<Sheet>,
    sheet: &'static str,
    row: Option<u32>,
    column: Option<&'static str>,
    text: &'static str,
}

pub(super) fn case(
    what: &'static str,
    sheets: Vec<Sheet>,
    at: (&'static str, Option<u32>, Option<&'static str>),
    text: &'static str,
) -> Case {
    Case {
        what,
        sheets,
        sheet: at.0,
        row: at.1,
        column: at.2,
        text,
    }
}

// Long: a table of every problem the reader reports, one case each.
fn cases() -> Vec<Case> {
    let h: &[&str] = &["type", "name", "label"];
    vec![
        case(
            "no survey sheet",
            vec![sheet("Sheet1", &[])],
            ("survey", None, None),
            "you must have a sheet named 'survey'",
        ),
        case(
            "survey sheet without type column",
            vec![survey(&[&["name", "label"], &["a", "A"]])],
            ("survey", None, None),
            "required column headers were not found: 'type'",
        ),
        case(
            "unknown type",
            vec![survey(&[h, &["text", "a", "A"], &["txet", "b", "B"]])],
            ("survey", Some(3), Some("type")),
            "unknown question type 'txet'",
        ),
        case(
            "types are case-sensitive",
            vec![survey(&[h, &["Text", "a", "A"]])],
            ("survey", Some(2), Some("type")),
            "unknown question type 'Text'",
        ),
        case(
            "select without list",
            vec![survey(&[h, &["select_one", "a", "A"]])],
            ("survey", Some(2), Some("type")),
            "needs the name of a choice list",
        ),
        case(
            "select from a file of the wrong kind",
            vec![survey(&[h, &["select_one_from_file towns.txt", "a", "A"]])],
            ("survey", Some(2), Some("type")),
            "must end in .csv, .xml or .geojson",
        ),
        case(
            "loop over a list that does not exist",
            vec![
                survey(&[h, &["begin loop over c", "l", "L"], &["end loop", "", ""]]),
                yes_no_choices(),
            ],
            ("survey", Some(2), Some("type")),
            "the list name 'c' was not found in the 'choices' sheet",
        ),
        case(
            "loop without a list",
            vec![survey(&[
                h,
                &["begin loop", "l", "L"],
                &["end loop", "", ""],
            ])],
            ("survey", Some(2), Some("type")),
            "'begin loop' needs the name of a choice list",
        ),
        case(
            "name without type",
            vec![survey(&[h, &["", "a", "A"]])],
            ("survey", Some(2), Some("type")),
            "question with no type",
        ),
        case(
            "duplicate header",
            vec![survey(&[
                &["type", "name", "label", "label"],
                &["text", "a", "A", "A"],
            ])],
            ("survey", Some(1), Some("label")),
            "duplicate column header: label",
        ),
        case(
            "duplicate header in another case",
            vec![survey(&[
                &["type", "name", "Label", "label"],
                &["text", "a", "A", "A"],
            ])],
            ("survey", Some(1), Some("label")),
            "duplicate column header: Label",
        ),
        case(
            "two aliases of one column",
            vec![survey(&[
                &["type", "name", "label", "bind:relevant", "relevance"],
                &["text", "a", "A", "", ""],
            ])],
            ("survey", Some(1), Some("relevance")),
            "different names for the same column were found: 'bind:relevant', 'relevance'",
        ),
        case(
            "caption and label",
            vec![survey(&[
                &["type", "name", "label::en", "caption::en"],
                &["text", "a", "A", "A"],
            ])],
            ("survey", Some(1), Some("caption::en")),
            "'label::en', 'caption::en'",
        ),
        case(
            "calculation and bind::calculate",
            vec![survey(&[
                &["type", "name", "calculation", "bind::calculate"],
                &["calculate", "a", "1", "1"],
            ])],
            ("survey", Some(1), Some("bind::calculate")),
            "different names for the same column",
        ),
        case(
            "question without name",
            vec![survey(&[h, &["text", "a", "A"], &["text", "", "B"]])],
            ("survey", Some(3), Some("name")),
            "question or group with no name",
        ),
        case(
            "group without name",
            vec![survey(&[
                h,
                &["begin group", "", "G"],
                &["text", "a", "A"],
                &["end group", "", ""],
            ])],
            ("survey", Some(2), Some("name")),
            "question or group with no name",
        ),
        case(
            "name starting with a digit",
            vec![survey(&[h, &["text", "1a", "A"]])],
            ("survey", Some(2), Some("name")),
            "names must begin with a letter or underscore",
        ),
        case(
            "name with a space",
            vec![survey(&[h, &["text", "first name", "A"]])],
            ("survey", Some(2), Some("name")),
            "the name 'first name' is invalid",
        ),
        case(
            "reserved name meta",
            vec![survey(&[h, &["text", "meta", "A"]])],
            ("survey", Some(2), Some("name")),
            "reserved for form metadata",
        ),
        case(
            "duplicate name at the top",
            vec![survey(&[h, &["text", "a", "A"], &["integer", "a", "A"]])],
            ("survey", Some(3), Some("name")),
            "the name 'a' is already used on row 2",
        ),
        case(
            "duplicate name in one group",
            vec![survey(&[
                h,
                &["begin group", "g", "G"],
                &["text", "a", "A"],
                &["text", "a", "A"],
                &["end group", "", ""],
            ])],
            ("survey", Some(4), Some("name")),
            "already used on row 3",
        ),
        case(
            "a group named like its sibling",
            vec![survey(&[
                h,
                &["text", "g", "A"],
                &["begin group", "g", "G"],
                &["text", "a", "A"],
                &["end group", "", ""],
            ])],
            ("survey", Some(3), Some("name")),
            "already used on row 2",
        ),
        case(
            "two repeats of one name in different groups",
            vec![survey(&[
                h,
                &["begin repeat", "r", "R"],
                &["text", "a", "A"],
                &["end repeat", "", ""],
                &["begin group", "g", "G"],
                &["begin repeat", "r", "R"],
                &["text", "b", "B"],
                &["end repeat", "", ""],
                &["end group", "", ""],
            ])],
            ("survey", Some(6), Some("name")),
            "repeat names must be unique anywhere",
        ),
        case(
            "calculate without calculation",
            vec![survey(&[
                &["type", "name", "label", "calculation"],
                &["calculate", "c", "", ""],
            ])],
            ("survey", Some(2), Some("calculation")),
            "missing calculation",
        ),
        case(
            "bad parameters",
            vec![survey(&[
                &["type", "name", "label", "parameters"],
                &["range", "r", "R", "start 0"],
            ])],
            ("survey", Some(2), Some("parameters")),
            "key1=value1 key2=value2",
        ),
    ]
}

#[test]
fn every_bad_header_name_and_type_is_reported_where_it_is() {
    run(cases());
}

/// Parses each case's workbook and looks for its problem.
pub(super) fn run(cases: Vec<Case>) {
    for c in cases {
        let problems = match parse_form(&c.sheets) {
            Ok(_) => panic!("{}: the form was accepted", c.what),
            Err(problems) => problems,
        };
        let found = problems.iter().any(|p| {
            p.sheet == c.sheet
                && p.row == c.row
                && p.column.as_deref() == c.column
                && p.message.contains(c.text)
        });
        assert!(
            found,
            "{}: expected {}/{:?}/{:?} containing {:?}, got:\n{}",
            c.what,
            c.sheet,
            c.row,
            c.column,
            c.text,
            render(&problems)
        );
    }
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    let problems = refuse(&[
        survey(&[
            &["type", "name", "label", "relevant"],
            &["txet", "a", "A", ""],
            &["text", "", "B", ""],
            &["text", "c", "C", "${nope} = 1"],
            &["begin group", "g", "G", ""],
        ]),
        sheet("choices", &[&["list_name", "name"], &["x", ""]]),
    ]);
    let rows: Vec<(&str, Option<u32>)> =
        problems.iter().map(|p| (p.sheet.as_str(), p.row)).collect();
    for expected in [
        ("survey", Some(2)),
        ("survey", Some(3)),
        ("survey", Some(4)),
        ("survey", Some(5)),
        ("choices", Some(2)),
    ] {
        assert!(
            rows.contains(&expected),
            "{expected:?} missing from:\n{}",
            render(&problems)
        );
    }
}

#[test]
fn problems_read_as_sheet_row_column_and_message() {
    let problem = Problem {
        sheet: "survey".into(),
        row: Some(4),
        column: Some("relevant".into()),
        message: "bad".into(),
    };
    assert_eq!(
        problem.to_string(),
        "survey sheet, row 4, column relevant: bad"
    );
    let whole = Problem {
        row: None,
        column: None,
        ..problem
    };
    assert_eq!(whole.to_string(), "survey sheet: bad");
}
