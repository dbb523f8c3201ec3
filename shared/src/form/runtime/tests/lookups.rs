//! Expressions of real forms through the engine: lookups into choice lists with any predicate,
//! `jr:itext()`, bare names, `${last-saved#q}` and typographic quotes.

use super::*;

// Long: a whole form (survey and choices) written out as its cells.
fn towns() -> Engine {
    engine(
        &[
            &[
                "type",
                "name",
                "label",
                "calculation",
                "relevant",
                "choice_filter",
                "default",
            ],
            &["select_one dept", "dept", "Department", "", "", "", ""],
            &[
                "select_one city",
                "city",
                "City",
                "",
                "",
                "dept = ${dept} and pop > instance('dept')/root/item[name=${dept}]/min",
                "",
            ],
            &[
                "calculate",
                "city_label",
                "",
                "instance('city’)/root/item[name=${city}]/label",
                "",
                "",
                "",
            ],
            &[
                "calculate",
                "cities",
                "",
                "count(instance('city')/root/item[dept = ${dept}])",
                "",
                "",
                "",
            ],
            &[
                "calculate",
                "second",
                "",
                "instance('city')/root/item[dept=${dept}][2]/name",
                "",
                "",
                "",
            ],
            &[
                "calculate",
                "first_city",
                "",
                "jr:itext('city-0')",
                "",
                "",
                "",
            ],
            &["text", "never", "Never", "", "FALSE", "", ""],
            &[
                "integer",
                "width",
                "Width",
                "",
                "",
                "",
                "${last-saved#width}",
            ],
        ],
        &[
            &["list_name", "name", "label", "dept", "pop", "min"],
            &["dept", "ant", "Antioquia", "", "", "100"],
            &["dept", "cun", "Cundinamarca", "", "", "0"],
            &["city", "med", "Medellín", "ant", "2500", ""],
            &["city", "rio", "Rionegro", "ant", "70", ""],
            &["city", "gua", "Guarne", "ant", "150", ""],
            &["city", "bog", "Bogotá", "cun", "7000", ""],
        ],
    )
}

#[test]
fn lookups_read_choice_lists_with_any_predicate() {
    let engine = towns();
    let e = engine.evaluate(&answers(&[("dept", "ant"), ("city", "rio")]), &env());
    assert_eq!(e.calculated["city_label"], "Rionegro");
    assert_eq!(e.calculated["cities"], "3");
    assert_eq!(e.calculated["second"], "rio");
    assert_eq!(e.calculated["first_city"], "Medellín");
    // The filter's bare names are the choice's columns; the lookup inside it reads the list.
    assert_eq!(e.choices["city"], ["med", "gua"]);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
}

#[test]
fn bare_names_and_last_saved_values_are_empty() {
    let engine = towns();
    let e = engine.evaluate(&answers(&[]), &env());
    assert!(!relevant(&e, "never"));
    assert!(
        e.calculated.get("width").is_none_or(String::is_empty),
        "{:?}",
        e.calculated
    );
    assert_eq!(e.calculated["cities"], "0");
}

#[test]
fn a_constraint_with_an_unknown_function_is_reported_and_met() {
    let engine = engine(
        &[
            &["type", "name", "label", "constraint"],
            &["text", "code", "Code", "wq:length(.) = 5"],
        ],
        &[],
    );
    let e = engine.evaluate(&answers(&[("code", "abc")]), &env());
    assert!(e.failed_constraints.is_empty());
    assert_eq!(e.errors.len(), 1, "{:?}", e.errors);
    assert!(e.errors[0].message.contains("wq:length"), "{:?}", e.errors);
}
