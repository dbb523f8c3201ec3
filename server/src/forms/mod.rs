//! Reading XLSForm questionnaires as authors have them: XLSX and XLS workbooks, or CSV text
//! (pyxform's one-file layout of every sheet, or an export of the `survey` sheet alone; see
//! [`text`]). The file kind is decided by content, never by extension (a ZIP
//! signature is XLSX, an OLE2 one XLS, anything else must be delimited text), so an `.xls`
//! saved under an `.xlsx` name is read. Cells become the text a person sees ([`workbook`]); the
//! sheets go to `terreno_shared::form::xlsform::parse_form`, which validates the form or
//! reports every problem with its sheet, row and column.
//!
//! ```text
//! let read = forms::read_path(path)?;             // FormError: unreadable, or Refused(problems)
//! read.form_id; read.version; read.form; read.warnings
//! ```
//!
//! This module only reads: it must not write to the database or print.

pub mod completion;
pub mod engines;
pub mod labels;
pub mod media;
pub mod preview;
pub mod shipped;
pub mod text;
pub mod workbook;

use std::io::{self, Read};
use std::path::Path;

use terreno_shared::form::runtime::Engine;
use terreno_shared::form::xlsform::{Form, Node, Problem, Sheet, Warning, parse_form};

use crate::import::bounds::WorkbookLimits;
use crate::import::encoding::{self, Kind};
use workbook::Format;

/// The largest form file read, in bytes (the largest real forms are a few megabytes).
pub const MAX_FORM_BYTES: u64 = 32 << 20;

/// Longest form id accepted.
const MAX_FORM_ID_CHARS: usize = 200;

/// A file that is not a usable form.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    /// Reading failed.
    #[error("reading the file: {0}")]
    Io(#[from] io::Error),
    /// Nothing in it.
    #[error("the file is empty")]
    Empty,
    /// Over [`MAX_FORM_BYTES`].
    #[error("the file is over {} MiB, far more than a form", MAX_FORM_BYTES >> 20)]
    TooLarge,
    /// Neither a workbook nor delimited text.
    #[error("not a spreadsheet: {0}")]
    NotASpreadsheet(String),
    /// A workbook signature, but calamine could not read it.
    #[error("cannot read the {kind} workbook: {reason}")]
    Unreadable {
        /// `XLSX` or `XLS`.
        kind: &'static str,
        /// calamine's reason.
        reason: String,
    },
    /// Read, but not a valid form: every problem, with its sheet, row and column.
    #[error("the form has {} problem(s); nothing was stored", .0.len())]
    Refused(Vec<Problem>),
    /// No `form_id` in the settings and no usable file name to take it from.
    #[error(
        "the form has no form_id: set one on the settings sheet (1 to {MAX_FORM_ID_CHARS} \
         printable characters)"
    )]
    NoFormId,
}

/// A valid form and what it is stored under.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadForm {
    /// The settings' `form_id`, else the file name without its extension.
    pub form_id: String,
    /// The settings' `version`; empty when it has none.
    pub version: String,
    /// The settings' `form_title`, else the form id.
    pub title: String,
    /// Questions in the tree (calculations, notes and metadata included; groups not).
    pub question_count: u32,
    /// The validated form.
    pub form: Form,
    /// What looked wrong without refusing it.
    pub warnings: Vec<Warning>,
}

/// Reads and validates a form file from disk.
pub fn read_path(path: &Path) -> Result<ReadForm, FormError> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_FORM_BYTES + 1).read_to_end(&mut bytes)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    read(&bytes, name.as_deref())
}

/// Reads and validates a form from its bytes under the default workbook limits.
pub fn read(bytes: &[u8], file_name: Option<&str>) -> Result<ReadForm, FormError> {
    read_limited(bytes, file_name, &WorkbookLimits::default())
}

/// Reads and validates a form from its bytes; `file_name` (as uploaded) gives the form id of a
/// form whose settings have none. A workbook is read under `limits` (as a route file is).
/// Problems come sorted by sheet and row.
pub fn read_limited(
    bytes: &[u8],
    file_name: Option<&str>,
    limits: &WorkbookLimits,
) -> Result<ReadForm, FormError> {
    if bytes.len() as u64 > MAX_FORM_BYTES {
        return Err(FormError::TooLarge);
    }
    let sheets = sheets(bytes, limits)?;
    // Compiled too: what reads well but cannot run (a choice filter that does not parse, a
    // cycle of relevance) is refused at import, not at a collector's first completion.
    let compiled = parse_form(&sheets)
        .and_then(|(form, warnings)| Engine::new(&form).map(|_| (form, warnings)));
    let (form, warnings) = compiled.map_err(|mut problems| {
        problems.sort_by_key(|p| (sheet_rank(&p.sheet), p.row.unwrap_or(0)));
        FormError::Refused(problems)
    })?;
    let settings = &form.settings;
    let form_id = settings
        .form_id
        .clone()
        .or_else(|| file_name.map(stem))
        .map(|id| id.trim().to_owned())
        .filter(|id| is_form_id(id))
        .ok_or(FormError::NoFormId)?;
    Ok(ReadForm {
        version: settings.version.clone().unwrap_or_default(),
        title: settings
            .form_title
            .clone()
            .unwrap_or_else(|| form_id.clone()),
        question_count: count_questions(&form.children),
        form_id,
        form,
        warnings,
    })
}

