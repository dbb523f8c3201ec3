//! Property tests over generated small forms (questions before, inside and after a repeat, each
//! expression reading earlier questions) and generated answers: evaluation never panics, an
//! update after one change equals a full evaluation, and cleaned answers are a fixed point.

use proptest::prelude::*;

use super::*;

const HEADER: &[&str] = &[
    "type",
    "name",
    "label",
    "relevant",
    "constraint",
    "calculation",
    "required",
    "default",
    "choice_filter",
];
const KINDS: &[&str] = &[
    "text",
    "integer",
    "decimal",
    "select_one yn",
    "select_multiple yn",
    "date",
    "calculate",
];
const TEXTS: &[&str] = &[
    "",
    "yes",
    "no",
    "3",
    "12.5",
    "-1",
    "2024-03-01",
    "abc",
    "yes no",
];

/// One generated question: its type and a choice of expression for each column (0 = none).
#[derive(Debug, Clone)]
struct Spec {
    kind: usize,
    columns: [u8; 6],
    refs: (usize, usize),
}

fn spec() -> impl Strategy<Value = Spec> {
    (0..KINDS.len(), any::<[u8; 6]>(), (0..64_usize, 0..64_usize)).prop_map(
        |(kind, columns, refs)| Spec {
            kind,
            columns,
            refs,
        },
    )
}

/// An expression reading `a` and `b` (earlier questions), or a constant one when there are none.
fn pick(templates: &[&str], choice: u8, refs: Option<(&str, &str)>) -> String {
    let template = templates[usize::from(choice) % templates.len()];
    match refs {
        Some((a, b)) => template
            .replace("A", &format!("${{{a}}}"))
            .replace("B", &format!("${{{b}}}")),
        None if template.contains(['A', 'B']) => "1 = 1".to_owned(),
        None => template.to_owned(),
    }
}

/// A workbook: `before` questions, a repeat `r` (with a count when `counted`) holding `inside`,
/// then the rest; question `i` is named `q{i}` and reads only questions before it.
// Long: the generated workbook written out row by row, as an author would.
fn workbook(specs: &[Spec], before: usize, inside: usize, counted: u8) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = vec![HEADER.iter().map(|h| h.to_string()).collect()];
    rows[0].push("repeat_count".into());
    let inside = inside.min(specs.len().saturating_sub(before));
    for (i, s) in specs.iter().enumerate() {
        if i == before && inside > 0 {
            let count = pick(
                &["", "2", "A", "A + 1"],
                counted,
                (before > 0).then_some(("q0", "q0")),
            );
            let count = if counted % 4 == 0 {
                String::new()
            } else {
                count
            };
            rows.push(row(&[
                "begin repeat",
                "r",
                "R",
                "",
                "",
                "",
                "",
                "",
                "",
                &count,
            ]));
        }
        let (a, b) = (
            format!("q{}", s.refs.0 % i.max(1)),
            format!("q{}", s.refs.1 % i.max(1)),
        );
        let refs = (i > 0).then_some((a.as_str(), b.as_str()));
        let [rel, cons, calc, req, def, filter] = s.columns;
        let kind = KINDS[s.kind];
        let calculation = if kind == "calculate" {
            pick(
                &[
                    "A + 1",
                    "concat(A, B)",
                    "sum(B)",
                    "if(A = 'yes', 1, 0)",
                    "position(..)",
                    "count(B)",
                ],
                calc,
                refs,
            )
        } else {
            String::new()
        };
        let filter = if kind.starts_with("select") {
            pick(&["", "name != A", "grp = 'x' or A = 'yes'"], filter, refs)
        } else {
            String::new()
        };
        let cells = [
            pick(
                &[
                    "",
                    "A = 'yes'",
                    "A > 3",
                    "A != ''",
                    "selected(A, 'no')",
                    "count(B) > 1",
                    "sum(B) < 10",
                    "position(..) > 1",
                    "today() - A < 30",
                ],
                rel,
                refs,
            ),
            pick(
                &[
                    "",
                    ". > A",
                    "string-length(.) < 5",
                    ". != 'abc'",
                    "regex(., '^[a-z]+$')",
                    ". = B",
                ],
                cons,
                refs,
            ),
            calculation,
            pick(&["", "yes", "A = 'yes'"], req, refs),
            if kind == "calculate" {
                String::new()
            } else {
                pick(&["", "", "5", "A"], def, refs)
            },
            filter,
        ];
        let name = format!("q{i}");
        let mut r = vec![kind.to_owned(), name.clone(), name];
        r.extend(cells);
        r.push(String::new());
        rows.push(r);
        if i + 1 == before + inside && inside > 0 {
            rows.push(row(&["end repeat"]));
        }
    }
    rows
}

