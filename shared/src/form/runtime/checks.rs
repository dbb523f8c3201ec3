//! The checks nothing else reads, run once every value is known: required answers, constraints
//! (with their messages) and the choices a `choice_filter` leaves.
//!
//! Must not change values: those are final when checks run.

use super::compile::{Cond, Engine, Item, ItemKind, ListSource};
use super::context::{Scope, localize};
use super::evaluate::{eval_or, issue};
use super::state::{Checks, NodeState, State};
use super::{Env, EvalIssue, Issue};
use crate::form::expr::EvalContext;

/// Shown when a required question has no `required_message`.
pub const DEFAULT_REQUIRED_MESSAGE: &str = "an answer is required";
/// Shown when a constraint has no `constraint_message`.
pub const DEFAULT_CONSTRAINT_MESSAGE: &str = "the answer is not valid";

impl Engine {
    pub(super) fn compute_checks(&self, id: usize, state: &mut State, env: &Env) {
        if self.items[id].kind != ItemKind::Question {
            return;
        }
        let checks: Vec<Checks> = state.items[id]
            .nodes
            .iter()
            .map(|node| self.checks(id, node, state, env))
            .collect();
        for (node, c) in state.items[id].nodes.iter_mut().zip(checks) {
            node.checks = c;
        }
    }

    /// Required, constraint and choices of one relevant question.
    // Long: required, constraint and choice checks share the question's scope and error list; each
    // is a few lines.
    fn checks(&self, id: usize, node: &NodeState, state: &State, env: &Env) -> Checks {
        let mut checks = Checks::default();
        if !node.relevant {
            return checks;
        }
        let item = &self.items[id];
        let scope = self.scope(state, env, &item.repeats, &node.indices, node.value.clone());
        let path = &node.path;
        let mut errors = Vec::new();
        let mut holds = |cond: &Cond, column: &'static str| match cond {
            Cond::Never => false,
            Cond::Always => true,
            Cond::When(e) => eval_or(
                e,
                &scope,
                false,
                |e| errors.push(issue(path, column, &e)),
                |v| v.to_bool(),
            ),
        };
        if item.answerable
            && node.text.is_empty()
            && holds(&item.required, "required")
            && !holds(&item.read_only, "read_only")
        {
            let message = self.message(
                &item.required_message,
                &scope,
                env,
                DEFAULT_REQUIRED_MESSAGE,
            );
            checks.missing = Some(Issue {
                path: path.clone(),
                message,
            });
        }
        if let (Some(constraint), false) = (&item.constraint, node.text.is_empty()) {
            let met = eval_or(
                constraint,
                &scope,
                true,
                |e| errors.push(issue(path, "constraint", &e)),
                |v| v.to_bool(),
            );
            if !met {
                let message = self.message(
                    &item.constraint_message,
                    &scope,
                    env,
                    DEFAULT_CONSTRAINT_MESSAGE,
                );
                checks.failed = Some(Issue {
                    path: path.clone(),
                    message,
                });
            }
        }
        if let Some(list) = &item.list {
            checks.choices = Some(self.filter_choices(item, list, &scope, path, &mut errors));
        }
        checks.errors = errors;
        checks
    }

    /// The choices a `choice_filter` keeps; a choice whose test fails to evaluate is kept (and
    /// the first error reported), so a broken filter shows too much rather than nothing.
    fn filter_choices(
        &self,
        item: &Item,
        list: &ListSource,
        scope: &Scope<'_>,
        path: &str,
        errors: &mut Vec<EvalIssue>,
    ) -> Vec<String> {
        let choices = self.list(list);
        let Some(filter) = &item.choice_filter else {
            return choices.iter().map(|c| c.name.clone()).collect();
        };
        let mut failed = false;
        let mut kept = Vec::new();
        for choice in choices {
            let one = Scope {
                choice: Some(choice),
                current: scope.current(),
                ..*scope
            };
            let keep = eval_or(
                filter,
                &one,
                true,
                |e| {
                    if !failed {
                        errors.push(issue(path, "choice_filter", &e));
                    }
                    failed = true;
                },
                |v| v.to_bool(),
            );
            if keep {
                kept.push(choice.name.clone());
            }
        }
        kept
    }

    /// A message in the language with `${name}` replaced by values, or `fallback`.
    fn message(
        &self,
        text: &crate::form::xlsform::Text,
        scope: &Scope<'_>,
        env: &Env,
        fallback: &str,
    ) -> String {
        let Some(template) = localize(text, self.language(env)).filter(|t| !t.trim().is_empty())
        else {
            return fallback.to_owned();
        };
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            let Some(end) = rest[start..].find('}') else {
                break;
            };
            out.push_str(&rest[..start]);
            out.push_str(&scope.value_of(&rest[start + 2..start + end]).to_string());
            rest = &rest[start + end + 1..];
        }
        out.push_str(rest);
        out
    }
}
