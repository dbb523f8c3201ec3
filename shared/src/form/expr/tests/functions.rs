//! Function groups with ODK's documented examples: control flow, select answers, strings,
//! conversions and math.

use super::*;

#[test]
fn control_flow_and_logic() {
    let ctx = TestContext::new().with("age", "20").with("b", "");
    check_table(
        &ctx,
        &[
            ("if(${age} >= 18, 'adult', 'minor')", "adult"),
            ("if(${b} >= 18, 'adult', 'minor')", "minor"),
            ("coalesce(${b}, 'fallback')", "fallback"),
            ("coalesce(${age}, 'fallback')", "20"),
            ("boolean(0)", "false"),
            ("boolean('0')", "true"),
            ("boolean(${b})", "false"),
            ("not(${age} > 30)", "true"),
            ("true() and not(false())", "true"),
            ("boolean-from-string('true')", "true"),
            ("boolean-from-string('1')", "true"),
            ("boolean-from-string('yes')", "false"),
            ("boolean-from-string(${b})", "false"),
            ("checklist(2, -1, 1 = 1, 0, true())", "true"),
            ("checklist(-1, 1, 1 = 1, 0, true())", "false"),
            (
                "weighted-checklist(5, 7, true(), 2, false(), 4, 1, 5)",
                "true",
            ),
            (
                "weighted-checklist(8, -1, true(), 2, false(), 4, 1, 5)",
                "false",
            ),
        ],
    );
}

#[test]
fn and_or_do_not_evaluate_their_right_side_when_decided() {
    // A failing right side (an invalid dynamic regex) is never reached.
    let ctx = TestContext::new().with("p", "(");
    check_table(
        &ctx,
        &[
            ("false() and regex('a', ${p})", "false"),
            ("true() or regex('a', ${p})", "true"),
            ("if(false(), regex('a', ${p}), 'skipped')", "skipped"),
        ],
    );
    let expr = parse("true() and regex('a', ${p})").expect("valid");
    assert!(matches!(expr.eval(&ctx), Err(EvalError::InvalidRegex(_))));
}

#[test]
fn select_multiple_answers_are_space_separated() {
    let ctx = TestContext::new()
        .with("colors", "red  green blue")
        .with("one", "green")
        .with("none", "");
    check_table(
        &ctx,
        &[
            ("selected(${colors}, 'red')", "true"),
            ("selected(${colors}, 'blue ')", "true"),
            ("selected(${colors}, 'gre')", "false"),
            ("selected(${one}, 'green')", "true"),
            ("selected(${none}, 'red')", "false"),
            ("selected(${colors}, '')", "false"),
            ("selected-at(${colors}, 0)", "red"),
            ("selected-at(${colors}, 2)", "blue"),
            ("selected-at(${colors}, 3)", ""),
            ("selected-at(${colors}, -1)", ""),
            ("count-selected(${colors})", "3"),
            ("count-selected(${none})", "0"),
            (
                "selected(${colors}, 'red') and not(selected(${colors}, 'pink'))",
                "true",
            ),
        ],
    );
}

#[test]
fn choice_names_come_from_the_question_s_list() {
    let mut ctx = TestContext::new().with("fruit", "mg");
    ctx.lists.insert("fruit".into(), "fruits".into());
    ctx.labels
        .insert(("fruits".into(), "mg".into()), "Mango".into());
    check_table(
        &ctx,
        &[
            ("jr:choice-name(${fruit}, '${fruit}')", "Mango"),
            ("jr:choice-name(${fruit}, '/data/fruit')", "Mango"),
            ("jr:choice-name('zz', '${fruit}')", ""),
            ("jr:choice-name(${fruit}, '${other}')", ""),
        ],
    );
}

