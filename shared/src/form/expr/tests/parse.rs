//! Syntax: operators and precedence, literals, paths, lookups, error offsets and messages,
//! limits, `references()` and the printer.

use super::super::functions;
use super::*;

#[test]
fn operators_follow_xpath_precedence_and_associativity() {
    let ctx = TestContext::new();
    check_table(
        &ctx,
        &[
            ("1 + 2 * 3", "7"),
            ("(1 + 2) * 3", "9"),
            ("10 - 4 - 3", "3"),
            ("2 * 3 div 4", "1.5"),
            ("7 mod 3 * 2", "2"),
            ("-2 * 3", "-6"),
            ("- - 2", "2"),
            ("1 = 1 and 2 = 3 or 4 = 4", "true"),
            ("1 = 1 or 2 = 3 and 4 = 5", "true"),
            ("(1 = 1 or 2 = 3) and 4 = 5", "false"),
            ("1 < 2 = 2 > 1", "true"),
            ("3 > 2 > 1", "false"),
            ("1 + 1 = 2", "true"),
            ("5 mod 2", "1"),
            ("-5 mod 2", "-1"),
            ("5 mod -2", "1"),
            ("1 div 0", "Infinity"),
            ("-1 div 0", "-Infinity"),
            ("0 div 0", "NaN"),
            ("0.1 + 0.2", "0.30000000000000004"),
            (".5 + 1.", "1.5"),
            ("'a' != 'b'", "true"),
            ("\"it's\"", "it's"),
            ("'say \"hi\"'", "say \"hi\""),
            ("‘yes’ = 'yes'", "true"),
            ("concat(“a”, ’b’)", "ab"),
            ("“it’s”", "it’s"),
        ],
    );
}

#[test]
fn operator_names_are_names_in_operand_position() {
    let parsed = parse("and or and").expect("a name, the operator, a name");
    assert_eq!(parsed.bare_names(), ["and"]);
    assert_eq!(text_in(&TestContext::new(), "2 div 2 mod 2"), "1");
}

#[test]
fn empty_answers_are_empty_strings_and_nan_numbers() {
    let ctx = TestContext::new().with("a", "");
    check_table(
        &ctx,
        &[
            ("${a} = ''", "true"),
            ("${a} + 1", "NaN"),
            ("${a} = 0", "false"),
            ("string-length(${a})", "0"),
            ("boolean(${a})", "false"),
            ("${a} > 0 or ${a} <= 0", "false"),
        ],
    );
}

#[test]
fn comparisons_convert_as_xpath_does() {
    let ctx = TestContext::new().with("n", "10").with("s", "abc");
    check_table(
        &ctx,
        &[
            ("${n} = 10", "true"),
            ("${n} = '10'", "true"),
            ("${n} > 9", "true"),
            ("${n} > '9'", "true"),
            ("${s} = 'abc'", "true"),
            ("${s} > 1", "false"),
            ("true() = 'x'", "true"),
            ("false() = ''", "true"),
            ("1 = true()", "true"),
            (" 2 = ' 2 '", "true"),
        ],
    );
}

#[test]
fn paths_resolve_to_the_question_of_their_last_step() {
    let ctx = TestContext::new()
        .with("q", "7")
        .with_current(Value::String("here".into()));
    check_table(
        &ctx,
        &[
            ("/data/group/q + 1", "8"),
            ("../q", "7"),
            ("./q", "7"),
            (".", "here"),
            ("current()", "here"),
            ("current()/../q", "7"),
            ("string-length(.)", "4"),
            ("..", ""),
        ],
    );
}

#[test]
fn error_offsets_point_at_the_problem() {
    let rows: &[(&str, usize, &str)] = &[
        ("${a} + foo(1)", 7, "unknown function 'foo'"),
        ("${a -> ${a}", 0, "unterminated reference"),
        ("1 + $a", 4, "expected '{' after '$'"),
        ("concat('a', 'b'", 15, "expected ',' or ')'"),
        ("'open", 0, "unterminated string"),
        ("1 + ‘open", 4, "unterminated string"),
        ("1 +", 3, "expected a value, found end of expression"),
        ("(1 + 2", 6, "expected ')'"),
        ("1 2", 2, "unexpected number 2"),
        ("if(1, 2)", 0, "if() takes 3 arguments, found 2"),
        ("  round()", 2, "round() takes 1 to 2 arguments, found 0"),
        ("max()", 0, "max() takes at least 1 argument"),
        ("today(1)", 0, "today() takes 0 arguments, found 1"),
        (
            "1 + digest('a', 'MD5')",
            4,
            "function 'digest' is not supported",
        ),
        ("randomize(${x})", 0, "is not supported"),
        ("//q", 0, "'//'"),
        ("/data/@id", 6, "attributes"),
        ("/data/q[1]", 7, "predicates"),
        ("1 ! 2", 2, "use != or not"),
        ("1 # 2", 2, "unexpected character '#'"),
        ("", 0, "empty expression"),
        ("count(1)", 6, "count() needs a question reference"),
        ("regex(., '(a')", 9, "invalid regular expression"),
        ("regex(., '(?=a)')", 9, "invalid regular expression"),
        ("instance('x')", 13, "lookup"),
        ("instance(${x})/root/item[a = 1]/b", 9, "quoted string"),
        (
            "instance('x')/root/item[a = 1",
            29,
            "']' closing the predicate",
        ),
        ("instance('x')/root//item", 18, "lookup"),
        ("yes/", 4, "a child name after '/'"),
        ("${last-saved#}", 0, "invalid question name ''"),
        (
            "weighted-checklist(1, 2, ${a})",
            19,
            "value and weight pairs",
        ),
        ("${é} + ${1a}", 7, "invalid question name '1a'"),
        ("concat()/x", 8, "a path or filter may follow only"),
    ];
    for (source, offset, message) in rows {
        let e = parse_error(source);
        assert_eq!(e.offset, *offset, "offset for {source:?}: {e}");
        assert!(e.message.contains(message), "message for {source:?}: {e}");
    }
}

