//! The serialisable view of an [`Evaluation`] that user interfaces render from: the collector
//! app's live form and the dashboard's form preview send this very shape, so both show what the
//! one engine decided.
//!
//! Must not evaluate: it only copies an evaluation into plain maps and lists.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::{Answers, Evaluation};

/// The engine's evaluation of the current answers; every map is keyed by answer path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FormState {
    /// The answers as the engine reads them (text; files by attachment id).
    pub answers: BTreeMap<String, String>,
    /// Relevance of every question, group and repeat instance.
    pub relevant: BTreeMap<String, bool>,
    /// Relevant required questions without an answer.
    pub missing_required: Vec<FormIssue>,
    /// Answers their constraint refuses.
    pub failed_constraints: Vec<FormIssue>,
    /// Values the form computed.
    pub calculated: BTreeMap<String, String>,
    /// The choices left after each select's filter.
    pub choices: BTreeMap<String, Vec<String>>,
    /// Instances of each repeat.
    pub repeat_counts: BTreeMap<String, usize>,
    /// Expressions of the form that failed to evaluate (for the form's author).
    pub errors: Vec<FormIssue>,
    /// Whether the answers could be submitted as they stand.
    pub complete: bool,
}

/// One question's problem, in the form's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FormIssue {
    /// The question's path.
    pub path: String,
    /// The message.
    pub message: String,
}

impl FormState {
    /// The state of `answers` as evaluated in `e`.
    pub fn new(answers: &Answers, e: Evaluation) -> FormState {
        let issue = |path: String, message: String| FormIssue { path, message };
        FormState {
            answers: answers
                .iter()
                .map(|(p, t)| (p.to_owned(), t.to_owned()))
                .collect(),
            complete: e.is_complete(),
            missing_required: (e.missing_required.into_iter())
                .map(|i| issue(i.path, i.message))
                .collect(),
            failed_constraints: (e.failed_constraints.into_iter())
                .map(|i| issue(i.path, i.message))
                .collect(),
            errors: (e.errors.into_iter())
                .map(|i| issue(i.path, format!("{}: {}", i.column, i.message)))
                .collect(),
            relevant: e.relevant,
            calculated: e.calculated,
            choices: e.choices,
            repeat_counts: e.repeat_counts,
        }
    }

    /// The message blocking the question at `path`: its missing answer, else its constraint's.
    /// Scans every issue: to look up many paths, build [`FormState::issues`] once.
    pub fn issue_of(&self, path: &str) -> Option<&str> {
        (self.missing_required.iter())
            .chain(&self.failed_constraints)
            .find(|i| i.path == path)
            .map(|i| i.message.as_str())
    }

    /// The message blocking each question, by path: its missing answer, else its
    /// constraint's (as [`FormState::issue_of`]), in one pass.
    pub fn issues(&self) -> HashMap<&str, &str> {
        let mut out = HashMap::new();
        for i in self.missing_required.iter().chain(&self.failed_constraints) {
            out.entry(i.path.as_str()).or_insert(i.message.as_str());
        }
        out
    }
}
