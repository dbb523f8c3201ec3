//! The runtime reading media files: `pulldata`, `instance()` lookups, `select_one_from_file`
//! choices (filtered and labelled), and empty lookups with a warning when a file is missing.

use chrono::DateTime;

use crate::form::media::{MediaTables, missing_files, parse_table, referenced_files, shown_files};
use crate::form::runtime::{Answers, Engine, Env};
use crate::form::xlsform::{Form, Sheet, parse_form};

const FRUITS: &str = "name,label,price\napple,Apple,3\npear,Pear,5\n";
const DISTRICTS: &str = "<root>\
    <item><name>d1</name><label>North</label><region>r1</region></item>\
    <item><name>d2</name><label>South</label><region>r2</region></item>\
    <item><name>d3</name><label>Hills</label><region>r1</region></item></root>";

fn form() -> Form {
    let survey: &[&[&str]] = &[
        &["type", "name", "label", "calculation", "choice_filter"],
        &["select_one_from_file fruits.csv", "fruit", "Fruit", "", ""],
        &[
            "calculate",
            "price",
            "",
            "pulldata('fruits', 'price', 'name', ${fruit})",
            "",
        ],
        &["text", "region", "Region", "", ""],
        &[
            "select_one_from_file districts.xml",
            "district",
            "District",
            "",
            "region = ${region}",
        ],
        &[
            "calculate",
            "south",
            "",
            "instance('districts')/root/item[name = 'd2']/label",
            "",
        ],
        &[
            "calculate",
            "fruit_label",
            "",
            "jr:choice-name(${fruit}, '${fruit}')",
            "",
        ],
    ];
    let rows = survey
        .iter()
        .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
        .collect();
    let (form, _) = parse_form(&[Sheet::new("survey", rows)]).unwrap_or_else(|p| panic!("{p:#?}"));
    form
}

fn media() -> MediaTables {
    let mut media = MediaTables::new();
    media.insert(parse_table("fruits.csv", FRUITS.as_bytes()).expect("csv"));
    media.insert(parse_table("districts.xml", DISTRICTS.as_bytes()).expect("xml"));
    media
}

fn env() -> Env {
    Env {
        now: DateTime::parse_from_rfc3339("2024-03-15T10:30:00-05:00").expect("valid instant"),
        uuid: "uuid:1".to_owned(),
        language: None,
    }
}

fn answers(pairs: &[(&str, &str)]) -> Answers {
    pairs.iter().copied().collect()
}

#[test]
fn pulldata_and_instance_lookups_read_the_media_tables() {
    let engine = Engine::new(&form()).expect("compiles").with_media(media());
    let e = engine.evaluate(&answers(&[("fruit", "pear"), ("region", "r1")]), &env());
    assert_eq!(e.calculated["price"], "5");
    assert_eq!(e.calculated["south"], "South");
    assert_eq!(e.calculated["fruit_label"], "Pear");
}

#[test]
fn select_from_file_choices_are_the_file_rows_filtered_by_their_columns() {
    let engine = Engine::new(&form()).expect("compiles").with_media(media());
    let e = engine.evaluate(&answers(&[("region", "r1")]), &env());
    assert_eq!(e.choices["fruit"], ["apple", "pear"]);
    assert_eq!(e.choices["district"], ["d1", "d3"]);
}

#[test]
fn without_its_files_the_form_evaluates_with_empty_lookups() {
    let engine = Engine::new(&form()).expect("compiles");
    let e = engine.evaluate(&answers(&[("fruit", "pear")]), &env());
    assert_eq!(
        e.calculated.get("price").map(String::as_str).unwrap_or(""),
        ""
    );
    assert!(e.choices["fruit"].is_empty());
    assert!(e.errors.is_empty(), "{:?}", e.errors);
}

#[test]
fn the_files_a_form_reads_are_found_and_missing_ones_warned_about_by_row() {
    let form = form();
    let found: Vec<String> = referenced_files(&form)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        [
            "fruits.csv",
            "districts.xml",
            "districts.csv, districts.xml or districts.geojson"
        ]
    );
    let warnings = missing_files(&form, &["fruits.csv"]);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(warnings[0].row, Some(5));
    assert!(
        warnings[0].message.contains("districts.xml"),
        "{}",
        warnings[0]
    );
    assert!(missing_files(&form, &["FRUITS.csv", "districts.xml"]).is_empty());
    assert!(shown_files(&form).is_empty());
}

#[test]
fn pulldata_names_a_csv_and_choice_lists_are_not_files() {
    let survey: Vec<Vec<String>> = [
        &["type", "name", "label", "calculation"][..],
        &["select_one yn", "q", "Q", ""],
        &["calculate", "a", "", "pulldata('rates', 'r', 'k', 'x')"],
        &[
            "calculate",
            "b",
            "",
            "instance('yn')/root/item[name = 'yes']/label",
        ],
        &[
            "calculate",
            "c",
            "",
            "instance('__last-saved')/root/item[name = 'x']/y",
        ],
    ]
    .iter()
    .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
    .collect();
    let choices = vec![
        vec!["list_name".into(), "name".into(), "label".into()],
        vec!["yn".into(), "yes".into(), "Yes".into()],
    ];
    let (form, _) = parse_form(&[Sheet::new("survey", survey), Sheet::new("choices", choices)])
        .unwrap_or_else(|p| panic!("{p:#?}"));
    let found: Vec<String> = referenced_files(&form)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(found, ["rates.csv"]);
    assert!(
        !missing_files(&form, &["rates.xml"]).is_empty(),
        "pulldata reads a CSV only"
    );
}