#[test]
fn offsets_count_characters_not_bytes() {
    let e = parse_error("'ñandú' + nope()");
    assert_eq!(e.offset, 10);
    assert_eq!(e.to_string(), "at character 10: unknown function 'nope'");
}

#[test]
fn every_function_checks_its_arity_and_refused_ones_fail_at_parse() {
    for (name, min, max) in functions::all() {
        let call = |n: usize| format!("{name}({})", vec!["${a}"; n].join(", "));
        if name == "weighted-checklist" {
            continue; // pairs: covered by its own error row
        }
        assert!(parse(&call(min)).is_ok(), "{name} with {min} args");
        if max != usize::MAX {
            let e = parse_error(&call(max + 1));
            assert!(e.message.contains("takes"), "{name}: {e}");
        }
        if min > 0 {
            assert!(
                parse(&call(min - 1)).is_err(),
                "{name} with {} args",
                min - 1
            );
        }
    }
    for name in functions::refused().filter(|&n| n != "instance") {
        let e = parse_error(&format!("{name}('a')"));
        assert!(e.message.contains("not supported"), "{name}: {e}");
    }
    for unknown in ["upper-case('a')", "lower-case('a')", "foo:bar()", "text()"] {
        assert!(parse_error(unknown).message.contains("unknown function"));
    }
}

#[test]
fn limits_refuse_huge_and_deep_sources() {
    let long = format!("'{}'", "a".repeat(MAX_SOURCE_BYTES));
    assert!(parse_error(&long).message.contains("longer than"));

    let nested = |n: usize| format!("{}1{}", "(".repeat(n), ")".repeat(n));
    assert!(parse(&nested(MAX_DEPTH - 1)).is_ok());
    let e = parse_error(&nested(MAX_DEPTH + 5));
    assert!(e.message.contains("nested deeper"), "{e}");
    assert!(
        parse_error(&"-".repeat(1000))
            .message
            .contains("nested deeper")
    );
    let calls = format!("{}1{}", "abs(".repeat(200), ")".repeat(200));
    assert!(parse_error(&calls).message.contains("nested deeper"));
}

#[test]
fn long_flat_chains_are_accepted_and_evaluate_without_deep_recursion() {
    let sum = vec!["1"; 5000].join(" + ");
    assert_eq!(eval(&sum), Value::Number(5000.0));
    let ors = vec!["${a} = 'x'"; 2000].join(" or ");
    assert_eq!(eval(&ors), Value::Bool(false));
}

#[test]
fn the_deepest_accepted_expression_evaluates_on_a_small_stack() {
    // Every nesting level passes through all precedence levels, the worst case for recursion.
    let level = "-(1 or 1 and 1 = 1 < 1 + 1 * abs(";
    let depth = MAX_DEPTH / 3;
    let source = format!("{}1{}", level.repeat(depth), "))".repeat(depth));
    let expr = parse(&source).expect("within the nesting limit");
    let result = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || expr.eval(&TestContext::new()).is_ok())
        .expect("spawn test thread")
        .join()
        .expect("no stack overflow");
    assert!(result);
}

#[test]
fn references_are_listed_once_in_order_of_appearance() {
    let expr = parse(
        "if(${b} > 0, concat(${a}, ${b}), jr:choice-name(${c}, '${c}')) + \
         instance('l')/root/item[name = ${d}]/label + count(${a})",
    )
    .expect("valid");
    assert_eq!(expr.references(), ["b", "a", "c", "d"]);
    assert_eq!(
        parse("'${x} and ${ y } and ${z}'")
            .expect("valid")
            .references(),
        ["x", "z"]
    );
    assert!(parse("1 + 2").expect("valid").references().is_empty());
}

#[test]
fn printing_gives_a_source_that_parses_to_the_same_expression() {
    let sources = [
        "1 + 2 * 3",
        "(1 + 2) * 3",
        "1 - (2 - 3)",
        "(1 - 2) - 3",
        "-(1 + 2)",
        "--1",
        "${a} | ${b} | /data/c",
        "-${a} | ${b}",
        "if(selected(${q}, 'x'), \"it's\", 'no') != ''",
        "instance('l')/root/item[name = ${x} + 1]/label",
        "instance('l')/root/item[name = (${x} = 1)]/label",
        "current()/../q and ../r or . > 3",
        "jr:choice-name(${q}, '${q}')",
        "/",
        "0.30000000000000004 * 1000000000000000000000",
    ];
    for source in sources {
        let expr = parse(source).expect("valid");
        let printed = expr.to_string();
        assert_eq!(
            parse(&printed).as_ref(),
            Ok(&expr),
            "{source} printed as {printed}"
        );
    }
    assert_eq!(
        parse("1+2*3 = 7").expect("valid").to_string(),
        "1 + 2 * 3 = 7"
    );
}

#[test]
fn whitespace_from_spreadsheets_is_ignored() {
    assert_eq!(eval("\u{a0}1\t+\n2\r"), Value::Number(3.0));
}
