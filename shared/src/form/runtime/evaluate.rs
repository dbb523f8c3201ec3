//! Evaluation: values (relevance, computed values, repeat instances) item by item in dependency
//! order, then the checks (`checks`) nothing else reads. `update` redoes only the items that
//! read, directly or not, the changed one.
//!
//! Must not keep anything between calls: the previous results come in as an [`Evaluation`].

use std::collections::BTreeSet;

use super::compile::{Default, Engine, Item, ItemKind, ancestors};
use super::context::Scope;
use super::state::{Checks, CountState, ItemState, NodeState, State, typed};
use super::{Answers, Env, EvalIssue, Evaluation, Issue, MAX_INSTANCES, answers::split_path};
use crate::form::expr::{EvalError, Expr, Value};

impl Engine {
    /// Evaluates the whole form against `answers`.
    pub fn evaluate(&self, answers: &Answers, env: &Env) -> Evaluation {
        let mut state = State {
            items: vec![ItemState::default(); self.items.len()],
        };
        for &id in &self.order {
            self.compute_values(id, &mut state, answers, env);
        }
        for id in 0..self.items.len() {
            self.compute_checks(id, &mut state, env);
        }
        self.publish(state, env)
    }

    /// Re-evaluates after the answer at `changed` changed, redoing only the items that depend on
    /// it (transitively); the result equals [`Engine::evaluate`] of the same answers.
    ///
    /// `answers` must differ from those `previous` was computed with only at `changed`: a
    /// question's path, or a repeat's (`hh`, `hh[2]`) when instances were added, removed or
    /// renumbered (anything inside that repeat may then differ). An unknown path, or an `env`
    /// other than `previous`'s, falls back to a full evaluation.
    pub fn update(
        &self,
        previous: &Evaluation,
        answers: &Answers,
        changed: &str,
        env: &Env,
    ) -> Evaluation {
        let found = split_path(changed).and_then(|(t, _)| self.by_template.get(&t).copied());
        let Some(item) = found.filter(|_| previous.env == *env) else {
            return self.evaluate(answers, env);
        };
        if previous.state.items.len() != self.items.len() {
            return self.evaluate(answers, env);
        }
        let mut state = previous.state.clone();
        let mut seeds = vec![item];
        // A new index in an answer may add instances to repeats counted from the answers.
        for &r in &self.items[item].repeats {
            if self.items[r].repeat_count.is_none() && self.counts_changed(r, &state, answers) {
                seeds.push(r);
            }
        }
        let values = closure(&seeds, &self.value_dependents);
        for &id in self.order.iter().filter(|&&id| values.contains(&id)) {
            self.compute_values(id, &mut state, answers, env);
        }
        let mut checks = values.clone();
        for &id in &values {
            checks.extend(self.check_dependents[id].iter().copied());
        }
        for id in checks {
            self.compute_checks(id, &mut state, env);
        }
        self.publish(state, env)
    }

    /// The answers to submit, cleaned: values of relevant questions only (a non-relevant group
    /// hides all its children), calculations and defaults filled in, empty values left out
    /// unless the collector cleared an answer, instance counts set. Cleaned answers are a fixed
    /// point: submitting them again gives the same answers. Refuses
    /// with every missing required answer and failed constraint.
    pub fn result(&self, answers: &Answers, env: &Env) -> Result<Answers, Vec<Issue>> {
        let evaluation = self.evaluate(answers, env);
        if evaluation.is_complete() {
            Ok(self.cleaned(&evaluation.state, answers))
        } else {
            let mut issues = evaluation.missing_required;
            issues.extend(evaluation.failed_constraints);
            Err(issues)
        }
    }

    /// The indices of the instances item `id` occurs in: its nearest repeat's instances (for a
    /// repeat: its enclosing repeat's), or the form's one.
    fn places(&self, id: usize, state: &State) -> Vec<Vec<usize>> {
        let item = &self.items[id];
        let outer = match item.kind {
            ItemKind::Repeat => item.repeats.len().checked_sub(2).map(|i| item.repeats[i]),
            _ => item.repeats.last().copied(),
        };
        match outer {
            Some(r) => state.items[r]
                .nodes
                .iter()
                .map(|n| n.indices.clone())
                .collect(),
            None => vec![Vec::new()],
        }
    }