#[test]
fn string_functions() {
    let ctx = TestContext::new()
        .with("name", "Ana")
        .with("phone", "3001234567")
        .with_current(Value::String("  a  b ".into()));
    check_table(
        &ctx,
        &[
            ("concat('Hello ', ${name}, '!')", "Hello Ana!"),
            ("concat()", ""),
            ("concat(1, true(), ${missing})", "1true"),
            ("substr('abcdef', 2)", "cdef"),
            ("substr('abcdef', 2, 4)", "cd"),
            ("substr('abcdef', -2)", "ef"),
            ("substr('abcdef', 4, 2)", ""),
            ("substr('abcdef', 0, 99)", "abcdef"),
            ("substr('ñandú', 1, 3)", "an"),
            ("substring-before('aa-bb-cc', '-')", "aa"),
            ("substring-after('aa-bb-cc', '-')", "bb-cc"),
            ("substring-after('abc', 'x')", ""),
            ("string-length('ñandú')", "5"),
            ("string-length()", "7"),
            ("normalize-space()", "a b"),
            ("normalize-space('\t x \n y ')", "x y"),
            ("contains('banana', 'nan')", "true"),
            ("starts-with('banana', 'ban')", "true"),
            ("ends-with('banana', 'ana')", "true"),
            ("ends-with('banana', 'x')", "false"),
            ("translate('bar', 'abc', 'ABC')", "BAr"),
            ("translate('--aaa--', 'abc-', 'ABC')", "AAA"),
            ("regex(${phone}, '^3[0-9]{9}$')", "true"),
            ("regex('12345', '^3[0-9]{9}$')", "false"),
            ("regex('abc', 'b')", "true"),
            ("regex('Ñu', '^\\w+$')", "true"),
            ("string(12.50)", "12.5"),
            ("string(1 = 1)", "true"),
            ("string()", "  a  b "),
        ],
    );
}

#[test]
fn number_conversions() {
    let ctx = TestContext::new().with("n", " 42 ").with("x", "4x");
    check_table(
        &ctx,
        &[
            ("number(${n})", "42"),
            ("number(${x})", "NaN"),
            ("number('1e3')", "NaN"),
            ("number('-1.5')", "-1.5"),
            ("number('')", "NaN"),
            ("number(true())", "1"),
            ("${n} * 2", "84"),
            ("int(3.7)", "3"),
            ("int(-3.7)", "-3"),
            ("int('')", "NaN"),
            ("1000000 * 1000000", "1000000000000"),
            ("-0", "0"),
        ],
    );
}

#[test]
fn math_functions() {
    check_table(
        &TestContext::new(),
        &[
            ("round(2.5)", "3"),
            ("round(-2.5)", "-2"),
            ("round(2.4)", "2"),
            ("round(3.14159, 2)", "3.14"),
            ("round(2.675, 2)", "2.68"),
            ("round(-1.005, 2)", "-1.01"),
            ("round(1234.5, -2)", "1200"),
            ("round(9.99, 1)", "10"),
            ("round(0.004, 2)", "0"),
            ("round(5, 3)", "5"),
            ("round(1, 'x')", "NaN"),
            ("pow(2, 10)", "1024"),
            ("pow(4, 0.5)", "2"),
            ("log(1)", "0"),
            ("log10(1000)", "3"),
            ("abs(-3.5)", "3.5"),
            ("sqrt(16)", "4"),
            ("sqrt(-1)", "NaN"),
            ("exp(0)", "1"),
            ("exp10(2)", "100"),
            ("pi()", "3.141592653589793"),
            ("sin(0)", "0"),
            ("cos(0)", "1"),
            ("tan(0)", "0"),
            ("asin(1) * 2 = pi()", "true"),
            ("acos(1)", "0"),
            ("atan(1) * 4 = pi()", "true"),
            ("atan2(1, 1) * 4 = pi()", "true"),
            ("floor(-1.5)", "-2"),
            ("ceiling(1.2)", "2"),
            ("max(1, 5, 3)", "5"),
            ("min(4, 2, 8)", "2"),
            ("max(1, 'x')", "NaN"),
        ],
    );
}

#[test]
fn uuid_and_random_come_from_the_context() {
    let ctx = TestContext::new();
    assert_eq!(text_in(&ctx, "uuid()"), ctx.uuid());
    let Value::Number(r) = eval_in(&ctx, "random()") else {
        panic!("random() is a number");
    };
    assert!((0.0..1.0).contains(&r));
    assert_eq!(
        eval_in(&ctx, "random()"),
        Value::Number(r),
        "same inputs, same value"
    );
}

#[test]
fn once_keeps_an_existing_value() {
    let empty = TestContext::new();
    assert_eq!(text_in(&empty, "once(concat('a', 'b'))"), "ab");
    let set = TestContext::new().with_current(Value::String("kept".into()));
    assert_eq!(text_in(&set, "once(concat('a', 'b'))"), "kept");
}

#[test]
fn string_results_are_capped() {
    let big = "x".repeat(MAX_STRING_BYTES / 2 + 1);
    let ctx = TestContext::new().with("big", &big);
    let expr = parse("concat(${big}, ${big})").expect("valid");
    assert_eq!(
        expr.eval(&ctx),
        Err(EvalError::StringTooLong {
            limit: MAX_STRING_BYTES
        })
    );
    assert!(
        parse("string-length(${big})")
            .expect("valid")
            .eval(&ctx)
            .is_ok()
    );
}
