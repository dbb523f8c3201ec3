//! Small inline GPX and JSON Lines inputs: whole-file errors, inputs that must not panic, JSON
//! Lines and the file entry point. The GPX point rules are in `tests/gpx_points.rs`.

use super::*;

mod gpx_points;

const GPX11: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">"#;

fn gpx(body: &str) -> String {
    format!("{GPX11}\n{body}\n</gpx>\n")
}

fn pt(lat: &str, time: &str) -> String {
    format!(r#"<trkpt lat="{lat}" lon="-74.1"><time>{time}</time></trkpt>"#)
}

fn at(minute: u32) -> String {
    format!("2026-11-24T13:{minute:02}:00Z")
}

fn reasons(import: &TrackImport) -> Vec<&str> {
    import.refused.iter().map(|r| r.reason.as_str()).collect()
}

#[test]
fn whole_file_failures_are_errors_with_a_position() {
    let truncated = gpx(&format!("<trk><trkseg>{}", pt("4.1", &at(0))));
    let truncated = &truncated[..truncated.len() - 20];
    let cases: [(&str, &str); 6] = [
        ("", "not XML: the file is empty (line 1, column 1)"),
        ("not xml at all", "(line 1, column 1)"),
        (
            "<gpx>\n<trk></gpx>",
            "not XML: expected 'trk' tag, not 'gpx' (line 2, column 6)",
        ),
        (truncated, "(line 3, column"),
        (
            "<kml xmlns=\"http://www.opengis.net/kml/2.2\"/>",
            "not a GPX file: the root element is <kml>, not <gpx>",
        ),
        ("<gpx/>", "no usable fix: the file has no track points"),
    ];
    for (text, expected) in cases {
        let err = read_gpx(text).expect_err(text).to_string();
        assert!(err.contains(expected), "{text:?}: {err}");
    }
}

#[test]
fn a_file_whose_points_are_all_refused_is_an_error_naming_the_first_reason() {
    let text = gpx(&format!(
        "<trk><trkseg>{}{}</trkseg></trk>",
        pt("4", "1990-01-01T00:00:00Z"),
        pt("95", &at(0))
    ));

    let err = read_gpx(&text).expect_err("nothing usable");

    let TrackFileError::NoUsableFix {
        refused,
        first: Some(first),
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*refused, first.line), (2, 3));
    assert!(err.to_string().starts_with("no usable fix: all 2 points were refused; the first, track 1, segment 1, point 1 (line 3): time 1990-01-01T00:00:00Z is before 2000-01-01"), "{err}");
}

