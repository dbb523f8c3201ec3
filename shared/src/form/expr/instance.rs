//! Evaluating lookups into secondary instances (`instance('list')/root/item[pred]/column`):
//! rows come from [`EvalContext::table_len`] and [`EvalContext::table_cell`], predicates are
//! evaluated with the step's node as context (bare names read its columns, `.` its value,
//! `position()` its index, `current()` still the question), as XPath does.
//!
//! Must not evaluate a row-independent operand once per row: `[name = ${x}]` evaluates `${x}`
//! once, so a lookup costs one pass over the table.

use chrono::{DateTime, FixedOffset};

use super::ast::{BinOp, Lookup, Node};
use super::context::EvalContext;
use super::error::EvalError;
use super::eval::{equals, eval};
use super::functions::Func;
use super::value::Value;

/// The nodes a lookup selects, in document order, as their values: one per matching row (its
/// column's text; empty when the path ends at the rows).
pub(super) fn lookup_nodes(l: &Lookup, ctx: &dyn EvalContext) -> Result<Vec<Value>, EvalError> {
    let Some(len) = ctx.table_len(&l.instance) else {
        return Ok(Vec::new());
    };
    let Some((root, rest)) = l.steps.split_first() else {
        return Ok(Vec::new());
    };
    // The root is one node: its predicates keep it or not.
    let root_ctx = InstanceNode {
        outer: ctx,
        instance: &l.instance,
        row: None,
        path: String::new(),
        position: 1,
    };
    for predicate in &root.predicates {
        if !keeps(&eval(predicate, &root_ctx)?, 1) {
            return Ok(Vec::new());
        }
    }
    let Some((rows_step, columns)) = rest.split_first() else {
        return Ok(vec![Value::Empty]);
    };
    let mut rows: Vec<usize> = (0..len).collect();
    for predicate in &rows_step.predicates {
        rows = filter(rows, predicate, "", true, &l.instance, ctx)?;
    }
    let mut path = String::new();
    for step in columns {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(&step.name);
        for predicate in &step.predicates {
            rows = filter(rows, predicate, &path, false, &l.instance, ctx)?;
        }
    }
    // A row without the column has no such node (tables name nested columns by their whole
    // path, so only the last step can be looked up).
    if !path.is_empty() {
        rows.retain(|&row| ctx.table_cell(&l.instance, row, &path).is_some());
    }
    Ok(rows
        .into_iter()
        .map(|row| match ctx.table_cell(&l.instance, row, &path) {
            Some(text) if !path.is_empty() => Value::from_answer(&text),
            _ => Value::Empty,
        })
        .collect())
}

/// The rows whose node at `path` the predicate keeps. `counted`: positions count the rows (the
/// item step); a column step's node is the only one of its name in its row, so it is 1.
fn filter(
    rows: Vec<usize>,
    predicate: &Node,
    path: &str,
    counted: bool,
    instance: &str,
    ctx: &dyn EvalContext,
) -> Result<Vec<usize>, EvalError> {
    if let Some((column, operand)) = column_equality(predicate) {
        let key = eval(operand, ctx)?;
        let column = join(path, column);
        return Ok(rows
            .into_iter()
            .filter(|&row| equals(&cell(ctx, instance, row, &column), &key))
            .collect());
    }
    let mut kept = Vec::new();
    for (i, row) in rows.into_iter().enumerate() {
        let position = if counted { i + 1 } else { 1 };
        let node = InstanceNode {
            outer: ctx,
            instance,
            row: Some(row),
            path: path.to_owned(),
            position,
        };
        if keeps(&eval(predicate, &node)?, position) {
            kept.push(row);
        }
    }
    Ok(kept)
}

/// XPath predicates: a number keeps the node at that position, anything else as a boolean.
fn keeps(value: &Value, position: usize) -> bool {
    match value {
        Value::Number(n) => *n == position as f64,
        other => other.to_bool(),
    }
}