    fn parent_relevant(&self, id: usize, indices: &[usize], state: &State) -> bool {
        self.items[id].parent.is_none_or(|p| {
            let depth = self.items[p].repeats.len().min(indices.len());
            state.items[p]
                .at(&indices[..depth])
                .is_some_and(|n| n.relevant)
        })
    }

    fn compute_values(&self, id: usize, state: &mut State, answers: &Answers, env: &Env) {
        if !self.own_reads[id].is_empty() {
            self.provisional(id, state, answers, env);
        }
        let places = self.places(id, state);
        let mut nodes = Vec::new();
        let mut counts = Vec::new();
        for place in places {
            if self.items[id].kind != ItemKind::Repeat {
                nodes.push(self.node(id, place, state, answers, env));
                continue;
            }
            let count = self.count(id, &place, state, answers, env);
            for i in 1..=count.count {
                let mut indices = place.clone();
                indices.push(i);
                nodes.push(self.node(id, indices, state, answers, env));
            }
            counts.push(count);
        }
        state.items[id] = ItemState { nodes, counts };
    }

    /// Instances of repeat `id` inside the instance `place`: none when that is not relevant,
    /// else `repeat_count`, else as many as the answers imply.
    fn count(
        &self,
        id: usize,
        place: &[usize],
        state: &State,
        answers: &Answers,
        env: &Env,
    ) -> CountState {
        let item = &self.items[id];
        let path = self.path(id, place);
        let mut error = None;
        let wanted = if !self.parent_relevant(id, place, state) {
            0.0
        } else if let Some(expr) = &item.repeat_count {
            let outer = &item.repeats[..item.repeats.len() - 1];
            let scope = self.scope(state, env, outer, place, Value::Empty);
            match expr.eval(&scope) {
                Ok(v) => v.to_number(),
                Err(e) => {
                    error = Some(issue(&path, "repeat_count", &e));
                    0.0
                }
            }
        } else {
            answers.implied_instances(&path) as f64
        };
        // NaN (an unanswered count) and negatives are no instances, as in ODK.
        let mut count = if wanted >= 1.0 { wanted.floor() } else { 0.0 };
        if count > MAX_INSTANCES as f64 {
            count = MAX_INSTANCES as f64;
            error = Some(EvalIssue {
                path: path.clone(),
                column: "repeat_count",
                message: format!("more than {MAX_INSTANCES} instances; only the first are kept"),
            });
        }
        CountState {
            parent: place.to_vec(),
            path,
            count: count as usize,
            error,
        }
    }

    fn counts_changed(&self, id: usize, state: &State, answers: &Answers) -> bool {
        state.items[id].counts.iter().any(|c| {
            let relevant = self.parent_relevant(id, &c.parent, state);
            let implied = if relevant {
                answers.implied_instances(&c.path).min(MAX_INSTANCES)
            } else {
                0
            };
            implied != c.count
        })
    }

    pub(super) fn scope<'a>(
        &'a self,
        state: &'a State,
        env: &'a Env,
        repeats: &'a [usize],
        indices: &'a [usize],
        current: Value,
    ) -> Scope<'a> {
        Scope {
            engine: self,
            state,
            env,
            repeats,
            indices,
            current,
            choice: None,
        }
    }

    /// One question, group or repeat instance: relevance, then its value.
    fn node(
        &self,
        id: usize,
        indices: Vec<usize>,
        state: &State,
        answers: &Answers,
        env: &Env,
    ) -> NodeState {
        let item = &self.items[id];
        let path = self.path(id, &indices);
        let answer = answers.get(&path);
        let mut errors = Vec::new();
        // `.` reads as empty here: whether a question is asked, and what the form computes for
        // it, cannot hang on the answer they decide about (`relevant = ". > 3"` would hide the
        // answer that hid it, and `result` would not be a fixed point). Constraints, which
        // judge the answer, read it (`checks`).
        let scope = self.scope(state, env, &item.repeats, &indices, Value::Empty);
        let relevant = self.parent_relevant(id, &indices, state)
            && item.relevant.as_ref().is_none_or(|e| {
                eval_or(
                    e,
                    &scope,
                    true,
                    |e| errors.push(issue(&path, "relevant", &e)),
                    |v| v.to_bool(),
                )
            });
        let (text, computed) = if relevant && item.kind == ItemKind::Question {
            value_text(item, answer, &scope, &path, &mut errors)
        } else {
            (String::new(), false)
        };
        let value = typed(item.typed, &text);
        NodeState {
            path,
            relevant,
            text,
            value,
            computed,
            errors,
            checks: Checks::default(),
            indices,
        }
    }
}

