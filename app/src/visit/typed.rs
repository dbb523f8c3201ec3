//! Typed text to answers: the question an answer path names in the visit's form, and what the
//! collector typed (`FIELD=VALUE` on the command line, a widget's text in the app) read by that
//! question's type into the text XLSForm answers hold (dates `YYYY-MM-DD`, select_multiple
//! choices separated by spaces, geopoints `lat lon alt acc`).
//!
//! Must not touch the store or read files: a file question's path is only checked to name a
//! file; the caller stores and attaches it.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, NaiveTime};
use terreno_shared::form::xlsform::{Condition, Form, Node, Question, QuestionType};
use terreno_shared::sync::payload::AttachmentRole;

/// Longest text answer, in characters.
const MAX_TEXT: usize = 1_000;

/// A typed answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Typed {
    /// The answer's text; empty clears the answer.
    Text(String),
    /// A file to attach, and its role.
    File(PathBuf, AttachmentRole),
}

/// The question at `path` (`q`, `group/q`, `repeat[2]/q`): every repeat on the way needs its
/// instance index, nothing else may have one.
pub(crate) fn question_at<'f>(form: &'f Form, path: &str) -> Result<&'f Question, String> {
    let not_found = || format!("{path:?} is not a question of the visit form");
    let mut children = &form.children;
    let mut segments = path.split('/').peekable();
    while let Some(segment) = segments.next() {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, Some(rest)),
            None => (segment, None),
        };
        let node = children
            .iter()
            .find(|n| n.name() == name)
            .ok_or_else(not_found)?;
        match (node, segments.peek().is_some()) {
            (Node::Question(q), false) if index.is_none() => return Ok(q),
            (Node::Group(g), true) => {
                let repeats = matches!(
                    g.kind,
                    terreno_shared::form::xlsform::GroupKind::Repeat { .. }
                );
                let index_ok = index
                    .and_then(|i| i.strip_suffix(']'))
                    .and_then(|i| i.parse::<usize>().ok())
                    .is_some_and(|i| i >= 1);
                if repeats && !index_ok {
                    return Err(format!(
                        "{path:?}: {name} repeats, name the instance ({name}[1]/...)"
                    ));
                }
                if !repeats && index.is_some() {
                    return Err(format!("{path:?}: {name} does not repeat"));
                }
                children = &g.children;
            }
            _ => return Err(not_found()),
        }
    }
    Err(not_found())
}

