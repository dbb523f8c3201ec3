//! The visit questionnaire on the device: the organization's XLSForm, pulled as form versions
//! (`store::forms`), compiled once per version, and evaluated for a visit's answers, each
//! evaluation after the first updated incrementally from the previous one (`Engine::update`
//! redoes only what reads the answers that changed). The version a visit is filled with is
//! fixed when the visit starts; a newer one arriving mid-visit does not switch it.
//!
//! Must not decide anything the form does not say: relevance, required answers and constraints
//! are the shared engine's, so the server re-checks a submission with the very same rules. A
//! version's data files (CSV, XML, GeoJSON, downloaded by the sync) are its lookup tables.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use rusqlite::Connection;
use serde_json::Value;
use terreno_shared::api::v1::forms::FormVersion;
use terreno_shared::api::v1::views::AccountView;
use terreno_shared::form::media::{self, MediaKind, MediaTables};
use terreno_shared::form::runtime::{Answers, Engine, Env, Evaluation, answer_text};
use terreno_shared::form::xlsform::{Form, GroupKind, Metadata, Node, QuestionType};
use terreno_shared::model::money::{Currency, Money};

use crate::blobs::Blobs;
use crate::core::lock;
use crate::error::{Error, Result};
use crate::store::device::DeviceRow;
use crate::store::forms;
use crate::store::visits::{FieldRow, VisitRow};

/// The question the device fills with the account's balance when a visit starts.
pub const BALANCE: &str = "balance";

/// Evaluations kept for incremental updates: the visits a collector has open at once.
const MAX_LIVE: usize = 16;
/// Beyond this many changed answers one full evaluation costs less than updates one by one.
const MAX_STEPS: usize = 8;

/// A form version and its compiled engine.
#[derive(Debug)]
pub struct Compiled {
    /// The version as pulled.
    pub version: FormVersion,
    /// Its engine, with the version's lookup tables the device holds.
    pub engine: Engine,
    /// How many of the version's data files the engine has (a previous evaluation made with
    /// fewer is not continued).
    tables: usize,
}

/// Compiled form versions and the latest evaluation of each visit recently filled.
#[derive(Default)]
pub(crate) struct Forms {
    compiled: Mutex<HashMap<String, Arc<Compiled>>>,
    live: Mutex<HashMap<String, Live>>,
    /// Where the versions' media files are kept; `None` (tests without lookups) compiles
    /// without them.
    blobs: Option<Arc<Blobs>>,
}

struct Live {
    form: String,
    tables: usize,
    env: Env,
    answers: Answers,
    evaluation: Evaluation,
}

impl Forms {
    /// Compiles versions with the media files kept in `blobs`.
    pub(crate) fn with_blobs(blobs: Arc<Blobs>) -> Forms {
        Forms {
            blobs: Some(blobs),
            ..Forms::default()
        }
    }

    /// Form version `id`, compiled on first use (kept once all its data files are here: the
    /// sync downloads them after the version, and a version compiled in between is compiled
    /// again with them).
    pub(crate) fn get(&self, conn: &Connection, id: &str) -> Result<Arc<Compiled>> {
        if let Some(c) = lock(&self.compiled).get(id) {
            return Ok(Arc::clone(c));
        }
        let version = forms::find(conn, id)?.ok_or_else(|| {
            Error::NotFound(format!(
                "form version {id} is not on this device: sync first"
            ))
        })?;
        let engine = Engine::new(&version.definition).map_err(|problems| {
            let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
            Error::corrupt(format!("compiling form {id}"), problems.join("; "))
        })?;
        let (media, complete) = self.media(&version);
        let compiled = Arc::new(Compiled {
            tables: media.len(),
            engine: engine.with_media(media),
            version,
        });
        if complete {
            lock(&self.compiled).insert(id.to_owned(), Arc::clone(&compiled));
        }
        Ok(compiled)
    }

    /// The lookup tables of the version's data files the device holds, and whether it holds
    /// them all. A file that does not read (the server checked it) is left out for good.
    fn media(&self, version: &FormVersion) -> (MediaTables, bool) {
        let mut tables = MediaTables::new();
        let Some(blobs) = &self.blobs else {
            return (tables, true);
        };
        let mut complete = true;
        let data = version
            .media
            .iter()
            .filter(|f| MediaKind::of(&f.name).is_some_and(MediaKind::is_data));
        for file in data {
            if !blobs.has(&file.sha256) {
                complete = false;
                continue;
            }
            let table = blobs.get(&file.sha256).ok().and_then(|bytes| {
                media::parse_table(&file.name, &bytes)
                    .inspect_err(
                        |e| tracing::warn!(error = %e, "a form's media file does not read"),
                    )
                    .ok()
            });
            if let Some(table) = table {
                tables.insert(table);
            }
        }
        (tables, complete)
    }

