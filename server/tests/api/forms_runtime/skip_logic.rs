//! Skip logic, required answers and constraint messages in real forms, checked by hand: the
//! Ethiopia food-security survey (FSOM: branches opened by a yes, totals that must add up),
//! pyxform's spec form (`requiredMsg`, a relevance written with `regex()`, a whole group
//! skipped, messages in two languages) and the Jakarta flood report (Indonesian messages).

use terreno_shared::form::runtime::{DEFAULT_CONSTRAINT_MESSAGE, DEFAULT_REQUIRED_MESSAGE};

use super::*;

const FSOM: &str = "onadata__select_one_choices_test.xlsx";

#[test]
fn the_distribution_questions_appear_only_after_the_household_is_a_beneficiary() {
    let Some(l) = load(FSOM) else {
        return;
    };
    let at = |pairs: &[(&str, &str)]| l.engine.evaluate(&answers(pairs), &env());

    // yes_no is 1/0 here. 2.1 is asked when `${a12}=1`; 2.1.1 and the months when
    // `${a12}=1 and ${b21}=1`, and both are required once shown.
    let not_beneficiary = at(&[("a12", "0")]);
    let beneficiary = at(&[("a12", "1")]);
    let received = at(&[("a12", "1"), ("b21", "1")]);

    assert!(!relevant(&not_beneficiary, "b21"));
    assert!(relevant(&beneficiary, "b21"));
    assert!(!relevant(&beneficiary, "b21.1"));
    assert!(relevant(&received, "b21.1"));
    assert!(relevant(&received, "b2.1.2"));
    let missing: Vec<&str> = received
        .missing_required
        .iter()
        .map(|i| i.path.as_str())
        .collect();
    assert!(
        missing.contains(&"b21.1") && missing.contains(&"b2.1.2"),
        "{missing:?}"
    );
    assert!(
        !not_beneficiary
            .missing_required
            .iter()
            .any(|i| i.path == "b21.1")
    );
}

#[test]
fn the_tsf_counts_are_asked_only_when_someone_is_registered() {
    let Some(l) = load(FSOM) else {
        return;
    };

    let no = l.engine.evaluate(&answers(&[("a133", "0")]), &env());
    let yes = l.engine.evaluate(&answers(&[("a133", "1")]), &env());

    // Every question of group grd2 and gr3a reads `${a133}=1`; the date also needs a yes to
    // 1.3.4.
    assert!(!relevant(&no, "grd2/a1331c"));
    assert!(relevant(&yes, "grd2/a1331c"));
    assert!(relevant(&yes, "grd2/a1331p"));
    assert!(relevant(&yes, "gr3a/a1134"));
    assert!(!relevant(&yes, "gr3a/a134a"));
    assert_eq!(
        message(&yes.missing_required, "grd2/a1331c"),
        Some(DEFAULT_REQUIRED_MESSAGE)
    );
}

#[test]
fn interviewers_are_filtered_by_sub_office() {
    let Some(l) = load(FSOM) else {
        return;
    };

    let e = l.engine.evaluate(&answers(&[("suboffice", "3")]), &env());

    // The four A_enumerator rows whose A_suboffice column is 3, in sheet order.
    assert_eq!(choices(&e, "name_I"), ["2", "4", "1", "3"]);
}

/// A beneficiary who received food and ate some of the cereal: the cereal block is shown.
fn cereal_block(percentages: [&str; 11]) -> Answers {
    let mut given = answers(&[
        ("a12", "1"),
        ("b2.1.3", "1"),
        ("b2.2.4", "2"),
        ("c3.1", "1"),
        ("c3.1.2", "50"),
    ]);
    let names = [
        "c32cer", "c33cer", "c34cer", "c35cer", "c36cer", "c37cer", "c38cer", "c39cer", "c40cer",
        "c41cer", "c42cer",
    ];
    for (name, value) in names.iter().zip(percentages) {
        given.set(format!("grcererals/{name}"), value);
    }
    given
}

