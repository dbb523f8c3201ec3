//! The function library's names and arities, checked at parse time so a form with an unknown
//! function, a refused one or a wrong argument count fails at import, not in the field.

/// A function Terreno evaluates. The names are ODK's (see [`FUNCTIONS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Func {
    If,
    Position,
    Once,
    Current,
    Selected,
    SelectedAt,
    CountSelected,
    ChoiceName,
    Itext,
    IndexedRepeat,
    Pulldata,
    Count,
    CountNonEmpty,
    Sum,
    Max,
    Min,
    Regex,
    Contains,
    StartsWith,
    EndsWith,
    Substr,
    SubstringBefore,
    SubstringAfter,
    Translate,
    StringLength,
    NormalizeSpace,
    Concat,
    Join,
    Coalesce,
    String,
    Uuid,
    BooleanFromString,
    Boolean,
    Not,
    True,
    False,
    Checklist,
    WeightedChecklist,
    Number,
    Int,
    Round,
    Pow,
    Log,
    Log10,
    Abs,
    Sqrt,
    Exp,
    Exp10,
    Pi,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Floor,
    Ceiling,
    Random,
    Today,
    Now,
    Date,
    DateTime,
    DecimalDateTime,
    DecimalTime,
    FormatDate,
    FormatDateTime,
    Distance,
    Area,
}

/// Name, function, least and most argument counts (`usize::MAX`: any number).
const FUNCTIONS: &[(&str, Func, usize, usize)] = &[
    ("if", Func::If, 3, 3),
    ("position", Func::Position, 0, 1),
    ("once", Func::Once, 1, 1),
    ("current", Func::Current, 0, 0),
    ("selected", Func::Selected, 2, 2),
    ("selected-at", Func::SelectedAt, 2, 2),
    ("count-selected", Func::CountSelected, 1, 1),
    ("jr:choice-name", Func::ChoiceName, 2, 2),
    ("jr:itext", Func::Itext, 1, 1),
    ("indexed-repeat", Func::IndexedRepeat, 3, 3),
    ("pulldata", Func::Pulldata, 4, 4),
    ("count", Func::Count, 1, 1),
    ("count-non-empty", Func::CountNonEmpty, 1, 1),
    ("sum", Func::Sum, 1, 1),
    ("max", Func::Max, 1, usize::MAX),
    ("min", Func::Min, 1, usize::MAX),
    ("regex", Func::Regex, 2, 2),
    ("contains", Func::Contains, 2, 2),
    ("starts-with", Func::StartsWith, 2, 2),
    ("ends-with", Func::EndsWith, 2, 2),
    ("substr", Func::Substr, 2, 3),
    ("substring-before", Func::SubstringBefore, 2, 2),
    ("substring-after", Func::SubstringAfter, 2, 2),
    ("translate", Func::Translate, 3, 3),
    ("string-length", Func::StringLength, 0, 1),
    ("normalize-space", Func::NormalizeSpace, 0, 1),
    ("concat", Func::Concat, 0, usize::MAX),
    ("join", Func::Join, 1, usize::MAX),
    ("coalesce", Func::Coalesce, 2, 2),
    ("string", Func::String, 0, 1),
    ("uuid", Func::Uuid, 0, 0),
    ("boolean-from-string", Func::BooleanFromString, 1, 1),
    ("boolean", Func::Boolean, 1, 1),
    ("not", Func::Not, 1, 1),
    ("true", Func::True, 0, 0),
    ("false", Func::False, 0, 0),
    ("checklist", Func::Checklist, 2, usize::MAX),
    ("weighted-checklist", Func::WeightedChecklist, 2, usize::MAX),
    ("number", Func::Number, 0, 1),
    ("int", Func::Int, 1, 1),
    ("round", Func::Round, 1, 2),
    ("pow", Func::Pow, 2, 2),
    ("log", Func::Log, 1, 1),
    ("log10", Func::Log10, 1, 1),
    ("abs", Func::Abs, 1, 1),
    ("sqrt", Func::Sqrt, 1, 1),
    ("exp", Func::Exp, 1, 1),
    ("exp10", Func::Exp10, 1, 1),
    ("pi", Func::Pi, 0, 0),
    ("sin", Func::Sin, 1, 1),
    ("cos", Func::Cos, 1, 1),
    ("tan", Func::Tan, 1, 1),
    ("asin", Func::Asin, 1, 1),
    ("acos", Func::Acos, 1, 1),
    ("atan", Func::Atan, 1, 1),
    ("atan2", Func::Atan2, 2, 2),
    ("floor", Func::Floor, 1, 1),
    ("ceiling", Func::Ceiling, 1, 1),
    ("random", Func::Random, 0, 0),
    ("today", Func::Today, 0, 0),
    ("now", Func::Now, 0, 0),
    ("date", Func::Date, 1, 1),
    ("date-time", Func::DateTime, 1, 1),
    ("decimal-date-time", Func::DecimalDateTime, 1, 1),
    ("decimal-time", Func::DecimalTime, 1, 1),
    ("format-date", Func::FormatDate, 2, 2),
    ("format-date-time", Func::FormatDateTime, 2, 2),
    ("distance", Func::Distance, 1, usize::MAX),
    ("area", Func::Area, 1, 1),
];

