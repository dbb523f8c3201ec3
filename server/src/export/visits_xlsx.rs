//! Visits as an Excel workbook: the CSV's columns on one sheet, amounts and coordinates as
//! numbers. The sheet is written in rust_xlsxwriter's constant-memory mode (each row goes to a
//! temporary file as it is added), the workbook is assembled into another temporary file, and
//! that file is streamed: memory stays bounded however many visits there are. Text cells are
//! XLSX strings, which a spreadsheet never evaluates, so they need no `'` guard.

use anyhow::Context;
use chrono_tz::Tz;
use rust_xlsxwriter::{Format, Workbook};
use tokio::io::AsyncReadExt;

use super::Sink;
use super::visits::{COLUMNS, cells};
use crate::db::Db;
use crate::db::exports::{PAGE_ROWS, VisitKey};
use crate::db::sessions::Session;

/// Columns written as numbers when they hold one.
const NUMERIC: [&str; 4] = ["promise_amount", "payment_amount", "lat", "lon"];

/// Writes the visits `who` may see in `range` as an XLSX workbook, then finishes `sink`.
// Long: the workbook streamed page by page, column by column.
pub async fn write(
    db: Db,
    who: Session,
    range: (i64, i64),
    tz: Tz,
    mut sink: Sink,
) -> anyhow::Result<()> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory();
    sheet.set_name("visits").context("naming the sheet")?;
    let bold = Format::new().set_bold();
    for (col, name) in (0u16..).zip(COLUMNS) {
        sheet
            .write_string_with_format(0, col, name, &bold)
            .context("writing the header")?;
    }
    let mut row_at = 0u32;
    let mut after: Option<VisitKey> = None;
    loop {
        let page = db
            .exports()
            .visits_page(&who, range, after.as_ref())
            .await?;
        for v in &page {
            row_at += 1;
            let row = cells(v, tz).with_context(|| format!("exporting visit {}", v.id))?;
            for ((col, name), cell) in (0u16..).zip(COLUMNS).zip(row) {
                let Some(text) = cell else { continue };
                match NUMERIC
                    .contains(&name)
                    .then(|| text.parse::<f64>().ok())
                    .flatten()
                {
                    Some(n) => sheet.write_number(row_at, col, n),
                    None => sheet.write_string(row_at, col, text),
                }
                .with_context(|| format!("writing row {row_at}"))?;
            }
        }
        match page.last() {
            Some(v) if page.len() == PAGE_ROWS as usize => after = Some((v.at_ms, v.id.clone())),
            _ => break,
        }
    }
    let path = std::env::temp_dir().join(format!("terreno-export-{}.xlsx", uuid::Uuid::now_v7()));
    let saved = path.clone();
    tokio::task::spawn_blocking(move || book.save(&saved))
        .await
        .context("assembling the workbook")?
        .context("assembling the workbook")?;
    let file = tokio::fs::File::open(&path).await;
    // The open handle keeps the bytes readable; the name goes now so nothing is left behind.
    let _ = tokio::fs::remove_file(&path).await;
    let mut file = file.context("opening the assembled workbook")?;
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = file.read(&mut buf).await.context("reading the workbook")?;
        if n == 0 {
            break;
        }
        sink.write(&buf[..n]).await?;
    }
    sink.finish();
    Ok(())
}
