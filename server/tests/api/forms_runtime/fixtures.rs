//! Every valid fixture form, filled in by the seeded collector with several seeds: evaluation
//! reports no expression errors, incremental updates equal full evaluations, a form filled to
//! completion can be submitted, and what it submits keeps no irrelevant answer and is accepted
//! again unchanged. The number of questions relevant before any answer is spot-checked.

use std::panic::{AssertUnwindSafe, catch_unwind};

use terreno_shared::form::runtime::{
    Answers, DEFAULT_CONSTRAINT_MESSAGE, Engine, Evaluation, Issue,
};
use terreno_shared::form::xlsform::{Form, Node};

use super::collector::fill;
use super::{env, load, xlsform_dir};

/// Seeds each form is filled with.
const SEEDS: &[u64] = &[1, 2, 3, 4];

/// The forms MANIFEST.md (1a, 1b and Terreno's own verdicts) says are valid.
const VALID: &[&str] = &[
    "onadata__Geotraces.xlsx",
    "onadata__external_choice_form_v1.xlsx",
    "onadata__photo_type_in_repeat_group.xlsx",
    "onadata__select_one_choices_test.xlsx",
    "onadata__subdistrict_profiling_tool.xlsx",
    "pyodk__fav_color.xlsx",
    "pyxform__UCL_Biomass_Plot_Form.xlsx",
    "webforms__philsa-disaster-incidence-v20240917.xlsx",
    "onadata__multi_lingual_form.xlsx",
    "pyxform__attribute_columns_test.xlsx",
    "pyxform__cascading_select_test_equivalent.xls",
    "pyxform__case_insensitivity.xlsx",
    "pyxform__choice_filter_test.xlsx",
    "pyxform__geo.xlsx",
    "pyxform__repeat_date_test.xls",
    "pyxform__table-list.xls",
    "pyxform__widgets.xls",
    "pyxform__xlsform_spec_test.xlsx",
    "pyxform__xml_escaping.xls",
    "webforms__all-question-types-v2024091201-3.xlsx",
    "webforms__ifrc-distribution-site-assessment-v1.xlsx",
    "pyxform__image-description_translated.xlsx",
];

/// Constraints a collector answering in order cannot always meet without going back: they
/// check a total of answers given before, so only a later look shows it is wrong. Such a fill
/// must then be refused by `result` with the form's message, which is what is checked instead.
const GO_BACK: &[(&str, &str, &str)] = &[
    // Ten household counts of at most 7 each, which together must be at most 25.
    (FSOM, "ghc1/totalhh", DEFAULT_CONSTRAINT_MESSAGE),
    // Each food's utilization percentages must add up to exactly 100 (cereal's message cell
    // is blank).
    (FSOM, "grcererals/certotal", DEFAULT_CONSTRAINT_MESSAGE),
    (FSOM, "c43pul/pultotal", "should equal to 100%"),
    (FSOM, "c56oil/oiltotal", "should equal to 100%"),
    (FSOM, "c70csb/csbtotal", "should equal to 100%"),
];

const FSOM: &str = "onadata__select_one_choices_test.xlsx";

fn may_need_going_back(name: &str, issue: &Issue) -> bool {
    GO_BACK.iter().any(|(form, path, message)| {
        *form == name && issue.path == *path && issue.message == *message
    })
}

/// Checks one form; every way it went wrong.
fn check(name: &'static str) -> Vec<String> {
    let Some(loaded) = load(name) else {
        return Vec::new();
    };
    let mut failures = Vec::new();
    for &seed in SEEDS {
        let filled = fill(&loaded.form, &loaded.engine, &env(), seed);
        let at = |what: String| format!("{name} (seed {seed}): {what}");
        failures.extend(
            filled
                .mismatches
                .iter()
                .map(|m| at(format!("update differs {m}"))),
        );
        let e = &filled.evaluation;
        if !e.errors.is_empty() {
            failures.push(at(format!("expression errors: {:#?}", e.errors)));
        }
        let issues: Vec<Issue> = e
            .missing_required
            .iter()
            .chain(&e.failed_constraints)
            .cloned()
            .collect();
        if issues.iter().any(|i| !may_need_going_back(name, i)) {
            failures.push(at(format!(
                "not complete after {} answers: {issues:#?}",
                filled.steps
            )));
            continue;
        }
        if !issues.is_empty() {
            if loaded.engine.result(&filled.answers, &env()) != Err(issues) {
                failures.push(at(
                    "an incomplete fill is not refused with its issues".into()
                ));
            }
            continue;
        }
        failures.extend(
            check_result(&loaded.engine, &filled.answers, e)
                .into_iter()
                .map(at),
        );
    }
    failures
}

