//! Typed text against a form of every answerable type: what each type accepts (and how it is
//! written down), what it refuses, and which paths name a question.

use super::*;
use crate::visit::test_forms::every_type_form;

fn typed(path: &str, text: &str) -> Result<Typed, String> {
    let form = every_type_form();
    let q = question_at(&form, path)?;
    parse(&form, q, text)
}

fn text(t: &str) -> Result<Typed, String> {
    Ok(Typed::Text(t.to_owned()))
}

#[test]
fn each_type_accepts_its_own_text_written_as_xlsform_answers_hold_it() {
    let cases: &[(&str, &str, &str)] = &[
        ("age", " 42 ", "42"),
        ("age", "-3", "-3"),
        ("amount", "150000.50", "150000.50"),
        ("amount", "-0.5", "-0.5"),
        ("day", "2026-12-05", "2026-12-05"),
        ("at", "14:30", "14:30:00"),
        (
            "when",
            "2026-12-05T14:30:00-05:00",
            "2026-12-05T14:30:00-05:00",
        ),
        ("colour", "green", "green"),
        ("colours", "green  red", "green red"),
        ("where", "4.5981 -74.0758", "4.5981 -74.0758"),
        ("where", "4.5981  -74.0758 2600 5", "4.5981 -74.0758 2600 5"),
        ("code", "7701234567890", "7701234567890"),
        ("score", "5", "5"),
        ("home/street", "Calle 10", "Calle 10"),
        ("kids[2]/name", "Ana", "Ana"),
        ("age", "  ", ""),
    ];
    for (path, input, expected) in cases {
        assert_eq!(typed(path, input), text(expected), "{path}={input}");
    }
}

#[test]
fn text_that_does_not_fit_the_type_is_refused_with_the_reason() {
    let cases: &[(&str, &str, &str)] = &[
        ("age", "4.5", "whole number"),
        ("amount", "1e5", "number"),
        ("amount", "12.", "number"),
        ("amount", "doce", "number"),
        ("day", "05/12/2026", "date"),
        ("at", "2pm", "time"),
        ("when", "2026-12-05 14:30", "date and time"),
        ("colour", "blue", "not one of red, green"),
        ("colours", "red red", "chosen twice"),
        ("colours", "red blue", "not one of"),
        ("where", "95 10", "point"),
        ("where", "4.6", "point"),
        ("score", "6", "outside the range 0 to 5"),
        ("intro", "x", "note"),
        ("double", "4", "calculated"),
        ("fixed", "x", "read-only"),
        ("sign", "/nonexistent/sign.png", "not a file"),
    ];
    for (path, input, why) in cases {
        let err = typed(path, input).expect_err(&format!("{path}={input} is refused"));
        assert!(err.contains(why), "{path}={input}: {err}");
    }
}

#[test]
fn file_questions_take_an_existing_file_with_the_role_of_their_question() {
    let dir = std::env::temp_dir().join(format!("terreno-typed-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let file = dir.join("firma.png");
    std::fs::write(&file, b"\x89PNG").expect("a file");
    let name = file.display().to_string();
    assert_eq!(
        typed("sign", &name),
        Ok(Typed::File(file.clone(), AttachmentRole::Signature))
    );
    assert_eq!(
        typed("doc", &name),
        Ok(Typed::File(file.clone(), AttachmentRole::File))
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn paths_name_questions_through_groups_and_repeat_instances_only() {
    let form = every_type_form();
    assert_eq!(
        question_at(&form, "kids[12]/name").map(|q| q.name.as_str()),
        Ok("name")
    );
    for (path, why) in [
        ("colour_x", "not a question"),
        ("home", "not a question"),
        ("street", "not a question"),
        ("kids/name", "name the instance"),
        ("kids[0]/name", "name the instance"),
        ("home[1]/street", "does not repeat"),
        ("age/x", "not a question"),
        ("age[1]", "not a question"),
    ] {
        let err = question_at(&form, path).expect_err(path);
        assert!(err.contains(why), "{path}: {err}");
    }
}