/// Reads `text` as an answer to `q` of `form`; the reason when it is not one.
// Long: one short arm per question type.
pub(crate) fn parse(form: &Form, q: &Question, text: &str) -> Result<Typed, String> {
    if let Some(why) = unanswerable(q) {
        return Err(why);
    }
    let text = text.trim();
    if text.is_empty() {
        return Ok(Typed::Text(String::new()));
    }
    let choices = |list: &str, external: bool| {
        let lists = if external {
            &form.external_choices
        } else {
            &form.choices
        };
        lists
            .get(list)
            .map(|c| c.iter().map(|c| c.name.clone()).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let text = match &q.kind {
        QuestionType::Text | QuestionType::Barcode => plain_text(text)?,
        QuestionType::Integer => integer(text)?,
        QuestionType::Decimal => decimal(text)?,
        QuestionType::Range => range(q, text)?,
        QuestionType::Date => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(|d| d.to_string())
            .map_err(|_| format!("{text:?} is not a date like 2026-12-05"))?,
        QuestionType::Time => NaiveTime::parse_from_str(text, "%H:%M:%S")
            .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M"))
            .map(|t| t.format("%H:%M:%S").to_string())
            .map_err(|_| format!("{text:?} is not a time like 14:30"))?,
        QuestionType::DateTime => DateTime::parse_from_rfc3339(text)
            .map(|t| t.to_rfc3339())
            .map_err(|_| {
                format!("{text:?} is not a date and time like 2026-12-05T14:30:00-05:00")
            })?,
        QuestionType::Geopoint => geopoint(text)?,
        QuestionType::Geotrace => geopoints(text, 2)?,
        QuestionType::Geoshape => geopoints(text, 3)?,
        QuestionType::Acknowledge if text.eq_ignore_ascii_case("ok") => "OK".to_owned(),
        QuestionType::Acknowledge => return Err(format!("{text:?}: acknowledge with OK")),
        QuestionType::SelectOne { list, or_other } => {
            one_of(text, &with_other(choices(list, false), *or_other))?
        }
        QuestionType::SelectOneExternal { list } => one_of(text, &choices(list, true))?,
        QuestionType::SelectMultiple { list, or_other } => {
            several_of(text, &with_other(choices(list, false), *or_other))?
        }
        QuestionType::Rank { list } => several_of(text, &choices(list, false))?,
        // The file of choices is not on the device: any single choice name is taken.
        QuestionType::SelectOneFromFile { .. } if !text.contains(char::is_whitespace) => {
            text.to_owned()
        }
        QuestionType::SelectOneFromFile { .. } => {
            return Err(format!("{text:?} is not one choice name"));
        }
        QuestionType::SelectMultipleFromFile { .. } => {
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        }
        QuestionType::Image | QuestionType::Audio | QuestionType::Video | QuestionType::File => {
            return file(q, text);
        }
        QuestionType::Note
        | QuestionType::Calculate
        | QuestionType::Hidden
        | QuestionType::ExternalInstance { .. }
        | QuestionType::Osm { .. }
        | QuestionType::Metadata { .. } => return Err("cannot be answered".to_owned()),
    };
    Ok(Typed::Text(text))
}

/// Why the collector cannot answer `q`, if so: the form fills it, or it only shows something.
fn unanswerable(q: &Question) -> Option<String> {
    let what = match &q.kind {
        QuestionType::Note => "is a note",
        QuestionType::Calculate => "is calculated by the form",
        QuestionType::Hidden => "is hidden (filled by the device or the form)",
        QuestionType::Metadata { .. } => "is filled by the device",
        QuestionType::ExternalInstance { .. } | QuestionType::Osm { .. } => {
            "is not supported on this device"
        }
        _ if q.calculation.is_some() && q.trigger.is_none() => "is calculated by the form",
        _ if q.read_only == Condition::Always => "is read-only",
        _ => return None,
    };
    Some(format!("cannot be answered: it {what}"))
}

fn plain_text(text: &str) -> Result<String, String> {
    if text.chars().count() > MAX_TEXT || text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(format!("must be at most {MAX_TEXT} printable characters"));
    }
    Ok(text.to_owned())
}

fn integer(text: &str) -> Result<String, String> {
    text.parse::<i64>()
        .map(|i| i.to_string())
        .map_err(|_| format!("{text:?} is not a whole number like 3"))
}

/// A plain decimal (`-12`, `150000.50`), kept as written so amounts keep their decimals.
fn decimal(text: &str) -> Result<String, String> {
    let body = text.strip_prefix('-').unwrap_or(text);
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let plain = !(whole.is_empty() && frac.is_empty())
        && digits(whole)
        && digits(frac)
        && !body.ends_with('.');
    if plain && text.parse::<f64>().is_ok_and(f64::is_finite) {
        Ok(text.to_owned())
    } else {
        Err(format!("{text:?} is not a number like 150000.50"))
    }
}

/// A number within the range's `start`..`end` (ODK's defaults: 1 to 10).
fn range(q: &Question, text: &str) -> Result<String, String> {
    let value = decimal(text)?;
    let bound = |key: &str, default: f64| {
        q.parameters
            .get(key)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(default)
    };
    let (start, end) = (bound("start", 1.0), bound("end", 10.0));
    let (low, high) = (start.min(end), start.max(end));
    let v: f64 = value.parse().unwrap_or(f64::NAN);
    if (low..=high).contains(&v) {
        Ok(value)
    } else {
        Err(format!("{text} is outside the range {start} to {end}"))
    }
}

/// `lat lon [altitude [accuracy]]`.
fn geopoint(text: &str) -> Result<String, String> {
    let bad = || format!("{text:?} is not a point like \"4.5981 -74.0758 2600 5\"");
    let parts: Vec<f64> = text
        .split_whitespace()
        .map(|p| p.parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect::<Option<_>>()
        .ok_or_else(bad)?;
    let ok = (2..=4).contains(&parts.len())
        && (-90.0..=90.0).contains(&parts[0])
        && (-180.0..=180.0).contains(&parts[1])
        && parts.get(3).is_none_or(|a| *a >= 0.0);
    if !ok {
        return Err(bad());
    }
    Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Points separated by `;`, at least `min` of them.
fn geopoints(text: &str, min: usize) -> Result<String, String> {
    let points: Vec<String> = text
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(geopoint)
        .collect::<Result<_, _>>()?;
    if points.len() < min {
        return Err(format!("needs at least {min} points separated by ';'"));
    }
    Ok(points.join(";"))
}

fn with_other(mut names: Vec<String>, or_other: bool) -> Vec<String> {
    if or_other {
        names.push("other".to_owned());
    }
    names
}

fn one_of(text: &str, names: &[String]) -> Result<String, String> {
    if names.iter().any(|n| n == text) {
        Ok(text.to_owned())
    } else {
        Err(format!("{text:?} is not one of {}", names.join(", ")))
    }
}

/// Space-separated choices of the list, each once.
fn several_of(text: &str, names: &[String]) -> Result<String, String> {
    let mut chosen: Vec<&str> = Vec::new();
    for choice in text.split_whitespace() {
        one_of(choice, names)?;
        if chosen.contains(&choice) {
            return Err(format!("{choice:?} is chosen twice"));
        }
        chosen.push(choice);
    }
    Ok(chosen.join(" "))
}

/// A file question: the path must name a file; the role follows the question (a signature is
/// an image with the `signature` appearance).
fn file(q: &Question, text: &str) -> Result<Typed, String> {
    let path = PathBuf::from(text);
    if !path.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    let signature = q
        .appearance
        .as_deref()
        .is_some_and(|a| a.split_whitespace().any(|w| w == "signature"));
    let role = match q.kind {
        QuestionType::Image if signature => AttachmentRole::Signature,
        QuestionType::Image => AttachmentRole::Photo,
        _ => AttachmentRole::File,
    };
    Ok(Typed::File(path, role))
}

#[cfg(test)]
mod tests;
