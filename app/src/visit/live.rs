//! What the app shows of a visit's questionnaire while it is filled: the form version and its
//! definition (labels, types, choices, appearances: the UI renders from these), and the shared
//! engine's evaluation of the current answers (relevance, missing required answers, failed
//! constraints with their messages, calculated values, filtered choices, repeat counts), plus
//! the questions listed in form order with their state (what `terreno visit form` prints).
//!
//! Must not evaluate by itself: the evaluation comes from `form::Forms`, incrementally.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use terreno_shared::form::runtime::{Answers, Evaluation};
use terreno_shared::form::xlsform::{Form, GroupKind, Node, Question, QuestionType, Text};

use crate::error::Result;
use crate::store::{Store, device, visits};
use crate::visit::Target;
use crate::visit::form::{self, Forms};
use crate::visit::target::Rules;

/// A visit's questionnaire and its state for the answers so far.
#[derive(Debug, Clone, Serialize)]
pub struct LiveForm {
    /// The visit, once one exists (before the check-in the form shows as it would start).
    pub visit_id: Option<String>,
    /// The debtor's external id.
    pub external_id: String,
    /// Which form version.
    pub form: FormInfo,
    /// The form itself.
    pub definition: Form,
    /// Its evaluation.
    pub state: FormState,
}

/// A form version's identity.
#[derive(Debug, Clone, Serialize)]
pub struct FormInfo {
    /// The version's id (what the submission names).
    pub id: String,
    /// The XLSForm `form_id`.
    pub form_id: String,
    /// The settings' `version`.
    pub version: String,
    /// The title.
    pub title: String,
}

/// The engine's evaluation of the current answers; every map is keyed by answer path.
#[derive(Debug, Clone, Serialize)]
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
    /// Whether the visit could be completed as it stands.
    pub complete: bool,
}

/// One question's problem, in the form's language.
#[derive(Debug, Clone, Serialize)]
pub struct FormIssue {
    /// The question's path.
    pub path: String,
    /// The message.
    pub message: String,
}

impl FormState {
    fn new(answers: &Answers, e: Evaluation) -> FormState {
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
}

/// One question of the form at one place (repeat instances expanded), with its state.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionState {
    /// The answer path.
    pub path: String,
    /// The type, as XLSForm writes it (`select_one contact_result`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The label in the form's default language.
    pub label: String,
    /// Whether it is shown.
    pub relevant: bool,
    /// The answer, or the value the form computed.
    pub value: Option<String>,
    /// Why it blocks completion (missing, or its constraint's message).
    pub issue: Option<String>,
    /// The choices offered, for selects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<String>>,
}

impl LiveForm {
    /// The questions in form order, each repeat's once per instance.
    pub fn questions(&self) -> Vec<QuestionState> {
        let language = self
            .definition
            .settings
            .default_language
            .clone()
            .unwrap_or_else(|| Text::NO_LANGUAGE.to_owned());
        let mut out = Vec::new();
        self.walk(&self.definition.children, "", &language, &mut out);
        out
    }

    fn walk(&self, nodes: &[Node], prefix: &str, language: &str, out: &mut Vec<QuestionState>) {
        for node in nodes {
            match node {
                Node::Question(q) => {
                    out.push(self.question(format!("{prefix}{}", q.name), q, language))
                }
                Node::Group(g) if g.kind == GroupKind::Group => {
                    self.walk(&g.children, &format!("{prefix}{}/", g.name), language, out);
                }
                Node::Group(g) => {
                    let repeat = format!("{prefix}{}", g.name);
                    let count = self.state.repeat_counts.get(&repeat).copied().unwrap_or(0);
                    for i in 1..=count {
                        self.walk(&g.children, &format!("{repeat}[{i}]/"), language, out);
                    }
                }
            }
        }
    }

    fn question(&self, path: String, q: &Question, language: &str) -> QuestionState {
        let s = &self.state;
        let find = |issues: &[FormIssue]| {
            issues
                .iter()
                .find(|i| i.path == path)
                .map(|i| i.message.clone())
        };
        QuestionState {
            kind: type_name(&q.kind),
            label: q.label.get(language).unwrap_or_default().to_owned(),
            relevant: s.relevant.get(&path).copied().unwrap_or(true),
            value: (s.calculated.get(&path))
                .or_else(|| s.answers.get(&path))
                .filter(|v| !v.is_empty())
                .cloned(),
            issue: find(&s.missing_required).or_else(|| find(&s.failed_constraints)),
            choices: s.choices.get(&path).cloned(),
            path,
        }
    }
}

/// A question type as XLSForm writes it.
fn type_name(kind: &QuestionType) -> String {
    let base = serde_json::to_value(kind)
        .ok()
        .and_then(|v| v["type"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let list = match kind {
        QuestionType::SelectOne { list, .. }
        | QuestionType::SelectMultiple { list, .. }
        | QuestionType::Rank { list }
        | QuestionType::SelectOneExternal { list } => Some(list.as_str()),
        QuestionType::SelectOneFromFile { file }
        | QuestionType::SelectMultipleFromFile { file } => Some(file.as_str()),
        _ => None,
    };
    match list {
        Some(list) => format!("{base} {list}"),
        None => base,
    }
}

/// The questionnaire of `name`'s visit with its state now. Before the visit starts, it is the
/// current visit form with the answers the device would prefill.
pub(crate) fn live_form(
    store: &Store,
    forms: &Forms,
    name: &str,
    now: DateTime<Utc>,
) -> Result<LiveForm> {
    let me = device::get(&store.conn)?;
    let target = Target::resolve(&store.conn, name)?;
    let visit = target.visit.as_ref();
    let form = forms.for_visit(&store.conn, visit)?;
    let mut answers = match visit {
        Some(v) => form::answers_of(&visits::fields_of(&store.conn, &v.id)?),
        None => Answers::new(),
    };
    if visit.is_none_or(|v| v.form.is_none()) {
        for (path, value) in form::prefills(&form, &target.account, &answers, &me, now)? {
            answers.set(path, value.as_str().unwrap_or_default());
        }
    }
    let zone = Rules::from_settings(me.settings.as_ref(), now).zone;
    let visit_id = visit.map(|v| v.id.clone());
    let env = form::live_env(now, zone, visit_id.as_deref().unwrap_or("new"));
    let evaluation = match &visit_id {
        Some(id) => forms.evaluate(&form, id, &answers, &env),
        None => form.engine.evaluate(&answers, &env),
    };
    let v = &form.version;
    Ok(LiveForm {
        visit_id,
        external_id: target.account.external_id.clone(),
        form: FormInfo {
            id: v.id.to_string(),
            form_id: v.form_id.clone(),
            version: v.version.clone(),
            title: v.title.clone(),
        },
        definition: v.definition.clone(),
        state: FormState::new(&answers, evaluation),
    })
}
