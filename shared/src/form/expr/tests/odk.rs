//! What real forms write that plain XPath readers refuse, read as ODK reads it: typographic
//! quotes, bare names, `${last-saved#q}`, general lookups, `jr:itext()`, `once()`,
//! `pulldata()` and Java regular expressions.

use super::*;

fn row(cells: &[(&str, &str)]) -> Vec<(String, String)> {
    cells
        .iter()
        .map(|(c, v)| ((*c).to_owned(), (*v).to_owned()))
        .collect()
}

/// A table `features` as a media file or choice list gives it, and a few answers.
fn features() -> TestContext {
    let mut ctx = TestContext::new()
        .with("feature", "f2")
        .with("d", "no")
        .with("n", "2")
        .with("sn", "12");
    ctx.instances.insert(
        "features".into(),
        vec![
            row(&[("id", "f1"), ("geometry", "0 0"), ("kind", "a"), ("n", "1")]),
            row(&[("id", "f2"), ("geometry", "1 1"), ("kind", "b"), ("n", "2")]),
            row(&[("id", "f3"), ("geometry", "2 2"), ("kind", "b"), ("n", "3")]),
        ],
    );
    ctx.instances.insert(
        "survey".into(),
        vec![
            row(&[
                ("P_Demographic/P_SN", "11"),
                ("P_Demographic/P_Name", "Ana"),
            ]),
            row(&[
                ("P_Demographic/P_SN", "12"),
                ("P_Demographic/P_Name", "Bo"),
                ("P_Enumerator", ""),
            ]),
        ],
    );
    ctx
}

#[test]
fn typographic_quotes_delimit_strings_by_family_as_pyxform_reads_them() {
    check_table(
        &features(),
        &[
            (
                "instance('features’)/root/item[id=${feature}]/geometry",
                "1 1",
            ),
            ("${d}=’no’", "true"),
            ("${d}=’no'", "true"),
            ("${d}=‘no'", "true"),
            ("${d} != ”\"", "true"),
            ("${d}=“no”", "true"),
            ("format-date('2024-03-15', “%Y/%m”)", "2024/03"),
            // A quote of the other family is text inside a string.
            ("“it’s”", "it’s"),
            ("'say “hi”'", "say “hi”"),
        ],
    );
    let e = parse_error("${d} = 'no”");
    assert_eq!(e.offset, 7);
    assert!(
        e.message
            .starts_with("unterminated string: expected a closing ' (typographic quotes"),
        "{e}"
    );
}

#[test]
fn bare_names_are_empty_children_of_the_question_and_are_listed() {
    let ctx = TestContext::new().with("q", "x");
    check_table(
        &ctx,
        &[
            ("FALSE", ""),
            ("boolean(TRUE)", "false"),
            ("if(TRUE, 'y', 'n')", "n"),
            ("string(null)", ""),
            ("number(basic)", "NaN"),
            ("${q} = basic", "false"),
            ("${q} != basic", "true"),
            ("basic = ''", "true"),
            ("concat('a', Something_that_is_not_None, 'b')", "ab"),
            ("count(FALSE)", "0"),
            ("a/b", ""),
        ],
    );
    let parsed = parse("${q} = yes or TRUE and not(FALSE) or yes").expect("bare names parse");
    assert_eq!(parsed.bare_names(), ["yes", "TRUE", "FALSE"]);
    assert!(parsed.references() == ["q"]);
    assert_eq!(
        parsed.to_string(),
        "${q} = yes or TRUE and not(FALSE) or yes"
    );
}

#[test]
fn bare_names_read_the_context_node_where_it_has_children() {
    // A choice filter: the context node is the choice being tested.
    let mut ctx = TestContext::new().with("district", "d1");
    ctx.children.insert("district".into(), "d1".into());
    ctx.children.insert("name".into(), "town".into());
    check_table(
        &ctx,
        &[
            ("district = ${district}", "true"),
            ("district = ${district} and name != 'x'", "true"),
            ("selected('town city', name)", "true"),
            ("zone = ''", "true"),
        ],
    );
}

#[test]
fn last_saved_references_parse_print_and_read_empty() {
    let parsed = parse("coalesce(${last-saved#width}, ${w})").expect("last-saved parses");
    assert_eq!(parsed.last_saved(), ["width"]);
    assert_eq!(parsed.references(), ["w"], "not a dependency");
    assert_eq!(parsed.to_string(), "coalesce(${last-saved#width}, ${w})");
    let ctx = TestContext::new().with("w", "3");
    check_table(
        &ctx,
        &[
            ("${last-saved#width}", ""),
            ("coalesce(${last-saved#width}, ${w})", "3"),
        ],
    );
    assert!(parse_error("${last-saved#1a}").message.contains("'1a'"));
}

