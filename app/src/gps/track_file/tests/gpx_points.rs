//! The GPX point rules: structure, time, coordinates, accuracy, speed and heading, routes.

use terreno_shared::model::Provider;

use super::*;

#[test]
fn tracks_and_segments_are_read_in_file_order_and_an_empty_segment_is_fine() {
    let text = gpx(&format!(
        "<trk><trkseg>{}{}</trkseg><trkseg/></trk>\n<trk><trkseg>{}</trkseg></trk>",
        pt("4.1", &at(0)),
        pt("4.2", &at(1)),
        pt("4.3", &at(0)),
    ));

    let import = read_gpx(&text).expect("valid gpx");

    let lats: Vec<f64> = import.fixes.iter().map(|f| f.point().lat()).collect();
    assert_eq!(lats, [4.1, 4.2, 4.3]);
    assert!(import.refused.is_empty(), "{:?}", import.refused);
    assert_eq!(import.tracks, 2);
    let fix = &import.fixes[0];
    assert_eq!(fix.provider(), Provider::Gps);
    assert_eq!(fix.accuracy_m(), DEFAULT_ACCURACY_M);
    assert!(!fix.is_mock() && fix.battery().is_none() && fix.speed_ms().is_none());
}

#[test]
fn waypoints_are_counted_and_not_imported() {
    let text = gpx(&format!(
        r#"<wpt lat="4.0" lon="-74.0"><time>{}</time></wpt><wpt lat="4.0" lon="-74.0"/>
<trk><trkseg>{}</trkseg></trk>"#,
        at(0),
        pt("4.1", &at(1))
    ));

    let import = read_gpx(&text).expect("valid gpx");

    assert_eq!((import.fixes.len(), import.waypoints_ignored), (1, 2));
}

#[test]
fn a_point_without_time_is_refused_with_its_name_and_line() {
    let text = gpx(&format!(
        "<trk><trkseg/><trkseg>\n{}\n<trkpt lat=\"4.2\" lon=\"-74.1\"><ele>2600</ele></trkpt>\n</trkseg></trk>",
        pt("4.1", &at(0))
    ));

    let import = read_gpx(&text).expect("one good point");

    let refused = &import.refused[0];
    assert_eq!(refused.what, "track 1, segment 2, point 2");
    assert_eq!(refused.line, 5);
    assert!(refused.reason.contains("no <time>"), "{}", refused.reason);
    assert!(
        refused
            .to_string()
            .starts_with("track 1, segment 2, point 2 (line 5): no <time>")
    );
}

