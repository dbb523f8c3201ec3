//! The form runtime: given a validated [`Form`] and the answers so far, what the collector's app
//! shows (which questions are relevant, computed values, the choices left after filters, how many
//! repeat instances there are) and what the server checks before accepting a submission
//! (required answers, constraints), with the same rules on both sides.
//!
//! Owns the compiled form ([`Engine`]: every expression parsed once, the dependency graph and its
//! evaluation order), the answers' addressing ([`Answers`]), full and incremental evaluation
//! ([`Engine::evaluate`], [`Engine::update`]) and the cleaned submission ([`Engine::result`]).
//!
//! Must not read a clock, draw random numbers or touch files: `now()`, `today()`, `uuid()` and
//! `random()` come from the [`Env`] the caller passes. Must not decide how a form is shown
//! (labels, widgets): it only says what is relevant, valid and computed.
//!
//! # Semantics (as ODK Collect / JavaRosa)
//!
//! - Relevance is inherited: a question is relevant when its own `relevant` and every enclosing
//!   group's are true. A non-relevant question reads as empty in every expression, its answer is
//!   kept in [`Answers`] (so it comes back if the question does) but is never submitted.
//! - `required` applies to relevant questions only, and never to notes, calculations, hidden and
//!   metadata questions, computed questions or read-only ones: the collector could not fix them.
//! - Constraints are checked on relevant, non-empty values, with `.` being the value. In a
//!   question's own `relevant`, `calculation` and `default`, `.` is empty: what decides whether
//!   it is asked, or computes its value, cannot depend on the answer it decides about.
//! - A `calculation` is recomputed on every evaluation and overrides any answer, except on a
//!   question with a `trigger`, where (as ODK's `setvalue`) it only fills an unanswered question.
//! - A `default` fills a question whose path is absent from [`Answers`]; an explicit `""` is a
//!   cleared answer. Like ODK, the default is an expression only when it contains `${...}`. The
//!   app should store a shown default as the answer, as ODK fixes it when the form is opened.
//! - Values are text as submissions hold them; a calculation stores XPath's `string()` of its
//!   result. Date, datetime, `start`, `end` and `today` values are read as dates.
//! - `${x}` inside a repeat is the same instance's `x` when `x` is in that repeat; a question of
//!   a repeat the reader is not in reads as all its instances (XPath's node-set: first node as a
//!   value, any node for `=`), and aggregates (`sum`, `count`, ...) read all instances.
//! - `choice_filter` is evaluated once per choice, with the choice's columns (`name`, `label`,
//!   and any other column of the choices sheet) as bare names.
//! - An expression that fails to evaluate (a bad regex, `date('soon')`) is reported in
//!   [`Evaluation::errors`] and taken as: relevant, not required, constraint met, choice kept —
//!   a broken form must not stop a collector at a door, and the author sees the error.
//!
//! Evaluation is bounded: repeats hold at most [`MAX_INSTANCES`] instances per placement.

mod answers;
mod build;
mod checks;
mod compile;
mod context;
mod evaluate;
mod live;
mod scan;
mod state;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};

pub use answers::{Answers, answer_text};
pub use checks::{DEFAULT_CONSTRAINT_MESSAGE, DEFAULT_REQUIRED_MESSAGE};
pub use compile::Engine;
pub use live::{FormIssue, FormState};

#[cfg(doc)]
use super::xlsform::Form;

use state::State;

/// Most instances of one repeat at one place (per instance of an enclosing repeat): far above a
/// real household roster, low enough that a hostile submission (`hh[999999999]/x`) cannot make
/// the server build millions of nodes.
pub const MAX_INSTANCES: usize = 1_000;

/// What an evaluation needs from outside the form: time, a fresh id and the language for
/// messages and choice labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Env {
    /// `now()`, and `today()` as its date on its own offset.
    pub now: DateTime<FixedOffset>,
    /// `uuid()` (and the seed of `random()`).
    pub uuid: String,
    /// The language of messages and labels, as named in the form's columns (`Español (es)`);
    /// `None` uses the untranslated text.
    pub language: Option<String>,
}

/// A question that blocks the submission: a missing required answer or a failed constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The question's path ([`Answers`] addressing: `group/q`, `repeat[2]/q`).
    pub path: String,
    /// `required_message` or `constraint_message` in the language, `${...}` replaced by values,
    /// or a default message.
    pub message: String,
}

/// An expression that could not be evaluated for one question (or repeat).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalIssue {
    /// The path of the question, group or repeat instance.
    pub path: String,
    /// The survey column that holds the expression (`relevant`, `calculation`, ...).
    pub column: &'static str,
    /// What went wrong.
    pub message: String,
}

/// What the app shows for a set of answers, and what blocks a submission.
///
/// Every map is keyed by path; every list is in form order, repeat instances in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Relevance of every question, group and repeat instance.
    pub relevant: BTreeMap<String, bool>,
    /// Relevant required questions without an answer.
    pub missing_required: Vec<Issue>,
    /// Relevant answers their constraint refuses.
    pub failed_constraints: Vec<Issue>,
    /// Values computed by the form (calculations, and defaults standing in for an answer) of
    /// relevant questions.
    pub calculated: BTreeMap<String, String>,
    /// For each relevant select question with choices in the form, the names of the choices
    /// its `choice_filter` leaves, in list order.
    pub choices: BTreeMap<String, Vec<String>>,
    /// Instances of each repeat, by its path without index (`hh`, `hh[2]/children`).
    pub repeat_counts: BTreeMap<String, usize>,
    /// Expressions that failed to evaluate.
    pub errors: Vec<EvalIssue>,
    /// Per-node results the public fields are derived from, reused by [`Engine::update`].
    state: State,
    /// The inputs the state was computed with: a different `Env` makes `update` start over.
    env: Env,
}

impl Evaluation {
    /// Whether the answers may be submitted: nothing required is missing, no constraint fails.
    pub fn is_complete(&self) -> bool {
        self.missing_required.is_empty() && self.failed_constraints.is_empty()
    }
}
