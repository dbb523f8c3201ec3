//! The dashboard's form preview: a stored form and the shared engine's [`FormState`] for some
//! answers, laid out as the rows the page shows, in form order with every repeat instance
//! expanded, labels and hints in one language and each select's choices as its filter leaves
//! them.
//!
//! Must not evaluate: relevance, values, messages and filtered choices all come from the
//! engine's state, so the preview behaves exactly as the collector's app does.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use terreno_shared::form::media::MediaTables;
use terreno_shared::form::runtime::FormState;
use terreno_shared::form::xlsform::{
    Choice, Condition, Form, Group, GroupKind, Node, Question, QuestionType, Text,
};
use utoipa::ToSchema;

/// What a preview row shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A question (notes and calculations included).
    Question,
    /// The heading of a group.
    Group,
    /// A repeat as a whole: its instance count, where instances are added or removed.
    Repeat,
    /// The heading of one instance of a repeat.
    Instance,
}

/// One row of the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PreviewItem {
    /// What the row is.
    pub kind: ItemKind,
    /// Answer path (`grp/q`, `hh[2]/age`); a repeat's path has no index (`hh`).
    pub path: String,
    /// Nesting: 0 at the top, one more inside each group, repeat and instance.
    pub depth: u32,
    /// Survey sheet row the element was written on.
    pub row: u32,
    /// Label in the preview's language (the name when the form gives none).
    pub label: String,
    /// Hint in the preview's language; empty when none.
    pub hint: String,
    /// A question's type as XLSForm writes it (`select_one yes_no`).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub question_type: Option<String>,
    /// A question's type without its list (`select_one`): which input the page shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub widget: Option<String>,
    /// `appearance`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub appearance: Option<String>,
    /// Whether the engine finds it relevant (shown).
    pub relevant: bool,
    /// Whether an answer is required now.
    pub required: bool,
    /// Whether the collector cannot type into it (a calculation, note, metadata, read-only).
    pub read_only: bool,
    /// The answer, or the value the form computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub value: Option<String>,
    /// Whether the value was computed by the form.
    pub computed: bool,
    /// Why it blocks the submission (missing answer, or the constraint's message).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub issue: Option<String>,
    /// The choices offered now, for selects with a list in the form.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<PreviewChoice>>", optional))]
    pub choices: Vec<PreviewChoice>,
    /// A repeat's instance count.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub count: Option<usize>,
    /// A repeat whose count the form computes (`repeat_count`): no adding or removing.
    pub fixed_count: bool,
}

/// A choice offered by a select.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PreviewChoice {
    /// The value stored when chosen.
    pub name: String,
    /// Label in the preview's language.
    pub label: String,
}

/// The language a preview is shown in: `wanted` when the form has it, else the settings'
/// default language, else untranslated text, else the form's first language.
pub fn language(form: &Form, wanted: Option<&str>) -> Result<String, String> {
    let has = |l: &str| form.languages.iter().any(|x| x == l);
    if let Some(w) = wanted {
        return if has(w) {
            Ok(w.to_owned())
        } else {
            Err(format!(
                "the form has no language {w:?}; it has: {}",
                form.languages.join(", ")
            ))
        };
    }
    let default = form.settings.default_language.as_deref().filter(|l| has(l));
    Ok(default
        .or_else(|| has(Text::NO_LANGUAGE).then_some(Text::NO_LANGUAGE))
        .or(form.languages.first().map(String::as_str))
        .unwrap_or(Text::NO_LANGUAGE)
        .to_owned())
}

/// The rows of `form` for `state`, in form order.
pub fn items(
    form: &Form,
    media: &MediaTables,
    state: &FormState,
    language: &str,
) -> Vec<PreviewItem> {
    let mut walk = Walk {
        form,
        media,
        state,
        language,
        issues: state.issues(),
        missing: (state.missing_required.iter())
            .map(|i| i.path.as_str())
            .collect(),
        out: Vec::new(),
    };
    walk.nodes(&form.children, "", 0, true);
    walk.out
}