#[test]
fn cereal_percentages_must_add_up_to_one_hundred() {
    let Some(l) = load(FSOM) else {
        return;
    };
    let zeros = ["0"; 9];
    let with = |a: &str, b: &str| {
        let mut p = ["0"; 11];
        p[0] = a;
        p[1] = b;
        p[2..].copy_from_slice(&zeros);
        l.engine.evaluate(&cereal_block(p), &env())
    };

    let whole = with("60", "40");
    let short = with("60", "39");

    // `certotal` is the read-only sum, constrained `... =100`; its message cell is blank (the
    // "should equal 100%" of that row is its hint), so the default message is given.
    assert!(relevant(&whole, "grcererals"));
    assert_eq!(whole.calculated["grcererals/certotal"], "100");
    assert_eq!(
        message(&whole.failed_constraints, "grcererals/certotal"),
        None
    );
    assert_eq!(short.calculated["grcererals/certotal"], "99");
    assert_eq!(
        message(&short.failed_constraints, "grcererals/certotal"),
        Some(DEFAULT_CONSTRAINT_MESSAGE)
    );
    // The reason for selling is asked only when some was sold (`${c35cer}>0`).
    assert!(!relevant(&whole, "grcererals/c35cerS"));
}

#[test]
fn a_household_of_more_than_twenty_five_is_refused_with_the_default_message() {
    let Some(l) = load(FSOM) else {
        return;
    };
    let household = |each: &str| {
        let names = [
            "a13b1", "a13g1", "a13b2", "a13g2", "a13m1", "a13w1", "a13m2", "a13w2", "a13menov",
            "a13wemov",
        ];
        let given: Answers = names.iter().map(|n| (format!("ghc1/{n}"), each)).collect();
        l.engine.evaluate(&given, &env())
    };

    let twenty = household("2");
    let thirty = household("3");

    // totalhh sums the ten counts and is constrained `.<=25`, with no message of its own.
    assert_eq!(twenty.calculated["ghc1/totalhh"], "20");
    assert!(twenty.failed_constraints.is_empty());
    assert_eq!(thirty.calculated["ghc1/totalhh"], "30");
    assert_eq!(
        message(&thirty.failed_constraints, "ghc1/totalhh"),
        Some(DEFAULT_CONSTRAINT_MESSAGE)
    );
}

const SPEC: &str = "pyxform__xlsform_spec_test.xlsx";

#[test]
fn skipping_to_the_end_skips_the_whole_group_but_not_the_last_question() {
    let Some(l) = load(SPEC) else {
        return;
    };

    let skipped = l
        .engine
        .evaluate(&answers(&[("skip_to_end", "yes")]), &env());
    let asked = l
        .engine
        .evaluate(&answers(&[("skip_to_end", "no")]), &env());

    // Group `everything` is relevant when `not(selected(${skip_to_end}, 'yes'))`; `launch`
    // comes after it. The repeat in the group has a literal count of 2.0.
    assert!(!relevant(&skipped, "everything"));
    assert!(!relevant(&skipped, "everything/my_name"));
    assert!(relevant(&skipped, "launch"));
    assert_eq!(
        skipped.repeat_counts.get("everything/repeat_test"),
        Some(&0)
    );
    assert!(skipped.missing_required.is_empty());
    assert!(relevant(&asked, "everything/my_name"));
    assert_eq!(asked.repeat_counts["everything/repeat_test"], 2);
    assert_eq!(asked.calculated["everything/calculate_test"], "4");
}

#[test]
fn the_custom_required_message_is_given_in_each_repeat_instance() {
    let Some(l) = load(SPEC) else {
        return;
    };

    let e = l.engine.evaluate(&Answers::new(), &env());

    // Two questions are required, both inside the two instances of repeat_test:
    // `required_text` with requiredMsg "Custom required message.", and `list-nolabel-test`
    // (required "True") with none.
    let missing: Vec<&str> = e.missing_required.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(missing.len(), 4, "{missing:?}");
    for i in [1, 2] {
        let path = format!("everything/repeat_test[{i}]/group_test/required_text");
        assert_eq!(
            message(&e.missing_required, &path),
            Some("Custom required message.")
        );
        let path = format!("everything/repeat_test[{i}]/labeled_select_group/list-nolabel-test");
        assert_eq!(
            message(&e.missing_required, &path),
            Some(DEFAULT_REQUIRED_MESSAGE)
        );
    }
}

