//! The seeded answer sequence of one form, drawn from Terreno's form model and its evaluations:
//! the form is walked in order as a collector fills it, every relevant question with a widget
//! getting (most of the time) a value of its type — choices picked among those offered, repeats
//! without `repeat_count` given 0 to 3 instances — and then some earlier answers are changed or
//! cleared. Terreno's engine is re-evaluated after every step (incrementally, as the app does),
//! and each state is kept for the comparison with ODK's engine, which replays the same steps.

use serde::Serialize;
use terreno_shared::form::runtime::{Answers, Engine, Env, Evaluation};
use terreno_shared::form::xlsform::{Condition, Form, GroupKind, Metadata, Node, QuestionType};

use crate::forms_runtime::collector::Rng;

/// Values the harness gives ODK's device-recorded questions (its `preloadProperties`), which
/// Terreno's app records as answers.
pub const DEVICE_ID: &str = "collect:odkdiff0001";
pub const USERNAME: &str = "amina";
pub const EMAIL: &str = "amina@example.org";
pub const PHONE: &str = "+254712345678";

/// One step, as the node harness reads it: an answer (`""` clears it) or an open repeat's
/// instance count.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Step {
    Answer { path: String, value: String },
    Count { path: String, count: usize },
}

/// Terreno's side of one state: the answers and their evaluation.
pub struct State {
    pub answers: Answers,
    pub evaluation: Evaluation,
}

/// The steps of one fill, and Terreno's state before the first and after each.
pub struct Fill {
    pub steps: Vec<Step>,
    pub states: Vec<State>,
}

/// Fills `form` from `seed` with at most `max_steps` steps; `env` is Terreno's clock, which the
/// harness freezes ODK's at.
pub fn fill(form: &Form, engine: &Engine, env: &Env, seed: u64, max_steps: usize) -> Fill {
    let mut answers = Answers::new();
    preload(&form.children, "", env, &mut answers);
    let evaluation = engine.evaluate(&answers, env);
    let mut filler = Filler {
        engine,
        env,
        rng: Rng::new(seed),
        max_steps,
        answered: Vec::new(),
        fill: Fill {
            steps: Vec::new(),
            states: vec![State {
                answers,
                evaluation,
            }],
        },
    };
    filler.walk(&form.children, "");
    filler.revisit();
    filler.fill
}

/// Records the device-recorded values ODK preloads (the form's opening time, today, the
/// device's identity) as the app would, top-level only (they are not asked inside repeats).
fn preload(nodes: &[Node], prefix: &str, env: &Env, answers: &mut Answers) {
    for node in nodes {
        let Node::Question(q) = node else { continue };
        let QuestionType::Metadata { kind } = q.kind else {
            continue;
        };
        let value = match kind {
            // `end` is recorded when the form is finalized, after every step here.
            Metadata::Start => env.now.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string(),
            Metadata::Today => env.now.date_naive().to_string(),
            Metadata::DeviceId => DEVICE_ID.to_owned(),
            Metadata::Username => USERNAME.to_owned(),
            Metadata::Email => EMAIL.to_owned(),
            Metadata::PhoneNumber => PHONE.to_owned(),
            _ => continue,
        };
        answers.set(format!("{prefix}{}", q.name), value);
    }
}

struct Filler<'a> {
    engine: &'a Engine,
    env: &'a Env,
    rng: Rng,
    max_steps: usize,
    /// Paths answered so far, with the question, for `revisit`.
    answered: Vec<(String, &'a QuestionType)>,
    fill: Fill,
}

impl<'a> Filler<'a> {
    fn full(&self) -> bool {
        self.fill.steps.len() >= self.max_steps
    }

    fn current(&self) -> &State {
        self.fill
            .states
            .last()
            .expect("the state before the first step")
    }

    fn is_relevant(&self, path: &str) -> bool {
        let e = &self.current().evaluation;
        e.relevant.get(path).copied().unwrap_or(false)
    }

    fn walk(&mut self, nodes: &'a [Node], prefix: &str) {
        for node in nodes {
            if self.full() {
                return;
            }
            let path = format!("{prefix}{}", node.name());
            match node {
                Node::Question(q) => {
                    let asked = self.is_relevant(&path)
                        && (q.calculation.is_none() || q.trigger.is_some())
                        && q.read_only != Condition::Always;
                    // Most relevant questions are answered; some are left for later or never.
                    if asked && self.rng.below(10) < 8 {
                        self.answer(&path, &q.kind);
                    }
                }
                Node::Group(g) => match &g.kind {
                    GroupKind::Group if self.is_relevant(&path) => {
                        self.walk(&g.children, &format!("{path}/"));
                    }
                    GroupKind::Group => {}
                    GroupKind::Repeat { count } => {
                        if count.is_none() {
                            let count = self.rng.below(4);
                            self.step(Step::Count {
                                path: path.clone(),
                                count,
                            });
                        }
                        let counts = &self.current().evaluation.repeat_counts;
                        let n = counts.get(&path).copied().unwrap_or(0);
                        for i in 1..=n {
                            let instance = format!("{path}[{i}]");
                            if self.is_relevant(&instance) {
                                self.walk(&g.children, &format!("{instance}/"));
                            }
                        }
                    }
                },
            }
        }
    }