    /// The version new visits are filled with, when the device has it.
    pub(crate) fn current(&self, conn: &Connection) -> Result<Option<Arc<Compiled>>> {
        let Some(id) = forms::find_visit_form(conn)? else {
            return Ok(None);
        };
        match self.get(conn, &id) {
            Ok(compiled) => Ok(Some(compiled)),
            // Named before its version arrived (or kept aside): as if there were none yet.
            Err(Error::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The version `visit` is filled with: the one it started with, else (not started yet) the
    /// current visit form.
    pub(crate) fn for_visit(
        &self,
        conn: &Connection,
        visit: Option<&VisitRow>,
    ) -> Result<Arc<Compiled>> {
        match visit.and_then(|v| v.form.as_deref()) {
            Some(id) => self.get(conn, id),
            None => self.current(conn)?.ok_or_else(no_visit_form),
        }
    }

    /// Evaluates `answers` for `visit`: an update of the visit's previous evaluation when only
    /// a few answers changed since and the form and `env` are the same, else a full one.
    pub(crate) fn evaluate(
        &self,
        form: &Compiled,
        visit: &str,
        answers: &Answers,
        env: &Env,
    ) -> Evaluation {
        let mut live = lock(&self.live);
        let previous = live.remove(visit).filter(|l| {
            l.form == form.version.id.to_string() && l.tables == form.tables && l.env == *env
        });
        let evaluation = match previous {
            Some(l) => match changed_paths(&l.answers, answers) {
                Some(changed) => {
                    let mut now = l.answers;
                    let mut e = l.evaluation;
                    for path in changed {
                        match answers.get(&path) {
                            Some(text) => now.set(path.clone(), text),
                            None => {
                                now.remove(&path);
                            }
                        }
                        e = form.engine.update(&e, &now, &path, env);
                    }
                    e
                }
                None => form.engine.evaluate(answers, env),
            },
            None => form.engine.evaluate(answers, env),
        };
        if live.len() >= MAX_LIVE {
            live.clear();
        }
        live.insert(
            visit.to_owned(),
            Live {
                form: form.version.id.to_string(),
                tables: form.tables,
                env: env.clone(),
                answers: answers.clone(),
                evaluation: evaluation.clone(),
            },
        );
        evaluation
    }

    /// Drops a finished visit's evaluation.
    pub(crate) fn forget(&self, visit: &str) {
        lock(&self.live).remove(visit);
    }
}

/// The refusal of a device that never received a visit form.
pub(crate) fn no_visit_form() -> Error {
    Error::NotFound(
        "this device has no visit form yet: sync first to receive the organization's \
         questionnaire"
            .to_owned(),
    )
}

/// The paths whose answers differ, or `None` when so many differ that updating one by one
/// would cost more than evaluating afresh.
fn changed_paths(before: &Answers, after: &Answers) -> Option<Vec<String>> {
    let mut changed: Vec<String> = after
        .iter()
        .filter(|(p, t)| before.get(p) != Some(t))
        .map(|(p, _)| p.to_owned())
        .collect();
    changed.extend(
        before
            .iter()
            .filter(|(p, _)| after.get(p).is_none())
            .map(|(p, _)| p.to_owned()),
    );
    (changed.len() <= MAX_STEPS).then_some(changed)
}

/// What the form's expressions see besides the answers: `now` in the organization's zone (so
/// `today()` is its date, as on the server), the visit id for `uuid()`, the form's default
/// language (Spanish for the shipped form).
pub(crate) fn env(now: DateTime<Utc>, zone: chrono_tz::Tz, visit: &str) -> Env {
    Env {
        now: now.with_timezone(&zone).fixed_offset(),
        uuid: visit.to_owned(),
        language: None,
    }
}

/// [`env`] at the minute: evaluations while the collector types share it, so each answer is an
/// incremental update rather than a fresh evaluation because the clock moved.
pub(crate) fn live_env(now: DateTime<Utc>, zone: chrono_tz::Tz, visit: &str) -> Env {
    let minute = now.duration_trunc(TimeDelta::minutes(1)).unwrap_or(now);
    env(minute, zone, visit)
}

/// A visit's stored answers as the engine reads them, by the rule the server reads a
/// submission's with ([`answer_text`]: a cleared answer is `""`, so a default does not come
/// back; a file is its attachment id).
pub(crate) fn answers_of(fields: &[FieldRow]) -> Answers {
    fields
        .iter()
        .map(|f| (f.field.as_str(), answer_text(&f.value)))
        .collect()
}

/// The answers the device gives when a visit starts on `form`: the account's balance in major
/// units (`1500000.00`), when the form has a top-level `balance` question and the visit has no
/// balance yet (a supervisor correcting a collector's visit keeps the balance it started with);
/// and the XLSForm metadata a device records by itself, as ODK Collect does, for the questions
/// the form has and the visit has not recorded yet: `start` and `today` (now, on the
/// organization's clock), `deviceid` (`terreno:` and the device id) and `username`. Metadata a
/// phone app cannot know (`phonenumber`, `simserial`, `email`, ...) stays empty.
pub(crate) fn prefills(
    form: &Compiled,
    account: &AccountView,
    answers: &Answers,
    me: &DeviceRow,
    now: DateTime<Utc>,
) -> Result<Vec<(String, Value)>> {
    let mut out = Vec::new();
    let has_balance = crate::visit::typed::question_at(&form.version.definition, BALANCE).is_ok();
    if has_balance && answers.get(BALANCE).is_none() {
        let currency = Currency::parse(&account.currency)
            .map_err(|e| Error::corrupt("reading the account's currency", e))?;
        let balance = Money::from_minor(account.balance_minor, currency).to_string();
        let amount = balance.split_once(' ').map_or(balance.as_str(), |(a, _)| a);
        out.push((BALANCE.to_owned(), Value::String(amount.to_owned())));
    }
    let local = now.with_timezone(&zone_of(me, now));
    for (path, kind) in metadata(&form.version.definition) {
        if answers.get(&path).is_some() {
            continue;
        }
        let value = match kind {
            Metadata::Start => date_time(local),
            Metadata::Today => local.date_naive().to_string(),
            Metadata::DeviceId => format!("terreno:{}", me.device_id),
            Metadata::Username => me.username.clone(),
            _ => continue,
        };
        out.push((path, Value::String(value)));
    }
    Ok(out)
}

/// The `end` metadata of `form` stamped at `now` (the moment the visit is completed), to add to
/// the answers submitted; ODK records it when the form is finalized.
pub(crate) fn end_stamps(
    form: &Compiled,
    me: &DeviceRow,
    now: DateTime<Utc>,
) -> Vec<(String, String)> {
    let local = now.with_timezone(&zone_of(me, now));
    metadata(&form.version.definition)
        .into_iter()
        .filter(|(_, kind)| *kind == Metadata::End)
        .map(|(path, _)| (path, date_time(local)))
        .collect()
}

fn zone_of(me: &DeviceRow, now: DateTime<Utc>) -> chrono_tz::Tz {
    crate::visit::target::Rules::from_settings(me.settings.as_ref(), now).zone
}

/// A dateTime as XForms writes it (`2026-12-06T10:30:00.000-05:00`).
fn date_time(local: DateTime<chrono_tz::Tz>) -> String {
    local.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
}

/// The metadata questions of `form` outside repeats, with their answer paths.
fn metadata(form: &Form) -> Vec<(String, Metadata)> {
    fn walk(nodes: &[Node], prefix: &str, out: &mut Vec<(String, Metadata)>) {
        for node in nodes {
            match node {
                Node::Question(q) => {
                    if let QuestionType::Metadata { kind } = q.kind {
                        out.push((format!("{prefix}{}", q.name), kind));
                    }
                }
                Node::Group(g) if g.kind == GroupKind::Group => {
                    walk(&g.children, &format!("{prefix}{}/", g.name), out);
                }
                Node::Group(_) => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&form.children, "", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    #[test]
    fn the_device_reads_stored_answers_as_the_server_reads_submitted_ones() {
        // Every kind of JSON value an answer may hold; the server reads a submission's answers
        // with `Answers::from_json` (as server/src/forms/completion.rs does).
        let values: BTreeMap<String, Value> = serde_json::from_value(json!({
            "text": "x", "number": 12.5, "yes": true, "many": ["a", "b"], "cleared": null,
            "photo": {"attachment_id": "0193a0b0-0000-7000-8000-000000000001", "role": "photo"},
            "odd": {"x": 1},
        }))
        .expect("answers");
        let stored: Vec<FieldRow> = values
            .iter()
            .map(|(field, value)| FieldRow {
                field: field.clone(),
                value: value.clone(),
                hlc: 1,
            })
            .collect();

        assert_eq!(answers_of(&stored), Answers::from_json(&values));
        assert_eq!(answers_of(&stored).get("many"), Some("a b"));
        assert_eq!(answers_of(&stored).get("cleared"), Some(""));
    }
}
