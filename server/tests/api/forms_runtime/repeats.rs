//! Repeats in real forms, checked by hand: a count taken from a calculation
//! (repeat_date_test), and the UCL biomass plot form: trees, each with `repeat_count=${stem_count}`
//! stems, plot radii from trigonometry on the slope, checks inside nested instances with
//! messages in Swahili and English, and a phone number checked by a regular expression.

use super::*;

#[test]
fn a_calculated_count_makes_the_instances_whatever_the_collector_adds() {
    let Some(l) = load("pyxform__repeat_date_test.xls") else {
        return;
    };
    let mut given = Answers::new();
    given.set_instances("repeat_test", 3);

    let e = l.engine.evaluate(&given, &env());

    // `repeat_count=${repeat_count}`, a calculate of 1.0: one instance, asking both selects.
    assert_eq!(e.calculated["repeat_count"], "1");
    assert_eq!(e.repeat_counts["repeat_test"], 1);
    assert!(relevant(&e, "repeat_test[1]/table_list_3"));
    assert!(!e.relevant.contains_key("repeat_test[2]/table_list_3"));
    assert_eq!(choices(&e, "repeat_test[1]/table_list_4"), ["yes", "no"]);
}

const UCL: &str = "pyxform__UCL_Biomass_Plot_Form.xlsx";

#[test]
fn the_plot_radius_is_corrected_for_the_slope() {
    let Some(l) = load(UCL) else {
        return;
    };
    let radii = |slope: &str| {
        let e = l
            .engine
            .evaluate(&answers(&[("location/slope", slope)]), &env());
        let c = |n: &str| e.calculated[&format!("location/{n}")].clone();
        (c("slope_radius"), c("slope_radius_inner"))
    };

    // round(15 div sqrt(cos(atan(slope div 100))), 2): on flat ground 15 m and 5 m; at 100%
    // atan gives pi/4, cos 0.70711, its root 0.84090, so 17.84 m and 5.95 m.
    assert_eq!(radii("0"), ("15".to_owned(), "5".to_owned()));
    assert_eq!(radii("100"), ("17.84".to_owned(), "5.95".to_owned()));
}

#[test]
fn the_phone_number_must_have_ten_digits_in_either_language() {
    let Some(l) = load(UCL) else {
        return;
    };
    let refused = |number: &str, language: &str| {
        let e = l.engine.evaluate(
            &answers(&[("info/leader_number", number)]),
            &env_in(language),
        );
        message(&e.failed_constraints, "info/leader_number").map(str::to_owned)
    };

    // `regex(.,'^(([0-9]{1})*[- .(]*([0-9]{3})[- .)]*[0-9]{3}[- .]*[0-9]{4})+$')`: ten digits,
    // grouped 3-3-4 with optional separators.
    assert_eq!(refused("0712345678", "English (en)"), None);
    assert_eq!(refused("(071) 234-5678", "English (en)"), None);
    let message = Some("10 digit phone number".to_owned());
    assert_eq!(refused("12345", "English (en)"), message);
    assert_eq!(refused("071234567x", "Swahili (sw)"), message);
}

/// One tree at `distance` m from the centre of a flat plot, with `stems` stems.
fn tree(distance: &str, stems: &str) -> Answers {
    let mut given = answers(&[
        ("location/slope", "0"),
        ("any_trees", "yes"),
        ("trees[1]/tree_distance", distance),
        ("trees[1]/stem_count", stems),
    ]);
    given.set_instances("trees", 1);
    given
}

#[test]
fn each_tree_has_as_many_stem_instances_as_its_stem_count() {
    let Some(l) = load(UCL) else {
        return;
    };
    let mut given = tree("3", "2");
    given.set_instances("trees", 2);
    given.set("trees[2]/stem_count", "4");

    let e = l.engine.evaluate(&given, &env());

    assert_eq!(e.repeat_counts["trees"], 2);
    assert_eq!(e.repeat_counts["trees[1]/stems"], 2);
    assert_eq!(e.repeat_counts["trees[2]/stems"], 4);
    assert!(relevant(&e, "trees[2]/stems[4]/cbh"));
    // `tag_1` copies the tree's tag into each of its stems.
    let tagged = {
        let mut g = given.clone();
        g.set("trees[2]/tag", "118");
        l.engine.evaluate(&g, &env())
    };
    assert_eq!(tagged.calculated["trees[2]/stems[3]/tag_1"], "118");
}

