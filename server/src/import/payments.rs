//! Reading the creditor's payment files (bank and collection-channel reports) with the route
//! import's reading layer ([`super::records`]: CSV in any encoding and delimiter, XLSX/XLS,
//! numbers and dates in Spanish or English formats) but their own header vocabulary, since the
//! same words mean other things in a route file (`referencia` is a route file's account code,
//! here a voucher number):
//!
//! | field | headers (normalized as [`super::headers::normalize`] does) | |
//! |---|---|---|
//! | account | `external_id`, `id_cliente`, `obligacion`, `cuenta` | required |
//! | amount | `valor`, `monto`, `valor_pago`, `amount` | required, positive |
//! | date | `fecha`, `fecha_pago`, `date` | required |
//! | reference | `referencia`, `comprobante`, `reference` | required: the idempotency key |
//! | channel | `canal`, `medio`, `channel` | optional |
//!
//! Each row becomes a [`PaymentRow`] or a [`RowError`] with its line and column. Amounts stay
//! canonical decimal text here: they become minor units in the account's currency once the
//! account is known. This module only reads; what a bad row means is the caller's.

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use chrono::NaiveDate;
use terreno_shared::model::ExternalId;

use super::bounds::WorkbookLimits;
use super::headers::normalize;
use super::numbers::{self, Decimal, NumberKind};
use super::records::{self, Records};
use super::row::{Cell, CellKind};
use super::{FileError, RowError};

/// Longest reference or channel kept, in characters (a visit's receipt has the same limit).
pub const MAX_REFERENCE_CHARS: usize = 64;

/// A column of a payment file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentField {
    /// The creditor's account code.
    Account,
    /// The amount paid.
    Amount,
    /// The day it was paid.
    Date,
    /// The voucher or receipt number.
    Reference,
    /// How it was paid.
    Channel,
}

impl PaymentField {
    /// Every field, in the order rows are checked.
    pub const ALL: [PaymentField; 5] = [
        PaymentField::Account,
        PaymentField::Amount,
        PaymentField::Date,
        PaymentField::Reference,
        PaymentField::Channel,
    ];

    /// The name used in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentField::Account => "account",
            PaymentField::Amount => "amount",
            PaymentField::Date => "date",
            PaymentField::Reference => "reference",
            PaymentField::Channel => "channel",
        }
    }

    fn synonyms(self) -> &'static [&'static str] {
        match self {
            PaymentField::Account => &[
                "external id",
                "id cliente",
                "obligacion",
                "cuenta",
                "account",
            ],
            PaymentField::Amount => &["valor", "monto", "valor pago", "amount"],
            PaymentField::Date => &["fecha", "fecha pago", "date"],
            PaymentField::Reference => &["referencia", "comprobante", "reference"],
            PaymentField::Channel => &["canal", "medio", "medio pago", "channel"],
        }
    }

    fn from_header(header: &str) -> Option<PaymentField> {
        let key = normalize(header);
        Self::ALL
            .into_iter()
            .find(|f| f.synonyms().contains(&key.as_str()))
    }
}

impl fmt::Display for PaymentField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A payment file that cannot be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum PaymentFileError {
    /// Not readable as a spreadsheet.
    #[error(transparent)]
    File(#[from] FileError),
    /// Required fields found in no column.
    #[error("no column found for {}; the file's headers are {headers:?} (a payment file needs \
             account, amount, date and reference)", names(.missing))]
    MissingColumns {
        /// The headers as written.
        headers: Vec<String>,
        /// The fields not found.
        missing: Vec<PaymentField>,
    },
    /// Two columns for one field.
    #[error("columns {first:?} and {second:?} are both the payment's {field}; keep one")]
    DuplicateColumn {
        /// The field.
        field: PaymentField,
        /// The first column.
        first: String,
        /// The second column.
        second: String,
    },
}

fn names(fields: &[PaymentField]) -> String {
    let names: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
    names.join(", ")
}

/// A good row of a payment file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    /// Line (CSV) or row number (workbook).
    pub line: u64,
    /// The account's code, as the creditor writes it.
    pub account: ExternalId,
    /// The amount as canonical decimal text (`250000.50`), positive.
    pub amount: String,
    /// The day it was paid.
    pub date: NaiveDate,
    /// The voucher number, trimmed.
    pub reference: String,
    /// The channel, trimmed, if given.
    pub channel: Option<String>,
}