struct Walk<'a> {
    form: &'a Form,
    /// The version's data files: the choices of `select_*_from_file`.
    media: &'a MediaTables,
    state: &'a FormState,
    language: &'a str,
    /// The state's issues by path (looked up once per question).
    issues: HashMap<&'a str, &'a str>,
    /// Paths of the state's missing required answers.
    missing: HashSet<&'a str>,
    out: Vec<PreviewItem>,
}

impl Walk<'_> {
    fn nodes(&mut self, nodes: &[Node], prefix: &str, depth: u32, shown: bool) {
        for node in nodes {
            match node {
                Node::Question(q) => self.question(q, format!("{prefix}{}", q.name), depth, shown),
                Node::Group(g) => self.group(g, prefix, depth, shown),
            }
        }
    }

    fn group(&mut self, g: &Group, prefix: &str, depth: u32, shown: bool) {
        let path = format!("{prefix}{}", g.name);
        let mut item = self.item(
            ItemKind::Group,
            path.clone(),
            depth,
            g.row,
            &g.label,
            &g.hint,
        );
        match &g.kind {
            GroupKind::Group => {
                let relevant = shown && self.relevant(&path);
                item.relevant = relevant;
                item.appearance = g.appearance.clone();
                self.out.push(item);
                self.nodes(&g.children, &format!("{path}/"), depth + 1, relevant);
            }
            GroupKind::Repeat { count } => {
                let n = self.state.repeat_counts.get(&path).copied().unwrap_or(0);
                item.kind = ItemKind::Repeat;
                item.relevant = shown;
                item.count = Some(n);
                item.fixed_count = count.is_some();
                let label = item.label.clone();
                self.out.push(item);
                for i in 1..=n {
                    let at = format!("{path}[{i}]");
                    let relevant = shown && self.relevant(&at);
                    let mut instance = self.item(
                        ItemKind::Instance,
                        at.clone(),
                        depth + 1,
                        g.row,
                        &g.label,
                        &Text::default(),
                    );
                    instance.label = format!("{label} {i}");
                    instance.relevant = relevant;
                    self.out.push(instance);
                    self.nodes(&g.children, &format!("{at}/"), depth + 2, relevant);
                }
            }
        }
    }

    fn question(&mut self, q: &Question, path: String, depth: u32, shown: bool) {
        let s = self.state;
        let mut item = self.item(ItemKind::Question, path, depth, q.row, &q.label, &q.hint);
        let path = item.path.clone();
        let name = q.kind.xlsform_name();
        item.widget = name.split(' ').next().map(str::to_owned);
        item.question_type = Some(name);
        item.appearance = q.appearance.clone();
        item.relevant = shown && self.relevant(&path);
        item.computed = s.calculated.contains_key(&path);
        item.value = (s.calculated.get(&path))
            .or_else(|| s.answers.get(&path))
            .filter(|v| !v.is_empty())
            .cloned();
        item.issue = self.issues.get(path.as_str()).map(|m| (*m).to_owned());
        item.required = q.required == Condition::Always || self.missing.contains(path.as_str());
        item.read_only = q.calculation.is_some()
            || q.read_only == Condition::Always
            || matches!(
                q.kind,
                QuestionType::Note
                    | QuestionType::Calculate
                    | QuestionType::Hidden
                    | QuestionType::Metadata { .. }
            );
        item.choices = self.choices(q, &path);
        self.out.push(item);
    }

    /// The choices of a select in the form, as far as its filter leaves them.
    fn choices(&self, q: &Question, path: &str) -> Vec<PreviewChoice> {
        let list = match &q.kind {
            QuestionType::SelectOne { list, .. }
            | QuestionType::SelectMultiple { list, .. }
            | QuestionType::Rank { list } => self.form.choices.get(list),
            QuestionType::SelectOneExternal { list } => self.form.external_choices.get(list),
            QuestionType::SelectOneFromFile { file }
            | QuestionType::SelectMultipleFromFile { file } => {
                self.media.file(file).map(|t| &t.rows)
            }
            _ => None,
        };
        let Some(list) = list else {
            return Vec::new();
        };
        let kept = self.state.choices.get(path);
        let offered = |c: &&Choice| kept.is_none_or(|names| names.contains(&c.name));
        list.iter()
            .filter(offered)
            .map(|c| PreviewChoice {
                name: c.name.clone(),
                label: self.text(&c.label).unwrap_or_else(|| c.name.clone()),
            })
            .collect()
    }

    fn relevant(&self, path: &str) -> bool {
        self.state.relevant.get(path).copied().unwrap_or(true)
    }

    /// `text` in the preview's language, else in any language the form wrote it in.
    fn text(&self, text: &Text) -> Option<String> {
        text.get(self.language)
            .or_else(|| text.0.values().next().map(String::as_str))
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    }

    fn item(
        &self,
        kind: ItemKind,
        path: String,
        depth: u32,
        row: u32,
        label: &Text,
        hint: &Text,
    ) -> PreviewItem {
        let name = path.rsplit('/').next().unwrap_or(&path).to_owned();
        PreviewItem {
            kind,
            depth,
            row,
            label: self.text(label).unwrap_or(name),
            hint: self.text(hint).unwrap_or_default(),
            question_type: None,
            widget: None,
            appearance: None,
            relevant: true,
            required: false,
            read_only: false,
            value: None,
            computed: false,
            issue: None,
            choices: Vec::new(),
            count: None,
            fixed_count: false,
            path,
        }
    }
}

