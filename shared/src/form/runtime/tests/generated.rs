//! Property tests over forms whose every expression column is built from the expression
//! grammar (operators, ODK functions, references to earlier questions, repeat aggregates,
//! `.`, `position(..)`, choice columns), with generated answers: whatever the form says and
//! whatever was answered, evaluation, incremental updates and results never panic, updates
//! equal full evaluations and cleaned answers are a fixed point.
//!
//! `proptests` covers the runtime's bookkeeping with a few fixed expressions; this covers what
//! the expressions themselves can do to it.

use proptest::prelude::*;

use super::*;

/// Functions forms call, with the number of arguments given (ODK's arities).
const FUNCTIONS: &[(&str, usize)] = &[
    ("if", 3),
    ("not", 1),
    ("selected", 2),
    ("count-selected", 1),
    ("selected-at", 2),
    ("jr:choice-name", 2),
    ("coalesce", 2),
    ("concat", 3),
    ("string-length", 1),
    ("contains", 2),
    ("starts-with", 2),
    ("substr", 3),
    ("regex", 2),
    ("number", 1),
    ("int", 1),
    ("round", 2),
    ("pow", 2),
    ("sqrt", 1),
    ("abs", 1),
    ("max", 1),
    ("min", 1),
    ("sum", 1),
    ("count", 1),
    ("string", 1),
    ("date", 1),
    ("format-date", 2),
    ("decimal-date-time", 1),
    ("once", 1),
    ("boolean-from-string", 1),
    ("translate", 3),
    ("normalize-space", 1),
    ("join", 2),
    ("distance", 1),
    ("indexed-repeat", 3),
];

/// Expressions with placeholders: `A`, `B` (earlier questions), `R` (a question of the repeat)
/// and `S` (the repeat itself, for `indexed-repeat`).
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (0u32..40).prop_map(|n| n.to_string()),
        "[0-9]{1,2}\\.[0-9]".prop_map(|s| s),
        prop::sample::select(vec![
            "A",
            "B",
            "R",
            ".",
            "''",
            "'yes'",
            "'no'",
            "'yes no'",
            "today()",
            "now()",
            "position(..)",
            "true()",
            "false()",
            "name",
            "grp",
            "'2024-03-01'",
            "'^[a-z]+$'",
            "'(x'",
            "-1",
            "1 div 0",
            "'1 2 0 0;1 3 0 0'",
        ])
        .prop_map(str::to_owned),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), prop::sample::select(OPS), inner.clone())
                .prop_map(|(l, op, r)| format!("({l}) {op} ({r})")),
            inner.clone().prop_map(|e| format!("-({e})")),
            (
                prop::sample::select(FUNCTIONS),
                prop::collection::vec(inner, 3)
            )
                .prop_map(|((name, arity), args)| {
                    let args: Vec<String> = match name {
                        // The repeat, then a question of it, then an index.
                        "indexed-repeat" => vec!["R".into(), "S".into(), args[0].clone()],
                        _ => args.into_iter().take(arity).collect(),
                    };
                    format!("{name}({})", args.join(", "))
                }),
        ]
    })
}

const OPS: &[&str] = &[
    "+", "-", "*", "div", "mod", "=", "!=", "<", "<=", ">", ">=", "and", "or",
];

const KINDS: &[&str] = &[
    "integer",
    "text",
    "select_one yn",
    "select_multiple yn",
    "date",
    "decimal",
    "calculate",
];

/// Expression columns of the generated survey, after type and name.
const COLUMNS: &[&str] = &[
    "relevant",
    "constraint",
    "required",
    "calculation",
    "choice_filter",
    "default",
];

/// One generated question: its type, its expressions (`None`: the column is blank) and which
/// earlier questions `A` and `B` stand for.
#[derive(Debug, Clone)]
struct Spec {
    kind: usize,
    columns: Vec<Option<String>>,
    refs: (usize, usize),
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0..KINDS.len(),
        prop::collection::vec(prop::option::weighted(0.4, expression()), COLUMNS.len()),
        (0..64_usize, 0..64_usize),
    )
        .prop_map(|(kind, columns, refs)| Spec {
            kind,
            columns,
            refs,
        })
}

