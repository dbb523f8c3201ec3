//! The real tracks of `shared/fixtures` (MANIFEST.md section 2) and `track_day.{gpx,jsonl}`.
//! Skipped with a line on stderr when the folder is absent, except under CI.

use std::path::PathBuf;

use super::*;

fn fixtures() -> Option<PathBuf> {
    let dir = std::env::var_os("TERRENO_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures").into());
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "fixtures folder {} is missing (set TERRENO_FIXTURES)",
        dir.display()
    );
    eprintln!("skipped: fixtures folder {} not found", dir.display());
    None
}

/// (file, fixes, refused, waypoints, tracks) from MANIFEST.md section 2.
const GPX_FILES: [(&str, usize, usize, usize, usize); 7] = [
    ("gpxpy__around-visnjan-with-car.gpx", 104, 0, 0, 1),
    ("gpxpy__cerknicko-jezero.gpx", 296, 0, 7, 8),
    ("srtmpy__setnjica-kod-karojbe.gpx", 1852, 0, 0, 1),
    ("leaflet-gpx__demo-2012-CIM-marathon.gpx", 2671, 0, 0, 1),
    ("saf__riderx3.gpx", 931, 0, 0, 1),
    ("vespucci__20110513_121244-tp.gpx", 112, 0, 79, 1),
    ("organicmaps__tower_collector.gpx", 35, 0, 0, 1),
];

/// Every fix of Mojstrovka carries a corrupt 1901 timestamp.
const ALL_REFUSED: &str = "gpxpy__Mojstrovka.gpx";

#[test]
fn every_fixture_gpx_file_yields_the_manifest_point_counts() {
    let Some(dir) = fixtures() else { return };
    let mut seen = 0;
    for entry in std::fs::read_dir(dir.join("gpx")).expect("gpx folder") {
        let path = entry.expect("gpx folder entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if !name.ends_with(".gpx") || name == ALL_REFUSED {
            continue;
        }
        let Some(&(_, fixes, refused, waypoints, tracks)) = GPX_FILES.iter().find(|f| f.0 == name)
        else {
            panic!("{name} is not in GPX_FILES: add its counts from MANIFEST.md")
        };
        let import = read_track_file(&path).unwrap_or_else(|e| panic!("{e}"));
        let got = (
            import.fixes.len(),
            import.refused.len(),
            import.waypoints_ignored,
            import.tracks,
        );
        assert_eq!(
            got,
            (fixes, refused, waypoints, tracks),
            "{name}: {:?}",
            import.refused.first()
        );
        seen += 1;
    }
    assert_eq!(
        seen,
        GPX_FILES.len(),
        "a file of GPX_FILES is missing from the folder"
    );
}

#[test]
fn mojstrovka_with_its_1901_timestamps_is_refused_whole_naming_the_time() {
    let Some(dir) = fixtures() else { return };
    let path = dir.join("gpx").join(ALL_REFUSED);

    let err = read_track_file(&path).expect_err("all 184 points are from 1901");

    let TrackFileError::InFile { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(**source, TrackFileError::NoUsableFix { refused: 184, .. }),
        "{source:?}"
    );
    let message = err.to_string();
    assert!(message.contains("all 184 points were refused"), "{message}");
    assert!(
        message.contains("time 1901-12-13T20:45:52.2073437Z is before 2000-01-01"),
        "{message}"
    );
}

#[test]
fn extension_speed_and_bearing_and_hdop_of_the_fixtures_are_read() {
    let Some(dir) = fixtures() else { return };

    let tower = read_track_file(&dir.join("gpx/organicmaps__tower_collector.gpx")).expect("tower");
    let vespucci =
        read_track_file(&dir.join("gpx/vespucci__20110513_121244-tp.gpx")).expect("osmtracker");
    let rider = read_track_file(&dir.join("gpx/saf__riderx3.gpx")).expect("riderx3");

    assert_eq!(
        tower
            .fixes
            .iter()
            .filter(|f| f.speed_ms().is_some())
            .count(),
        28
    );
    assert_eq!(
        tower
            .fixes
            .iter()
            .filter(|f| f.heading_deg().is_some())
            .count(),
        28
    );
    // First OSMtracker point: <hdop>1.04</hdop>.
    assert!((vespucci.fixes[0].accuracy_m() - 5.2).abs() < 1e-9);
    assert!((rider.fixes[0].point().lat() - 46.079_871_179_535_985).abs() < 1e-12);
}

#[test]
fn track_day_jsonl_has_2240_fixes_of_which_12_are_mock() {
    let Some(dir) = fixtures() else { return };

    let import = read_track_file(&dir.join("track_day.jsonl")).expect("track_day.jsonl");

    assert_eq!(import.fixes.len(), 2240);
    assert!(import.refused.is_empty(), "{:?}", import.refused);
    assert_eq!(import.fixes.iter().filter(|f| f.is_mock()).count(), 12);
}

/// track_day.gpx was written from track_day.jsonl with HDOP = accuracy / 5 rounded to 0.1, no
/// battery and no mock flag: the import must give back the same times and places, and each
/// accuracy within the rounding (0.1 HDOP × 5 m / 2 = 0.25 m; on a 0.1 m grid at most 0.2 m).
#[test]
fn track_day_gpx_gives_the_same_track_as_track_day_jsonl() {
    let Some(dir) = fixtures() else { return };

    let gpx = read_track_file(&dir.join("track_day.gpx")).expect("track_day.gpx");
    let jsonl = read_track_file(&dir.join("track_day.jsonl")).expect("track_day.jsonl");

    assert_eq!(gpx.fixes.len(), jsonl.fixes.len());
    assert!(gpx.refused.is_empty(), "{:?}", gpx.refused);
    let mut worst_accuracy = 0.0_f64;
    for (g, j) in gpx.fixes.iter().zip(&jsonl.fixes) {
        assert_eq!(g.time(), j.time());
        assert!(
            (g.point().lat() - j.point().lat()).abs() < 1e-7,
            "{g:?} {j:?}"
        );
        assert!(
            (g.point().lon() - j.point().lon()).abs() < 1e-7,
            "{g:?} {j:?}"
        );
        assert_eq!(g.speed_ms(), j.speed_ms());
        assert!(!g.is_mock() && g.battery().is_none());
        worst_accuracy = worst_accuracy.max((g.accuracy_m() - j.accuracy_m()).abs());
    }
    assert!(
        worst_accuracy <= 0.2 + 1e-9,
        "accuracy off by {worst_accuracy} m"
    );
}
