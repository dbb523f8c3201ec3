//! `begin loop over LIST` ... `end loop`: pyxform's shorthand for asking the same questions
//! about each choice of a list. As pyxform 4.5 does, the loop becomes a group holding one group
//! per choice (named by the choice's name, labelled by its label; a choice named `none` is left
//! out), each with a copy of the loop's rows in which `%(name)s` and `%(label)s` (or any other
//! column of the choices sheet, `%(column)s`) stand for the choice's values. pyxform substitutes
//! in the loop's direct children only; here nested rows get it too, which pyxform would show as
//! the literal `%(label)s`.
//!
//! Must not check anything: the list's existence is checked with the other lists (`check`).

use std::collections::BTreeMap;

use super::choices::Lists;
use super::model::{Choice, Condition, Group, Node, Question, Text};

/// Replaces each loop group of `nodes` (its `begin loop` row in `loops`, with its list) by the
/// group of per-choice groups. A list that is missing gives an empty loop (already a problem).
pub(crate) fn expand(nodes: &mut [Node], loops: &BTreeMap<u32, String>, choices: Option<&Lists>) {
    if loops.is_empty() {
        return;
    }
    for node in nodes.iter_mut() {
        let Node::Group(group) = node else { continue };
        expand(&mut group.children, loops, choices);
        let Some(list) = loops.get(&group.row) else {
            continue;
        };
        let list = choices
            .and_then(|c| c.get(list))
            .map_or(&[][..], Vec::as_slice);
        let template = std::mem::take(&mut group.children);
        group.children = list
            .iter()
            .filter(|choice| choice.name != "none")
            .map(|choice| Node::Group(Box::new(per_choice(group, &template, choice))))
            .collect();
    }
}

/// The group of one choice: the loop's rows with the choice's values put in.
fn per_choice(outer: &Group, template: &[Node], choice: &Choice) -> Group {
    Group {
        row: outer.row,
        name: choice.name.clone(),
        kind: super::model::GroupKind::Group,
        label: choice.label.clone(),
        hint: Text::default(),
        relevant: None,
        read_only: Condition::Never,
        appearance: None,
        parameters: BTreeMap::new(),
        extra: BTreeMap::new(),
        children: template.iter().map(|n| node(n, choice)).collect(),
    }
}

fn node(template: &Node, choice: &Choice) -> Node {
    match template {
        Node::Question(q) => Node::Question(Box::new(question(q, choice))),
        Node::Group(g) => {
            let mut g = (**g).clone();
            g.label = text(&g.label, choice);
            g.hint = text(&g.hint, choice);
            g.relevant = g.relevant.map(|r| fill(&r, choice, None));
            g.children = g.children.iter().map(|n| node(n, choice)).collect();
            Node::Group(Box::new(g))
        }
    }
}

fn question(q: &Question, choice: &Choice) -> Question {
    let mut q = q.clone();
    for t in [
        &mut q.label,
        &mut q.hint,
        &mut q.guidance_hint,
        &mut q.required_message,
        &mut q.constraint_message,
    ] {
        *t = text(t, choice);
    }
    for cell in [
        &mut q.relevant,
        &mut q.constraint,
        &mut q.calculation,
        &mut q.default,
        &mut q.choice_filter,
    ] {
        *cell = cell.as_deref().map(|v| fill(v, choice, None));
    }
    for c in [&mut q.required, &mut q.read_only] {
        if let Condition::When(e) = c {
            *e = fill(e, choice, None);
        }
    }
    q
}

/// A text in each of its languages, with the choice's label in the same language.
fn text(t: &Text, choice: &Choice) -> Text {
    Text(
        t.0.iter()
            .map(|(language, value)| (language.clone(), fill(value, choice, Some(language))))
            .collect(),
    )
}

/// `value` with each `%(key)s` replaced by the choice's column `key` (`%%` is `%`, as in
/// Python's formatting); a key the choice has no column for is left as written.
fn fill(value: &str, choice: &Choice, language: Option<&str>) -> String {
    if !value.contains('%') {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('%') {
            out.push('%');
            rest = tail;
            continue;
        }
        let key = after
            .strip_prefix('(')
            .and_then(|a| a.split_once(")s"))
            .and_then(|(key, tail)| Some((key, tail, column(choice, key, language)?)));
        match key {
            Some((_, tail, replacement)) => {
                out.push_str(&replacement);
                rest = tail;
            }
            None => {
                out.push('%');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn column(choice: &Choice, key: &str, language: Option<&str>) -> Option<String> {
    match key {
        "name" => Some(choice.name.clone()),
        "label" => {
            let label = language.and_then(|l| choice.label.get(l));
            label
                .or_else(|| choice.label.0.values().next().map(String::as_str))
                .map(str::to_owned)
                .or_else(|| Some(choice.name.clone()))
        }
        other => choice.properties.get(other).cloned(),
    }
}
