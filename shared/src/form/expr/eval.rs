//! The evaluator: operators with XPath 1.0 comparison rules, paths and lookups, and the
//! functions that need the context (time, randomness, repeats, choice labels). Pure functions
//! of values live in `fn_text`, `fn_math` and `fn_time`.
//!
//! Every node is evaluated at most once per call (there are no loops), and recursion follows the
//! tree, whose depth the parser bounds.

use super::ast::{BinOp, Expr, Node, Path};
use super::context::EvalContext;
use super::error::EvalError;
use super::functions::Func;
use super::instance::lookup_nodes;
use super::value::{Value, parse_date_like};
use super::{fn_math, fn_text, fn_time};

impl Expr {
    /// Evaluates the expression against `ctx`.
    ///
    /// Never panics and always terminates; fails only for the few [`EvalError`] cases (a string
    /// result over the size limit, an invalid regular expression built from answers, a
    /// non-date string given to `date()`).
    pub fn eval(&self, ctx: &dyn EvalContext) -> Result<Value, EvalError> {
        eval(&self.root, ctx)
    }
}

pub(super) fn eval(node: &Node, ctx: &dyn EvalContext) -> Result<Value, EvalError> {
    Ok(match node {
        Node::Number(n) => Value::Number(*n),
        Node::Literal(text) => Value::String(text.clone()),
        Node::Ref(name) => ctx.value_of(name),
        Node::LastSaved(name) => ctx.last_saved(name),
        Node::Bare(path) => ctx.child(path),
        Node::Path(path) => eval_path(path, ctx),
        Node::Lookup(l) => {
            let mut nodes = lookup_nodes(l, ctx)?;
            match nodes.len() {
                0 => Value::Empty,
                // One node is its value, as JavaRosa unpacks it (`""` is false).
                1 => nodes.swap_remove(0),
                // JavaRosa refuses several nodes where one value is wanted; XPath reads the
                // first as a value and compares each.
                _ => Value::NodeSet(nodes.iter().map(Value::to_string).collect()),
            }
        }
        Node::Neg(inner) => Value::Number(-eval(inner, ctx)?.to_number()),
        Node::Chain(first, rest) => eval_chain(first, rest, ctx)?,
        Node::Union(_) => Value::NodeSet(
            eval_nodes(node, ctx)?
                .iter()
                .map(|v| v.to_string())
                .collect(),
        ),
        Node::Call(func, args) => call(*func, args, ctx)?,
        Node::Unknown(name, _) => {
            return Err(EvalError::UnknownFunction {
                function: name.clone(),
            });
        }
    })
}

/// A node read as a set of answers: references and paths across all repeat instances, unions
/// concatenated, anything else as its single value.
pub(super) fn eval_nodes(node: &Node, ctx: &dyn EvalContext) -> Result<Vec<Value>, EvalError> {
    Ok(match node {
        Node::Ref(name) => ctx.values_of(name),
        Node::Path(path) if path.is_current() => vec![ctx.current()],
        Node::Path(path) => path.question().map_or_else(Vec::new, |q| ctx.values_of(q)),
        Node::Lookup(l) => lookup_nodes(l, ctx)?,
        Node::Bare(path) => match ctx.child(path) {
            Value::NodeSet(texts) => texts.into_iter().map(Value::String).collect(),
            Value::Empty => Vec::new(),
            value => vec![value],
        },
        Node::Union(nodes) => {
            let mut all = Vec::new();
            for n in nodes {
                all.extend(eval_nodes(n, ctx)?);
            }
            all
        }
        other => match eval(other, ctx)? {
            Value::NodeSet(texts) => texts.into_iter().map(Value::String).collect(),
            value => vec![value],
        },
    })
}

fn eval_path(path: &Path, ctx: &dyn EvalContext) -> Value {
    if path.is_current() {
        ctx.current()
    } else {
        path.question().map_or(Value::Empty, |q| ctx.value_of(q))
    }
}

fn answer(text: Option<String>) -> Value {
    text.map_or(Value::Empty, |t| Value::from_answer(&t))
}