/// The rows of an opened payment file.
pub struct PaymentReader {
    records: Records,
    row: Row,
}

/// Opens a payment file from disk (a workbook or CSV, by content).
pub fn open_path(path: &Path, limits: &WorkbookLimits) -> Result<PaymentReader, PaymentFileError> {
    open(
        BufReader::new(File::open(path).map_err(FileError::from)?),
        limits,
    )
}

/// Opens a seekable source: a workbook (its first sheet) or CSV, by content.
pub fn open<R: Read + Seek + Send + 'static>(
    reader: R,
    limits: &WorkbookLimits,
) -> Result<PaymentReader, PaymentFileError> {
    PaymentReader::new(records::open(reader, None, limits)?)
}

impl PaymentReader {
    fn new(records: Records) -> Result<Self, PaymentFileError> {
        let headers = records.headers();
        let mut columns: [Option<usize>; 5] = [None; 5];
        for (i, header) in headers.iter().enumerate() {
            let Some(field) = PaymentField::from_header(header) else {
                continue;
            };
            let slot = &mut columns[field as usize];
            if let Some(first) = *slot {
                return Err(PaymentFileError::DuplicateColumn {
                    field,
                    first: headers[first].clone(),
                    second: header.clone(),
                });
            }
            *slot = Some(i);
        }
        let missing: Vec<PaymentField> = PaymentField::ALL
            .into_iter()
            .filter(|f| *f != PaymentField::Channel && columns[*f as usize].is_none())
            .collect();
        if !missing.is_empty() {
            return Err(PaymentFileError::MissingColumns {
                headers: headers.to_vec(),
                missing,
            });
        }
        let row = Row {
            columns,
            headers: headers.to_vec(),
            decimal: records.decimal(),
        };
        Ok(PaymentReader { records, row })
    }

    /// The header of the column holding `field`, as written.
    pub fn header(&self, field: PaymentField) -> Option<&str> {
        let i = self.row.columns[field as usize]?;
        self.row.headers.get(i).map(String::as_str)
    }
}

impl Iterator for PaymentReader {
    type Item = Result<PaymentRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let row = &self.row;
        let next = self
            .records
            .next_with(|line, cells| row.build(line, cells))?;
        Some(next.unwrap_or_else(|fatal| {
            Err(RowError {
                line: fatal.line,
                column: None,
                field: None,
                reason: fatal.reason,
                external_id: None,
            })
        }))
    }
}

/// What the rows of one file share.
struct Row {
    columns: [Option<usize>; 5],
    headers: Vec<String>,
    decimal: Decimal,
}