#[test]
fn lookups_take_any_predicate_and_any_path() {
    check_table(
        &features(),
        &[
            (
                "instance('features')/root/item[id=${feature}]/geometry",
                "1 1",
            ),
            ("instance('features')/root/item[${feature} = id]/kind", "b"),
            ("instance('features')/root/item[id != 'f1']/id", "f2"),
            (
                "instance('features')/root/item[kind = 'b' and n > ${n}]/id",
                "f3",
            ),
            (
                "instance('features')/root/item[id = 'f9' or n = 1]/id",
                "f1",
            ),
            ("instance('features')/root/item[n = ${n}]/id", "f2"),
            ("instance('features')/root/item[2]/id", "f2"),
            ("instance('features')/root/item[kind = 'b'][2]/id", "f3"),
            ("instance('features')/root/item[position() = 3]/id", "f3"),
            ("instance('features')/root/item/id[. = 'f3']", "f3"),
            ("instance('features')/root/item/id[.='f9']", ""),
            (
                "instance('features')/root/item[id = current()/../feature]/n",
                "2",
            ),
            ("count(instance('features')/root/item[kind = 'b'])", "2"),
            ("count(instance('features')/root/item)", "3"),
            ("sum(instance('features')/root/item/n)", "6"),
            ("max(instance('features')/root/item[kind='b']/n)", "3"),
            ("join(' ', instance('features')/root/item/id)", "f1 f2 f3"),
            (
                "instance('features')/root/item[kind = 'b']/id = 'f3'",
                "true",
            ),
            ("count(instance('nope')/root/item)", "0"),
            ("instance('nope')/root/item[id = 'f1']/id", ""),
            // An XML instance's nested columns, compared with the question's own context.
            (
                "instance('survey')/root/data[P_Demographic/P_SN = ${sn}]/P_Demographic/P_Name",
                "Bo",
            ),
            ("count(instance('survey')/root/data[P_Enumerator])", "1"),
            (
                "instance('survey')/root/data[P_Enumerator]/P_Demographic/P_SN",
                "12",
            ),
        ],
    );
}

#[test]
fn lookups_print_back_to_the_same_tree() {
    for source in [
        "instance('x')/root/item[a = 1][b != ${c} and position() = 2]/d/e[. = 'f']",
        "instance('x')/root/item[2]/label",
        "count(instance('x')/root/item[label])",
        "instance('x')/context/pregnancy_uuid",
    ] {
        let parsed = parse(source).expect("lookup parses");
        assert_eq!(parse(&parsed.to_string()), Ok(parsed), "{source}");
    }
    let parsed =
        parse("instance('x')/root/item[name = ${a} and label = FALSE]/label").expect("parses");
    assert_eq!(parsed.references(), ["a"]);
    assert!(
        parsed.bare_names().is_empty(),
        "names in predicates read the instance"
    );
}

#[test]
fn itext_once_and_pulldata_work_as_in_odk() {
    let mut ctx = features().with_current(Value::Empty);
    ctx.itext.insert("yn-0".into(), "Yes".into());
    check_table(
        &ctx,
        &[
            ("jr:itext('yn-0')", "Yes"),
            ("jr:itext(concat('yn-', 1))", ""),
            ("once(concat('a', 'b'))", "ab"),
            ("pulldata('features', 'geometry', 'id', ${feature})", "1 1"),
            ("pulldata('features', 'geometry', 'id', 'none')", ""),
        ],
    );
    let answered = TestContext::new().with_current(Value::String("kept".into()));
    check_table(&answered, &[("once(concat('a', 'b'))", "kept")]);
}

#[test]
fn regex_takes_java_patterns() {
    let ctx = TestContext::new()
        .with("date", "12/2024")
        .with("zip", "12345-6789")
        .with("word", "Ñandú")
        .with("digits", "١٢٣");
    check_table(
        &ctx,
        &[
            (r"regex(${date}, '^\d+\/\d+$')", "true"),
            (r"regex(${zip}, '^\d{5}(-\d{4})?$')", "true"),
            (r"regex(${zip}, '^\d++-\d*+$')", "true"),
            (r"regex(${word}, '^\p{Alpha}+$')", "true"),
            (r"regex('a1', '^\p{Alpha}+$')", "false"),
            (r"regex(${word}, '^\p{L}+$')", "true"),
            (r"regex(${word}, '^\p{javaUpperCase}')", "true"),
            // Collect's regex is Android's (ICU): \d is any decimal digit.
            (r"regex(${digits}, '^\d+$')", "true"),
            (r"regex(${digits}, '^\p{Digit}+$')", "true"),
            (r"regex('a.b', '\Qa.b\E')", "true"),
            (r"regex('axb', '^\Qa.b\E$')", "false"),
            (
                r"regex('LEB-12c12345', '[(LEB)|(leb)|(0-9)]{3}\-[0-9]{2}[c|C][0-9]{5}')",
                "true",
            ),
            ("regex('ab\n', '^ab$')", "true"),
        ],
    );
    let e = parse_error(r"regex(., '(a)\1')");
    assert!(e.message.contains("back-references"), "{e}");
}

#[test]
fn constraints_keep_unknown_functions_which_fail_when_evaluated() {
    assert!(
        parse_error("wq:length(5)")
            .message
            .contains("unknown function")
    );
    let parsed = parse_constraint("wq:length(.) < 5 and foo(${a}, 1)").expect("kept");
    assert_eq!(parsed.unknown_functions(), ["wq:length", "foo"]);
    assert_eq!(parsed.references(), ["a"]);
    assert_eq!(parsed.to_string(), "wq:length(.) < 5 and foo(${a}, 1)");
    assert_eq!(
        parsed.eval(&TestContext::new()),
        Err(EvalError::UnknownFunction {
            function: "wq:length".into()
        })
    );
    // Refused functions, arity and syntax are still errors.
    assert!(parse_constraint("digest('a', 'MD5')").is_err());
    assert!(parse_constraint("round()").is_err());
    assert!(parse_constraint("foo(").is_err());
}
