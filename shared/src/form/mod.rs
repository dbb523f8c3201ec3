//! Smart questionnaires: an XLSForm-compatible form engine, pure, shared by the device (live, on
//! every change) and the server (which re-checks what arrives with the very same rules).
//!
//! - [`expr`]: the XPath subset XLSForm forms use — parser with positions for error messages,
//!   and a bounded evaluator (time and randomness come in as arguments).
//! - [`xlsform`]: the form model — `survey`, `choices` and `settings` rows (already read from a
//!   spreadsheet by the caller) turned into a validated form, reporting every problem with its
//!   sheet, row and column.
//! - [`media`]: the files a form version carries (CSV, XML, GeoJSON lookup tables, images) —
//!   their names checked, their bytes read into rows `pulldata`, `instance()` and
//!   `select_one_from_file` read, and the files a form needs but lacks.
//! - [`runtime`]: a form and its answers in, what the app shows and the server checks out —
//!   relevance, required answers, constraints, calculations, filtered choices, repeat counts.
//!
//! Must not read files, clocks or random sources: spreadsheets are read where I/O belongs.

pub mod expr;
pub mod media;
pub mod runtime;
pub mod xlsform;
