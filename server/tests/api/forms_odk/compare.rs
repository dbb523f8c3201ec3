//! One state of ODK's engine against the same state of Terreno's: relevance of every node (a
//! question, group or repeat instance), and for nodes both find relevant: whether a required
//! answer is missing, whether the constraint refuses the value, the value (numbers to 1e-9,
//! anything else, dates included, exactly), the choices a select offers; and every repeat's
//! instance count. A node one engine has and the other lacks is a `structure` difference.
//!
//! Differences Terreno makes on purpose are named by [`deliberate`], with the reason that
//! docs/forms.md gives.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Deserialize;
use terreno_shared::form::xlsform::{Form, Node, QuestionType};

use super::steps::State;

/// What ODK's engine reported for one state (see server/tests/odk_engine/run.mjs).
#[derive(Debug, Deserialize)]
pub struct OdkState {
    pub nodes: BTreeMap<String, OdkNode>,
    pub counts: BTreeMap<String, usize>,
    pub step_error: Option<String>,
}

/// One node: relevant, required and missing, constraint refused, value, offered choices.
#[derive(Debug, Deserialize)]
pub struct OdkNode {
    pub r: bool,
    pub q: Option<bool>,
    pub c: Option<bool>,
    pub v: Option<String>,
    pub o: Option<Vec<String>>,
}

/// What is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Relevance,
    Required,
    Constraint,
    Value,
    Choices,
    RepeatCount,
    /// A node only one engine has.
    Structure,
    /// ODK's engine refused a step Terreno's took.
    Step,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Kind::Relevance => "relevance",
            Kind::Required => "required",
            Kind::Constraint => "constraint",
            Kind::Value => "value",
            Kind::Choices => "choices",
            Kind::RepeatCount => "repeat count",
            Kind::Structure => "structure",
            Kind::Step => "step",
        };
        f.write_str(name)
    }
}

/// One difference: where, and what each engine said.
#[derive(Debug, Clone)]
pub struct Difference {
    pub kind: Kind,
    /// The step after which it was seen (0: before any answer).
    pub step: usize,
    pub path: String,
    pub odk: String,
    pub terreno: String,
}

/// What the comparison needs to know of the form's questions, by path without instance
/// indexes (`hh/q`).
pub struct Questions {
    /// Questions whose value is not compared, with why: device-recorded ones (ODK fills them
    /// from the device), and those computed from `uuid()` or `random()`.
    unchecked: BTreeSet<String>,
    /// Every question, group and repeat of the form (instance indexes left out).
    known: BTreeSet<String>,
    /// The calculations of questions that have one.
    calculations: BTreeMap<String, String>,
}

impl Questions {
    pub fn new(form: &Form) -> Questions {
        let mut questions = Questions {
            unchecked: BTreeSet::new(),
            known: BTreeSet::new(),
            calculations: BTreeMap::new(),
        };
        questions.add(&form.children, "");
        questions
    }

    fn add(&mut self, nodes: &[Node], prefix: &str) {
        for node in nodes {
            let path = format!("{prefix}{}", node.name());
            match node {
                Node::Question(q) => {
                    let random = |e: &Option<String>| {
                        e.as_deref()
                            .is_some_and(|e| e.contains("uuid(") || e.contains("random("))
                    };
                    let device = matches!(
                        q.kind,
                        QuestionType::Metadata { .. }
                            | QuestionType::Image
                            | QuestionType::Audio
                            | QuestionType::Video
                            | QuestionType::File
                    );
                    if device || random(&q.calculation) || random(&q.default) {
                        self.unchecked.insert(path.clone());
                    }
                    if let Some(calculation) = &q.calculation {
                        self.calculations.insert(path.clone(), calculation.clone());
                    }
                }
                Node::Group(g) => self.add(&g.children, &format!("{path}/")),
            }
            self.known.insert(path);
        }
    }
}

impl Questions {
    /// Whether `path` is a node pyxform adds that is no question of the form: `meta/instanceID`
    /// (and its group) where the form does not ask for it, `rep_count`, the calculation pyxform
    /// gives a repeat whose `repeat_count` is an expression, and the label notes of its
    /// `field-list` and `table-list` groups.
    fn added_by_pyxform(&self, path: &str) -> bool {
        let template = template(path);
        if self.known.contains(&template) {
            return false;
        }
        let last = template.rsplit('/').next().unwrap_or_default();
        template.starts_with("meta")
            || last.starts_with("reserved_name_for_field_list_labels_")
            || last.starts_with("generated_table_list_label_")
            || template
                .strip_suffix("_count")
                .is_some_and(|repeat| self.known.contains(repeat))
    }
}

/// The path without instance indexes: `hh[2]/kids[1]/age` is `hh/kids/age`.
pub fn template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut skipping = false;
    for c in path.chars() {
        match c {
            '[' => skipping = true,
            ']' => skipping = false,
            c if !skipping => out.push(c),
            _ => {}
        }
    }
    out
}