#[test]
fn bad_coordinates_are_refused_naming_the_value() {
    let text = gpx(&format!(
        r#"<trk><trkseg>{}{}{}<trkpt lat="4.1"><time>{}</time></trkpt>{}</trkseg></trk>"#,
        pt("91", &at(0)),
        pt("abc", &at(1)),
        pt("NaN", &at(2)),
        at(3),
        pt("4.1", &at(4)),
    ));

    let import = read_gpx(&text).expect("one good point");

    assert_eq!(import.fixes.len(), 1);
    let r = reasons(&import);
    assert!(r[0].contains("latitude") && r[0].contains("91"), "{}", r[0]);
    assert_eq!(r[1], r#"lat "abc" is not a number"#);
    assert_eq!(r[2], r#"lat "NaN" is not a number"#);
    assert_eq!(r[3], "no lon attribute");
}

#[test]
fn a_point_going_back_in_time_is_refused_and_the_next_one_is_compared_with_the_last_kept() {
    let points = [at(5), at(3), at(4), at(6)].map(|t| pt("4.1", &t)).concat();
    let text = gpx(&format!("<trk><trkseg>{points}</trkseg></trk>"));

    let import = read_gpx(&text).expect("valid gpx");

    let kept: Vec<_> = import.fixes.iter().map(|f| f.time().to_rfc3339()).collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert_eq!(import.refused.len(), 2);
    assert!(
        reasons(&import)
            .iter()
            .all(|r| r.starts_with("time goes backwards"))
    );
}

#[test]
fn duplicate_times_keep_the_first_point_of_the_segment() {
    let points = [("4.1", at(0)), ("4.2", at(0)), ("4.3", at(1))]
        .map(|(lat, t)| pt(lat, &t))
        .concat();
    let text = gpx(&format!("<trk><trkseg>{points}</trkseg></trk>"));

    let import = read_gpx(&text).expect("valid gpx");

    let lats: Vec<f64> = import.fixes.iter().map(|f| f.point().lat()).collect();
    assert_eq!(lats, [4.1, 4.3]);
    assert!(reasons(&import)[0].starts_with("duplicate time 2026-11-24T13:00:00Z"));
}

#[test]
fn time_order_is_checked_within_a_segment_only() {
    let text = gpx(&format!(
        "<trk><trkseg>{}</trkseg><trkseg>{}</trkseg></trk>",
        pt("4.1", &at(5)),
        pt("4.2", &at(5)),
    ));

    let import = read_gpx(&text).expect("valid gpx");

    assert_eq!((import.fixes.len(), import.refused.len()), (2, 0));
}

#[test]
fn implausible_and_unparsable_times_are_refused_naming_the_value() {
    let points = ["1901-12-13T20:45:52.2073437Z", "yesterday", ""]
        .map(|t| pt("4.1", t))
        .concat();
    let text = gpx(&format!(
        "<trk><trkseg>{points}{}</trkseg></trk>",
        pt("4", &at(0))
    ));

    let import = read_gpx(&text).expect("one good point");

    let r = reasons(&import);
    assert!(
        r[0].contains("1901-12-13T20:45:52.2073437Z is before 2000-01-01"),
        "{}",
        r[0]
    );
    assert!(r[1].contains(r#""yesterday" is not"#), "{}", r[1]);
    assert!(r[2].contains("no <time>"), "{}", r[2]);
}

#[test]
fn times_without_offset_are_utc_and_long_fractions_parse() {
    let points = ["2011-05-13T10:20:00", "2011-05-13T10:20:01.1234567891Z"]
        .map(|t| pt("4.1", t))
        .concat();
    let text = gpx(&format!("<trk><trkseg>{points}</trkseg></trk>"));

    let import = read_gpx(&text).expect("valid gpx");

    let times: Vec<_> = import.fixes.iter().map(|f| f.time().to_rfc3339()).collect();
    assert_eq!(
        times,
        [
            "2011-05-13T10:20:00+00:00",
            "2011-05-13T10:20:01.123456789+00:00"
        ]
    );
}

#[test]
fn hdop_gives_the_accuracy_and_zero_or_missing_hdop_the_default() {
    let point = |minute, hdop: &str| {
        let t = at(minute);
        format!(r#"<trkpt lat="4.1" lon="-74.1"><time>{t}</time>{hdop}</trkpt>"#)
    };
    let points = [
        point(0, "<hdop>1.8</hdop>"),
        point(1, "<hdop>0</hdop>"),
        point(2, ""),
        point(3, "<hdop>-1</hdop>"),
    ]
    .concat();
    let import = read_gpx(&gpx(&format!("<trk><trkseg>{points}</trkseg></trk>"))).unwrap();

    let acc: Vec<f64> = import.fixes.iter().map(|f| f.accuracy_m()).collect();
    assert!((acc[0] - 9.0).abs() < 1e-9, "{acc:?}");
    assert_eq!(acc[1..], [DEFAULT_ACCURACY_M, DEFAULT_ACCURACY_M]);
    assert_eq!(reasons(&import), ["hdop -1 is negative"]);
}

#[test]
fn speed_course_and_elevation_come_from_gpx_10_fields_or_any_prefixed_extension() {
    let text = r#"<gpx version="1.0" xmlns="http://www.topografix.com/GPX/1/0"
  xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
<trk><trkseg>
<trkpt lat="46.07987117953598499298095703125" lon="14.7386186756193637847900390625">
  <ele>230.600006103515625</ele><time>2016-04-02T17:26:09.000Z</time>
  <course>90.5</course><speed>3.2</speed></trkpt>
<trkpt lat="46.1" lon="14.7"><time>2016-04-02T17:26:10Z</time><extensions>
  <ns3:TrackPointExtension><ns3:hr>107</ns3:hr><ns3:speed>1.1</ns3:speed>
  <ns3:bearing>218.3</ns3:bearing></ns3:TrackPointExtension></extensions></trkpt>
<trkpt lat="46.2" lon="14.7"><time>2016-04-02T17:26:11Z</time><speed>fast</speed></trkpt>
</trkseg></trk></gpx>"#;

    let import = read_gpx(text).expect("valid gpx 1.0");

    let [a, b] = &import.fixes[..] else {
        panic!("two fixes expected: {import:?}")
    };
    assert!((a.point().lat() - 46.079_871_179_535_985).abs() < 1e-12);
    assert_eq!(
        (a.altitude_m(), a.speed_ms(), a.heading_deg()),
        (Some(230.600_006_103_515_63), Some(3.2), Some(90.5))
    );
    assert_eq!(
        (b.altitude_m(), b.speed_ms(), b.heading_deg()),
        (None, Some(1.1), Some(218.3))
    );
    assert_eq!(reasons(&import), [r#"speed "fast" is not a number"#]);
}

#[test]
fn timed_routes_are_read_and_planned_routes_are_counted() {
    let text = gpx(&format!(
        r#"<rte><rtept lat="4.1" lon="-74.1"/><rtept lat="4.2" lon="-74.1"/></rte>
<rte><rtept lat="4.1" lon="-74.1"><time>{}</time></rtept><rtept lat="4.2" lon="-74.1"/></rte>"#,
        at(0)
    ));

    let import = read_gpx(&text).expect("one timed point");

    assert_eq!(
        (
            import.fixes.len(),
            import.route_points_ignored,
            import.tracks
        ),
        (1, 2, 1)
    );
    assert_eq!(import.refused[0].what, "route 2, point 2");
}

#[test]
fn gpx_without_namespace_and_with_a_bom_is_read() {
    let text = format!(
        "\u{feff}<gpx><trk><trkseg>{}</trkseg></trk></gpx>",
        pt("4.1", &at(0))
    );

    assert_eq!(read_gpx(&text).expect("valid gpx").fixes.len(), 1);
}