impl Row {
    /// One row, or `None` for a blank one.
    fn build(&self, line: u64, cells: &[Cell<'_>]) -> Option<Result<PaymentRow, RowError>> {
        if cells.iter().all(|c| c.text.trim().is_empty()) {
            return None;
        }
        Some(self.payment(line, cells))
    }

    fn fail(&self, line: u64, field: PaymentField, reason: impl Into<String>) -> RowError {
        RowError {
            line,
            column: self.columns[field as usize].map(|i| self.headers[i].clone()),
            field: None,
            reason: reason.into(),
            external_id: None,
        }
    }

    fn cell<'c>(&self, cells: &[Cell<'c>], field: PaymentField) -> Option<Cell<'c>> {
        let cell = cells.get(self.columns[field as usize]?)?;
        let text = cell.text.trim();
        (!text.is_empty()).then_some(Cell {
            text,
            kind: cell.kind,
        })
    }

    fn required<'c>(
        &self,
        line: u64,
        cells: &[Cell<'c>],
        field: PaymentField,
    ) -> Result<Cell<'c>, RowError> {
        let cell = self
            .cell(cells, field)
            .ok_or_else(|| self.fail(line, field, "is empty"))?;
        if cell.kind == CellKind::Error {
            let reason = format!("the cell holds the spreadsheet error {}", cell.text);
            return Err(self.fail(line, field, reason));
        }
        Ok(cell)
    }

    fn payment(&self, line: u64, cells: &[Cell<'_>]) -> Result<PaymentRow, RowError> {
        use PaymentField::*;
        let account = self.required(line, cells, Account)?;
        let account =
            ExternalId::parse(account.text).map_err(|e| self.fail(line, Account, e.reason))?;
        let amount = self.required(line, cells, Amount)?;
        let decimal = match amount.kind {
            CellKind::Number => Decimal::Point,
            _ => self.decimal,
        };
        let canonical = numbers::canonical(amount.text, NumberKind::Amount, decimal)
            .map_err(|r| self.fail(line, Amount, r))?;
        if canonical.starts_with('-') || canonical.bytes().all(|b| b == b'0' || b == b'.') {
            let reason = format!("{:?} is not a positive amount", amount.text);
            return Err(self.fail(line, Amount, reason));
        }
        let date = numbers::date(self.required(line, cells, Date)?.text)
            .map_err(|r| self.fail(line, Date, r))?;
        let reference = self.short(line, Reference, self.required(line, cells, Reference)?.text)?;
        let channel = self
            .cell(cells, Channel)
            .map(|c| self.short(line, Channel, c.text))
            .transpose()?;
        Ok(PaymentRow {
            line,
            account,
            amount: canonical,
            date,
            reference,
            channel,
        })
    }

    /// One line of at most [`MAX_REFERENCE_CHARS`] characters, inner spaces collapsed.
    fn short(&self, line: u64, field: PaymentField, raw: &str) -> Result<String, RowError> {
        let clean = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if clean.chars().any(char::is_control) {
            return Err(self.fail(line, field, "contains a control character"));
        }
        let n = clean.chars().count();
        if n > MAX_REFERENCE_CHARS {
            let reason = format!("has {n} characters, over the limit of {MAX_REFERENCE_CHARS}");
            return Err(self.fail(line, field, reason));
        }
        Ok(clean)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    fn read(bytes: &[u8]) -> Vec<Result<PaymentRow, RowError>> {
        let reader =
            open(Cursor::new(bytes.to_vec()), &WorkbookLimits::default()).expect("a payment file");
        reader.collect()
    }

    #[test]
    fn a_latin1_semicolon_file_with_spanish_numbers_reads() {
        let mut file = b"Obligaci\xf3n;Valor pago;Fecha de pago;Comprobante;Medio\r\n".to_vec();
        file.extend_from_slice(b"A-1;250.000;26/11/2026;R-77;Bancolombia\r\n");
        file.extend_from_slice(b"A-2;1.234,50;2026-11-27; r-78 ;\r\n;;;;\r\n");
        let rows: Vec<PaymentRow> = read(&file).into_iter().map(|r| r.expect("good")).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].account.as_str(), "A-1");
        assert_eq!(rows[0].amount, "250000");
        assert_eq!(rows[0].date, NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
        assert_eq!(rows[0].channel.as_deref(), Some("Bancolombia"));
        assert_eq!((rows[1].amount.as_str(), rows[1].line), ("1234.50", 3));
        assert_eq!(
            (rows[1].reference.as_str(), rows[1].channel.as_deref()),
            ("r-78", None)
        );
    }

    #[test]
    fn bad_cells_say_their_line_and_column() {
        let file = b"cuenta,monto,fecha,referencia\nA-1,-5,2026-11-26,R1\nA-2,10,31/02/2026,R2\nA-3,10,2026-11-26,\n";
        let errors: Vec<(u64, Option<String>)> = read(file)
            .into_iter()
            .map(|r| {
                let e = r.expect_err("bad");
                (e.line, e.column)
            })
            .collect();
        assert_eq!(
            errors,
            [
                (2, Some("monto".into())),
                (3, Some("fecha".into())),
                (4, Some("referencia".into()))
            ]
        );
    }

    #[test]
    fn a_file_without_the_required_columns_is_refused_naming_them() {
        let file = b"cuenta;valor\nA-1;10\n";
        let err = open(Cursor::new(file.to_vec()), &WorkbookLimits::default())
            .err()
            .expect("refused");
        let text = err.to_string();
        assert!(text.contains("date, reference"), "{text}");
    }

    #[test]
    fn route_words_do_not_make_payment_columns() {
        // `saldo` (balance) and `nombre` are a route file's; they are simply not read here.
        let file =
            b"external_id;nombre;saldo;valor;fecha;referencia\nA-1;Ana;900;100;2026-11-26;X\n";
        let rows = read(file);
        assert_eq!(rows[0].as_ref().expect("good").amount, "100");
    }
}