/// The submission of a complete fill: only relevant answers, accepted again unchanged.
fn check_result(engine: &Engine, answers: &Answers, e: &Evaluation) -> Vec<String> {
    let cleaned = match engine.result(answers, &env()) {
        Ok(cleaned) => cleaned,
        Err(issues) => return vec![format!("complete, yet result refuses it: {issues:#?}")],
    };
    let mut failures: Vec<String> = cleaned
        .iter()
        .filter(|(path, _)| e.relevant.get(*path) != Some(&true))
        .map(|(path, text)| format!("submits {path} = {text:?}, which is not relevant"))
        .collect();
    if engine.result(&cleaned, &env()).as_ref() != Ok(&cleaned) {
        failures.push("the submission is not accepted unchanged".to_owned());
    }
    failures
}

/// Questions (not groups or repeats) relevant before any answer.
fn relevant_at_start(form: &Form, engine: &Engine) -> usize {
    let e = engine.evaluate(&Answers::new(), &env());
    let mut questions = Vec::new();
    templates(&form.children, "", &mut questions);
    e.relevant
        .iter()
        .filter(|(path, is)| **is && questions.contains(&without_indices(path)))
        .count()
}

/// Paths without instance indices of every question under `nodes`.
fn templates(nodes: &[Node], prefix: &str, out: &mut Vec<String>) {
    for node in nodes {
        let path = format!("{prefix}{}", node.name());
        match node {
            Node::Question(_) => out.push(path),
            Node::Group(g) => templates(&g.children, &format!("{path}/"), out),
        }
    }
}

fn without_indices(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut skipping = false;
    for c in path.chars() {
        match c {
            '[' => skipping = true,
            ']' => skipping = false,
            c if !skipping => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn every_valid_fixture_filled_in_by_a_collector_behaves_as_the_form_says() {
    if xlsform_dir().is_none() {
        return;
    }
    let mut failures = Vec::new();
    for name in VALID {
        match catch_unwind(AssertUnwindSafe(|| check(name))) {
            Ok(found) => failures.extend(found),
            Err(_) => failures.push(format!("{name}: panicked (see above)")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Questions relevant before any answer, counted by hand from the survey sheets.
const RELEVANT_AT_START: &[(&str, usize, &str)] = &[
    (
        "pyxform__choice_filter_test.xlsx",
        3,
        "state, county, city: no relevant column",
    ),
    (
        "pyxform__cascading_select_test_equivalent.xls",
        3,
        "the zone and the two calculations; each state and LGA select waits on a zone or state",
    ),
    (
        "pyxform__repeat_date_test.xls",
        5,
        "two notes, the count, and both selects of the one instance the count (1.0) makes",
    ),
    (
        "pyodk__fav_color.xlsx",
        4,
        "name, age, colour, audit; 'other' waits on colour 'o', the location on age >= 18",
    ),
    (
        "pyxform__geo.xlsx",
        0,
        "everything is inside a repeat with no instance yet",
    ),
    (
        "onadata__multi_lingual_form.xlsx",
        5,
        "the five questions of its one group",
    ),
    (
        "pyxform__xml_escaping.xls",
        3,
        "two calculations and a select",
    ),
    (
        "onadata__photo_type_in_repeat_group.xlsx",
        7,
        "every question but the photo, whose repeat has no instance yet",
    ),
];

#[test]
fn the_questions_relevant_before_any_answer_are_those_the_form_shows_first() {
    for (name, want, why) in RELEVANT_AT_START {
        let Some(loaded) = load(name) else {
            return;
        };

        let got = relevant_at_start(&loaded.form, &loaded.engine);

        assert_eq!(got, *want, "{name}: {why}");
    }
}
