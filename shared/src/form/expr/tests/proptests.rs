//! Property tests: parsing never panics (arbitrary text, XPath token soup, grammar-built
//! expressions), evaluation of anything that parses never panics and returns, and printed
//! expressions parse back to the same tree.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::super::functions;
use super::*;

const TOKENS: &[&str] = &[
    "${a}",
    "${b}",
    "${rep}",
    "${",
    "}",
    "$",
    ".",
    "..",
    "/",
    "//",
    "(",
    ")",
    "[",
    "]",
    ",",
    "+",
    "-",
    "*",
    "|",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "@",
    "and",
    "or",
    "div",
    "mod",
    "1",
    "0",
    "2.5",
    ".5",
    "'x'",
    "\"y\"",
    "'",
    "\"",
    "if",
    "concat",
    "selected",
    "count",
    "sum",
    "jr:choice-name",
    "instance('l')",
    "root",
    "item",
    "name",
    "label",
    "current()",
    "today()",
    "now()",
    "format-date",
    "round",
    "regex",
    "'^a+$'",
    "'(a'",
    "substr",
    "date",
    "true()",
    "position",
    "max",
    "join",
    "translate",
    "-1",
    "data",
    "ñ",
    "‘",
    "’",
    "“",
    "”",
    "${last-saved#a}",
    "FALSE",
    "basic",
    "[.=",
    "position()",
    "jr:itext",
    " ",
    "\t",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..40).prop_map(|t| t.concat())
}

/// Well-formed expressions built from the grammar, so most of them parse and evaluate.
fn grammar() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (0u32..1000).prop_map(|n| n.to_string()),
        "[0-9]{1,3}\\.[0-9]{1,3}",
        "'[a-z ]{0,6}'",
        prop::sample::select(vec![
            "${a}",
            "${b}",
            "${c}",
            "${rep}",
            ".",
            "../a",
            "/data/g/b",
            "today()",
            "now()",
            "position(..)",
            "current()/../a",
            "instance('l')/root/item[name = ${a}]/label",
            "instance('l')/root/item[name!=${b} and position() = 1]/label",
            "instance('l')/root/item[2]/name",
            "instance('l')/root/item/label[. = 'X']",
            "count(instance('l')/root/item[label])",
            "’x' = “y\"",
            "${last-saved#a}",
            "FALSE",
            "null/x",
            "'2024-03-15'",
            "'a b c'",
            "''",
            "true()",
            "random()",
            "uuid()",
        ])
        .prop_map(str::to_owned),
    ];
    let names: Vec<(&str, usize, usize)> = functions::all().collect();
    leaf.prop_recursive(5, 48, 4, move |inner| {
        prop_oneof![
            (inner.clone(), prop::sample::select(OPS), inner.clone())
                .prop_map(|(l, op, r)| format!("({l}) {op} {r}")),
            inner.clone().prop_map(|e| format!("-{e}")),
            (inner.clone(), inner.clone()).prop_map(|(l, r)| format!("{l} | {r}")),
            (
                prop::sample::select(names.clone()),
                prop::collection::vec(inner, 0..5)
            )
                .prop_map(|((name, min, max), args)| {
                    let n = args.len().clamp(min, max.min(min + 4));
                    let mut args = args;
                    args.resize(n, "${rep}".to_owned());
                    format!("{name}({})", args.join(", "))
                }),
        ]
    })
}

const OPS: &[&str] = &[
    "+", "-", "*", "div", "mod", "=", "!=", "<", "<=", ">", ">=", "and", "or",
];

fn answer() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Empty),
        "-?[0-9]{1,4}(\\.[0-9]{1,2})?".prop_map(Value::String),
        "[a-c ]{0,8}".prop_map(Value::String),
        ".{0,12}".prop_map(Value::String),
        "20[0-9]{2}-0[1-9]-[0-2][0-9]".prop_map(Value::String),
        (-40_000i64..40_000).prop_map(|d| Value::Date(
            NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch") + chrono::TimeDelta::days(d)
        )),
        any::<f64>().prop_map(Value::Number),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::DateTime(fixed_now())),
        prop::collection::vec(".{0,4}", 0..3).prop_map(Value::NodeSet),
    ]
}

fn context() -> impl Strategy<Value = TestContext> {
    (
        answer(),
        answer(),
        answer(),
        prop::collection::vec(answer(), 0..5),
        prop::option::of(answer()),
        prop::option::of(0usize..5),
    )
        .prop_map(|(a, b, c, rep, current, position)| {
            let mut ctx = TestContext::new()
                .with_value("a", a)
                .with_value("b", b)
                .with_value("c", c);
            ctx.repeats.insert("rep".into(), rep);
            ctx.current = current;
            ctx.position = position;
            ctx.lists.insert("a".into(), "l".into());
            ctx.instances.insert(
                "l".into(),
                vec![vec![
                    ("name".into(), "x".into()),
                    ("label".into(), "X".into()),
                ]],
            );
            ctx
        })
}

/// Parses, evaluates when it parses, and checks the printer round trip.
fn exercise(source: &str, ctx: &TestContext) -> Result<(), TestCaseError> {
    let Ok(expr) = parse(source) else {
        return Ok(());
    };
    let _ = expr.eval(ctx);
    let _ = expr.references();
    let printed = expr.to_string();
    match parse(&printed) {
        Ok(again) => prop_assert_eq!(again, expr, "{} printed as {}", source, printed),
        // Printing adds parentheses, which may cross the nesting limit near it.
        Err(e) => prop_assert!(e.message.contains("nested deeper"), "{}: {}", printed, e),
    }
    Ok(())
}

proptest! {
    #[test]
    fn parsing_arbitrary_text_never_panics(source in any::<String>()) {
        let _ = parse(&source);
    }

    #[test]
    fn error_offsets_lie_within_the_source(source in token_soup()) {
        if let Err(e) = parse(&source) {
            prop_assert!(e.offset <= source.chars().count(), "{:?}: {}", source, e);
        }
    }

    #[test]
    fn token_soup_parses_evaluates_and_prints_without_panicking(
        source in token_soup(),
        ctx in context(),
    ) {
        exercise(&source, &ctx)?;
    }

    #[test]
    fn grammar_built_expressions_evaluate_and_round_trip(
        source in grammar(),
        ctx in context(),
    ) {
        exercise(&source, &ctx)?;
    }

    #[test]
    fn selected_agrees_with_splitting_the_answer(
        choices in prop::collection::vec("[a-z]{1,4}", 0..6),
        wanted in "[a-z]{1,4}",
    ) {
        let ctx = TestContext::new().with("q", &choices.join(" "));
        let got = eval_in(&ctx, &format!("selected(${{q}}, '{wanted}')"));
        prop_assert_eq!(got, Value::Bool(choices.contains(&wanted)));
        let count = eval_in(&ctx, "count-selected(${q})");
        prop_assert_eq!(count, Value::Number(choices.len() as f64));
    }

    #[test]
    fn date_plus_days_minus_date_is_the_days(days in -20_000i32..20_000) {
        let ctx = TestContext::new();
        let source = format!("date(today() + {days}) - today()");
        prop_assert_eq!(eval_in(&ctx, &source), Value::Number(f64::from(days)));
    }

    #[test]
    fn numbers_print_as_text_that_reads_back(n in any::<f64>()) {
        let text = Value::Number(n).to_string();
        let back = Value::String(text.clone()).to_number();
        if n.is_finite() {
            prop_assert_eq!(back, if n == 0.0 { 0.0 } else { n }, "{}", text);
        }
    }
}