/// `column = operand` (either way round) with an operand that does not read the row.
fn column_equality(predicate: &Node) -> Option<(&str, &Node)> {
    let Node::Chain(first, rest) = predicate else {
        return None;
    };
    let [(BinOp::Eq, second)] = rest.as_slice() else {
        return None;
    };
    match (first.as_ref(), second) {
        (Node::Bare(column), operand) | (operand, Node::Bare(column)) if !reads_row(operand) => {
            Some((column.as_str(), operand))
        }
        _ => None,
    }
}

/// Whether evaluating `node` reads the predicate's context node (bare names, `.`,
/// `position()`, the functions that default to `.`).
fn reads_row(node: &Node) -> bool {
    match node {
        Node::Bare(_) => true,
        Node::Path(path) => path.is_current(),
        Node::Neg(inner) => reads_row(inner),
        Node::Chain(first, rest) => reads_row(first) || rest.iter().any(|(_, n)| reads_row(n)),
        Node::Union(nodes) | Node::Unknown(_, nodes) => nodes.iter().any(reads_row),
        Node::Call(func, args) => {
            let defaults_to_dot = args.is_empty()
                && matches!(
                    func,
                    Func::String | Func::StringLength | Func::NormalizeSpace | Func::Number
                );
            defaults_to_dot
                || matches!(func, Func::Position | Func::Once)
                || args.iter().any(reads_row)
        }
        Node::Number(_)
        | Node::Literal(_)
        | Node::Ref(_)
        | Node::LastSaved(_)
        | Node::Lookup(_) => false,
    }
}

fn join(path: &str, child: &str) -> String {
    if path.is_empty() {
        child.to_owned()
    } else {
        format!("{path}/{child}")
    }
}

/// A row's cell as a node-set: one node with its text, or none when the row has no such column
/// (so `[column]` tests that it exists, and comparisons with a missing one are false).
fn cell(ctx: &dyn EvalContext, instance: &str, row: usize, column: &str) -> Value {
    Value::NodeSet(ctx.table_cell(instance, row, column).into_iter().collect())
}

/// A node of an instance as a predicate's context: a row (`path` empty), a column of one, or
/// the root (`row` `None`). Everything but the context node comes from `outer`.
struct InstanceNode<'a> {
    outer: &'a dyn EvalContext,
    instance: &'a str,
    row: Option<usize>,
    path: String,
    position: usize,
}

impl EvalContext for InstanceNode<'_> {
    fn value_of(&self, name: &str) -> Value {
        self.outer.value_of(name)
    }

    fn values_of(&self, name: &str) -> Vec<Value> {
        self.outer.values_of(name)
    }

    fn current(&self) -> Value {
        match self.row {
            Some(row) if !self.path.is_empty() => cell(self.outer, self.instance, row, &self.path),
            _ => Value::Empty,
        }
    }

    fn position(&self) -> Option<usize> {
        Some(self.position)
    }

    fn now(&self) -> DateTime<FixedOffset> {
        self.outer.now()
    }

    fn uuid(&self) -> String {
        self.outer.uuid()
    }

    fn choice_label(&self, list: &str, name: &str) -> Option<String> {
        self.outer.choice_label(list, name)
    }

    fn choice_list_of(&self, question: &str) -> Option<String> {
        self.outer.choice_list_of(question)
    }

    fn random(&self) -> f64 {
        self.outer.random()
    }

    fn table_len(&self, instance: &str) -> Option<usize> {
        self.outer.table_len(instance)
    }

    fn table_cell(&self, instance: &str, row: usize, column: &str) -> Option<String> {
        self.outer.table_cell(instance, row, column)
    }

    fn lookup(
        &self,
        instance: &str,
        filter_column: &str,
        filter_value: &Value,
        result_column: &str,
    ) -> Option<String> {
        self.outer
            .lookup(instance, filter_column, filter_value, result_column)
    }

    fn child(&self, path: &str) -> Value {
        match self.row {
            Some(row) => cell(self.outer, self.instance, row, &join(&self.path, path)),
            // The root's children are the rows: a bare name there tests that any exists.
            None => Value::NodeSet(Vec::new()),
        }
    }

    fn last_saved(&self, name: &str) -> Value {
        self.outer.last_saved(name)
    }

    fn itext(&self, id: &str) -> Option<String> {
        self.outer.itext(id)
    }

    fn origin(&self) -> Value {
        self.outer.origin()
    }
}
