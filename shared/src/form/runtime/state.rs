//! The per-node results of an evaluation, kept inside [`Evaluation`] so [`Engine::update`] can
//! recompute a few items and reuse the rest, and the public view derived from them.
//!
//! Must not evaluate: `evaluate` fills the state; this module stores and publishes it.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use super::compile::{Engine, ItemKind, Typed};
use super::{Answers, Env, EvalIssue, Evaluation, Issue};
use crate::form::expr::Value;

/// Results for every item, indexed like [`Engine`]'s items.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct State {
    pub items: Vec<ItemState>,
}

/// The instances of one item: one node outside repeats, one per instance of the enclosing repeat
/// inside, sorted by their indices.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct ItemState {
    pub nodes: Vec<NodeState>,
    /// For a repeat: its instance count at each place it occurs.
    pub counts: Vec<CountState>,
}

/// One concrete question, group or repeat instance.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct NodeState {
    /// Instance index in each enclosing repeat (and its own, for a repeat instance).
    pub indices: Vec<usize>,
    pub path: String,
    pub relevant: bool,
    /// The value as text; empty when not relevant.
    pub text: String,
    /// The value as expressions read it.
    pub value: Value,
    /// Whether the form computed the value (calculation or default).
    pub computed: bool,
    /// Errors of `relevant`, `calculation`, `default`.
    pub errors: Vec<EvalIssue>,
    pub checks: Checks,
}

/// Results that nothing else reads: computed after every value.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Checks {
    pub missing: Option<Issue>,
    pub failed: Option<Issue>,
    pub choices: Option<Vec<String>>,
    pub errors: Vec<EvalIssue>,
}

/// A repeat's instance count inside one instance of its enclosing repeat (or the form).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct CountState {
    /// The enclosing instance's indices.
    pub parent: Vec<usize>,
    /// The repeat's path without its own index.
    pub path: String,
    pub count: usize,
    pub error: Option<EvalIssue>,
}

impl ItemState {
    /// The nodes whose indices start with `prefix` (contiguous, as nodes are sorted).
    pub fn prefixed(&self, prefix: &[usize]) -> &[NodeState] {
        let k = prefix.len();
        fn head(n: &NodeState, k: usize) -> &[usize] {
            &n.indices[..k.min(n.indices.len())]
        }
        let start = self.nodes.partition_point(|n| head(n, k) < prefix);
        let end = self.nodes.partition_point(|n| head(n, k) <= prefix);
        &self.nodes[start..end.max(start)]
    }

    /// The node at exactly `indices`.
    pub fn at(&self, indices: &[usize]) -> Option<&NodeState> {
        self.nodes
            .binary_search_by(|n| n.indices.as_slice().cmp(indices))
            .ok()
            .map(|i| &self.nodes[i])
    }
}

/// The value expressions read for `text`: dates typed for date questions (so they compare and
/// subtract as dates), everything else text.
pub(super) fn typed(kind: Typed, text: &str) -> Value {
    let t = text.trim();
    let parsed = match kind {
        _ if t.is_empty() => return Value::Empty,
        Typed::Text => None,
        Typed::Date => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .map(Value::Date),
        Typed::DateTime => DateTime::parse_from_rfc3339(t)
            .ok()
            .or_else(|| DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f%z").ok())
            .or_else(|| {
                NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
                    .ok()
                    .map(|n| n.and_utc().fixed_offset())
            })
            .map(Value::DateTime),
    };
    parsed.unwrap_or_else(|| Value::from_answer(text))
}

impl Engine {
    /// The path of item `id` at `indices`: each repeat segment gets its index while indices
    /// last, so a repeat with its enclosing indices only gives the repeat's own path (`hh`).
    pub(super) fn path(&self, id: usize, indices: &[usize]) -> String {
        let mut out = String::new();
        let mut next = indices.iter();
        for (i, (name, repeat)) in self.items[id].segments.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            out.push_str(name);
            if *repeat && let Some(index) = next.next() {
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
        }
        out
    }

    /// The public view of `state`, in form order.
    pub(super) fn publish(&self, state: State, env: &Env) -> Evaluation {
        let mut e = Evaluation {
            relevant: BTreeMap::new(),
            missing_required: Vec::new(),
            failed_constraints: Vec::new(),
            calculated: BTreeMap::new(),
            choices: BTreeMap::new(),
            repeat_counts: BTreeMap::new(),
            errors: Vec::new(),
            state: State::default(),
            env: env.clone(),
        };
        for item in &state.items {
            for count in &item.counts {
                e.repeat_counts.insert(count.path.clone(), count.count);
                e.errors.extend(count.error.clone());
            }
            for node in &item.nodes {
                e.relevant.insert(node.path.clone(), node.relevant);
                if node.computed && node.relevant {
                    e.calculated.insert(node.path.clone(), node.text.clone());
                }
                e.errors.extend(node.errors.iter().cloned());
                let checks = &node.checks;
                e.missing_required.extend(checks.missing.clone());
                e.failed_constraints.extend(checks.failed.clone());
                if let Some(choices) = &checks.choices {
                    e.choices.insert(node.path.clone(), choices.clone());
                }
                e.errors.extend(checks.errors.iter().cloned());
            }
        }
        e.state = state;
        e
    }

    /// The answers to submit: values of relevant questions that have one or were answered (a
    /// cleared answer stays cleared rather than letting a default back in), and instance counts.
    pub(super) fn cleaned(&self, state: &State, answers: &Answers) -> Answers {
        let mut out = Answers::new();
        for (id, item) in state.items.iter().enumerate() {
            for count in &item.counts {
                out.set_instances(count.path.clone(), count.count);
            }
            if self.items[id].kind != ItemKind::Question {
                continue;
            }
            let kept = |n: &&NodeState| {
                n.relevant && (!n.text.is_empty() || answers.get(&n.path).is_some())
            };
            for node in item.nodes.iter().filter(kept) {
                out.set(node.path.clone(), node.text.clone());
            }
        }
        out
    }
}