/// The sheets of a file, by its content.
pub fn sheets(bytes: &[u8], limits: &WorkbookLimits) -> Result<Vec<Sheet>, FormError> {
    match encoding::sniff(&bytes[..bytes.len().min(encoding::SNIFF_BYTES)]) {
        Kind::Xlsx => workbook::read(bytes, Format::Xlsx, limits),
        Kind::Xls => workbook::read(bytes, Format::Xls, limits),
        Kind::Text(start) => text::read(bytes, start),
        Kind::Empty => Err(FormError::Empty),
        Kind::Binary => Err(FormError::NotASpreadsheet(
            "it is a binary file that is neither an XLSX nor an XLS workbook".into(),
        )),
    }
}

/// Sheets in the order an author fixes them: the survey, its lists, then settings. Problems
/// are listed by sheet, then row (whole-sheet problems first), whatever order they were found.
fn sheet_rank(sheet: &str) -> u8 {
    match sheet {
        "survey" => 0,
        "choices" => 1,
        "external_choices" => 2,
        "settings" => 3,
        _ => 4,
    }
}

/// A file name without its directory and last extension.
fn stem(name: &str) -> String {
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_owned(),
        _ => name.to_owned(),
    }
}

fn is_form_id(id: &str) -> bool {
    !id.is_empty() && id.chars().count() <= MAX_FORM_ID_CHARS && !id.chars().any(char::is_control)
}

fn count_questions(nodes: &[Node]) -> u32 {
    nodes
        .iter()
        .map(|n| match n {
            Node::Question(_) => 1,
            Node::Group(g) => count_questions(&g.children),
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SURVEY: &str = "type,name,label\ntext,a,A\ninteger,b,B\n";

    #[test]
    fn a_csv_survey_takes_its_id_from_the_file_name() {
        let read = read(SURVEY.as_bytes(), Some("dir/visita_v2.csv")).expect("a form");

        assert_eq!(read.form_id, "visita_v2");
        assert_eq!(read.title, "visita_v2");
        assert_eq!(read.version, "");
        assert_eq!(read.question_count, 2);
    }

    #[test]
    fn problems_refuse_the_file_with_their_row() {
        let csv = "type,name,label,relevant\ntext,a,A,\ntext,b,B,${a\n";

        let Err(FormError::Refused(problems)) = read(csv.as_bytes(), Some("f.csv")) else {
            panic!("refused")
        };

        assert!(problems.iter().any(|p| p.row == Some(3)), "{problems:?}");
    }

    #[test]
    fn a_form_that_reads_well_but_cannot_run_is_refused_at_import() {
        // Each question is shown only when the other is answered: no order can evaluate them.
        let csv = "type,name,label,relevant\ntext,a,A,${b} != ''\ntext,b,B,${a} != ''\n";

        let Err(FormError::Refused(problems)) = read(csv.as_bytes(), Some("f.csv")) else {
            panic!("refused")
        };

        assert!(
            problems
                .iter()
                .any(|p| p.row == Some(2) || p.row == Some(3)),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.message.contains("cycle")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_one_file_csv_names_the_rows_pyxform_names() {
        // The blank line and the row of empty cells are not rows for pyxform: `c` is row 3.
        let csv = "survey,,,\n,type,name,calculation\n\n,text,a,\n,,,\n,calculate,c,\n\
                   choices,,,\n,list_name,name,label\n";

        let Err(FormError::Refused(problems)) = read(csv.as_bytes(), Some("f.csv")) else {
            panic!("refused")
        };

        // `a` has no label either (row 2), which pyxform also refuses.
        let calculation: Vec<_> = problems
            .iter()
            .filter(|p| p.message == "missing calculation")
            .collect();
        assert_eq!(calculation.len(), 1, "{problems:?}");
        assert_eq!(calculation[0].row, Some(3), "{problems:?}");
        assert!(problems.iter().all(|p| p.row <= Some(3)), "{problems:?}");
    }

    #[test]
    fn a_one_file_csv_reads_its_settings_and_choices() {
        let csv = "survey,,,\n,type,name,label\n,select_one yn,ok,OK?\n\
                   choices,,,\n,list_name,name,label\n,yn,y,Yes\n,yn,n,No\n\
                   settings,,,\n,form_id,version,\n,visita,7,\n";

        let read = read(csv.as_bytes(), Some("other.csv")).expect("a form");

        assert_eq!(read.form_id, "visita");
        assert_eq!(read.version, "7");
        assert_eq!(read.form.choices.len(), 1);
    }

    #[test]
    fn files_are_told_apart_by_content() {
        assert!(matches!(
            sheets(b"", &WorkbookLimits::default()),
            Err(FormError::Empty)
        ));
        assert!(matches!(
            sheets(b"\0\x01\x02binary", &WorkbookLimits::default()),
            Err(FormError::NotASpreadsheet(_))
        ));
        assert!(matches!(
            sheets(b"PK\x03\x04not really a zip", &WorkbookLimits::default()),
            Err(FormError::Unreadable { kind: "XLSX", .. })
        ));
        assert!(matches!(
            sheets(
                &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0],
                &WorkbookLimits::default()
            ),
            Err(FormError::Unreadable { kind: "XLS", .. })
        ));
    }

    #[test]
    fn file_names_lose_their_folder_and_extension() {
        assert_eq!(stem("a/b/form.v1.xlsx"), "form.v1");
        assert_eq!(stem("C:\\x\\f.csv"), "f");
        assert_eq!(stem(".hidden"), ".hidden");
        assert_eq!(stem("plain"), "plain");
    }
}
