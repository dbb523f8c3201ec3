//! What the app shows of a visit's questionnaire while it is filled: the form version and its
//! definition (labels, types, choices, appearances: the UI renders from these), and the shared
//! engine's evaluation of the current answers (relevance, missing required answers, failed
//! constraints with their messages, calculated values, filtered choices, repeat counts), plus
//! the questions listed in form order with their state (what `terreno visit form` prints).
//!
//! Must not evaluate by itself: the evaluation comes from `form::Forms`, incrementally.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use terreno_shared::form::runtime::Answers;
pub use terreno_shared::form::runtime::{FormIssue, FormState};
use terreno_shared::form::xlsform::{Form, GroupKind, Node, Question, Text};

use crate::error::Result;
use crate::store::{Store, device, visits};
use crate::visit::Target;
use crate::visit::form::{self, Forms};
use crate::visit::target::Rules;

/// A visit's questionnaire and its state for the answers so far.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
        let issues = self.state.issues();
        let mut out = Vec::new();
        self.walk(&self.definition.children, "", &language, &issues, &mut out);
        out
    }

    fn walk(
        &self,
        nodes: &[Node],
        prefix: &str,
        language: &str,
        issues: &HashMap<&str, &str>,
        out: &mut Vec<QuestionState>,
    ) {
        for node in nodes {
            match node {
                Node::Question(q) => {
                    out.push(self.question(format!("{prefix}{}", q.name), q, language, issues))
                }
                Node::Group(g) if g.kind == GroupKind::Group => {
                    self.walk(
                        &g.children,
                        &format!("{prefix}{}/", g.name),
                        language,
                        issues,
                        out,
                    );
                }
                Node::Group(g) => {
                    let repeat = format!("{prefix}{}", g.name);
                    let count = self.state.repeat_counts.get(&repeat).copied().unwrap_or(0);
                    for i in 1..=count {
                        let prefix = format!("{repeat}[{i}]/");
                        self.walk(&g.children, &prefix, language, issues, out);
                    }
                }
            }
        }
    }

    fn question(
        &self,
        path: String,
        q: &Question,
        language: &str,
        issues: &HashMap<&str, &str>,
    ) -> QuestionState {
        let s = &self.state;
        QuestionState {
            kind: q.kind.xlsform_name(),
            label: q.label.get(language).unwrap_or_default().to_owned(),
            relevant: s.relevant.get(&path).copied().unwrap_or(true),
            value: (s.calculated.get(&path))
                .or_else(|| s.answers.get(&path))
                .filter(|v| !v.is_empty())
                .cloned(),
            issue: issues.get(path.as_str()).map(|m| (*m).to_owned()),
            choices: s.choices.get(&path).cloned(),
            path,
        }
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