    /// Changes or clears some answers given in the walk, as a collector going back does.
    fn revisit(&mut self) {
        let extra = self.answered.len() / 4;
        for _ in 0..extra {
            if self.full() || self.answered.is_empty() {
                return;
            }
            let (path, kind) = self.answered[self.rng.below(self.answered.len())].clone();
            if !self.is_relevant(&path) {
                continue;
            }
            if self.rng.below(3) == 0 {
                self.step(Step::Answer {
                    path,
                    value: String::new(),
                });
            } else {
                self.answer(&path, kind);
            }
        }
    }

    fn answer(&mut self, path: &str, kind: &'a QuestionType) {
        if let Some(value) = self.value(path, kind) {
            self.answered.push((path.to_owned(), kind));
            self.step(Step::Answer {
                path: path.to_owned(),
                value,
            });
        }
    }

    /// Applies `step` to Terreno's answers and keeps the new state.
    fn step(&mut self, step: Step) {
        let previous = self.current();
        let mut answers = previous.answers.clone();
        let changed = match &step {
            Step::Answer { path, value } => {
                answers.set(path.clone(), value.clone());
                path
            }
            Step::Count { path, count } => {
                answers.set_instances(path.clone(), *count);
                path
            }
        };
        let evaluation = self
            .engine
            .update(&previous.evaluation, &answers, changed, self.env);
        self.fill.steps.push(step);
        self.fill.states.push(State {
            answers,
            evaluation,
        });
    }

    /// A value of the question's type, or `None` for one this test does not answer (uploads,
    /// which ODK's engine takes as files; computed and device-recorded ones; a select with
    /// nothing offered).
    fn value(&mut self, path: &str, kind: &QuestionType) -> Option<String> {
        let rng = &mut self.rng;
        Some(match kind {
            QuestionType::Text | QuestionType::Barcode => TEXTS[rng.below(TEXTS.len())].to_owned(),
            QuestionType::Integer => number(rng).to_string(),
            QuestionType::Decimal => format!("{}.{}", number(rng), rng.below(10)),
            QuestionType::Range => (1 + rng.below(10)).to_string(),
            QuestionType::Date => date(rng),
            QuestionType::Time => {
                format!("{:02}:{:02}:00.000+03:00", 6 + rng.below(12), rng.below(60))
            }
            QuestionType::DateTime => format!("{}T09:15:00.000+03:00", date(rng)),
            QuestionType::Geopoint => point(rng),
            QuestionType::Geotrace => format!("{};{}", point(rng), point(rng)),
            QuestionType::Geoshape => {
                let first = point(rng);
                format!("{first};{};{};{first}", point(rng), point(rng))
            }
            QuestionType::Acknowledge => "OK".to_owned(),
            QuestionType::SelectOne { .. } | QuestionType::SelectOneExternal { .. } => {
                let offered = self.current().evaluation.choices.get(path)?.clone();
                offered.get(self.rng.below(offered.len().max(1)))?.clone()
            }
            QuestionType::SelectMultiple { .. } | QuestionType::Rank { .. } => {
                let offered = self.current().evaluation.choices.get(path)?.clone();
                let keep: Vec<String> = offered
                    .iter()
                    .filter(|_| self.rng.below(2) == 0)
                    .cloned()
                    .collect();
                let keep = if keep.is_empty() { offered } else { keep };
                keep.first()?;
                keep.join(" ")
            }
            _ => return None,
        })
    }
}

/// Text answers: capitalised and not, short and long (constraints test both).
const TEXTS: &[&str] = &[
    "Amina Hassan",
    "kibera",
    "0712345678",
    "ok",
    "Seven",
    "wanjiru w",
];

/// A count or amount: mostly small, sometimes at the edges constraints ask about.
fn number(rng: &mut Rng) -> usize {
    match rng.below(8) {
        0 => 0,
        1 => 20 + rng.below(81),
        2 => 7,
        _ => rng.below(10),
    }
}

/// A day within a year either side of the test's 2024-05-20.
fn date(rng: &mut Rng) -> String {
    let day = chrono::NaiveDate::from_ymd_opt(2024, 5, 20).expect("a date")
        + chrono::TimeDelta::days(rng.below(730) as i64 - 365);
    day.to_string()
}

/// A fix around Nairobi: "lat lon altitude accuracy".
fn point(rng: &mut Rng) -> String {
    format!(
        "-1.{:04} 36.{:04} 1700 {}",
        2800 + rng.below(200),
        8100 + rng.below(200),
        3 + rng.below(8)
    )
}
