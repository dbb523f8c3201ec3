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
//! `${name}` references and `${last-saved#name}`; `.`, `..`, relative (`../q`) and absolute
//! (`/data/group/q`) paths, which resolve to the question named by their last step; bare names
//! and relative paths of names (`FALSE`, `name`, `a/b`); numbers; `'single'` and `"double"`
//! quoted strings; `+ - * div mod`, unary minus; `= != < <= > >=`; `and`, `or`; `|`;
//! parentheses; function calls, namespaced ones included (`jr:choice-name`, `jr:itext`); and
//! lookups into secondary instances, `instance('list')` followed by any steps, each with any
//! predicates (`instance('list')/root/item[name = ${x}]/label`, `item[id=${f} and n > 2][1]`,
//! `item/name[. = 'a']`, `count(instance('list')/root/item[kind = 'b'])`).
//!
//! Typographic quotes (‘ ’ “ ”, which spreadsheets put in for typed ones, often only some of
//! them) are read as pyxform reads them, as their plain quote: a string opened by `'`, `‘` or `’`
//! ends at the next of those three, one opened by `"`, `“` or `”` at the next of those. So
//! `instance('list’)` and `${d}=’no'` work, and an apostrophe inside a string needs the other
//! quotes (`"it’s"`), as in ODK.
//!
//! Unknown functions, functions Terreno refuses (the crypto ones, `randomize`, ...), wrong
//! arity and unsupported XPath (`//`, `@attr`, axes, predicates outside lookups) are parse
//! errors: a form is refused when it is imported, not when a collector is standing at a door.
//!
//! # Semantics (as ODK Collect)
//!
//! - An unanswered question is [`Value::Empty`]: `""` as a string, NaN as a number.
//! - Dates are days since 1970-01-01 as numbers, so `today() + 30` and `${d} - today()` work;
//!   date-times count fractional days of their own wall clock.
//! - `selected(${q}, 'a')` splits the space-separated answer of a select_multiple.
//! - Aggregates (`sum`, `count`, `max`, `join`, ...) read a reference across all repeat instances
//!   ([`EvalContext::values_of`]); everywhere else a reference is the current instance's answer.
//! - A bare name is XPath's relative path `child::name` from the context node
//!   ([`EvalContext::child`]). A question has no children, so `FALSE`, `TRUE`, `yes` or `null` in
//!   a question's expression is an empty node-set, which JavaRosa reads as `""`: false as a
//!   boolean, NaN as a number, equal to `''` (so `relevant = TRUE` is never relevant — the form
//!   importer warns). In a choice filter the context node is the choice, whose columns are its
//!   children (`district = ${district}`); in a lookup predicate it is the row or column tested.
//! - `${last-saved#q}` is the value `q` had in the last submission saved on the device
//!   ([`EvalContext::last_saved`]); Terreno evaluates without one, so it is empty, as in Collect
//!   for a device's first submission. It is not a dependency of the expression.
//! - Lookups read rows through [`EvalContext::table_len`] and [`EvalContext::table_cell`]; a
//!   predicate keeps a node when it is true, or, when it is a number, when it is the node's
//!   1-based position among those the earlier predicates kept. Inside a predicate, bare names
//!   and `.` read the row (or column) tested, `position()` is its position, and `${x}` and
//!   `current()` still read the question. A lookup matching one node is that node's text;
//!   none is empty; several (which JavaRosa refuses where one value is wanted) read as the first
//!   and compare with each, as XPath does. Aggregates take every node.
//! - `jr:itext(id)` is the text of an itext id ([`EvalContext::itext`]): a choice's label in the
//!   current language. `once(x)` is `x` only while the question is empty, else its value.
//!   `pulldata('list', 'col', 'key_col', key)` is the first matching row's `col`, compared as
//!   text ([`EvalContext::lookup`]).
//! - `regex(text, pattern)` takes a Java pattern, as ODK does, and is true when it matches
//!   anywhere in the text; Java's syntax is translated to the `regex` crate's (`\d` is ASCII,
//!   POSIX classes such as `\p{Alpha}`, possessive quantifiers read as greedy, `$` also before a
//!   final line break); back-references and look-around are refused at import.
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
mod instance;
mod java_regex;
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
pub(crate) use lexer::closing_quotes;
pub use parser::{parse, parse_constraint};
pub use value::Value;

/// Longest accepted expression source, in bytes (64 KiB): far above any real form cell.
pub const MAX_SOURCE_BYTES: usize = 64 * 1024;

/// Deepest accepted nesting of parentheses, function arguments, predicates and unary minus.
pub const MAX_DEPTH: usize = 64;

/// Longest string an evaluation may build, in bytes (1 MiB).
pub const MAX_STRING_BYTES: usize = 1024 * 1024;
