//! XPath expressions of XLSForm: the subset ODK forms use in `relevant`, `constraint`,
//! `calculation`, `required`, `choice_filter` and `default` cells.
//!
//! Owns the lexer and parser ([`parse`], which reports problems with a character offset), the
//! value model with XPath 1.0 conversions as ODK/JavaRosa apply them ([`Value`]), the function
//! library, and a bounded evaluator ([`Expr::eval`]) that reads answers, time and randomness
//! through an [`EvalContext`] the caller implements.
//!
//! Must not read a clock, draw random numbers, touch files or panic on user data: `now()`,
//! `today()`, `uuid()` and `random()` come from the context, so the device and the server compute
//! the same values from the same inputs.
//!
//! # Syntax
//!
//! `${name}` references; `.`, `..`, relative (`../q`) and absolute (`/data/group/q`) paths, which
//! resolve to the question named by their last step; numbers; `'single'` and `"double"` quoted
//! strings; `+ - * div mod`, unary minus; `= != < <= > >=`; `and`, `or`; `|`; parentheses;
//! function calls, namespaced ones included (`jr:choice-name`); and lookups of the shape
//! `instance('list')/root/item[column = expr]/result`.
//!
//! Unknown functions, functions Terreno refuses (the crypto ones, `randomize`, ...), wrong
//! arity, a bare name such as `yes` (almost always a forgotten quote) and unsupported XPath
//! (`//`, `@attr`, axes, predicates outside lookups) are parse errors: a form is refused when
//! it is imported, not when a collector is standing at a door.
//!
//! # Semantics (as ODK Collect)
//!
//! - An unanswered question is [`Value::Empty`]: `""` as a string, NaN as a number.
//! - Dates are days since 1970-01-01 as numbers, so `today() + 30` and `${d} - today()` work;
//!   date-times count fractional days of their own wall clock.
//! - `selected(${q}, 'a')` splits the space-separated answer of a select_multiple.
//! - Aggregates (`sum`, `count`, `max`, `join`, ...) read a reference across all repeat instances
//!   ([`EvalContext::values_of`]); everywhere else a reference is the current instance's answer.
//!
//! # Limits
//!
//! Sources over [`MAX_SOURCE_BYTES`] and nesting deeper than [`MAX_DEPTH`] are refused by the
//! parser, so evaluation recursion is bounded. Evaluation visits each node once (the language
//! has no loops); a string result longer than [`MAX_STRING_BYTES`] is an [`EvalError`]; regular
//! expressions use the linear-time `regex` crate with a compiled-size limit.

mod ast;
mod context;
mod error;
mod eval;
mod functions;
mod lexer;
mod parser;
mod paths;
mod value;

mod fn_math;
mod fn_text;
mod fn_time;

#[cfg(test)]
mod tests;

pub use ast::Expr;
pub use context::EvalContext;
pub use error::{EvalError, ExprError};
pub use parser::parse;
pub use value::Value;

/// Longest accepted expression source, in bytes (64 KiB): far above any real form cell.
pub const MAX_SOURCE_BYTES: usize = 64 * 1024;

/// Deepest accepted nesting of parentheses, function arguments, predicates and unary minus.
pub const MAX_DEPTH: usize = 64;

/// Longest string an evaluation may build, in bytes (1 MiB).
pub const MAX_STRING_BYTES: usize = 1024 * 1024;
