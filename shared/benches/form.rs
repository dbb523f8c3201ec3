//! Benchmarks of the form runtime on a generated 200-question form (180 questions at the top,
//! a repeat of 5 instances holding 20 more): a full evaluation, and the incremental update after
//! one answer changes — the device runs it on every keystroke, so it should stay under 1 ms.
//! Run with `cargo bench -p terreno-shared --bench form`.

use chrono::DateTime;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use terreno_shared::form::runtime::{Answers, Engine, Env};
use terreno_shared::form::xlsform::{Sheet, parse_form};

const QUESTIONS: usize = 200;
/// Questions `REPEAT_START..REPEAT_START + REPEAT_LEN` are inside the repeat `r`.
const REPEAT_START: usize = 90;
const REPEAT_LEN: usize = 20;
const INSTANCES: usize = 5;

fn inside(i: usize) -> bool {
    (REPEAT_START..REPEAT_START + REPEAT_LEN).contains(&i)
}

/// One survey row: every 5th question a calculation, every 3rd relevant on an earlier answer,
/// every 4th constrained by one, each reading a question a few rows up (after the repeat,
/// repeat questions are read through `sum()`).
fn question(i: usize) -> Vec<String> {
    let earlier = |back: usize| i.saturating_sub(back);
    let read = |j: usize| {
        if inside(j) && !inside(i) {
            format!("sum(${{q{j}}})")
        } else {
            format!("${{q{j}}}")
        }
    };
    let (kind, calculation) = match i % 5 {
        _ if i < 3 => ("integer", String::new()),
        4 => (
            "calculate",
            format!("{} + {}", read(earlier(1)), read(earlier(2))),
        ),
        3 => ("select_one yn", String::new()),
        _ => ("decimal", String::new()),
    };
    let relevant = if i % 3 == 0 && i > 0 {
        format!("{} > 2", read(earlier(i % 7 + 1)))
    } else {
        String::new()
    };
    let constraint = if i % 4 == 1 && kind == "decimal" {
        format!(". <= {} + 1000", read(earlier(3)))
    } else {
        String::new()
    };
    let required = if i % 2 == 0 { "yes" } else { "" };
    let name = format!("q{i}");
    [
        kind,
        &name,
        &name,
        &relevant,
        &constraint,
        &calculation,
        required,
        "",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn form_sheets() -> Vec<Sheet> {
    let header = [
        "type",
        "name",
        "label",
        "relevant",
        "constraint",
        "calculation",
        "required",
        "repeat_count",
    ];
    let mut rows = vec![header.map(str::to_owned).to_vec()];
    for i in 0..QUESTIONS {
        if i == REPEAT_START {
            let count = INSTANCES.to_string();
            rows.push(
                ["begin repeat", "r", "R", "", "", "", "", &count]
                    .map(str::to_owned)
                    .to_vec(),
            );
        }
        rows.push(question(i));
        if i + 1 == REPEAT_START + REPEAT_LEN {
            rows.push(
                ["end repeat", "", "", "", "", "", "", ""]
                    .map(str::to_owned)
                    .to_vec(),
            );
        }
    }
    let choices = [
        ["list_name", "name", "label"],
        ["yn", "yes", "Yes"],
        ["yn", "no", "No"],
    ]
    .map(|r| r.map(str::to_owned).to_vec())
    .to_vec();
    vec![Sheet::new("survey", rows), Sheet::new("choices", choices)]
}

fn path(i: usize, instance: usize) -> String {
    if inside(i) {
        format!("r[{instance}]/q{i}")
    } else {
        format!("q{i}")
    }
}

/// Every answerable question answered with a small number (or `yes`).
fn answers() -> Answers {
    let mut answers = Answers::new();
    for i in (0..QUESTIONS).filter(|i| i % 5 != 4 || *i < 3) {
        for instance in 1..=INSTANCES {
            let text = if i % 5 == 3 {
                "yes".to_owned()
            } else {
                (i % 9 + 1).to_string()
            };
            answers.set(path(i, instance), text);
            if !inside(i) {
                break;
            }
        }
    }
    answers
}

fn env() -> Env {
    Env {
        now: DateTime::parse_from_rfc3339("2026-11-24T10:30:00-05:00").expect("valid instant"),
        uuid: "uuid:6f1c1f4e-3a57-4c1e-9a55-8d2f6b0f7a10".to_owned(),
        language: None,
    }
}

fn form(c: &mut Criterion) {
    let (form, _) = parse_form(&form_sheets()).expect("the generated form is valid");
    let engine = Engine::new(&form).expect("the generated form compiles");
    let (answers, env) = (answers(), env());
    let previous = engine.evaluate(&answers, &env);
    assert_eq!(previous.repeat_counts["r"], INSTANCES);
    assert!(previous.relevant.len() > QUESTIONS + REPEAT_LEN * (INSTANCES - 1));

    c.bench_function("form/compile", |b| b.iter(|| Engine::new(black_box(&form))));
    c.bench_function("form/evaluate", |b| {
        b.iter(|| engine.evaluate(black_box(&answers), &env))
    });
    // An early answer (many later questions read it, directly or not), one inside the repeat,
    // and one near the end.
    for (name, changed) in [
        ("early", path(1, 1)),
        ("repeat", path(REPEAT_START + 1, 3)),
        ("late", path(QUESTIONS - 3, 1)),
    ] {
        let mut after = answers.clone();
        after.set(changed.clone(), "7");
        let expected = engine.evaluate(&after, &env);
        assert_eq!(engine.update(&previous, &after, &changed, &env), expected);
        c.bench_function(&format!("form/update_{name}"), |b| {
            b.iter(|| engine.update(black_box(&previous), black_box(&after), &changed, &env))
        });
    }
}

criterion_group!(benches, form);
criterion_main!(benches);