impl Engine {
    /// Fills in the questions `group`'s relevance reads inside it (`compile::own_reads`) as
    /// they are while the group is relevant: relevant when the groups around the group are and
    /// their own relevance, and that of the groups between them and the group, holds. They come
    /// after the group in the order, so these provisional nodes are replaced once it is known.
    fn provisional(&self, group: usize, state: &mut State, answers: &Answers, env: &Env) {
        let places = self.places(group, state);
        for &q in &self.own_reads[group] {
            let nodes = places
                .iter()
                .map(|place| self.provisional_node(group, q, place.clone(), state, answers, env))
                .collect();
            state.items[q] = ItemState {
                nodes,
                counts: Vec::new(),
            };
        }
    }

    fn provisional_node(
        &self,
        group: usize,
        q: usize,
        indices: Vec<usize>,
        state: &State,
        answers: &Answers,
        env: &Env,
    ) -> NodeState {
        let item = &self.items[q];
        let path = self.path(q, &indices);
        // Errors are reported when the question is computed for good.
        let mut errors = Vec::new();
        let scope = self.scope(state, env, &item.repeats, &indices, Value::Empty);
        let own = |id: usize| {
            self.items[id]
                .relevant
                .as_ref()
                .is_none_or(|e| eval_or(e, &scope, true, |_| {}, |v| v.to_bool()))
        };
        let relevant = self.parent_relevant(group, &indices, state)
            && own(q)
            && ancestors(&self.items, q)
                .take_while(|&a| a != group)
                .all(own);
        let (text, computed) = match relevant {
            true => value_text(item, answers.get(&path), &scope, &path, &mut errors),
            false => (String::new(), false),
        };
        NodeState {
            path,
            relevant,
            value: typed(item.typed, &text),
            text,
            computed,
            errors: Vec::new(),
            checks: Checks::default(),
            indices,
        }
    }
}

/// The value of a relevant question: its calculation (which overrides an answer unless the
/// question has a trigger), else its answer, else its default. Also whether the form computed it.
fn value_text(
    item: &Item,
    answer: Option<&str>,
    scope: &Scope<'_>,
    path: &str,
    errors: &mut Vec<EvalIssue>,
) -> (String, bool) {
    let mut computed = |expr: &Expr, column: &'static str| {
        let text = eval_or(
            expr,
            scope,
            String::new(),
            |e| errors.push(issue(path, column, &e)),
            |v| v.to_string(),
        );
        (text, true)
    };
    match (&item.calculation, answer) {
        (Some(calc), _) if !item.triggered => computed(calc, "calculation"),
        (_, Some(answer)) => (answer.to_owned(), false),
        (Some(calc), None) => computed(calc, "calculation"),
        (None, None) => match &item.default {
            Some(Default::Literal(text)) => (text.clone(), true),
            Some(Default::Computed(expr)) => computed(expr, "default"),
            None => (String::new(), false),
        },
    }
}

/// Evaluates `expr`, mapping the value with `ok`, or reporting the error and using `fallback`.
pub(super) fn eval_or<T>(
    expr: &Expr,
    scope: &Scope<'_>,
    fallback: T,
    on_error: impl FnOnce(EvalError),
    ok: impl FnOnce(Value) -> T,
) -> T {
    match expr.eval(scope) {
        Ok(v) => ok(v),
        Err(e) => {
            on_error(e);
            fallback
        }
    }
}

pub(super) fn issue(path: &str, column: &'static str, error: &EvalError) -> EvalIssue {
    EvalIssue {
        path: path.to_owned(),
        column,
        message: error.to_string(),
    }
}

/// `seeds` and everything reachable from them through `edges`.
fn closure(seeds: &[usize], edges: &[Vec<usize>]) -> BTreeSet<usize> {
    let mut seen: BTreeSet<usize> = seeds.iter().copied().collect();
    let mut stack = seeds.to_vec();
    while let Some(next) = stack.pop() {
        for &d in &edges[next] {
            if seen.insert(d) {
                stack.push(d);
            }
        }
    }
    seen
}
