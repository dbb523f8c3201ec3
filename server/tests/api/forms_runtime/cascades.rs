//! Cascading selects in real forms, checked by hand against their choices sheets: a
//! `choice_filter` over the choices' own columns (pyxform's choice_filter_test, the Jakarta
//! flood report's `external_choices`), and the older pattern of one list per parent with
//! `relevant` and a calculation picking the answer (cascading_select_test_equivalent).

use super::*;

#[test]
fn choosing_a_state_leaves_only_its_counties_and_a_county_only_its_cities() {
    let Some(l) = load("pyxform__choice_filter_test.xlsx") else {
        return;
    };
    let offered = |pairs: &[(&str, &str)], path: &str| {
        choices(&l.engine.evaluate(&answers(pairs), &env()), path).to_vec()
    };

    // The counties' `cf` column names their state; nothing matches an unanswered state.
    assert_eq!(offered(&[], "state"), ["texas", "washington"]);
    assert!(offered(&[], "county").is_empty());
    assert_eq!(
        offered(&[("state", "texas")], "county"),
        ["king", "cameron"]
    );
    assert_eq!(
        offered(&[("state", "washington")], "county"),
        ["king", "pierce"]
    );
    // Cities name only their county: Cameron has two.
    let texas = [("state", "texas"), ("county", "cameron")];
    assert_eq!(offered(&texas, "city"), ["brownsville", "harlingen"]);
    // Both states have a "king" (allow_choice_duplicates=yes) and the cities sheet cannot tell
    // them apart, so King in Texas offers Washington's King cities too: the form says so.
    let king = [("state", "texas"), ("county", "king")];
    assert_eq!(
        offered(&king, "city"),
        ["dumont", "finney", "seattle", "redmond"]
    );
}

#[test]
fn a_changed_state_no_longer_offers_the_county_chosen_before() {
    let Some(l) = load("pyxform__choice_filter_test.xlsx") else {
        return;
    };
    let mut given = answers(&[("state", "washington"), ("county", "pierce")]);
    let before = l.engine.evaluate(&given, &env());

    given.set("state", "texas");
    let after = l.engine.update(&before, &given, "state", &env());

    assert_eq!(choices(&after, "city"), ["tacoma", "puyallup"]);
    assert!(!choices(&after, "county").contains(&"pierce".to_owned()));
    assert_eq!(after, l.engine.evaluate(&given, &env()));
}

#[test]
fn the_zone_decides_which_state_list_is_asked_and_the_calculations_carry_the_choice() {
    let Some(l) = load("pyxform__cascading_select_test_equivalent.xls") else {
        return;
    };

    let none = l.engine.evaluate(&Answers::new(), &env());
    let zone2 = l.engine.evaluate(
        &answers(&[
            ("mylga_zone", "zone_2"),
            ("mylga_state_in_zone_2", "state_3"),
            ("mylga_lga_in_state_3", "lga_6"),
        ]),
        &env(),
    );

    // Each `select_one mylga_state_in_zone_N` is relevant when `${mylga_zone}='zone_N'`, and
    // each LGA list when the calculated state is its state; with nothing chosen the nested
    // `if`s end in the form's own 'ERROR'.
    assert!(!relevant(&none, "mylga_state_in_zone_1"));
    assert!(!relevant(&none, "mylga_state_in_zone_2"));
    assert_eq!(none.calculated["mylga_state"], "ERROR");
    assert_eq!(none.calculated["mylga"], "ERROR");
    assert!(!relevant(&zone2, "mylga_state_in_zone_1"));
    assert!(relevant(&zone2, "mylga_state_in_zone_2"));
    let lgas = ["1", "2", "3", "4"].map(|n| relevant(&zone2, &format!("mylga_lga_in_state_{n}")));
    assert_eq!(lgas, [false, false, true, false]);
    assert_eq!(zone2.calculated["mylga_state"], "state_3");
    assert_eq!(zone2.calculated["mylga"], "lga_6");
    assert_eq!(choices(&zone2, "mylga_lga_in_state_3"), ["lga_5", "lga_6"]);
}

#[test]
fn switching_zones_drops_the_other_zones_answers_from_the_submission() {
    let Some(l) = load("pyxform__cascading_select_test_equivalent.xls") else {
        return;
    };
    // The collector first went down zone 1, then changed the zone: the old answers stay in
    // the device's answers (they come back if the zone does) but are not submitted.
    let given = answers(&[
        ("mylga_zone", "zone_2"),
        ("mylga_state_in_zone_1", "state_1"),
        ("mylga_lga_in_state_1", "lga_2"),
        ("mylga_state_in_zone_2", "state_4"),
        ("mylga_lga_in_state_4", "lga_1"),
    ]);

    let submitted = l
        .engine
        .result(&given, &env())
        .expect("nothing is required");

    let paths: Vec<&str> = submitted.iter().map(|(p, _)| p).collect();
    assert_eq!(
        paths,
        [
            "mylga",
            "mylga_lga_in_state_4",
            "mylga_state",
            "mylga_state_in_zone_2",
            "mylga_zone"
        ]
    );
    assert_eq!(submitted.get("mylga"), Some("lga_1"));
    assert_eq!(submitted.get("mylga_state"), Some("state_4"));
}

#[test]
fn a_jakarta_city_offers_its_districts_and_a_district_its_villages_from_external_choices() {
    let Some(l) = load("onadata__external_choice_form_v1.xlsx") else {
        return;
    };

    let barat = l
        .engine
        .evaluate(&answers(&[("kota", "jakarta_barat")]), &env());
    let kembangan = l.engine.evaluate(
        &answers(&[("kota", "jakarta_barat"), ("kecamatan", "kembangan")]),
        &env(),
    );
    let seribu = l.engine.evaluate(
        &answers(&[
            ("kota", "kepulauan_seribu"),
            ("kecamatan", "kep_seribu_utara"),
        ]),
        &env(),
    );

    // `kecamatan` filters `kota=${kota}`: the eight external_choices rows of West Jakarta.
    assert_eq!(
        choices(&barat, "kecamatan"),
        [
            "cengkareng",
            "grogol_petamburan",
            "kali_deres",
            "kebon_jeruk",
            "kembangan",
            "palmerah",
            "taman_sari",
            "tambora"
        ]
    );
    // `kelurahan` filters on both columns: Kembangan's six villages.
    assert_eq!(
        choices(&kembangan, "group_location/kelurahan"),
        [
            "joglo",
            "kembangan_selatan",
            "kembangan_utara",
            "meruya_selatan",
            "meruya_utara",
            "srengseng"
        ]
    );
    let islands = choices(&seribu, "group_location/kelurahan");
    assert!(
        !islands.is_empty() && islands.iter().all(|v| v.starts_with("pulau_")),
        "{islands:?}"
    );
}
