//! What an expression sees while the engine evaluates it for one question (or repeat instance,
//! or choice): the computed values of the other questions, scoped to the current repeat
//! instance, plus time, ids, choice labels and lookups from the [`Env`], the form and its media
//! files.
//!
//! Must not compute anything itself: it reads the state `evaluate` has built so far.

use chrono::{DateTime, FixedOffset};

use super::Env;
use super::compile::Engine;
use super::scan::CHOICE_INSTANCE;
use super::state::{NodeState, State};
use crate::form::expr::{EvalContext, Value};
use crate::form::xlsform::{Choice, Text};

/// One evaluation's view of the form.
pub(super) struct Scope<'a> {
    pub engine: &'a Engine,
    pub state: &'a State,
    pub env: &'a Env,
    /// The repeats the evaluation is inside, outermost first, and its instance in each.
    pub repeats: &'a [usize],
    pub indices: &'a [usize],
    /// `.`: the value of the question being evaluated (the candidate, for a constraint).
    pub current: Value,
    /// The choice a `choice_filter` is testing.
    pub choice: Option<&'a Choice>,
}

impl Scope<'_> {
    /// The instances of `name` this scope sees (its own instance where it shares the repeat),
    /// and whether that is exactly one node.
    fn nodes(&self, name: &str) -> Option<(&[NodeState], bool)> {
        let &id = self.engine.by_name.get(name)?;
        let theirs = &self.engine.items[id].repeats;
        let shared = self
            .repeats
            .iter()
            .zip(theirs)
            .take_while(|(a, b)| a == b)
            .count();
        let prefix = &self.indices[..shared.min(self.indices.len())];
        let nodes = self.state.items[id].prefixed(prefix);
        Some((nodes, theirs.len() == shared))
    }

    fn language(&self) -> &str {
        self.engine.language(self.env)
    }
}

impl EvalContext for Scope<'_> {
    fn value_of(&self, name: &str) -> Value {
        match self.nodes(name) {
            Some((nodes, true)) => nodes.first().map_or(Value::Empty, |n| n.value.clone()),
            Some((nodes, false)) => Value::NodeSet(nodes.iter().map(|n| n.text.clone()).collect()),
            None => Value::Empty,
        }
    }

    fn values_of(&self, name: &str) -> Vec<Value> {
        self.nodes(name).map_or_else(Vec::new, |(nodes, _)| {
            nodes.iter().map(|n| n.value.clone()).collect()
        })
    }

    fn current(&self) -> Value {
        self.current.clone()
    }

    fn position(&self) -> Option<usize> {
        self.indices.last().copied()
    }

    fn now(&self) -> DateTime<FixedOffset> {
        self.env.now
    }

    fn uuid(&self) -> String {
        self.env.uuid.clone()
    }

    fn choice_label(&self, list: &str, name: &str) -> Option<String> {
        let choice = self
            .engine
            .instance(list)?
            .iter()
            .find(|c| c.name == name)?;
        localize(&choice.label, self.language()).map(str::to_owned)
    }

    fn lookup(
        &self,
        instance: &str,
        filter_column: &str,
        filter_value: &Value,
        result_column: &str,
    ) -> Option<String> {
        let language = self.language();
        if instance == CHOICE_INSTANCE {
            return column(self.choice?, result_column, language);
        }
        let choices = self.engine.instance(instance)?;
        let key = filter_value.to_string();
        choices
            .iter()
            .find(|c| column(c, filter_column, language).as_deref() == Some(key.as_str()))
            .and_then(|c| column(c, result_column, language))
    }

    fn choice_list_of(&self, question: &str) -> Option<String> {
        let &id = self.engine.by_name.get(question)?;
        self.engine.items[id]
            .list
            .as_ref()
            .map(|list| list.name().to_owned())
    }
}

/// A column of a choice: `label` (in the language), another column of the sheet, or `name`.
/// A media file's row holds every column of the file in `properties` (a GeoJSON feature's
/// `name` property is that, not its `id` value), so those come first.
fn column(choice: &Choice, name: &str, language: &str) -> Option<String> {
    match name {
        "label" => localize(&choice.label, language).map(str::to_owned),
        other => choice
            .properties
            .get(other)
            .cloned()
            .or_else(|| (other == "name").then(|| choice.name.clone())),
    }
}

/// The text in `language`, else untranslated, else in whichever language it has.
pub(super) fn localize<'t>(text: &'t Text, language: &str) -> Option<&'t str> {
    text.get(language)
        .or_else(|| text.0.values().next().map(String::as_str))
}

impl Engine {
    /// The language of texts: the caller's, else the form's default, else untranslated.
    pub(super) fn language<'a>(&'a self, env: &'a Env) -> &'a str {
        env.language
            .as_deref()
            .or(self.default_language.as_deref())
            .unwrap_or(Text::NO_LANGUAGE)
    }
}
