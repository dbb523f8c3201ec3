//! Tests of the expression engine: parsing and errors (`parse`), functions by group
//! (`functions`), dates (`dates`), repeats and lookups (`repeats`), and property tests
//! (`proptests`). The test context lives here.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};

use super::*;

mod dates;
mod functions;
mod odk;
mod parse;
mod proptests;
mod repeats;

/// An in-memory form: answers of the current instance, answers across repeat instances, choice
/// lists and lookup tables, a fixed clock (2024-03-15T10:30:00-05:00) and a fixed uuid.
#[derive(Debug, Default)]
pub(super) struct TestContext {
    pub answers: HashMap<String, Value>,
    pub repeats: HashMap<String, Vec<Value>>,
    pub current: Option<Value>,
    pub position: Option<usize>,
    /// question -> its choice list; (list, choice) -> label.
    pub lists: HashMap<String, String>,
    pub labels: HashMap<(String, String), String>,
    /// instance -> rows of (column, value).
    pub instances: HashMap<String, Vec<Vec<(String, String)>>>,
    /// The context node's children (a choice filter's choice columns), by bare name.
    pub children: HashMap<String, String>,
    /// itext id -> text.
    pub itext: HashMap<String, String>,
}

impl TestContext {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a text answer (`""` is unanswered).
    pub fn with(mut self, name: &str, answer: &str) -> Self {
        self.answers
            .insert(name.to_owned(), Value::from_answer(answer));
        self
    }

    pub fn with_value(mut self, name: &str, value: Value) -> Self {
        self.answers.insert(name.to_owned(), value);
        self
    }

    /// Adds a question answered in each repeat instance.
    pub fn with_repeat(mut self, name: &str, answers: &[&str]) -> Self {
        let values = answers.iter().map(|a| Value::from_answer(a)).collect();
        self.repeats.insert(name.to_owned(), values);
        self
    }

    pub fn with_current(mut self, value: Value) -> Self {
        self.current = Some(value);
        self
    }
}

pub(super) fn fixed_now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2024-03-15T10:30:00-05:00").expect("valid test instant")
}

impl EvalContext for TestContext {
    fn value_of(&self, name: &str) -> Value {
        self.answers.get(name).cloned().unwrap_or(Value::Empty)
    }

    fn values_of(&self, name: &str) -> Vec<Value> {
        match self.repeats.get(name) {
            Some(values) => values.clone(),
            None => vec![self.value_of(name)],
        }
    }

    fn current(&self) -> Value {
        self.current.clone().unwrap_or(Value::Empty)
    }

    fn position(&self) -> Option<usize> {
        self.position
    }

    fn now(&self) -> DateTime<FixedOffset> {
        fixed_now()
    }

    fn uuid(&self) -> String {
        "uuid:0b6e3b1c-1d5a-4c9e-9f53-3a1f0c8d2e71".to_owned()
    }

    fn choice_label(&self, list: &str, name: &str) -> Option<String> {
        self.labels
            .get(&(list.to_owned(), name.to_owned()))
            .cloned()
    }

    fn table_len(&self, instance: &str) -> Option<usize> {
        self.instances.get(instance).map(Vec::len)
    }

    fn table_cell(&self, instance: &str, row: usize, column: &str) -> Option<String> {
        self.instances
            .get(instance)?
            .get(row)?
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, v)| v.clone())
    }

    fn child(&self, path: &str) -> Value {
        self.children
            .get(path)
            .map_or(Value::Empty, |text| Value::from_answer(text))
    }

    fn itext(&self, id: &str) -> Option<String> {
        self.itext.get(id).cloned()
    }

    fn choice_list_of(&self, question: &str) -> Option<String> {
        self.lists.get(question).cloned()
    }
}

/// Parses and evaluates `source` against `ctx`, failing the test on any error.
pub(super) fn eval_in(ctx: &TestContext, source: &str) -> Value {
    parse(source)
        .unwrap_or_else(|e| panic!("{source:?} should parse: {e}"))
        .eval(ctx)
        .unwrap_or_else(|e| panic!("{source:?} should evaluate: {e}"))
}

/// Evaluates `source` against an empty form.
pub(super) fn eval(source: &str) -> Value {
    eval_in(&TestContext::new(), source)
}

/// The XPath string value of `source` against `ctx`.
pub(super) fn text_in(ctx: &TestContext, source: &str) -> String {
    eval_in(ctx, source).to_string()
}

/// Checks each `(expression, expected string value)` row against `ctx`.
pub(super) fn check_table(ctx: &TestContext, rows: &[(&str, &str)]) {
    for (source, expected) in rows {
        assert_eq!(text_in(ctx, source), *expected, "for {source}");
    }
}

/// The parse error of `source`, failing the test if it parses.
pub(super) fn parse_error(source: &str) -> ExprError {
    match parse(source) {
        Ok(expr) => panic!("{source:?} should not parse, got {expr}"),
        Err(e) => e,
    }
}