/// ODK functions (and XPath core ones) Terreno refuses, with the reason given at import.
const REFUSED: &[(&str, &str)] = &[
    ("digest", "Terreno evaluates no cryptographic functions"),
    (
        "base64-decode",
        "Terreno evaluates no cryptographic functions",
    ),
    (
        "extract-signed",
        "Terreno evaluates no cryptographic functions",
    ),
    ("randomize", "Terreno does not reorder choices"),
    ("geofence", "not part of the XPath subset Terreno evaluates"),
    ("version", "not part of the XPath subset Terreno evaluates"),
    ("property", "not part of the XPath subset Terreno evaluates"),
    ("last", "not part of the XPath subset Terreno evaluates"),
    ("id", "not part of the XPath subset Terreno evaluates"),
    ("lang", "not part of the XPath subset Terreno evaluates"),
    ("name", "not part of the XPath subset Terreno evaluates"),
    (
        "local-name",
        "not part of the XPath subset Terreno evaluates",
    ),
    (
        "namespace-uri",
        "not part of the XPath subset Terreno evaluates",
    ),
    (
        "substring",
        "use substr(text, start, end), which counts from 0",
    ),
];

impl Func {
    /// The function named `name`, or why there is none.
    pub(super) fn lookup(name: &str) -> Result<(Func, usize, usize), String> {
        if let Some(&(_, func, min, max)) = FUNCTIONS.iter().find(|(n, ..)| *n == name) {
            return Ok((func, min, max));
        }
        match REFUSED.iter().find(|(n, _)| *n == name) {
            Some((_, reason)) => Err(format!("function '{name}' is not supported: {reason}")),
            None => Err(format!("unknown function '{name}'")),
        }
    }

    /// Whether `name` is a function Terreno refuses on purpose (not merely unknown).
    pub(super) fn is_refused(name: &str) -> bool {
        REFUSED.iter().any(|(n, _)| *n == name)
    }

    /// The ODK name of the function.
    pub(super) fn name(self) -> &'static str {
        FUNCTIONS
            .iter()
            .find(|(_, f, ..)| *f == self)
            .map_or("?", |(name, ..)| name)
    }
}

/// Every supported function name, with its arity range (for documentation and tests).
#[cfg(test)]
pub(super) fn all() -> impl Iterator<Item = (&'static str, usize, usize)> {
    FUNCTIONS
        .iter()
        .map(|&(name, _, min, max)| (name, min, max))
}

/// Every refused function name.
#[cfg(test)]
pub(super) fn refused() -> impl Iterator<Item = &'static str> {
    REFUSED.iter().map(|&(name, _)| name)
}