#[test]
fn no_prefix_of_a_gpx_file_and_no_mangled_byte_makes_the_readers_panic() {
    let text = gpx(&format!(
        "<wpt lat=\"1\" lon=\"2\"/><trk><trkseg>{}<trkpt lat=\"4.2\" lon=\"-74\"><time>{}</time><hdop>2</hdop><extensions><x:speed xmlns:x=\"u\">1</x:speed></extensions></trkpt></trkseg></trk>",
        pt("4.1", &at(0)),
        at(1)
    ));
    let cut_points = (0..=text.len()).filter(|&i| text.is_char_boundary(i));
    for i in cut_points {
        let _ = read_gpx(&text[..i]);
        let _ = read_jsonl(&text[..i]);
    }
    let mut seed = 7_u64;
    for _ in 0..2000 {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let mut bytes = text.clone().into_bytes();
        let at = (seed >> 33) as usize % bytes.len();
        bytes[at] = b"<>\"'/&;= x9-.:"[(seed >> 20) as usize % 14];
        let _ = read_gpx(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn nesting_deeper_than_any_gpx_is_refused_before_the_parser_recurses() {
    let deep = "<gpx>\n".to_string() + &"<trk>".repeat(100_000);

    let err = read_gpx(&deep).expect_err("too deep");

    assert!(
        matches!(
            err,
            TrackFileError::TooDeep {
                line: 2,
                column: 156,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn the_nesting_check_skips_comments_cdata_and_quoted_values_and_self_closed_tags() {
    let noise = r#"<!-- <a><a> --><![CDATA[<b><b>]]><?pi <c>?><e a=">" b='/>'/><f/>"#.repeat(200);
    let nested = format!(
        "{}x{}",
        "<e>".repeat(MAX_DEPTH - 8),
        "</e>".repeat(MAX_DEPTH - 8)
    );
    let point = format!(
        r#"<trkpt lat="4.1" lon="-74.1"><time>{}</time><extensions>{nested}</extensions></trkpt>"#,
        at(0)
    );
    let text = gpx(&format!("{noise}<trk><trkseg>{point}</trkseg></trk>"));

    assert_eq!(read_gpx(&text).expect("within the limit").fixes.len(), 1);
}

#[test]
fn jsonl_keeps_good_lines_and_refuses_bad_ones_by_line_number() {
    let good = r#"{"t": "2026-11-24T13:00:00Z", "lat": 4.6076527, "lon": -74.1218349, "accuracy_m": 8.9, "speed_ms": null, "battery": 0.97, "mock": false}"#;
    let text = [
        &format!("\u{feff}{good}"),
        "",
        r#"{"t": "2026-11-24T13:00:05Z", "lat": 4.6, "lon": -74.1, "accuracy_m": 8.9, "altitud": 3}"#,
        "   ",
        r#"{"t": "2026-11-24T13:00:10Z", "lat": 91, "lon": -74.1, "accuracy_m": 8.9}"#,
        "{not json",
        &good.replace("13:00:00Z", "13:00:15Z"),
    ]
    .join("\r\n");

    let import = read_jsonl(&text).expect("two good lines");

    assert_eq!((import.fixes.len(), import.tracks), (2, 1));
    let lines: Vec<u32> = import.refused.iter().map(|r| r.line).collect();
    assert_eq!(lines, [3, 5, 6]);
    let r = reasons(&import);
    assert!(
        r[0].starts_with("unknown field `altitud`") && r[0].ends_with("(column 84)"),
        "{}",
        r[0]
    );
    assert!(r[1].contains("latitude"), "{}", r[1]);
    assert_eq!(import.refused[2].to_string(), format!("line 6: {}", r[2]));
}

#[test]
fn jsonl_with_nothing_usable_is_an_error() {
    for (text, expected) in [
        ("", "no usable fix: the file has no track points"),
        ("\n\n", "no usable fix: the file has no track points"),
        (
            "garbage\n[]",
            "no usable fix: all 2 points were refused; the first, line 1: expected value",
        ),
    ] {
        let err = read_jsonl(text).expect_err(text).to_string();
        assert!(err.starts_with(expected), "{text:?}: {err}");
    }
}

fn temp_file(name: &str, content: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("terreno-track-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write temp file");
    path
}

#[test]
fn track_files_are_read_by_extension_in_any_case_and_errors_name_the_path() {
    let gpx_path = temp_file(
        "day.GPX",
        &gpx(&format!(
            "<trk><trkseg>{}</trkseg></trk>",
            pt("4.1", &at(0))
        )),
    );
    let bad_path = temp_file("bad.jsonl", "nope");
    let txt_path = temp_file("day.txt", "");
    let missing = gpx_path.with_file_name("missing.gpx");

    assert_eq!(read_track_file(&gpx_path).expect("gpx").fixes.len(), 1);
    let bad = read_track_file(&bad_path)
        .expect_err("nothing usable")
        .to_string();
    let txt = read_track_file(&txt_path)
        .expect_err("unknown extension")
        .to_string();
    let gone = read_track_file(&missing).expect_err("missing");

    assert!(
        bad.starts_with(&format!("track file {}: no usable fix", bad_path.display())),
        "{bad}"
    );
    assert!(
        txt.contains("day.txt is not a .gpx or .jsonl file"),
        "{txt}"
    );
    assert!(
        matches!(&gone, TrackFileError::Unreadable { path, .. } if path == &missing),
        "{gone:?}"
    );
    for p in [&gpx_path, &bad_path, &txt_path] {
        let _ = std::fs::remove_file(p);
    }
    let _ = std::fs::remove_dir(gpx_path.parent().expect("temp dir"));
}
