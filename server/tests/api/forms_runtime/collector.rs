//! A seeded, deterministic collector: walks a form in order the way a person fills it in on the
//! device, giving every relevant question it can answer a value of its type, adding 0 to 3
//! instances to repeats without a `repeat_count`, and re-evaluating incrementally after each
//! answer as the app does. Each incremental result is compared with a full evaluation.
//!
//! Like a person whose answer the form refuses, it tries another value when its first one fails
//! a constraint (its own, or a check elsewhere the answer broke), up to a few tries.

use terreno_shared::form::runtime::{Answers, Engine, Env, Evaluation};
use terreno_shared::form::xlsform::{
    Condition, Form, GroupKind, Metadata, Node, Question, QuestionType,
};

/// Values tried per question before keeping the least bad one.
const TRIES: usize = 8;

/// A small deterministic generator (SplitMix64): the same seed fills a form the same way.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// What one fill did, for the checks.
pub struct Filled {
    pub answers: Answers,
    pub evaluation: Evaluation,
    /// Incremental updates that differed from a full evaluation: the path changed, and why.
    pub mismatches: Vec<String>,
    /// Answers given (instance counts included).
    pub steps: usize,
}

/// Fills `form` with answers drawn from `seed`.
pub fn fill(form: &Form, engine: &Engine, env: &Env, seed: u64) -> Filled {
    let answers = Answers::new();
    let evaluation = engine.evaluate(&answers, env);
    let mut collector = Collector {
        engine,
        env,
        rng: Rng::new(seed),
        answers,
        evaluation,
        mismatches: Vec::new(),
        steps: 0,
    };
    collector.walk(&form.children, "");
    Filled {
        answers: collector.answers,
        evaluation: collector.evaluation,
        mismatches: collector.mismatches,
        steps: collector.steps,
    }
}

struct Collector<'a> {
    engine: &'a Engine,
    env: &'a Env,
    rng: Rng,
    answers: Answers,
    evaluation: Evaluation,
    mismatches: Vec<String>,
    steps: usize,
}

