//! Flattening a form's tree into items: every expression parsed once (choice filters rewritten
//! first), with the questions each item's value and checks read.
//!
//! Must not order or evaluate anything: `compile` orders, `evaluate` evaluates.

use std::collections::BTreeSet;

use super::compile::{Cond, Default, Item, ItemKind, ListSource, Typed};
use super::scan::path_questions;
use crate::form::expr::{Expr, parse, parse_constraint};
use crate::form::xlsform::{
    Condition, Group, GroupKind, Metadata, Node, Problem, Question, QuestionType, Text,
};

/// Dependencies of one item: what its value reads and what its checks read.
#[derive(Default)]
pub(super) struct Reads {
    pub value: BTreeSet<String>,
    pub check: BTreeSet<String>,
}

/// Collects items and the problems found while parsing.
pub(super) struct Builder {
    pub items: Vec<Item>,
    pub reads: Vec<Reads>,
    pub problems: Vec<Problem>,
}

impl Builder {
    pub(super) fn walk(
        &mut self,
        nodes: &[Node],
        parent: Option<usize>,
        repeats: &[usize],
        prefix: &str,
    ) {
        for node in nodes {
            let template = if prefix.is_empty() {
                node.name().to_owned()
            } else {
                format!("{prefix}/{}", node.name())
            };
            let id = self.items.len();
            let mut reads = Reads::default();
            let item = match node {
                Node::Question(q) => self.question(q, parent, repeats, template, &mut reads),
                Node::Group(g) => self.group(g, id, parent, repeats, template, &mut reads),
            };
            let mut item = item;
            item.segments = parent.map_or_else(Vec::new, |p| self.items[p].segments.clone());
            let is_repeat = item.kind == ItemKind::Repeat;
            item.segments.push((item.name.clone(), is_repeat));
            let (chain, template) = (item.repeats.clone(), item.template.clone());
            self.items.push(item);
            self.reads.push(reads);
            if let Node::Group(g) = node {
                self.walk(&g.children, Some(id), &chain, &template);
            }
        }
    }

    fn group(
        &mut self,
        g: &Group,
        id: usize,
        parent: Option<usize>,
        repeats: &[usize],
        template: String,
        reads: &mut Reads,
    ) -> Item {
        let mut chain = repeats.to_vec();
        let mut repeat_count = None;
        let kind = match &g.kind {
            GroupKind::Group => ItemKind::Group,
            GroupKind::Repeat { count } => {
                chain.push(id);
                repeat_count = count
                    .as_deref()
                    .and_then(|c| self.expr(c, "repeat_count", g.row, &mut reads.value));
                ItemKind::Repeat
            }
        };
        let mut item = blank(&g.name, g.row, kind, parent, chain, template);
        item.repeat_count = repeat_count;
        item.relevant =
            (g.relevant.as_deref()).and_then(|r| self.expr(r, "relevant", g.row, &mut reads.value));
        item
    }

    // Long: one field of the runtime item per XLSForm column of a question, read in the sheet's
    // order.
    fn question(
        &mut self,
        q: &Question,
        parent: Option<usize>,
        repeats: &[usize],
        template: String,
        reads: &mut Reads,
    ) -> Item {
        let row = q.row;
        let mut item = blank(
            &q.name,
            row,
            ItemKind::Question,
            parent,
            repeats.to_vec(),
            template,
        );
        let value = &mut reads.value;
        item.relevant = q
            .relevant
            .as_deref()
            .and_then(|s| self.expr(s, "relevant", row, value));
        item.calculation = q
            .calculation
            .as_deref()
            .and_then(|s| self.expr(s, "calculation", row, value));
        item.triggered = q.trigger.is_some();
        item.default = q.default.as_deref().and_then(|s| {
            if s.contains("${") {
                self.expr(s, "default", row, value).map(Default::Computed)
            } else {
                Some(Default::Literal(s.to_owned()))
            }
        });
        let check = &mut reads.check;
        item.constraint = q
            .constraint
            .as_deref()
            .and_then(|s| self.expr(s, "constraint", row, check));
        item.required = self.cond(&q.required, "required", row, check);
        item.read_only = self.cond(&q.read_only, "read_only", row, check);
        for text in [&q.required_message, &q.constraint_message] {
            for message in text.0.values() {
                check.extend(message_references(message));
            }
        }
        item.required_message = q.required_message.clone();
        item.constraint_message = q.constraint_message.clone();
        item.list = match &q.kind {
            QuestionType::SelectOne { list, .. }
            | QuestionType::SelectMultiple { list, .. }
            | QuestionType::Rank { list } => Some(ListSource::Choices(list.clone())),
            QuestionType::SelectOneExternal { list } => Some(ListSource::External(list.clone())),
            QuestionType::SelectOneFromFile { file }
            | QuestionType::SelectMultipleFromFile { file } => Some(ListSource::File(file.clone())),
            _ => None,
        };
        if let Some(filter) = &q.choice_filter {
            item.choice_filter = self.choice_filter(filter, row, check);
        }
        item.answerable = answerable(&q.kind) && (item.calculation.is_none() || item.triggered);
        item.typed = match &q.kind {
            QuestionType::Date
            | QuestionType::Metadata {
                kind: Metadata::Today,
            } => Typed::Date,
            QuestionType::DateTime
            | QuestionType::Metadata {
                kind: Metadata::Start | Metadata::End,
            } => Typed::DateTime,
            _ => Typed::Text,
        };
        item
    }