fn eval_chain(
    first: &Node,
    rest: &[(BinOp, Node)],
    ctx: &dyn EvalContext,
) -> Result<Value, EvalError> {
    let mut acc = eval(first, ctx)?;
    for (op, node) in rest {
        // `and`/`or` short-circuit, as in XPath: the right side is not evaluated.
        match op {
            BinOp::Or if acc.to_bool() => return Ok(Value::Bool(true)),
            BinOp::And if !acc.to_bool() => return Ok(Value::Bool(false)),
            _ => {}
        }
        let right = eval(node, ctx)?;
        acc = apply(*op, &acc, &right);
    }
    Ok(acc)
}

fn apply(op: BinOp, a: &Value, b: &Value) -> Value {
    // Date text beside a date counts as a date, so `${d} - today()` works even when the answer
    // came in as text.
    let x = as_date_number(a, b).unwrap_or_else(|| a.to_number());
    let y = as_date_number(b, a).unwrap_or_else(|| b.to_number());
    match op {
        BinOp::Or | BinOp::And => Value::Bool(b.to_bool()),
        BinOp::Eq => Value::Bool(equals(a, b)),
        BinOp::Neq => Value::Bool(!equals(a, b)),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => Value::Bool(compare(op, a, b)),
        BinOp::Add => Value::Number(x + y),
        BinOp::Sub => Value::Number(x - y),
        BinOp::Mul => Value::Number(x * y),
        BinOp::Div => Value::Number(x / y),
        // XPath's mod truncates, like Rust's `%` on floats (5 mod -2 = 1, -5 mod 2 = -1).
        BinOp::Mod => Value::Number(x % y),
    }
}

fn is_date(v: &Value) -> bool {
    matches!(v, Value::Date(_) | Value::DateTime(_))
}

/// XPath `=`: node-sets compare each node, then booleans, numbers, dates (as days, reading the
/// other side's text as a date), and otherwise strings.
pub(super) fn equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::NodeSet(_), Value::Bool(_)) | (Value::Bool(_), Value::NodeSet(_)) => {
            a.to_bool() == b.to_bool()
        }
        (Value::NodeSet(nodes), other) | (other, Value::NodeSet(nodes)) => nodes
            .iter()
            .any(|n| equals(&Value::String(n.clone()), other)),
        _ if matches!(a, Value::Bool(_)) || matches!(b, Value::Bool(_)) => {
            a.to_bool() == b.to_bool()
        }
        _ if matches!(a, Value::Number(_)) || matches!(b, Value::Number(_)) => {
            a.to_number() == b.to_number()
        }
        _ if is_date(a) || is_date(b) => match (as_date_number(a, b), as_date_number(b, a)) {
            (Some(x), Some(y)) => x == y,
            _ => a.to_string() == b.to_string(),
        },
        _ => a.to_string() == b.to_string(),
    }
}

/// `v` as days when it is a date, or text readable as one beside a date (`other`).
fn as_date_number(v: &Value, other: &Value) -> Option<f64> {
    match v {
        Value::Date(_) | Value::DateTime(_) => Some(v.to_number()),
        Value::String(s) if is_date(other) => parse_date_like(s).map(|d| d.to_number()),
        _ => None,
    }
}

/// XPath `<`, `<=`, `>`, `>=`: numbers (node-sets compare each node), with text beside a date
/// read as a date so `${d} > '2024-01-01'` means what it says.
fn compare(op: BinOp, a: &Value, b: &Value) -> bool {
    if let Value::NodeSet(nodes) = a {
        return nodes
            .iter()
            .any(|n| compare(op, &Value::String(n.clone()), b));
    }
    if let Value::NodeSet(nodes) = b {
        return nodes
            .iter()
            .any(|n| compare(op, a, &Value::String(n.clone())));
    }
    let x = as_date_number(a, b).unwrap_or_else(|| a.to_number());
    let y = as_date_number(b, a).unwrap_or_else(|| b.to_number());
    match op {
        BinOp::Lt => x < y,
        BinOp::Le => x <= y,
        BinOp::Gt => x > y,
        _ => x >= y,
    }
}