impl Collector<'_> {
    fn walk(&mut self, nodes: &[Node], prefix: &str) {
        for node in nodes {
            let path = format!("{prefix}{}", node.name());
            match node {
                Node::Question(q) => self.answer(q, &path),
                Node::Group(g) => match &g.kind {
                    GroupKind::Group => {
                        if self.is_relevant(&path) {
                            self.walk(&g.children, &format!("{path}/"));
                        }
                    }
                    GroupKind::Repeat { count } => {
                        if count.is_none() {
                            let n = self.rng.below(4);
                            self.answers.set_instances(path.clone(), n);
                            self.changed(&path);
                        }
                        let n = self.evaluation.repeat_counts.get(&path).copied();
                        for i in 1..=n.unwrap_or(0) {
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

    fn is_relevant(&self, path: &str) -> bool {
        self.evaluation.relevant.get(path).copied().unwrap_or(false)
    }

    /// Answers `q` at `path` when a collector would: relevant, with a widget, not computed,
    /// not read-only. A default the form's own constraint accepts is kept, as a person keeps
    /// what the widget shows.
    fn answer(&mut self, q: &Question, path: &str) {
        let failures = |e: &Evaluation| e.failed_constraints.len();
        let refused = |e: &Evaluation| e.failed_constraints.iter().any(|i| i.path == path);
        let kept_default = q.default.is_some() && !refused(&self.evaluation);
        if !self.is_relevant(path)
            || q.calculation.is_some()
            || kept_default
            || q.read_only == Condition::Always
        {
            return;
        }
        let before = failures(&self.evaluation);
        let mut best: Option<(usize, String)> = None;
        for attempt in 0..TRIES {
            let Some(value) = self.value(q, path, attempt) else {
                return;
            };
            self.answers.set(path, value.clone());
            self.changed(path);
            let now = failures(&self.evaluation);
            if !refused(&self.evaluation) && now <= before {
                return;
            }
            if best.as_ref().is_none_or(|(n, _)| now < *n) {
                best = Some((now, value));
            }
        }
        if let Some((_, value)) = best {
            self.answers.set(path, value);
            self.changed(path);
        }
    }

    /// Re-evaluates after a change at `path`, checking the update against a full evaluation.
    fn changed(&mut self, path: &str) {
        let updated = self
            .engine
            .update(&self.evaluation, &self.answers, path, self.env);
        let full = self.engine.evaluate(&self.answers, self.env);
        if updated != full {
            self.mismatches.push(format!(
                "after {path} = {:?}: {}",
                self.answers.get(path),
                first_difference(&updated, &full)
            ));
        }
        self.evaluation = full;
        self.steps += 1;
    }

    /// A value of `q`'s type for the `attempt`-th try (later tries reach further), or `None`
    /// for a question nobody answers (notes, hidden values) or a select with nothing to pick.
    fn value(&mut self, q: &Question, path: &str, attempt: usize) -> Option<String> {
        let rng = &mut self.rng;
        Some(match &q.kind {
            // A random text first, then each of them in turn.
            QuestionType::Text => match attempt {
                0 => TEXTS[rng.below(TEXTS.len())].to_owned(),
                n => TEXTS[(n - 1) % TEXTS.len()].to_owned(),
            },
            QuestionType::Integer => number(rng, attempt).to_string(),
            QuestionType::Decimal => match number(rng, attempt) {
                0 => "0".to_owned(),
                n => format!("{}.{}", n - 1, 1 + rng.below(9)),
            },
            QuestionType::Range => range(q, rng),
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
            QuestionType::Image => "1716186600000.jpg".to_owned(),
            QuestionType::Audio => "1716186600000.m4a".to_owned(),
            QuestionType::Video => "1716186600000.mp4".to_owned(),
            QuestionType::File => "attachment.pdf".to_owned(),
            QuestionType::Barcode => "9780201379624".to_owned(),
            QuestionType::Acknowledge => "OK".to_owned(),
            QuestionType::SelectOne { .. } | QuestionType::SelectOneExternal { .. } => {
                let offered = self.evaluation.choices.get(path)?;
                offered.get(rng.below(offered.len().max(1)))?.clone()
            }
            QuestionType::SelectMultiple { .. } | QuestionType::Rank { .. } => {
                let offered = self.evaluation.choices.get(path)?.clone();
                let keep: Vec<String> = offered
                    .iter()
                    .filter(|_| rng.below(2) == 0)
                    .cloned()
                    .collect();
                let keep = if keep.is_empty() { offered } else { keep };
                keep.first()?;
                keep.join(" ")
            }
            // The attached file is not part of the form: any row name of it is an answer.
            QuestionType::SelectOneFromFile { .. }
            | QuestionType::SelectMultipleFromFile { .. } => (1 + rng.below(5)).to_string(),
            QuestionType::Metadata { kind } => metadata(*kind, rng),
            QuestionType::Note
            | QuestionType::Calculate
            | QuestionType::Hidden
            | QuestionType::ExternalInstance { .. }
            | QuestionType::Osm { .. } => return None,
        })
    }
}

/// Text answers: names, a place, a 10-digit phone number, short words.
const TEXTS: &[&str] = &[
    "Amina Hassan",
    "Kibera",
    "0712345678",
    "ok",
    "seven",
    "Wanjiru",
];

/// A count or amount: mostly small, as people's answers are, but later tries go to the edges a
/// constraint may ask for (nothing, one, dozens, hundreds).
fn number(rng: &mut Rng, attempt: usize) -> usize {
    match attempt % 8 {
        1 => rng.below(4),
        2 => 20 + rng.below(81),
        3 => 0,
        4 => 100 + rng.below(900),
        5 => 1,
        _ => rng.below(21),
    }
}

/// A day within a year either side of `env()`'s 2024-05-20 (forms ask for past and future).
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

/// A value on a `range` question's scale (`parameters` start/end/step, 1 to 10 by default).
fn range(q: &Question, rng: &mut Rng) -> String {
    let param = |k: &str, d: f64| {
        q.parameters
            .get(k)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(d)
    };
    let (start, end, step) = (param("start", 1.0), param("end", 10.0), param("step", 1.0));
    let steps = ((end - start) / step).abs().floor() as usize;
    let value = start + step.copysign(end - start) * rng.below(steps + 1) as f64;
    value.to_string()
}

fn metadata(kind: Metadata, rng: &mut Rng) -> String {
    match kind {
        Metadata::Start | Metadata::End => "2024-05-20T09:30:00.000+03:00".to_owned(),
        Metadata::Today => "2024-05-20".to_owned(),
        Metadata::DeviceId => "collect:8f3b2c1d9e7a6f50".to_owned(),
        Metadata::SubscriberId | Metadata::SimSerial => "639070123456789".to_owned(),
        Metadata::PhoneNumber => "+254712345678".to_owned(),
        Metadata::Username => "amina".to_owned(),
        Metadata::Email => "amina@example.org".to_owned(),
        Metadata::Audit => "audit.csv".to_owned(),
        Metadata::StartGeopoint | Metadata::BackgroundGeopoint => point(rng),
        Metadata::BackgroundAudio => "background.m4a".to_owned(),
    }
}

/// Where two evaluations first differ, in a few words.
fn first_difference(a: &Evaluation, b: &Evaluation) -> String {
    let short = |s: String| s.chars().take(600).collect::<String>();
    let field = |name: &str, x: String, y: String| {
        (x != y).then(|| format!("{name}: {} vs {}", short(x), short(y)))
    };
    [
        field(
            "relevant",
            format!("{:?}", a.relevant),
            format!("{:?}", b.relevant),
        ),
        field(
            "missing",
            format!("{:?}", a.missing_required),
            format!("{:?}", b.missing_required),
        ),
        field(
            "constraints",
            format!("{:?}", a.failed_constraints),
            format!("{:?}", b.failed_constraints),
        ),
        field(
            "calculated",
            format!("{:?}", a.calculated),
            format!("{:?}", b.calculated),
        ),
        field(
            "choices",
            format!("{:?}", a.choices),
            format!("{:?}", b.choices),
        ),
        field(
            "counts",
            format!("{:?}", a.repeat_counts),
            format!("{:?}", b.repeat_counts),
        ),
        field(
            "errors",
            format!("{:?}", a.errors),
            format!("{:?}", b.errors),
        ),
    ]
    .into_iter()
    .flatten()
    .next()
    .unwrap_or_else(|| "internal state only".to_owned())
}
