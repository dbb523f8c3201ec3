//! The dashboard's report tables as Excel workbooks: one sheet, the same columns as the page's
//! CSV download, counts and amounts as numbers. A report is at most a few hundred rows, so the
//! workbook is built in memory (unlike the visits export, which streams).

use anyhow::Context;
use rust_xlsxwriter::{Format, Workbook};

use crate::db::reports::{ContactRate, Promises};
use crate::db::visit_reports::{RefusalReasons, VisitsPerCollector};

/// A cell of a report table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
}

/// A report as one sheet: its name, a header row and data rows.
#[derive(Debug, Clone)]
pub struct Table {
    /// Sheet name (at most 31 characters).
    pub sheet: &'static str,
    /// Column names.
    pub header: Vec<String>,
    /// Rows, as long as the header.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The table as the bytes of an `.xlsx` file.
    pub fn to_xlsx(&self) -> anyhow::Result<Vec<u8>> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(self.sheet).context("naming the sheet")?;
        let bold = Format::new().set_bold();
        for (col, name) in (0u16..).zip(&self.header) {
            sheet
                .write_string_with_format(0, col, name, &bold)
                .context("writing the header")?;
        }
        for (row_at, row) in (1u32..).zip(&self.rows) {
            for (col, cell) in (0u16..).zip(row) {
                match cell {
                    Cell::Text(t) => sheet.write_string(row_at, col, t),
                    Cell::Number(n) => sheet.write_number(row_at, col, *n),
                }
                .with_context(|| format!("writing row {row_at}"))?;
            }
        }
        book.save_to_buffer().context("assembling the workbook")
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn num(n: impl Into<f64>) -> Cell {
    Cell::Number(n.into())
}

fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

/// Contact rate: one row per weekday (1 = Monday) and hour with visits.
pub fn contact_rate(r: &ContactRate) -> Table {
    let mut rows = Vec::new();
    for (day, hours) in (1u8..).zip(&r.cells) {
        for (hour, c) in (0u8..).zip(hours) {
            if c.visits == 0 {
                continue;
            }
            let rate = (100.0 * f64::from(c.contacts) / f64::from(c.visits)).round();
            rows.push(vec![
                num(day),
                num(hour),
                num(c.visits),
                num(c.contacts),
                num(rate),
            ]);
        }
    }
    Table {
        sheet: "contact_rate",
        header: header(&[
            "weekday",
            "hour",
            "visits",
            "contacts",
            "contact_rate_percent",
        ]),
        rows,
    }
}

/// Promises: one row per bucket and currency, amounts in currency units.
pub fn promises(p: &Promises) -> Table {
    let amount = |minor: i64, exponent: u8| minor as f64 / 10f64.powi(i32::from(exponent));
    let rows = p
        .rows
        .iter()
        .map(|r| {
            vec![
                text(&r.bucket),
                text(&r.currency),
                num(r.made),
                num(r.kept),
                num(r.broken),
                num(r.pending),
                num(amount(r.made_minor, r.exponent)),
                num(amount(r.kept_minor, r.exponent)),
                num(amount(r.broken_minor, r.exponent)),
            ]
        })
        .collect();
    Table {
        sheet: "promises",
        header: header(&[
            "bucket",
            "currency",
            "made",
            "kept",
            "broken",
            "pending",
            "made_amount",
            "kept_amount",
            "broken_amount",
        ]),
        rows,
    }
}

/// Visits per collector: a row per collector, a column per day, then the totals row.
pub fn visits_per_collector(v: &VisitsPerCollector) -> Table {
    let mut head = vec!["collector".to_owned(), "name".to_owned()];
    head.extend(v.days.iter().map(|d| d.to_string()));
    head.push("total".to_owned());
    let mut rows: Vec<Vec<Cell>> = v
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![text(&r.username), text(&r.display_name)];
            row.extend(r.counts.iter().map(|n| num(*n)));
            row.push(num(r.total));
            row
        })
        .collect();
    let mut totals = vec![text("total"), text("")];
    totals.extend(v.day_totals.iter().map(|n| num(*n)));
    totals.push(num(v.total));
    rows.push(totals);
    Table {
        sheet: "visits_per_collector",
        header: head,
        rows,
    }
}

/// Refusal reasons: a row per reason, most frequent first.
pub fn refusal_reasons(r: &RefusalReasons) -> Table {
    Table {
        sheet: "refusal_reasons",
        header: header(&["reason", "refusals"]),
        rows: r
            .reasons
            .iter()
            .map(|c| vec![text(&c.reason), num(c.count)])
            .collect(),
    }
}