/// A survey: questions `q0..`, the ones from `inside_from` on inside repeat `r` (counted by
/// `count` when given), each reading only questions before it.
fn survey(specs: &[Spec], inside_from: usize, count: &Option<String>) -> Vec<Vec<String>> {
    let mut header: Vec<String> = ["type", "name", "label"].map(String::from).to_vec();
    header.extend(COLUMNS.iter().map(|c| (*c).to_owned()));
    header.push("repeat_count".into());
    let mut rows = vec![header];
    let first_inside = (inside_from < specs.len()).then_some(inside_from);
    for (i, s) in specs.iter().enumerate() {
        let name = |n: usize| format!("${{q{}}}", n % i.max(1));
        let fill = |text: &str| -> String {
            let repeat_q = first_inside
                .filter(|&r| r < i)
                .map(|r| format!("${{q{r}}}"));
            text.replace('A', &if i == 0 { "1".into() } else { name(s.refs.0) })
                .replace('B', &if i == 0 { "2".into() } else { name(s.refs.1) })
                .replace('R', repeat_q.as_deref().unwrap_or("3"))
                .replace('S', if first_inside.is_some() { "${r}" } else { "4" })
        };
        if Some(i) == first_inside {
            let count = count.as_deref().map(&fill).unwrap_or_default();
            let mut begin = vec!["begin repeat".to_owned(), "r".into(), "R".into()];
            begin.resize(rows[0].len() - 1, String::new());
            begin.push(count);
            rows.push(begin);
        }
        let kind = KINDS[s.kind];
        let mut row = vec![kind.to_owned(), format!("q{i}"), format!("Q{i}")];
        for (column, cell) in COLUMNS.iter().zip(&s.columns) {
            let applies = match *column {
                "calculation" => kind == "calculate",
                "choice_filter" => kind.starts_with("select"),
                "default" | "constraint" | "required" => kind != "calculate",
                _ => true,
            };
            row.push(
                cell.as_deref()
                    .filter(|_| applies)
                    .map(&fill)
                    .unwrap_or_default(),
            );
        }
        if kind == "calculate" && row[6].is_empty() {
            row[6] = fill("A");
        }
        row.push(String::new());
        rows.push(row);
    }
    if first_inside.is_some() {
        rows.push(vec!["end repeat".to_owned()]);
    }
    rows
}

/// Answer texts: numbers, choices, dates, geopoints, and anything at all.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?[0-9]{1,3}(\\.[0-9])?",
        prop::sample::select(vec!["yes", "no", "yes no", "", "2024-03-01", "1 2 0 0"])
            .prop_map(str::to_owned),
        ".{0,8}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    #[test]
    fn grammar_built_forms_evaluate_update_and_clean_without_panicking(
        specs in prop::collection::vec(spec(), 1..7),
        inside_from in 0..8_usize,
        count in prop::option::of(expression()),
        given in prop::collection::vec((0..8_usize, 1..4_usize, text()), 0..10),
        changes in prop::collection::vec((0..8_usize, 1..4_usize, prop::option::of(text())), 1..4),
    ) {
        let rows = survey(&specs, inside_from, &count);
        let choices = sheet(
            "choices",
            &[&["list_name", "name", "label", "grp"], &["yn", "yes", "Yes", "x"], &["yn", "no", "No", "y"]],
        );
        // Generated expressions may be refused (a type the model checks, a cycle): only forms
        // that exist reach the runtime.
        let Ok((form, _)) = parse_form(&[Sheet::new("survey", rows), choices]) else {
            return Ok(());
        };
        let Ok(engine) = Engine::new(&form) else {
            return Ok(());
        };
        let path = |q: usize, instance: usize| {
            let q = q % specs.len();
            if q >= inside_from { format!("r[{instance}]/q{q}") } else { format!("q{q}") }
        };
        let mut answers: Answers = given.iter().map(|(q, i, t)| (path(*q, *i), t.clone())).collect();
        let mut evaluation = engine.evaluate(&answers, &env());
        for (q, i, text) in changes {
            let at = path(q, i);
            match text {
                Some(t) => answers.set(at.clone(), t),
                None => drop(answers.remove(&at)),
            }
            evaluation = engine.update(&evaluation, &answers, &at, &env());
            prop_assert_eq!(&evaluation, &engine.evaluate(&answers, &env()), "after changing {}", at);
        }
        if let Ok(cleaned) = engine.result(&answers, &env()) {
            prop_assert_eq!(engine.result(&cleaned, &env()), Ok(cleaned.clone()));
        }
    }
}