    /// Parses an expression cell, adding the questions it reads to `reads`.
    fn expr(
        &mut self,
        source: &str,
        column: &str,
        row: u32,
        reads: &mut BTreeSet<String>,
    ) -> Option<Expr> {
        let parsed = if column == "constraint" {
            parse_constraint(source)
        } else {
            parse(source)
        };
        match parsed {
            Ok(expr) => {
                reads.extend(expr.references());
                reads.extend(path_questions(source));
                reads.extend(expr.path_questions());
                Some(expr)
            }
            Err(e) => {
                self.problem(
                    row,
                    column,
                    format!(
                        "the expression does not parse at character {}: {}",
                        e.offset, e.message
                    ),
                );
                None
            }
        }
    }

    fn cond(
        &mut self,
        c: &Condition,
        column: &str,
        row: u32,
        reads: &mut BTreeSet<String>,
    ) -> Cond {
        match c {
            Condition::Never => Cond::Never,
            Condition::Always => Cond::Always,
            Condition::When(source) => self
                .expr(source, column, row, reads)
                .map_or(Cond::Never, Cond::When),
        }
    }

    /// A choice filter reads the columns of the choice it tests as bare names (`district =
    /// ${district}`): the parser reads them as children of the context node, which the
    /// evaluation context resolves to the choice's columns.
    fn choice_filter(
        &mut self,
        source: &str,
        row: u32,
        reads: &mut BTreeSet<String>,
    ) -> Option<Expr> {
        match parse(source) {
            Ok(expr) => {
                reads.extend(expr.references());
                reads.extend(path_questions(source));
                reads.extend(expr.path_questions());
                Some(expr)
            }
            Err(e) => {
                self.problem(
                    row,
                    "choice_filter",
                    format!(
                        "the choice filter does not parse at character {}: {}",
                        e.offset, e.message
                    ),
                );
                None
            }
        }
    }

    fn problem(&mut self, row: u32, column: &str, message: String) {
        self.problems.push(Problem {
            sheet: "survey".to_owned(),
            row: Some(row),
            column: Some(column.to_owned()),
            message,
        });
    }
}

fn blank(
    name: &str,
    row: u32,
    kind: ItemKind,
    parent: Option<usize>,
    repeats: Vec<usize>,
    template: String,
) -> Item {
    Item {
        name: name.to_owned(),
        row,
        kind,
        parent,
        repeats,
        template,
        segments: Vec::new(),
        relevant: None,
        calculation: None,
        triggered: false,
        default: None,
        constraint: None,
        required: Cond::Never,
        read_only: Cond::Never,
        repeat_count: None,
        choice_filter: None,
        list: None,
        required_message: Text::default(),
        constraint_message: Text::default(),
        answerable: false,
        typed: Typed::Text,
    }
}

/// Types with a widget the collector answers; the others are computed, shown or recorded by the
/// device, so requiring them would block a submission nobody can fix.
fn answerable(kind: &QuestionType) -> bool {
    !matches!(
        kind,
        QuestionType::Note
            | QuestionType::Calculate
            | QuestionType::Hidden
            | QuestionType::Metadata { .. }
            | QuestionType::ExternalInstance { .. }
    )
}

/// `${name}` placeholders of a message text.
pub(super) fn message_references(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split("${")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
}
