//! The readers of media files: what rows come out, and which line a refusal names.

use crate::form::media::{MediaError, MediaKind, check_name, parse_table};
use crate::form::xlsform::Text;

fn names(file: &str, bytes: &str) -> Vec<String> {
    parse_table(file, bytes.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"))
        .rows
        .into_iter()
        .map(|r| r.name)
        .collect()
}

fn refusal(file: &str, bytes: &str) -> MediaError {
    parse_table(file, bytes.as_bytes()).expect_err("refused")
}

#[test]
fn a_csv_header_names_the_columns_and_name_and_label_make_the_choice() {
    let table = parse_table(
        "fruits.csv",
        b"\xEF\xBB\xBFname,label,label::Espa\xC3\xB1ol (es),price\r\napple,Apple,Manzana,3\r\n\"kiwi, gold\",\"The \"\"gold\"\"\",,\n",
    )
    .expect("read");
    assert_eq!(table.rows.len(), 2);
    let apple = &table.rows[0];
    assert_eq!((apple.row, apple.name.as_str()), (2, "apple"));
    assert_eq!(apple.label.get(Text::NO_LANGUAGE), Some("Apple"));
    assert_eq!(apple.label.get("Español (es)"), Some("Manzana"));
    assert_eq!(apple.properties["price"], "3");
    let kiwi = &table.rows[1];
    assert_eq!(kiwi.name, "kiwi, gold");
    assert_eq!(kiwi.label.get(Text::NO_LANGUAGE), Some("The \"gold\""));
    assert_eq!(kiwi.properties["price"], "");
}

#[test]
fn csv_quoted_line_breaks_blank_lines_and_short_rows_are_read() {
    let text = "name,label,extra\n\"a\nb\",A\n\nc,C,x\n";
    assert_eq!(names("t.csv", text), ["a\nb", "c"]);
    let rows = parse_table("t.csv", text.as_bytes()).expect("read").rows;
    assert_eq!(rows[1].row, 5, "the quoted line break counts as a line");
}

#[test]
fn bad_csv_is_refused_with_its_file_and_line() {
    let cases: &[(&str, u32, &str)] = &[
        ("name,label\na,A\nb,B,extra\n", 3, "3 fields"),
        ("name,label\na,\"A\n", 2, "never closed"),
        ("name,label\na,\"A\"x\n", 2, "after a closing quote"),
        ("name,,label\n", 1, "no name"),
        ("name,name\n", 1, "named twice"),
        ("", 1, "empty"),
    ];
    for (text, line, words) in cases {
        let e = refusal("people.csv", text);
        assert_eq!(
            (e.file.as_str(), e.line),
            ("people.csv", Some(*line)),
            "{text:?}: {e}"
        );
        assert!(e.message.contains(words), "{text:?}: {e}");
    }
    let e = parse_table("x.csv", b"name\nok\n\xFF\n").expect_err("not UTF-8");
    assert_eq!(e.to_string(), "x.csv, line 3: not UTF-8 text");
}

#[test]
fn an_xml_secondary_instance_gives_one_row_per_item() {
    let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- districts -->
<root>
  <item id="1"><name>d1</name><label>North &amp; East</label><region>r1</region></item>
  <item><name>d2</name><label><![CDATA[<South>]]></label><region/></item>
</root>"#;
    let rows = parse_table("districts.xml", text.as_bytes())
        .expect("read")
        .rows;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].name, "d1");
    assert_eq!(rows[0].row, 4);
    assert_eq!(rows[0].label.get(Text::NO_LANGUAGE), Some("North & East"));
    assert_eq!(rows[1].label.get(Text::NO_LANGUAGE), Some("<South>"));
    assert_eq!(rows[1].properties["region"], "");
}

#[test]
fn bad_xml_is_refused_with_its_line() {
    let cases: &[(&str, u32, &str)] = &[
        (
            "<root>\n<item><name>a</label></item></root>",
            2,
            "closes <name>",
        ),
        (
            "<root>\n<item>\n<name>a</name>\n",
            2,
            "<item> is never closed",
        ),
        ("<root><item><a><b>x</b></a></item></root>", 1, "deeper"),
        ("<root>\nloose</root>", 2, "text outside"),
        ("<!DOCTYPE x [<!ENTITY e \"boom\">]><root/>", 1, "DOCTYPE"),
        (
            "<root><item><name>&bogus;</name></item></root>",
            1,
            "&bogus;",
        ),
    ];
    for (text, line, words) in cases {
        let e = refusal("d.xml", text);
        assert_eq!(e.line, Some(*line), "{text:?}: {e}");
        assert!(e.message.contains(words), "{text:?}: {e}");
    }
}

#[test]
fn geojson_features_become_rows_with_odk_geometry_text() {
    let text = r#"{"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "w1", "geometry": {"type": "Point", "coordinates": [-74.08, 4.6]},
         "properties": {"title": "Well 1", "depth": 12, "ok": true, "note": null}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[1, 2], [3, 4, 5]]},
         "properties": {"id": 7, "title": "Path"}}
    ]}"#;
    let rows = parse_table("wells.geojson", text.as_bytes())
        .expect("read")
        .rows;
    assert_eq!(rows[0].name, "w1");
    assert_eq!(rows[0].label.get(Text::NO_LANGUAGE), Some("Well 1"));
    assert_eq!(rows[0].properties["geometry"], "4.6 -74.08 0 0");
    assert_eq!(rows[0].properties["depth"], "12");
    assert_eq!(rows[0].properties["note"], "");
    assert_eq!(rows[1].name, "7");
    assert_eq!(rows[1].properties["geometry"], "2 1 0 0;4 3 5 0");
}

#[test]
fn bad_geojson_names_the_line_or_the_feature() {
    let e = refusal(
        "w.geojson",
        "{\n\"type\": \"FeatureCollection\",\n\"features\": [}\n",
    );
    assert_eq!(e.line, Some(3), "{e}");
    let e = refusal(
        "w.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":["x"]}}]}"#,
    );
    assert!(e.to_string().starts_with("w.geojson: feature 1:"), "{e}");
    assert!(
        refusal("w.geojson", "[]")
            .message
            .contains("FeatureCollection")
    );
}

#[test]
fn media_names_are_one_plain_file_with_an_allowed_extension() {
    assert_eq!(check_name("fruits.csv"), Ok(MediaKind::Csv));
    assert_eq!(check_name("Map.GeoJSON"), Ok(MediaKind::GeoJson));
    assert_eq!(check_name("logo.png"), Ok(MediaKind::Display));
    for bad in [
        "../etc/passwd.csv",
        "a/b.csv",
        "a\\b.csv",
        ".hidden.csv",
        "c:x.csv",
        "run.exe",
        "noext",
        "",
        "a\u{0}.csv",
    ] {
        assert!(check_name(bad).is_err(), "{bad:?} accepted");
    }
    assert!(check_name(&format!("{}.csv", "a".repeat(100))).is_err());
}

#[test]
fn a_file_over_the_limit_is_refused_before_reading() {
    let big = vec![b'a'; crate::form::media::MAX_MEDIA_BYTES + 1];
    let e = parse_table("big.csv", &big).expect_err("too large");
    assert!(e.message.contains("over 10 MiB"), "{e}");
}