fn row(cells: &[&str]) -> Vec<String> {
    let mut r: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
    r.resize(HEADER.len() + 1, String::new());
    r
}

fn build(specs: &[Spec], before: usize, inside: usize, counted: u8) -> (Engine, Vec<String>) {
    let survey = Sheet::new("survey", workbook(specs, before, inside, counted));
    let choices = sheet(
        "choices",
        &[
            &["list_name", "name", "label", "grp"],
            &["yn", "yes", "Yes", "x"],
            &["yn", "no", "No", "y"],
        ],
    );
    let (form, _) =
        parse_form(&[survey, choices]).unwrap_or_else(|p| panic!("form refused: {p:#?}"));
    let engine = Engine::new(&form).unwrap_or_else(|p| panic!("engine refused: {p:#?}"));
    let inside = inside.min(specs.len().saturating_sub(before));
    let paths = (0..specs.len())
        .flat_map(|i| {
            if i >= before && i < before + inside {
                (1..=3).map(|k| format!("r[{k}]/q{i}")).collect::<Vec<_>>()
            } else {
                vec![format!("q{i}")]
            }
        })
        .collect();
    (engine, paths)
}

fn fill(paths: &[String], picks: &[Option<usize>]) -> Answers {
    let mut answers = Answers::new();
    for (path, pick) in paths.iter().zip(picks.iter().cycle()) {
        if let Some(i) = pick {
            answers.set(path.clone(), TEXTS[i % TEXTS.len()]);
        }
    }
    answers
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn updates_after_one_change_equal_full_evaluations(
        specs in prop::collection::vec(spec(), 1..9),
        (before, inside, counted) in (0..4_usize, 0..4_usize, any::<u8>()),
        picks in prop::collection::vec(prop::option::of(0..TEXTS.len()), 1..12),
        changes in prop::collection::vec((0..64_usize, prop::option::of(0..TEXTS.len())), 1..4),
    ) {
        let (engine, paths) = build(&specs, before, inside, counted);
        let mut answers = fill(&paths, &picks);
        let mut evaluation = engine.evaluate(&answers, &env());
        for (at, text) in changes {
            let path = &paths[at % paths.len()];
            match text {
                Some(t) => answers.set(path.clone(), TEXTS[t]),
                None => drop(answers.remove(path)),
            }
            evaluation = engine.update(&evaluation, &answers, path, &env());
            prop_assert_eq!(&evaluation, &engine.evaluate(&answers, &env()), "after changing {}", path);
        }
    }

    #[test]
    fn cleaned_answers_are_accepted_unchanged(
        specs in prop::collection::vec(spec(), 1..9),
        (before, inside, counted) in (0..4_usize, 0..4_usize, any::<u8>()),
        picks in prop::collection::vec(prop::option::of(0..TEXTS.len()), 1..12),
    ) {
        let (engine, paths) = build(&specs, before, inside, counted);
        if let Ok(cleaned) = engine.result(&fill(&paths, &picks), &env()) {
            prop_assert_eq!(engine.result(&cleaned, &env()), Ok(cleaned.clone()));
        }
    }

    #[test]
    fn evaluation_never_panics_on_arbitrary_answers_and_paths(
        specs in prop::collection::vec(spec(), 1..7),
        (before, inside) in (0..3_usize, 0..3_usize),
        arbitrary in prop::collection::vec(("[a-z0-9\\[\\]/]{0,12}", ".{0,12}"), 0..8),
    ) {
        let (engine, paths) = build(&specs, before, inside, 0);
        let mut answers = fill(&paths, &[Some(1), None, Some(4)]);
        for (path, text) in &arbitrary {
            answers.set(path.clone(), text.clone());
        }
        let evaluation = engine.evaluate(&answers, &env());
        for (path, _) in &arbitrary {
            let _ = engine.update(&evaluation, &answers, path, &env());
        }
        let _ = engine.result(&answers, &env());
    }
}
