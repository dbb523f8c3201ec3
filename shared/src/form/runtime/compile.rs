//! Compiling a [`Form`] into an [`Engine`]: the items `build` flattens the tree into, and the
//! dependency graph with the order values are computed in. Cycles through relevance,
//! calculations, defaults and repeat counts are refused here, as JavaRosa refuses them when it
//! loads a form.
//!
//! Must not evaluate anything: that is `evaluate`, with answers.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::build::Builder;
use crate::form::expr::Expr;
use crate::form::media::{MediaTables, instance_name};
use crate::form::xlsform::{Choice, Form, Problem, Text};

/// A form compiled for evaluation. Build it once per form version with [`Engine::new`]; it is
/// immutable and may be shared.
#[derive(Debug, Clone)]
pub struct Engine {
    pub(super) items: Vec<Item>,
    /// Uniquely named items, by name (`${name}` targets; the form model refuses references to
    /// ambiguous names).
    pub(super) by_name: HashMap<String, usize>,
    /// Items by path without indices (`hh/q`).
    pub(super) by_template: HashMap<String, usize>,
    /// Items in an order where each comes after everything its value depends on.
    pub(super) order: Vec<usize>,
    /// Items whose value (relevance, computed value, instances) reads each item, directly or
    /// as a group's relevance reads its own questions.
    pub(super) value_dependents: Vec<Vec<usize>>,
    /// For each group, the questions inside it its own relevance reads (see [`own_reads`]).
    pub(super) own_reads: Vec<Vec<usize>>,
    /// Items whose checks (required, constraint, choices, messages) read each item.
    pub(super) check_dependents: Vec<Vec<usize>>,
    pub(super) choices: BTreeMap<String, Vec<Choice>>,
    pub(super) external_choices: BTreeMap<String, Vec<Choice>>,
    /// The form version's data files ([`Engine::with_media`]); none until given.
    pub(super) media: MediaTables,
    /// The settings' `default_language`, for `Env::language == None`.
    pub(super) default_language: Option<String>,
}

/// A question, group or repeat of the form.
#[derive(Debug, Clone)]
pub(super) struct Item {
    pub name: String,
    /// The `survey` row, for problems.
    pub row: u32,
    pub kind: ItemKind,
    /// The enclosing group or repeat.
    pub parent: Option<usize>,
    /// Enclosing repeats, outermost first, the item itself last when it is a repeat.
    pub repeats: Vec<usize>,
    /// Path without indices.
    pub template: String,
    /// Names from the top down, each marked when it is a repeat (gets an index in paths).
    pub segments: Vec<(String, bool)>,
    pub relevant: Option<Expr>,
    pub calculation: Option<Expr>,
    /// A calculation with a `trigger` only fills an unanswered question.
    pub triggered: bool,
    pub default: Option<Default>,
    pub constraint: Option<Expr>,
    pub required: Cond,
    pub read_only: Cond,
    pub repeat_count: Option<Expr>,
    pub choice_filter: Option<Expr>,
    /// Where the select's choices come from.
    pub list: Option<ListSource>,
    pub required_message: Text,
    pub constraint_message: Text,
    /// Whether the collector can give an answer, so `required` applies.
    pub answerable: bool,
    /// Whether values are read as dates or date-times.
    pub typed: Typed,
}

/// Where a select question's choices come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ListSource {
    /// A list of the `choices` sheet.
    Choices(String),
    /// A list of the `external_choices` sheet.
    External(String),
    /// The rows of a media file (`select_one_from_file fruits.csv`).
    File(String),
}

impl ListSource {
    /// The name `jr:choice-name` and lookups know the list by: a file's instance name.
    pub(super) fn name(&self) -> &str {
        match self {
            ListSource::Choices(list) | ListSource::External(list) => list,
            ListSource::File(file) => instance_name(file),
        }
    }
}

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ItemKind {
    Question,
    Group,
    Repeat,
}

/// A `default`: a literal, or an expression when it reads other questions.
#[derive(Debug, Clone)]
pub(super) enum Default {
    Literal(String),
    Computed(Expr),
}

/// A yes/no-or-expression column, parsed.
#[derive(Debug, Clone)]
pub(super) enum Cond {
    Never,
    Always,
    When(Expr),
}

