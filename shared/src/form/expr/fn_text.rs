//! String and select functions: `concat`, `substr`, `translate`, `regex`, `selected`, ...
//! Positions count characters, not bytes, as ODK does.

use regex::{Regex, RegexBuilder};

use super::MAX_STRING_BYTES;
use super::error::{EvalError, check_len};
use super::functions::Func;
use super::java_regex;
use super::value::Value;

/// Compiled-size limit of a form's regular expression (the `regex` crate's limits bound memory;
/// its matching is linear in the input, so no pattern can hang a device).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Compiles a form's pattern, written for Java as ODK takes it (see `java_regex`), or says why it
/// cannot be used (look-around and back-references are refused, not approximated).
pub(super) fn build_regex(pattern: &str) -> Result<Regex, String> {
    let pattern = java_regex::translate(pattern)
        .map_err(|reason| format!("invalid regular expression: {reason}"))?;
    RegexBuilder::new(&pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| format!("invalid regular expression: {e}"))
}

/// The string and select functions, or `None` for other functions.
pub(super) fn apply(func: Func, values: &[Value]) -> Option<Result<Value, EvalError>> {
    let text = |i: usize| values.get(i).map(Value::to_string).unwrap_or_default();
    // Arity is checked at parse time; a missing argument still reads as empty, never panics.
    let value = |i: usize| values.get(i).unwrap_or(&Value::Empty);
    let result = match func {
        Func::Selected => Ok(Value::Bool(selected(&text(0), &text(1)))),
        Func::SelectedAt => Ok(selected_at(&text(0), value(1))),
        Func::CountSelected => Ok(Value::Number(text(0).split_whitespace().count() as f64)),
        Func::Regex => regex_matches(&text(0), &text(1)),
        Func::Contains => Ok(Value::Bool(text(0).contains(&text(1)))),
        Func::StartsWith => Ok(Value::Bool(text(0).starts_with(&text(1)))),
        Func::EndsWith => Ok(Value::Bool(text(0).ends_with(&text(1)))),
        Func::Substr => Ok(substr(&text(0), value(1), values.get(2))),
        Func::SubstringBefore => Ok(string(
            text(0)
                .split_once(&text(1))
                .map_or("", |(before, _)| before),
        )),
        Func::SubstringAfter => Ok(string(
            text(0).split_once(&text(1)).map_or("", |(_, after)| after),
        )),
        Func::Translate => Ok(translate(&text(0), &text(1), &text(2))),
        Func::Concat => concat(values.iter().map(Value::to_string)),
        Func::BooleanFromString => {
            let t = text(0);
            Ok(Value::Bool(t == "true" || t == "1"))
        }
        _ => return None,
    };
    Some(result.and_then(|v| {
        if let Value::String(s) = &v {
            check_len(s.len())?;
        }
        Ok(v)
    }))
}

fn string(text: &str) -> Value {
    Value::String(text.to_owned())
}

/// Whether the space-separated answer of a select_multiple holds `choice`.
pub(super) fn selected(answer: &str, choice: &str) -> bool {
    let choice = choice.trim();
    answer.split_whitespace().any(|c| c == choice)
}

/// `selected-at(${q}, n)`: the n-th (0-based) selected choice, `""` past the end.
fn selected_at(answer: &str, index: &Value) -> Value {
    let n = index.to_number();
    if !(n.is_finite() && n >= 0.0) {
        return Value::Empty;
    }
    answer
        .split_whitespace()
        .nth(n as usize)
        .map_or(Value::Empty, string)
}

fn regex_matches(text: &str, pattern: &str) -> Result<Value, EvalError> {
    let re = build_regex(pattern).map_err(EvalError::InvalidRegex)?;
    Ok(Value::Bool(re.is_match(text)))
}

/// `substr(text, start[, end])`: characters `start..end`, 0-based, `end` exclusive; negative
/// positions count from the end (JavaRosa), out-of-range ones are clamped.
fn substr(text: &str, start: &Value, end: Option<&Value>) -> Value {
    let len = text.chars().count();
    let position = |v: &Value| -> usize {
        let n = v.to_number();
        if n.is_nan() {
            return 0;
        }
        let n = n.trunc();
        let from_end = if n < 0.0 { len as f64 + n } else { n };
        from_end.clamp(0.0, len as f64) as usize
    };
    let from = position(start);
    let to = end.map_or(len, position);
    if from >= to {
        return Value::String(String::new());
    }
    Value::String(text.chars().skip(from).take(to - from).collect())
}

fn translate(text: &str, from: &str, to: &str) -> Value {
    let from: Vec<char> = from.chars().collect();
    let to: Vec<char> = to.chars().collect();
    let out = text
        .chars()
        .filter_map(|c| match from.iter().position(|&f| f == c) {
            Some(i) => to.get(i).copied(),
            None => Some(c),
        })
        .collect();
    Value::String(out)
}

/// Joins texts, failing before the result would exceed [`MAX_STRING_BYTES`].
pub(super) fn concat(parts: impl Iterator<Item = String>) -> Result<Value, EvalError> {
    join(parts, "")
}

/// Joins texts with `separator`, failing before the result would exceed [`MAX_STRING_BYTES`].
pub(super) fn join(
    parts: impl Iterator<Item = String>,
    separator: &str,
) -> Result<Value, EvalError> {
    let mut out = String::new();
    for (i, part) in parts.enumerate() {
        let sep = if i == 0 { "" } else { separator };
        check_len(
            out.len()
                .saturating_add(sep.len())
                .saturating_add(part.len()),
        )?;
        out.push_str(sep);
        out.push_str(&part);
    }
    debug_assert!(out.len() <= MAX_STRING_BYTES);
    Ok(Value::String(out))
}

/// `normalize-space()`: trimmed, inner whitespace runs collapsed to one space.
pub(super) fn normalize_space(value: &Value) -> Value {
    let text = value.to_string();
    Value::String(text.split_whitespace().collect::<Vec<_>>().join(" "))
}
