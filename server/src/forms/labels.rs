//! A visit's answers as a supervisor reads them: each with its question's label (every language
//! the form has), in the form's order, inside its groups and repeat instances, choice answers as
//! their choices' labels and photo or signature answers with the attachment to show. Pure: the
//! caller loads the form version and the visit's attachments.
//!
//! Answers the form does not have (a field set outside the questionnaire, or a version that
//! changed) are kept, after the form's, under their own path: nothing a collector sent is hidden.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;
use terreno_shared::form::xlsform::{Choice, Form, GroupKind, Node, Question, QuestionType, Text};

/// A label in every language the form has, by language name (`Español (es)`; `default` for a
/// column written without one).
pub type Labels = BTreeMap<String, String>;

/// A stored attachment of the visit: what the dashboard fetches to show a photo or signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AnswerAttachment {
    /// The blob to fetch (`GET /api/v1/blobs/{sha256}`).
    pub sha256: String,
    /// Its media type.
    pub media_type: Option<String>,
}

/// An enclosing group or repeat instance of an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AnswerGroup {
    /// The group's name.
    pub name: String,
    /// Its label.
    pub label: Labels,
    /// The repeat instance (1-based); absent for a plain group.
    pub instance: Option<usize>,
}

/// A chosen choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChosenLabel {
    /// The choice's name, as stored in the answer.
    pub name: String,
    /// Its label; empty when the list has no such choice.
    pub label: Labels,
}

/// One answer, labelled.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LabelledAnswer {
    /// The answer's path (`debtor/phone`, `payments[2]/amount`).
    pub path: String,
    /// The question's label; empty for a question without one or an answer the form lacks.
    pub label: Labels,
    /// Enclosing groups and repeat instances, outermost first.
    pub groups: Vec<AnswerGroup>,
    /// How to show it: `text`, `number`, `date`, `choice`, `image`, `signature`, `other`.
    pub kind: String,
    /// The answer as stored.
    #[schema(value_type = terreno_shared::openapi::AnswerValue)]
    pub value: Value,
    /// For `choice`: the chosen choices, in the answer's order.
    pub choices: Vec<ChosenLabel>,
    /// For `image` and `signature`: the attachment, once the server has it.
    pub attachment: Option<AnswerAttachment>,
}

/// Labels `answers` (by path) with `form`; `attachments` maps attachment ids to their blobs.
pub fn label_answers(
    form: Option<&Form>,
    answers: &BTreeMap<String, Value>,
    attachments: &BTreeMap<String, AnswerAttachment>,
) -> Vec<LabelledAnswer> {
    let mut walk = Walk {
        form,
        answers,
        attachments,
        out: Vec::new(),
        seen: BTreeSet::new(),
    };
    if let Some(form) = form {
        walk.nodes(&form.children, "", &[]);
    }
    for (path, value) in answers {
        if !walk.seen.contains(path.as_str()) && !value.is_null() {
            walk.out.push(walk.answer(path, value, None, Vec::new()));
        }
    }
    walk.out
}

struct Walk<'a> {
    form: Option<&'a Form>,
    answers: &'a BTreeMap<String, Value>,
    attachments: &'a BTreeMap<String, AnswerAttachment>,
    out: Vec<LabelledAnswer>,
    seen: BTreeSet<&'a str>,
}

impl<'a> Walk<'a> {
    fn nodes(&mut self, nodes: &[Node], prefix: &str, groups: &[AnswerGroup]) {
        for node in nodes {
            match node {
                Node::Question(q) => {
                    let path = format!("{prefix}{}", q.name);
                    if let Some((key, value)) = self.answers.get_key_value(&path)
                        && !value.is_null()
                    {
                        self.seen.insert(key.as_str());
                        let a = self.answer(&path, value, Some(q), groups.to_vec());
                        self.out.push(a);
                    }
                }
                Node::Group(g) => {
                    let base = format!("{prefix}{}", g.name);
                    let group = |instance| AnswerGroup {
                        name: g.name.clone(),
                        label: g.label.0.clone(),
                        instance,
                    };
                    match g.kind {
                        GroupKind::Group => {
                            let inner = [groups, &[group(None)]].concat();
                            self.nodes(&g.children, &format!("{base}/"), &inner);
                        }
                        GroupKind::Repeat { .. } => {
                            for n in 1..=self.instances(&base) {
                                let inner = [groups, &[group(Some(n))]].concat();
                                self.nodes(&g.children, &format!("{base}[{n}]/"), &inner);
                            }
                        }
                    }
                }
            }
        }
    }

    /// The highest instance of repeat `base` any answer names (`base[3]/...` gives 3).
    fn instances(&self, base: &str) -> usize {
        let open = format!("{base}[");
        self.answers
            .keys()
            .filter_map(|k| k.strip_prefix(&open)?.split_once(']')?.0.parse().ok())
            .max()
            .unwrap_or(0)
    }

    fn answer(
        &self,
        path: &str,
        value: &Value,
        q: Option<&Question>,
        groups: Vec<AnswerGroup>,
    ) -> LabelledAnswer {
        let kind = q.map(kind_of).unwrap_or("other");
        let choices = match (q.map(|q| &q.kind), self.form) {
            (Some(t), Some(form)) => match list_of(t, form) {
                Some(list) => chosen(value, list),
                None => Vec::new(),
            },
            _ => Vec::new(),
        };
        let attachment = match kind {
            "image" | "signature" => attachment_id(value).and_then(|id| self.attachments.get(id)),
            _ => None,
        };
        LabelledAnswer {
            path: path.to_owned(),
            label: q.map(|q| q.label.0.clone()).unwrap_or_default(),
            groups,
            kind: kind.to_owned(),
            value: value.clone(),
            choices,
            attachment: attachment.cloned(),
        }
    }
}