#[cfg(test)]
mod tests {
    use terreno_shared::form::runtime::{Answers, Engine, Env};
    use terreno_shared::form::xlsform::{Sheet, parse_form};

    use super::*;

    fn form(rows: &[&[&str]]) -> Form {
        let rows = rows
            .iter()
            .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
            .collect();
        let (form, _) = parse_form(&[Sheet::new("survey", rows)]).expect("a valid form");
        form
    }

    fn state(form: &Form, answers: &Answers) -> FormState {
        let env = Env {
            now: chrono::DateTime::parse_from_rfc3339("2026-12-06T12:00:00-05:00").expect("a time"),
            uuid: "preview".into(),
            language: None,
        };
        let engine = Engine::new(form).expect("compiles");
        FormState::new(answers, engine.evaluate(answers, &env))
    }

    #[test]
    fn repeat_instances_are_expanded_under_their_repeat_in_form_order() {
        let f = form(&[
            &["type", "name", "label"],
            &["begin repeat", "hh", "Hogar"],
            &["text", "nombre", "Nombre"],
            &["end repeat", "", ""],
        ]);
        let answers = Answers::new().with("hh[2]/nombre", "Ana");
        let language = language(&f, None).expect("a language");

        let items = items(&f, &MediaTables::new(), &state(&f, &answers), &language);

        let rows: Vec<(ItemKind, &str, u32)> = items
            .iter()
            .map(|i| (i.kind, i.path.as_str(), i.depth))
            .collect();
        assert_eq!(
            rows,
            [
                (ItemKind::Repeat, "hh", 0),
                (ItemKind::Instance, "hh[1]", 1),
                (ItemKind::Question, "hh[1]/nombre", 2),
                (ItemKind::Instance, "hh[2]", 1),
                (ItemKind::Question, "hh[2]/nombre", 2),
            ]
        );
        assert_eq!(items[0].count, Some(2));
        assert_eq!(items[3].label, "Hogar 2");
        assert_eq!(items[4].value.as_deref(), Some("Ana"));
    }

    #[test]
    fn an_unknown_language_is_refused_naming_the_ones_the_form_has() {
        let f = form(&[
            &["type", "name", "label::Español (es)", "label::English (en)"],
            &["text", "a", "Nombre", "Name"],
        ]);

        assert_eq!(language(&f, None).as_deref(), Ok("Español (es)"));
        let refused = language(&f, Some("fr")).expect_err("no French");
        assert!(refused.contains("English (en)"), "{refused}");
        let items = items(
            &f,
            &MediaTables::new(),
            &state(&f, &Answers::new()),
            "English (en)",
        );
        assert_eq!(items[0].label, "Name");
    }
}
