//! What an evaluation reads from the world: answers, the current repeat instance, time,
//! randomness, choice labels and lookup tables. The caller implements it; nothing here does I/O.

use chrono::{DateTime, FixedOffset};

use super::value::Value;

/// The answers and inputs an expression is evaluated against.
///
/// Implementations must be deterministic for a given filled-in form and inputs: the device and
/// the server evaluate the same expressions and must agree.
pub trait EvalContext {
    /// The answer to question `name` in the current repeat instance (or the form root when the
    /// question is not repeated, or the evaluation is outside its repeat). Unanswered or unknown
    /// questions are [`Value::Empty`]; date and datetime answers should be typed
    /// ([`Value::Date`], [`Value::DateTime`]) so they compare and subtract as dates.
    fn value_of(&self, name: &str) -> Value;

    /// The answers to `name` in every repeat instance, in order, for `sum()`, `count()`,
    /// `max()`, `join()`, `indexed-repeat()`. For a question outside any repeat, its one answer.
    /// For a repeat group's own name, one value per instance (so `count(${group})` counts them).
    fn values_of(&self, name: &str) -> Vec<Value>;

    /// The value of `.`: the answer of the question whose expression is being evaluated (its
    /// candidate answer, for a constraint).
    fn current(&self) -> Value;

    /// `position(..)`: the 1-based index of the current repeat instance, `None` outside repeats
    /// (which evaluates as 1, the position of the root).
    fn position(&self) -> Option<usize>;

    /// `now()` and, through its date on its own offset, `today()`.
    fn now(&self) -> DateTime<FixedOffset>;

    /// `uuid()`: a fresh identifier, minted by the caller.
    fn uuid(&self) -> String;

    /// The label of choice `name` in choice list `list` (in the current language), for
    /// `jr:choice-name()`.
    fn choice_label(&self, list: &str, name: &str) -> Option<String>;

    /// The number of rows of the secondary instance `instance` (a choice list, a media table),
    /// or `None` when the form has no such instance. Rows are what `instance('x')/root/item`
    /// selects; the default knows none.
    fn table_len(&self, instance: &str) -> Option<usize> {
        let _ = instance;
        None
    }

    /// Column `column` of row `row` (0-based) of `instance`: a choice's `name`, its `label` in
    /// the current language, another column of its sheet, or a media table's cell. A nested
    /// column of an XML instance is its path (`P_Demographic/P_SN`). `None` when absent.
    fn table_cell(&self, instance: &str, row: usize, column: &str) -> Option<String> {
        let _ = (instance, row, column);
        None
    }

    /// `pulldata('list', 'result_column', 'filter_column', filter_value)` and the common lookup
    /// `instance('list')/root/item[filter_column = filter_value]/result_column`:
    /// `result_column` of the first row of `instance` whose `filter_column` equals
    /// `filter_value` as text. Implementations may override it with an index.
    fn lookup(
        &self,
        instance: &str,
        filter_column: &str,
        filter_value: &Value,
        result_column: &str,
    ) -> Option<String> {
        let key = filter_value.to_string();
        (0..self.table_len(instance)?)
            .find(|&row| {
                self.table_cell(instance, row, filter_column).as_deref() == Some(key.as_str())
            })
            .and_then(|row| self.table_cell(instance, row, result_column))
    }

    /// A child of the context node, read by a bare name (`name`, `a/b`). A question has no
    /// children, so the default is empty; a choice filter's context is the choice being
    /// tested, whose columns are its children.
    fn child(&self, path: &str) -> Value {
        let _ = path;
        Value::Empty
    }

    /// `${last-saved#name}`: the answer `name` had in the last submission saved on this device.
    /// Terreno keeps none at evaluation time, so the default is empty, as ODK Collect gives
    /// for a device's first submission of the form.
    fn last_saved(&self, name: &str) -> Value {
        let _ = name;
        Value::Empty
    }

    /// `jr:itext(id)`: the text of itext `id` in the current language (pyxform names a choice's
    /// label `list-N` or `/data/q/choice:label`). The default knows none, so it is `""`.
    fn itext(&self, id: &str) -> Option<String> {
        let _ = id;
        None
    }

    /// `current()`: the node the whole expression is evaluated for, even inside a lookup
    /// predicate (where `.` is the row being tested).
    fn origin(&self) -> Value {
        self.current()
    }

    /// The choice list of the select question `question`, for `jr:choice-name(${q}, '${q}')`.
    /// The default knows none, so `jr:choice-name()` is `""`; form engines override it.
    fn choice_list_of(&self, question: &str) -> Option<String> {
        let _ = question;
        None
    }

    /// `random()`: a number in `[0, 1)`. The default derives it from [`EvalContext::uuid`] so
    /// randomness still comes only from the caller; override to draw from a seeded source.
    fn random(&self) -> f64 {
        // FNV-1a over the uuid text, then 53 bits scaled to [0, 1): stable across platforms.
        let hash = self.uuid().bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        (hash >> 11) as f64 / (1_u64 << 53) as f64
    }
}