fn kind_of(q: &Question) -> &'static str {
    let signature = q
        .appearance
        .as_deref()
        .is_some_and(|a| a.split_whitespace().any(|w| w == "signature"));
    match &q.kind {
        QuestionType::Image if signature => "signature",
        QuestionType::Image => "image",
        QuestionType::SelectOne { .. }
        | QuestionType::SelectMultiple { .. }
        | QuestionType::Rank { .. }
        | QuestionType::SelectOneExternal { .. } => "choice",
        QuestionType::Integer | QuestionType::Decimal | QuestionType::Range => "number",
        QuestionType::Date => "date",
        QuestionType::Text | QuestionType::Barcode => "text",
        _ => "other",
    }
}

fn list_of<'f>(t: &QuestionType, form: &'f Form) -> Option<&'f [Choice]> {
    match t {
        QuestionType::SelectOne { list, .. }
        | QuestionType::SelectMultiple { list, .. }
        | QuestionType::Rank { list } => form.choices.get(list).map(Vec::as_slice),
        QuestionType::SelectOneExternal { list } => {
            form.external_choices.get(list).map(Vec::as_slice)
        }
        _ => None,
    }
}

/// The choices an answer names: a string of space-separated names, or an array of them.
fn chosen(value: &Value, list: &[Choice]) -> Vec<ChosenLabel> {
    let names: Vec<String> = match value {
        Value::String(s) => s.split_whitespace().map(str::to_owned).collect(),
        Value::Array(items) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Null => None,
                other => Some(other.to_string()),
            })
            .collect(),
        Value::Null => Vec::new(),
        other => vec![other.to_string()],
    };
    names
        .into_iter()
        .map(|name| ChosenLabel {
            label: list
                .iter()
                .find(|c| c.name == name)
                .map(|c| c.label.0.clone())
                .unwrap_or_else(|| Text::default().0),
            name,
        })
        .collect()
}

/// The attachment an image answer names: `{"attachment_id": ...}` as the app writes it, or
/// the id alone.
fn attachment_id(value: &Value) -> Option<&str> {
    match value {
        Value::Object(m) => m.get("attachment_id")?.as_str(),
        Value::String(s) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use terreno_shared::form::xlsform::{Sheet, parse_form};

    fn sheet(name: &str, rows: &[&[&str]]) -> Sheet {
        Sheet::new(
            name,
            rows.iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        )
    }

    fn form() -> Form {
        let survey = sheet(
            "survey",
            &[
                &["type", "name", "label", "appearance"],
                &["select_one result", "result", "Result", ""],
                &["begin repeat", "payments", "Payment", ""],
                &["decimal", "amount", "Amount", ""],
                &["end repeat", "", "", ""],
                &["image", "sig", "Signature", "signature"],
                &["text", "comment", "Comment", ""],
            ],
        );
        let choices = sheet(
            "choices",
            &[
                &["list_name", "name", "label"],
                &["result", "paid", "Paid"],
                &["result", "refused", "Refused"],
            ],
        );
        parse_form(&[survey, choices]).expect("a form").0
    }

    fn answers(v: Value) -> BTreeMap<String, Value> {
        serde_json::from_value(v).expect("an object")
    }

    #[test]
    fn answers_come_in_form_order_with_labels_groups_and_choices() {
        let sent = answers(json!({
            "comment": "ok", "payments[2]/amount": 5, "payments[1]/amount": 7,
            "result": "paid", "extra": 1, "sig": {"attachment_id": "att-1"},
        }));
        let files = BTreeMap::from([(
            "att-1".to_owned(),
            AnswerAttachment {
                sha256: "ab".into(),
                media_type: Some("image/png".into()),
            },
        )]);

        let out = label_answers(Some(&form()), &sent, &files);

        let paths: Vec<&str> = out.iter().map(|a| a.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "result",
                "payments[1]/amount",
                "payments[2]/amount",
                "sig",
                "comment",
                "extra"
            ]
        );
        assert_eq!(out[0].kind, "choice");
        assert_eq!(
            out[0].choices[0].label.get("default").map(String::as_str),
            Some("Paid")
        );
        assert_eq!(out[2].groups[0].instance, Some(2));
        assert_eq!(
            out[2].label.get("default").map(String::as_str),
            Some("Amount")
        );
        assert_eq!(out[3].kind, "signature");
        assert_eq!(
            out[3].attachment.as_ref().map(|a| a.sha256.as_str()),
            Some("ab")
        );
        assert_eq!(out[5].kind, "other");
        assert!(
            out[5].label.is_empty(),
            "an answer the form lacks keeps its path"
        );
    }

    #[test]
    fn without_a_form_every_answer_is_kept_by_path() {
        let out = label_answers(
            None,
            &answers(json!({"b": 1, "a": null, "c": "x"})),
            &BTreeMap::new(),
        );
        let paths: Vec<&str> = out.iter().map(|a| a.path.as_str()).collect();
        assert_eq!(paths, ["b", "c"], "null answers are unanswered");
    }
}
