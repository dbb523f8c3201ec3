//! One sheet row to one validated account, or the first thing wrong with it (in field order),
//! with its column. Shared by the CSV and spreadsheet readers, which hand cells over as text.
//!
//! Decisions: a blank row is skipped, not reported (spreadsheets end with empty rows); a blank
//! days-past-due cell (or no such column) is 0 days; a blank collector cell leaves the account
//! unassigned; a blank currency cell is the import's default currency. This module must not
//! touch the database: whether a collector exists is the loader's question.

use terreno_shared::ValidationError;
use terreno_shared::contact::LocalWindow;
use terreno_shared::model::{
    Currency, DaysPastDue, DocumentKind, ExternalId, GeoPoint, Money, NationalId, Phone, Username,
};

use super::headers::{Field, Mapping};
use super::numbers::{self, Decimal, NumberKind};
use super::{ImportRow, RowError};
use crate::db::portfolio::AccountRow;

/// Longest reason a row error carries (values are quoted in reasons; a cell holds up to 1 MiB).
const MAX_REASON_BYTES: usize = 300;

/// Longest name accepted, in characters (the shared model's limit).
const MAX_NAME_CHARS: usize = 200;
/// Longest address accepted, in characters (the shared model's limit).
const MAX_ADDRESS_CHARS: usize = 500;

/// How a cell's text was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Text as typed: numbers in it follow the file's locale.
    Text,
    /// A spreadsheet number, written canonically (`1885907.28`).
    Number,
    /// A spreadsheet error value (`#N/A`): never a valid value.
    Error,
}

/// One cell, borrowed from the reader's current record.
#[derive(Debug, Clone, Copy)]
pub struct Cell<'a> {
    /// The cell's text.
    pub text: &'a str,
    /// How it was stored.
    pub kind: CellKind,
}

/// What rows of one file share.
pub struct Rules<'m> {
    /// The file's columns.
    pub mapping: &'m Mapping,
    /// The locale evidence for text cells.
    pub decimal: Decimal,
    /// Currency of balances when no currency column says otherwise.
    pub default_currency: Currency,
}

struct Row<'r, 'a> {
    rules: &'r Rules<'r>,
    line: u64,
    cells: &'r [Cell<'a>],
}