#[test]
fn the_email_note_shows_only_for_an_address_the_regex_takes_for_an_email() {
    let Some(l) = load(SPEC) else {
        return;
    };
    let shown = |address: &str| {
        let e = l
            .engine
            .evaluate(&answers(&[("everything/address", address)]), &env());
        relevant(&e, "everything/email_note")
    };

    // `regex(${address}, '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,4}')`, unanchored.
    assert!(shown("ana@example.org"));
    assert!(shown("write to ana@example.org today"));
    assert!(!shown("Kibera, Nairobi"));
    assert!(!shown("ana@localhost"));
}

#[test]
fn selecting_yes_and_no_is_refused_with_the_name_in_the_language_chosen() {
    let Some(l) = load(SPEC) else {
        return;
    };
    let given = answers(&[
        ("everything/my_name", "Amina"),
        (
            "everything/repeat_test[2]/group_test/select_multiple_test",
            "yes no",
        ),
        (
            "everything/repeat_test[1]/group_test/select_multiple_test",
            "yes",
        ),
    ]);
    let path = "everything/repeat_test[2]/group_test/select_multiple_test";

    let english = l.engine.evaluate(&given, &env_in("english"));
    let chinese = l.engine.evaluate(&given, &env_in("chinese"));

    // `not(selected(., 'yes') and selected (., 'no'))`, messages with ${my_name} in them.
    assert_eq!(
        message(&english.failed_constraints, path),
        Some("Sorry Amina, you can't select yes and no.")
    );
    assert_eq!(
        message(&chinese.failed_constraints, path),
        Some("對不起 Amina，你可以不選擇“是”和“否”。")
    );
    assert_eq!(english.failed_constraints.len(), 1);
}

const JAKARTA: &str = "onadata__external_choice_form_v1.xlsx";

#[test]
fn the_flood_report_asks_for_what_is_missing_in_indonesian() {
    let Some(l) = load(JAKARTA) else {
        return;
    };

    let e = l.engine.evaluate(&Answers::new(), &env());

    assert_eq!(
        message(&e.missing_required, "group_surveyor/organisasi"),
        Some("Anda harus mengisi nama organisasi terlebih dahulu")
    );
    assert_eq!(
        message(&e.missing_required, "kota"),
        Some("Anda harus memilih kota terlebih dahulu")
    );
    // The photo is required without a message of its own.
    assert_eq!(
        message(&e.missing_required, "group_flood/picture"),
        Some(DEFAULT_REQUIRED_MESSAGE)
    );
    // The 'other cause' text is required only once 'lainnya' is among the causes.
    assert!(
        !e.missing_required
            .iter()
            .any(|i| i.path.ends_with("penyebab_banjir_lain"))
    );
    let other = l.engine.evaluate(
        &answers(&[("group_flood/penyebab_banjir", "rembesan lainnya")]),
        &env(),
    );
    assert_eq!(
        message(
            &other.missing_required,
            "group_flood_other/penyebab_banjir_lain"
        ),
        Some("Anda harus memasukkan penyebab terjadinya banjir")
    );
}

#[test]
fn the_flood_report_refuses_out_of_range_numbers_and_odd_names_in_indonesian() {
    let Some(l) = load(JAKARTA) else {
        return;
    };
    let given = answers(&[
        ("group_location/rw", "45"),
        ("group_location/total_rt", "12"),
        ("group_terdampak/jml_orang_terdampak", "10000"),
        ("group_surveyor/organisasi", "@@@"),
        ("group_surveyor/surveyor", "Budi Santoso"),
    ]);

    let e = l.engine.evaluate(&given, &env());

    // rw: `. > 0 and . < 30`; people affected: `. < 9999`; both say "make sure the data you
    // entered is right". The organisation's `regex(., '[A-Za-z ]{1,100}')` has no message.
    let benar = Some("Pastikan data yang Anda masukkan benar.");
    assert_eq!(message(&e.failed_constraints, "group_location/rw"), benar);
    assert_eq!(
        message(&e.failed_constraints, "group_terdampak/jml_orang_terdampak"),
        benar
    );
    assert_eq!(
        message(&e.failed_constraints, "group_surveyor/organisasi"),
        Some(DEFAULT_CONSTRAINT_MESSAGE)
    );
    let failing: Vec<&str> = e
        .failed_constraints
        .iter()
        .map(|i| i.path.as_str())
        .collect();
    assert_eq!(failing.len(), 3, "{failing:?}");
}