/// Compares ODK's and Terreno's states after `step`; adds what differs to `out` and returns the
/// number of values compared.
// Long: one pass over both states, node by node, each check depending on the relevance compared
// just before it; split, the counting and recording would be threaded through each part.
pub fn compare(
    questions: &Questions,
    step: usize,
    odk: &OdkState,
    terreno: &State,
    out: &mut Vec<Difference>,
) -> usize {
    let e = &terreno.evaluation;
    let mut compared = 0;
    let mut differ = |kind, path: &str, odk: String, terreno: String| {
        out.push(Difference {
            kind,
            step,
            path: path.to_owned(),
            odk,
            terreno,
        })
    };
    if let Some(refused) = &odk.step_error {
        differ(Kind::Step, "", refused.clone(), "accepted".to_owned());
    }
    let missing: BTreeSet<&str> = e.missing_required.iter().map(|i| i.path.as_str()).collect();
    let failed: BTreeSet<&str> = e
        .failed_constraints
        .iter()
        .map(|i| i.path.as_str())
        .collect();
    for (path, node) in &odk.nodes {
        let Some(&relevant) = e.relevant.get(path) else {
            if !questions.added_by_pyxform(path) {
                compared += 1;
                differ(Kind::Structure, path, "present".into(), "absent".into());
            }
            continue;
        };
        compared += 1;
        if node.r != relevant {
            differ(
                Kind::Relevance,
                path,
                node.r.to_string(),
                relevant.to_string(),
            );
            continue;
        }
        if !relevant {
            continue;
        }
        let mut check = |kind, odk: bool, terreno: bool| {
            compared += 1;
            if odk != terreno {
                differ(kind, path, odk.to_string(), terreno.to_string());
            }
        };
        if let Some(q) = node.q {
            check(Kind::Required, q, missing.contains(path.as_str()));
        }
        if let Some(c) = node.c {
            check(Kind::Constraint, c, failed.contains(path.as_str()));
        }
        if let (Some(v), false) = (&node.v, questions.unchecked.contains(&template(path))) {
            let own = e
                .calculated
                .get(path)
                .map(String::as_str)
                .or_else(|| terreno.answers.get(path))
                .unwrap_or("");
            compared += 1;
            if !same_value(v, own) {
                differ(Kind::Value, path, v.clone(), own.to_owned());
            }
        }
        if let (Some(offered), Some(own)) = (&node.o, e.choices.get(path)) {
            compared += 1;
            if offered != own {
                differ(Kind::Choices, path, offered.join(" "), own.join(" "));
            }
        }
    }
    for path in e.relevant.keys() {
        if !odk.nodes.contains_key(path) {
            compared += 1;
            differ(Kind::Structure, path, "absent".into(), "present".into());
        }
    }
    let repeats: BTreeSet<&String> = odk.counts.keys().chain(e.repeat_counts.keys()).collect();
    for path in repeats {
        compared += 1;
        let (a, b) = (odk.counts.get(path), e.repeat_counts.get(path));
        if a != b {
            let show = |n: Option<&usize>| n.map_or("absent".to_owned(), usize::to_string);
            differ(Kind::RepeatCount, path, show(a), show(b));
        }
    }
    compared
}

/// Equal texts, or numbers within 1e-9 (relative to their size past 1); geopoints, traces and
/// shapes (numbers separated by spaces and `;`) number by number, as ODK's engine writes
/// `1700.0` for an answered `1700`.
fn same_value(odk: &str, terreno: &str) -> bool {
    if odk == terreno {
        return true;
    }
    let numbers = |text: &str| -> Option<Vec<f64>> {
        text.split([' ', ';'])
            .filter(|w| !w.is_empty())
            .map(|w| w.parse::<f64>().ok().filter(|n| n.is_finite()))
            .collect()
    };
    match (numbers(odk), numbers(terreno)) {
        (Some(a), Some(b)) if !a.is_empty() && a.len() == b.len() => a
            .iter()
            .zip(&b)
            .all(|(a, b)| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)),
        _ => false,
    }
}

/// The reason Terreno differs from ODK's engine on purpose here (docs/forms.md, "Where the
/// runtime differs from ODK's engine"), or `None` for a difference to fix.
pub fn deliberate(questions: &Questions, d: &Difference) -> Option<&'static str> {
    let calculation = questions.calculations.get(&template(&d.path));
    let sums = calculation.is_some_and(|c| c.contains("sum("));
    match d.kind {
        Kind::Value if sums && d.odk.is_empty() && d.terreno == "0" => Some(
            "sum() of no nodes is 0, as XPath 1.0 and JavaRosa (ODK Collect) have it; ODK's \
             web engine makes it NaN, stored empty",
        ),
        _ => None,
    }
}