/// Dispatches a call: one short arm per function that needs laziness or the context (kept in one
/// match so the whole table reads at a glance), then aggregates, then pure functions of values.
// Long: one match arm per XPath function, kept as one table (see the doc above).
fn call(func: Func, args: &[Node], ctx: &dyn EvalContext) -> Result<Value, EvalError> {
    let arg = |i: usize| args.get(i).map_or(Ok(Value::Empty), |n| eval(n, ctx));
    // `string()`, `string-length()`, `normalize-space()` and `number()` default to `.`.
    let arg_or_current = |i: usize| {
        if args.is_empty() {
            Ok(ctx.current())
        } else {
            arg(i)
        }
    };
    Ok(match func {
        Func::If => {
            if arg(0)?.to_bool() {
                arg(1)?
            } else {
                arg(2)?
            }
        }
        Func::Coalesce => {
            let first = arg(0)?;
            if first.is_empty() { arg(1)? } else { first }
        }
        Func::Once => {
            let current = ctx.current();
            if current.is_empty() { arg(0)? } else { current }
        }
        Func::Current => ctx.origin(),
        Func::Itext => answer(ctx.itext(&arg(0)?.to_string())),
        Func::Position => Value::Number(ctx.position().unwrap_or(1) as f64),
        Func::Boolean => Value::Bool(arg(0)?.to_bool()),
        Func::Not => Value::Bool(!arg(0)?.to_bool()),
        Func::True => Value::Bool(true),
        Func::False => Value::Bool(false),
        Func::String => Value::String(arg_or_current(0)?.to_string()),
        Func::Number => Value::Number(arg_or_current(0)?.to_number()),
        Func::StringLength => Value::Number(arg_or_current(0)?.to_string().chars().count() as f64),
        Func::NormalizeSpace => fn_text::normalize_space(&arg_or_current(0)?),
        Func::Uuid => Value::String(ctx.uuid()),
        Func::Random => {
            let r = ctx.random();
            Value::Number(if (0.0..1.0).contains(&r) { r } else { 0.0 })
        }
        Func::Today => Value::Date(ctx.now().date_naive()),
        Func::Now => Value::DateTime(ctx.now()),
        Func::ChoiceName => choice_name(&arg(0)?, &arg(1)?, ctx),
        Func::Pulldata => {
            let (list, result, column) = (arg(0)?, arg(1)?, arg(2)?);
            let key = arg(3)?;
            let text = ctx.lookup(
                &list.to_string(),
                &column.to_string(),
                &key,
                &result.to_string(),
            );
            answer(text)
        }
        Func::IndexedRepeat => {
            let index = arg(2)?.to_number();
            let values = match args.first() {
                Some(reference) => eval_nodes(reference, ctx)?,
                None => Vec::new(),
            };
            positive_index(index)
                .and_then(|i| values.into_iter().nth(i))
                .unwrap_or(Value::Empty)
        }
        Func::Count
        | Func::CountNonEmpty
        | Func::Sum
        | Func::Max
        | Func::Min
        | Func::Join
        | Func::Checklist
        | Func::WeightedChecklist
        | Func::Distance
        | Func::Area => {
            let lists = args
                .iter()
                .map(|a| eval_nodes(a, ctx))
                .collect::<Result<Vec<_>, _>>()?;
            fn_math::aggregate(func, &lists)?
        }
        _ => {
            let values = args
                .iter()
                .map(|a| eval(a, ctx))
                .collect::<Result<Vec<_>, _>>()?;
            apply_pure(func, &values)?
        }
    })
}

/// Functions of their argument values alone.
fn apply_pure(func: Func, values: &[Value]) -> Result<Value, EvalError> {
    if let Some(result) = fn_text::apply(func, values) {
        return result;
    }
    if let Some(result) = fn_time::apply(func, values) {
        return result;
    }
    Ok(fn_math::apply(func, values))
}

/// A 1-based index read from a number, as a 0-based one.
fn positive_index(n: f64) -> Option<usize> {
    (1.0..1e9).contains(&n).then(|| n as usize - 1)
}

/// `jr:choice-name(value, '${q}')`: the question may be written `${q}` or as a path.
fn choice_name(value: &Value, question: &Value, ctx: &dyn EvalContext) -> Value {
    let question = question.to_string();
    let q = question.trim();
    let name = q
        .strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        .unwrap_or_else(|| q.rsplit('/').next().unwrap_or(q));
    ctx.choice_list_of(name)
        .and_then(|list| ctx.choice_label(&list, &value.to_string()))
        .map_or(Value::Empty, |label| Value::from_answer(&label))
}
