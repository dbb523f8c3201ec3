//! Aggregates over repeat instances, `indexed-repeat`, `position`, unions, lookups and geometry.

use super::*;

fn household() -> TestContext {
    let mut ctx = TestContext::new()
        .with_repeat("amount", &["100", "250.5", "49.5"])
        .with_repeat("member", &["Ana", "", "Caio"])
        .with_repeat("visit", &["", "", ""])
        .with("amount", "250.5")
        .with("total", "400");
    // Date answers are typed, as a form engine passes them.
    let paid = ["2024-01-10", "2024-03-02", "2023-12-31"]
        .map(|d| Value::Date(d.parse().expect("valid test date")));
    ctx.repeats.insert("paid".into(), paid.to_vec());
    ctx
}

#[test]
fn aggregates_read_every_repeat_instance() {
    check_table(
        &household(),
        &[
            ("sum(${amount})", "400"),
            ("count(${visit})", "3"),
            ("count(${member})", "3"),
            ("count-non-empty(${member})", "2"),
            ("max(${amount})", "250.5"),
            ("min(${amount})", "49.5"),
            ("join(', ', ${member})", "Ana, , Caio"),
            ("sum(${amount}) = ${total}", "true"),
            ("sum(${member})", "NaN"),
            ("sum(${nothing})", "NaN"),
            ("count(/data/household/visit)", "3"),
            ("format-date(max(${paid}), '%Y-%m-%d')", "2024-03-02"),
            ("${amount} * 2", "501"),
            ("count(${amount} | ${member})", "6"),
            ("sum(${amount} | ${total})", "800"),
        ],
    );
}

#[test]
fn an_empty_repeat_sums_to_zero_and_has_no_maximum() {
    let ctx = TestContext::new().with_repeat("amount", &[]);
    check_table(
        &ctx,
        &[
            ("sum(${amount})", "0"),
            ("count(${amount})", "0"),
            ("max(${amount})", "NaN"),
            ("join('-', ${amount})", ""),
        ],
    );
}

#[test]
fn indexed_repeat_and_position() {
    let mut ctx = household();
    ctx.position = Some(2);
    check_table(
        &ctx,
        &[
            ("indexed-repeat(${member}, ${household}, 1)", "Ana"),
            ("indexed-repeat(${member}, ${household}, 3)", "Caio"),
            ("indexed-repeat(${member}, ${household}, 4)", ""),
            ("indexed-repeat(${member}, ${household}, 0)", ""),
            (
                "indexed-repeat(${member}, ${household}, position(..) + 1)",
                "Caio",
            ),
            ("position(..)", "2"),
            ("position()", "2"),
        ],
    );
    assert_eq!(text_in(&TestContext::new(), "position(..)"), "1");
}

#[test]
fn unions_in_a_single_value_context_read_their_first_node() {
    let ctx = household();
    check_table(
        &ctx,
        &[
            ("${member} | ${amount}", "Ana"),
            ("(${member} | ${amount}) = 'Caio'", "true"),
            ("(${member} | ${amount}) = 'Bia'", "false"),
            ("(${amount} | ${amount}) > 200", "true"),
        ],
    );
}

fn with_lists() -> TestContext {
    let mut ctx = TestContext::new().with("branch", "b2").with("code", "7");
    let row = |cells: &[(&str, &str)]| {
        cells
            .iter()
            .map(|(c, v)| ((*c).to_owned(), (*v).to_owned()))
            .collect()
    };
    ctx.instances.insert(
        "branches".into(),
        vec![
            row(&[("name", "b1"), ("label", "Centro"), ("code", "7")]),
            row(&[("name", "b2"), ("label", "Norte"), ("code", "8")]),
        ],
    );
    ctx
}

#[test]
fn lookups_read_instances_and_pulldata() {
    check_table(
        &with_lists(),
        &[
            (
                "instance('branches')/root/item[name = ${branch}]/label",
                "Norte",
            ),
            (
                "instance('branches')/root/item[code=${code}]/label",
                "Centro",
            ),
            ("instance('branches')/root/item[name = 'zz']/label", ""),
            ("instance('nope')/root/item[name = 'b1']/label", ""),
            ("pulldata('branches', 'label', 'name', ${branch})", "Norte"),
            (
                "concat(instance('branches')/root/item[name = 'b1']/label, '!')",
                "Centro!",
            ),
        ],
    );
}

#[test]
fn distance_and_area_use_geopoint_text() {
    let ctx = TestContext::new()
        .with("trace", "0 0 0 0; 0 1 0 0")
        .with("shape", "0 0 0 0;0 1 0 0;1 1 0 0;1 0 0 0;0 0 0 0")
        .with_repeat("pt", &["0 0", "0 1", "1 1"]);
    let metres = |source: &str| eval_in(&ctx, source).to_number();
    // One degree of longitude at the equator on JavaRosa's 6378.1 km sphere.
    assert!((metres("distance(${trace})") - 111_318.8).abs() < 1.0);
    assert!((metres("distance('0 0', '0 1')") - 111_318.8).abs() < 1.0);
    assert!((metres("distance(${pt})") - 2.0 * 111_318.8).abs() < 50.0);
    let square = metres("area(${shape})");
    assert!((square / 1e6 - 12_391.0).abs() < 50.0, "{square}");
    assert!(metres("distance('0 0')").is_nan());
    assert!(metres("distance('north', '0 1')").is_nan());
    assert_eq!(metres("area('0 0;0 1')"), 0.0);
}