/// Validates one row; `None` for a blank row.
pub fn build(
    rules: &Rules<'_>,
    line: u64,
    cells: &[Cell<'_>],
) -> Option<Result<ImportRow, RowError>> {
    if cells.iter().all(|c| c.text.trim().is_empty()) {
        return None;
    }
    let row = Row { rules, line, cells };
    Some(row.check_shape().and_then(|()| row.account()))
}

impl Row<'_, '_> {
    /// A row error. Its reason is cut to [`MAX_REASON_BYTES`] and it keeps the row's id only
    /// when the id could be one: a workbook can repeat one 1 MiB shared string in every row,
    /// and thousands of errors each holding it would fill memory and the staging table.
    fn error(&self, field: Option<Field>, column: Option<usize>, mut reason: String) -> RowError {
        if reason.len() > MAX_REASON_BYTES {
            let mut cut = MAX_REASON_BYTES;
            while !reason.is_char_boundary(cut) {
                cut -= 1;
            }
            // A new string: truncating would keep the long one's allocation.
            reason = format!("{}… (cut)", &reason[..cut]);
        }
        let external_id = self
            .text(Field::ExternalId)
            .filter(|id| id.chars().count() <= ExternalId::MAX_CHARS)
            .map(str::to_owned);
        RowError {
            line: self.line,
            column: column.map(|i| self.rules.mapping.headers()[i].clone()),
            field,
            reason,
            external_id,
        }
    }

    fn fail(&self, field: Field, reason: impl Into<String>) -> RowError {
        self.error(Some(field), self.rules.mapping.column(field), reason.into())
    }

    fn check_shape(&self) -> Result<(), RowError> {
        let width = self.rules.mapping.headers().len();
        if self.cells.len() > width
            && self.cells[width..]
                .iter()
                .any(|c| !c.text.trim().is_empty())
        {
            let reason = format!(
                "has {} cells but the header has {width} columns (an unquoted delimiter?)",
                self.cells.len()
            );
            return Err(self.error(None, None, reason));
        }
        for (i, field) in self.rules.mapping.fields().iter().enumerate() {
            if let (Some(f), Some(c)) = (field, self.cells.get(i)) {
                if c.kind == CellKind::Error {
                    let reason = format!("the cell holds the spreadsheet error {}", c.text);
                    return Err(self.error(Some(*f), Some(i), reason));
                }
            }
        }
        Ok(())
    }

    /// The trimmed, non-blank text of a field's (first) column.
    fn get(&self, field: Field) -> Option<Cell<'_>> {
        let cell = self.cells.get(self.rules.mapping.column(field)?)?;
        let text = cell.text.trim();
        (!text.is_empty()).then_some(Cell {
            text,
            kind: cell.kind,
        })
    }

    fn text(&self, field: Field) -> Option<&str> {
        self.get(field).map(|c| c.text)
    }

    fn required(&self, field: Field) -> Result<&str, RowError> {
        self.text(field).ok_or_else(|| self.fail(field, "is empty"))
    }

    fn decimal(&self, cell: Cell<'_>) -> Decimal {
        match cell.kind {
            CellKind::Number => Decimal::Point,
            _ => self.rules.decimal,
        }
    }

    fn validated<T>(&self, field: Field, r: Result<T, ValidationError>) -> Result<T, RowError> {
        r.map_err(|e| self.fail(field, e.reason))
    }

    fn account(&self) -> Result<ImportRow, RowError> {
        let external_id = self.validated(
            Field::ExternalId,
            ExternalId::parse(self.required(Field::ExternalId)?),
        )?;
        let debtor_name = one_line(self.required(Field::DebtorName)?, MAX_NAME_CHARS)
            .map_err(|r| self.fail(Field::DebtorName, r))?;
        let national_id = self.national_id()?;
        let address = multi_line(self.required(Field::Address)?, MAX_ADDRESS_CHARS)
            .map_err(|r| self.fail(Field::Address, r))?;
        let neighbourhood = self.optional_line(Field::Neighbourhood)?;
        let location = self.location()?;
        let phones = self.phones()?;
        let balance = self.balance()?;
        let days_past_due = self.days_past_due()?;
        let collector = self
            .text(Field::Collector)
            .map(|t| self.validated(Field::Collector, Username::parse(t)))
            .transpose()?;
        let visit_date = self
            .text(Field::VisitDate)
            .map(|t| numbers::date(t).map_err(|r| self.fail(Field::VisitDate, r)))
            .transpose()?;
        let contact_window = self
            .text(Field::ContactWindow)
            .map(|t| self.validated(Field::ContactWindow, LocalWindow::parse(t)))
            .transpose()?;
        let team = self.optional_line(Field::Team)?;
        Ok(ImportRow {
            line: self.line,
            account: AccountRow {
                external_id,
                national_id,
                debtor_name,
                address,
                neighbourhood,
                location,
                phones,
                balance,
                days_past_due,
                contact_window,
                collector,
                visit_date,
            },
            team,
        })
    }

    fn optional_line(&self, field: Field) -> Result<Option<String>, RowError> {
        self.text(field)
            .map(|t| one_line(t, MAX_NAME_CHARS).map_err(|r| self.fail(field, r)))
            .transpose()
    }

    fn national_id(&self) -> Result<Option<NationalId>, RowError> {
        let Some(number) = self.text(Field::NationalId) else {
            return Ok(None);
        };
        let kind = match self.text(Field::DocumentKind) {
            None => DocumentKind::Cc,
            Some(k) => document_kind(k).map_err(|r| self.fail(Field::DocumentKind, r))?,
        };
        self.validated(Field::NationalId, NationalId::parse(kind, number))
            .map(Some)
    }

    fn location(&self) -> Result<Option<GeoPoint>, RowError> {
        let (lat, lon) = match (self.get(Field::Latitude), self.get(Field::Longitude)) {
            (None, None) => return Ok(None),
            (Some(_), None) => {
                return Err(self.fail(Field::Longitude, "is empty but the latitude is given"));
            }
            (None, Some(_)) => {
                return Err(self.fail(Field::Latitude, "is empty but the longitude is given"));
            }
            (Some(lat), Some(lon)) => (lat, lon),
        };
        let degrees = |field: Field, cell: Cell<'_>| {
            numbers::coordinate(cell.text, self.decimal(cell)).map_err(|r| self.fail(field, r))
        };
        let (lat, lon) = (
            degrees(Field::Latitude, lat)?,
            degrees(Field::Longitude, lon)?,
        );
        GeoPoint::parse(lat, lon).map(Some).map_err(|e| {
            let field = if e.field == "latitude" {
                Field::Latitude
            } else {
                Field::Longitude
            };
            self.fail(field, e.reason)
        })
    }

    fn phones(&self) -> Result<Vec<Phone>, RowError> {
        let mut phones: Vec<Phone> = Vec::new();
        for i in self.rules.mapping.columns_of(Field::Phone) {
            let Some(cell) = self.cells.get(i) else {
                continue;
            };
            for part in cell.text.split(['/', ';', ',', '|']).map(str::trim) {
                if part.is_empty() {
                    continue;
                }
                let phone = Phone::parse(part)
                    .map_err(|e| self.error(Some(Field::Phone), Some(i), e.reason))?;
                if !phones.contains(&phone) {
                    phones.push(phone);
                }
            }
        }
        Ok(phones)
    }

    fn balance(&self) -> Result<Money, RowError> {
        let currency = match self.text(Field::Currency) {
            None => self.rules.default_currency,
            Some(code) => self.validated(Field::Currency, Currency::parse(code))?,
        };
        let Some(cell) = self.get(Field::Balance) else {
            return Err(self.fail(Field::Balance, "is empty"));
        };
        let canonical = numbers::canonical(cell.text, NumberKind::Amount, self.decimal(cell))
            .map_err(|r| self.fail(Field::Balance, r))?;
        let money = Money::from_decimal_str(&canonical, currency)
            .map_err(|e| self.fail(Field::Balance, format!("{:?}: {}", cell.text, e.reason)))?;
        if money.is_negative() {
            return Err(self.fail(Field::Balance, format!("{:?} is negative", cell.text)));
        }
        Ok(money)
    }

    fn days_past_due(&self) -> Result<DaysPastDue, RowError> {
        let Some(cell) = self.get(Field::DaysPastDue) else {
            return Ok(DaysPastDue::default());
        };
        let days = numbers::integer(cell.text, self.decimal(cell))
            .map_err(|r| self.fail(Field::DaysPastDue, r))?;
        if days < 0 {
            return Err(self.fail(Field::DaysPastDue, format!("{days} is negative")));
        }
        self.validated(Field::DaysPastDue, DaysPastDue::parse(days))
    }
}

