//! What an expression sees while the engine evaluates it for one question (or repeat instance,
//! or choice): the computed values of the other questions, scoped to the current repeat
//! instance, plus time, ids, choice labels and lookups from the [`Env`], the form and its media
//! files. The secondary instances (`instance('list')`) are the form's choice lists and its media
//! files' rows, each a row whose columns are `name`, `label` and the sheet's or file's other
//! columns; in a choice filter, bare names read the columns of the choice being tested.
//!
//! Must not compute anything itself: it reads the state `evaluate` has built so far.

use chrono::{DateTime, FixedOffset};

use super::Env;
use super::compile::Engine;
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

    /// The rows of secondary instance `name`: a choice list of the form or a media file.
    fn table(&self, name: &str) -> Option<&[Choice]> {
        self.engine.instance(name)
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
        let choice = self.table(list)?.iter().find(|c| c.name == name)?;
        localize(&choice.label, self.language()).map(str::to_owned)
    }

    fn table_len(&self, instance: &str) -> Option<usize> {
        self.table(instance).map(<[Choice]>::len)
    }

    fn table_cell(&self, instance: &str, row: usize, column: &str) -> Option<String> {
        let choice = self.table(instance)?.get(row)?;
        choice_column(choice, column, self.language())
    }

    fn child(&self, path: &str) -> Value {
        self.choice
            .and_then(|choice| choice_column(choice, path, self.language()))
            .map_or(Value::Empty, |text| Value::from_answer(&text))
    }

    fn itext(&self, id: &str) -> Option<String> {
        let id = id.trim();
        let id = id.strip_suffix(":label").unwrap_or(id);
        // pyxform's choice ids: `list-N` (N from 0), or `/data/.../q/choice` (older forms).
        if let Some((list, index)) = id.rsplit_once('-') {
            if let (Some(choices), Ok(index)) = (self.table(list), index.parse::<usize>()) {
                return localize(&choices.get(index)?.label, self.language()).map(str::to_owned);
            }
        }
        let (question, choice) = id.rsplit_once('/')?;
        let question = question.rsplit('/').next()?;
        self.choice_label(&self.choice_list_of(question)?, choice)
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
fn choice_column(choice: &Choice, name: &str, language: &str) -> Option<String> {
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