/// How a value's text is read in expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Typed {
    Text,
    Date,
    DateTime,
}

impl Engine {
    /// Compiles `form`: parses every expression (a form from `parse_form` has already had all
    /// but its choice filters parsed) and orders the computations.
    ///
    /// Refuses, with the row and column of each, choice filters that do not parse once their
    /// choice columns are read as such, and cycles of relevance, calculations, defaults and
    /// repeat counts (`a` relevant when `b` is answered, `b` relevant when `a` is).
    // Long: the compile steps in order (walk, filters, cycle check), each short, sharing the
    // builder's problem list.
    pub fn new(form: &Form) -> Result<Engine, Vec<Problem>> {
        let mut builder = Builder {
            items: Vec::new(),
            reads: Vec::new(),
            problems: Vec::new(),
        };
        builder.walk(&form.children, None, &[], "");
        let Builder {
            items,
            reads,
            mut problems,
        } = builder;
        let mut by_name: HashMap<String, usize> = HashMap::new();
        let mut seen = BTreeSet::new();
        for (id, item) in items.iter().enumerate() {
            if !seen.insert(item.name.clone()) {
                by_name.remove(&item.name);
            } else {
                by_name.insert(item.name.clone(), id);
            }
        }
        let resolve = |names: &BTreeSet<String>| -> Vec<usize> {
            names
                .iter()
                .filter_map(|n| by_name.get(n).copied())
                .collect()
        };
        let mut value_deps: Vec<Vec<usize>> = reads.iter().map(|r| resolve(&r.value)).collect();
        let own_reads = own_reads(&items, &mut value_deps);
        for (id, item) in items.iter().enumerate() {
            value_deps[id].extend(item.parent);
        }
        let mut value_dependents = vec![Vec::new(); items.len()];
        let mut check_dependents = vec![Vec::new(); items.len()];
        for (id, deps) in value_deps.iter().enumerate() {
            for &d in deps {
                value_dependents[d].push(id);
            }
        }
        for (id, r) in reads.iter().enumerate() {
            for d in resolve(&r.check) {
                check_dependents[d].push(id);
            }
        }
        for list in value_dependents
            .iter_mut()
            .chain(check_dependents.iter_mut())
        {
            list.sort_unstable();
            list.dedup();
        }
        let order = match topological_order(&value_deps, &value_dependents) {
            Ok(order) => order,
            Err(cycle) => {
                problems.push(cycle_problem(&items, &cycle));
                Vec::new()
            }
        };
        // Not an order constraint (the group is evaluated first, reading them provisionally),
        // but a change to one of them changes the group's relevance.
        for (group, questions) in own_reads.iter().enumerate() {
            for &q in questions {
                value_dependents[q].push(group);
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let by_template = items
            .iter()
            .enumerate()
            .map(|(id, item)| (item.template.clone(), id))
            .collect();
        Ok(Engine {
            items,
            by_name,
            by_template,
            order,
            value_dependents,
            own_reads,
            check_dependents,
            choices: form.choices.clone(),
            external_choices: form.external_choices.clone(),
            media: MediaTables::new(),
            default_language: form.settings.default_language.clone(),
        })
    }

    /// The same engine reading `media`: the form version's data files, for `pulldata`,
    /// `instance('name')` lookups and `select_*_from_file` choices. Without it (or for a file
    /// it lacks) those read as empty, as in ODK Collect when a form's file is missing.
    pub fn with_media(mut self, media: MediaTables) -> Engine {
        self.media = media;
        self
    }

    /// The data files this engine reads ([`Engine::with_media`]).
    pub fn media(&self) -> &MediaTables {
        &self.media
    }

    /// The choices of a list.
    pub(super) fn list(&self, source: &ListSource) -> &[Choice] {
        let rows = match source {
            ListSource::Choices(name) => self.choices.get(name),
            ListSource::External(name) => self.external_choices.get(name),
            ListSource::File(file) => return self.media.file(file).map_or(&[], |t| &t.rows),
        };
        rows.map_or(&[], Vec::as_slice)
    }

    /// The rows `instance('name')`, `pulldata('name', ...)` and `jr:choice-name` read: a
    /// choice list of the form, else the data file of that instance name.
    pub(super) fn instance(&self, name: &str) -> Option<&[Choice]> {
        self.choices
            .get(name)
            .or_else(|| self.external_choices.get(name))
            .map(Vec::as_slice)
            .or_else(|| self.media.get(name).map(|t| t.rows.as_slice()))
    }
}

/// A group's relevance that reads questions inside the group (CHT's `inputs` group, relevant
/// when `./source = 'user'`) would depend on itself through the relevance they inherit from it.
/// JavaRosa accepts it, reading them as they are while the group is still relevant, and so does
/// the engine: such a read is taken out of the group's dependencies and replaced by what the
/// question's own value hangs on (its reads, and those of the groups between it and the group),
/// so only a real cycle (its calculation reading inside the group, say) remains one; `evaluate`
/// then computes those questions provisionally, as if the group were relevant, before the
/// group's relevance. Only plain groups, and questions in the same repeat instance as the group.
/// Returns the questions read so, per item.
fn own_reads(items: &[Item], value_deps: &mut [Vec<usize>]) -> Vec<Vec<usize>> {
    let mut own = vec![Vec::new(); items.len()];
    for (group, item) in items.iter().enumerate() {
        if item.kind != ItemKind::Group || item.relevant.is_none() {
            continue;
        }
        let inside = |q: usize| {
            items[q].kind == ItemKind::Question
                && items[q].repeats == item.repeats
                && ancestors(items, q).any(|a| a == group)
        };
        let (read, other): (Vec<usize>, Vec<usize>) =
            value_deps[group].iter().partition(|&&q| inside(q));
        if read.is_empty() {
            continue;
        }
        let mut deps = other;
        for &q in &read {
            deps.extend(value_deps[q].iter().copied());
            for between in ancestors(items, q).take_while(|&a| a != group) {
                deps.extend(value_deps[between].iter().copied());
            }
        }
        deps.sort_unstable();
        deps.dedup();
        value_deps[group] = deps;
        own[group] = read;
    }
    own
}

/// The groups and repeats around item `id`, innermost first.
pub(super) fn ancestors(items: &[Item], id: usize) -> impl Iterator<Item = usize> + '_ {
    std::iter::successors(items[id].parent, |&p| items[p].parent)
}

/// Kahn's algorithm, taking the first ready item in form order so the order is stable; on a
/// cycle, returns one (each item reading the next, the last reading the first).
fn topological_order(
    deps: &[Vec<usize>],
    dependents: &[Vec<usize>],
) -> Result<Vec<usize>, Vec<usize>> {
    let mut waiting: Vec<usize> = deps
        .iter()
        .map(|d| d.iter().collect::<BTreeSet<_>>().len())
        .collect();
    let mut ready: BTreeSet<usize> = (0..deps.len()).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(deps.len());
    while let Some(next) = ready.pop_first() {
        order.push(next);
        for &d in &dependents[next] {
            waiting[d] -= 1;
            if waiting[d] == 0 {
                ready.insert(d);
            }
        }
    }
    if order.len() == deps.len() {
        return Ok(order);
    }
    // Every item left waits on another item left: following those reads must come back around.
    let left = |i: usize| waiting[i] > 0;
    let mut path: Vec<usize> = vec![(0..deps.len()).find(|&i| left(i)).unwrap_or(0)];
    loop {
        let last = path[path.len() - 1];
        let Some(&next) = deps[last].iter().find(|&&d| left(d)) else {
            return Err(path);
        };
        if let Some(at) = path.iter().position(|&p| p == next) {
            return Err(path.split_off(at));
        }
        path.push(next);
    }
}

fn cycle_problem(items: &[Item], cycle: &[usize]) -> Problem {
    let mut names: Vec<&str> = cycle.iter().map(|&i| items[i].name.as_str()).collect();
    names.push(names[0]);
    Problem {
        sheet: "survey".to_owned(),
        row: Some(items[cycle[0]].row),
        column: None,
        message: format!(
            "relevance, calculations, defaults and repeat counts depend on each other in a \
             cycle (each reads the next): {}",
            names.join(" -> ")
        ),
    }
}