/// `CC`, `C.C.`, `cédula`, `NIT`, `pasaporte`... as a document kind.
fn document_kind(raw: &str) -> Result<DocumentKind, String> {
    let key: String = super::headers::normalize(raw)
        .replace(' ', "")
        .to_ascii_uppercase();
    let kind = match key.as_str() {
        "CC" | "CEDULA" | "CEDULACIUDADANIA" => DocumentKind::Cc,
        "CE" | "CEDULAEXTRANJERIA" => DocumentKind::Ce,
        "NIT" => DocumentKind::Nit,
        "PP" | "PA" | "PASAPORTE" | "PASSPORT" => DocumentKind::Pp,
        "TI" | "TARJETAIDENTIDAD" => DocumentKind::Ti,
        _ => return key.parse().map_err(|e: ValidationError| e.reason),
    };
    Ok(kind)
}

/// Trimmed, inner whitespace collapsed, no control characters, at most `max` characters.
fn one_line(raw: &str, max: usize) -> Result<String, String> {
    checked(raw.split_whitespace().collect::<Vec<_>>().join(" "), max)
}

/// Like [`one_line`] per line, blank lines dropped (`Torre 2` / `Interior 5` stay apart).
fn multi_line(raw: &str, max: usize) -> Result<String, String> {
    let clean = raw
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    checked(clean, max)
}

fn checked(clean: String, max: usize) -> Result<String, String> {
    if let Some(c) = clean.chars().find(|c| c.is_control() && *c != '\n') {
        return Err(format!("contains the control character {c:?}"));
    }
    let n = clean.chars().count();
    if n > max {
        return Err(format!("has {n} characters, over the limit of {max}"));
    }
    Ok(clean)
}