#[test]
fn trees_are_asked_only_when_the_plot_has_some() {
    let Some(l) = load(UCL) else {
        return;
    };
    let mut given = tree("3", "1");
    given.set("any_trees", "no");

    let e = l.engine.evaluate(&given, &env());

    // The repeat is relevant when `${any_trees} = 'yes'` (written with typographic quotes).
    assert!(!relevant(&e, "trees[1]"));
    let submitted = l.engine.result(&given, &env());
    let kept = submitted.map(|a| a.iter().any(|(p, _)| p.starts_with("trees[")));
    assert_ne!(kept, Ok(true), "no tree answer is submitted");
}

#[test]
fn a_stem_too_thin_for_its_ring_is_refused_with_the_minimum_in_the_message() {
    let Some(l) = load(UCL) else {
        return;
    };
    let mut outer = tree("10", "2");
    outer.set("trees[1]/stems[1]/cbh", "12");
    outer.set("trees[1]/stems[2]/cbh", "16");
    let mut inner = tree("4", "1");
    inner.set("trees[1]/stems[1]/cbh", "12");

    let english = l.engine.evaluate(&outer, &env_in("English (en)"));
    let swahili = l.engine.evaluate(&outer, &env_in("Swahili (sw)"));
    let near = l.engine.evaluate(&inner, &env_in("English (en)"));

    // size_constraint = if(${tree_distance} > ${slope_radius_inner}, 15, 6): past 5 m the
    // minimum circumference is 15 cm, and cbh must be `>= ${size_constraint}`.
    assert_eq!(english.calculated["trees[1]/size_constraint"], "15");
    assert_eq!(
        message(&english.failed_constraints, "trees[1]/stems[1]/cbh"),
        Some("Minimum circumference for this part of the plot is 15 cm.")
    );
    assert_eq!(
        message(&swahili.failed_constraints, "trees[1]/stems[1]/cbh"),
        Some("Kiwango cha chini cha circumference kwa sehemu hii ya plot ni 15 cm.")
    );
    assert_eq!(
        message(&english.failed_constraints, "trees[1]/stems[2]/cbh"),
        None
    );
    assert_eq!(near.calculated["trees[1]/size_constraint"], "6");
    assert!(
        near.failed_constraints.is_empty(),
        "{:?}",
        near.failed_constraints
    );
}

#[test]
fn a_tree_outside_the_plot_is_refused_in_the_collectors_language() {
    let Some(l) = load(UCL) else {
        return;
    };
    let far = tree("16", "0");

    let swahili = l.engine.evaluate(&far, &env_in("Swahili (sw)"));
    let english = l.engine.evaluate(&far, &env_in("English (en)"));

    // `. < ${slope_radius}`: 16 m is past the 15 m radius of a flat plot.
    let path = "trees[1]/tree_distance";
    assert_eq!(
        message(&swahili.failed_constraints, path),
        Some("Hakikisha Kipimo. Mti iko nje.")
    );
    assert_eq!(
        message(&english.failed_constraints, path),
        Some("Check distance. Tree is outside the plot.")
    );
}

#[test]
fn a_big_stem_asks_for_a_photo_and_a_dead_one_for_its_decay() {
    let Some(l) = load(UCL) else {
        return;
    };
    let mut given = tree("3", "2");
    given.set("trees[1]/stems[1]/cbh", "250");
    given.set("trees[1]/stems[1]/health_id", "dead");
    given.set("trees[1]/stems[2]/cbh", "40");
    given.set("trees[1]/stems[2]/health_id", "alive");

    let e = l.engine.evaluate(&given, &env());

    // tree_photo: `${cbh} >= 200`; decay_class: `${health_id}='dead'`, each in its own stem.
    assert!(relevant(&e, "trees[1]/stems[1]/tree_photo"));
    assert!(!relevant(&e, "trees[1]/stems[2]/tree_photo"));
    assert!(relevant(&e, "trees[1]/stems[1]/decay_class"));
    assert!(!relevant(&e, "trees[1]/stems[2]/decay_class"));
    let missing: Vec<&str> = e.missing_required.iter().map(|i| i.path.as_str()).collect();
    assert!(
        missing.contains(&"trees[1]/stems[1]/tree_photo"),
        "{missing:?}"
    );
    assert!(
        !missing.contains(&"trees[1]/stems[2]/tree_photo"),
        "{missing:?}"
    );
}
