//! Visits as CSV (UTF-8 with a BOM so Excel reads the accents, cells neutralised) or as a
//! GeoJSON FeatureCollection (a point at the debtor's location, the same columns as
//! properties). Times are the organization's local wall-clock time; amounts are decimals in the
//! account's currency, which has its own column.

use anyhow::Context;
use chrono_tz::Tz;
use serde_json::{Map, Value, json};
use terreno_shared::model::money::Money;
use terreno_shared::model::submission::RawSubmission;

use super::{Sink, local_time, neutral};
use crate::db::Db;
use crate::db::exports::{ExportVisit, PAGE_ROWS, VisitKey};
use crate::db::sessions::Session;

/// The columns, in order: the CSV header and the GeoJSON property names.
pub const COLUMNS: [&str; 19] = [
    "id",
    "external_id",
    "debtor_name",
    "collector",
    "status",
    "outcome",
    "checked_in_at",
    "completed_at",
    "promise_amount",
    "promise_currency",
    "promise_due",
    "payment_amount",
    "payment_currency",
    "payment_method",
    "device_verdict",
    "server_verdict",
    "server_reasons",
    "lat",
    "lon",
];

/// How the visits are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitFormat {
    /// Comma-separated, one visit a line.
    Csv,
    /// A GeoJSON FeatureCollection.
    GeoJson,
    /// An Excel workbook (see [`super::visits_xlsx`]).
    Xlsx,
}

/// Writes the visits `who` may see in `range` (instants), oldest first, then finishes `sink`.
// Long: the rows streamed page by page, one arm per format.
pub async fn write(
    db: Db,
    who: Session,
    range: (i64, i64),
    tz: Tz,
    format: VisitFormat,
    mut sink: Sink,
) -> anyhow::Result<()> {
    if format == VisitFormat::Xlsx {
        return super::visits_xlsx::write(db, who, range, tz, sink).await;
    }
    let mut first = true;
    match format {
        VisitFormat::Csv => {
            let mut header = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
            header
                .write_record(COLUMNS)
                .context("writing the CSV header")?;
            let bytes = header.into_inner().context("writing the CSV header")?;
            sink.write(&bytes).await?;
        }
        _ => {
            sink.write(br#"{"type":"FeatureCollection","features":["#)
                .await?
        }
    }
    let mut after: Option<VisitKey> = None;
    loop {
        let page = db
            .exports()
            .visits_page(&who, range, after.as_ref())
            .await?;
        // A writer per page: its buffer is the page's bytes, sent before the next page is read.
        let mut csv = csv::Writer::from_writer(Vec::new());
        let mut out = Vec::new();
        for v in &page {
            let row = cells(v, tz).with_context(|| format!("exporting visit {}", v.id))?;
            match format {
                VisitFormat::Csv => {
                    let texts = row.iter().map(|c| neutral(c.as_deref().unwrap_or("")));
                    csv.write_record(texts.map(|c| c.into_owned()))
                        .context("writing a CSV line")?;
                }
                _ => {
                    if !std::mem::take(&mut first) {
                        out.push(b',');
                    }
                    serde_json::to_writer(&mut out, &feature(v, row))
                        .context("writing a GeoJSON feature")?;
                }
            }
        }
        out.append(&mut csv.into_inner().context("writing CSV lines")?);
        sink.write(&out).await?;
        match page.last() {
            Some(v) if page.len() == PAGE_ROWS as usize => after = Some((v.at_ms, v.id.clone())),
            _ => break,
        }
    }
    if format == VisitFormat::GeoJson {
        sink.write(b"]}").await?;
    }
    sink.finish();
    Ok(())
}

/// One visit's cells in [`COLUMNS`] order, `None` where there is nothing to say.
pub(super) fn cells(v: &ExportVisit, tz: Tz) -> anyhow::Result<Vec<Option<String>>> {
    let submission: Option<RawSubmission> = v
        .submission
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .context("reading the stored submission")?;
    let promise = submission.as_ref().and_then(|s| s.promise);
    let payment = submission.as_ref().and_then(|s| s.payment.clone());
    let server = verdict(v.server_verdict.as_deref())?;
    let reasons = server
        .as_ref()
        .and_then(|s| s["reasons"].as_array())
        .map(|rs| {
            rs.iter()
                .filter_map(|r| r["reason"].as_str())
                .collect::<Vec<_>>()
                .join(" ")
        });
    let tag = |v: &Option<Value>| {
        v.as_ref()
            .and_then(|v| v["verdict"].as_str().map(str::to_owned))
    };
    let method = payment.as_ref().map(|p| p.method());
    Ok(vec![
        Some(v.id.clone()),
        Some(v.external_id.clone()),
        Some(v.debtor_name.clone()),
        Some(v.collector.clone()),
        Some(v.status.clone()),
        v.outcome.clone(),
        v.checked_in_ms.map(|ms| local_time(ms, tz)),
        v.completed_ms.map(|ms| local_time(ms, tz)),
        promise.map(|p| decimal(p.amount())),
        promise.map(|p| p.amount().currency().to_string()),
        promise.map(|p| p.due().to_string()),
        payment.as_ref().map(|p| decimal(p.amount())),
        payment.as_ref().map(|p| p.amount().currency().to_string()),
        method.map(|m| json!(m).as_str().unwrap_or_default().to_owned()),
        tag(&verdict(v.device_verdict.as_deref())?),
        tag(&server),
        reasons.filter(|r| !r.is_empty()),
        v.lat.map(|x| x.to_string()),
        v.lon.map(|x| x.to_string()),
    ])
}

fn verdict(stored: Option<&str>) -> anyhow::Result<Option<Value>> {
    stored
        .map(serde_json::from_str)
        .transpose()
        .context("reading a stored check-in verdict")
}

/// `1234.50` for 123450 minor units of a currency with two decimals: a number a spreadsheet
/// reads in any locale's import dialog, with the currency in its own column.
fn decimal(m: Money) -> String {
    let exp = u32::from(m.currency().exponent());
    let units = m.minor_units().unsigned_abs();
    let sign = if m.minor_units() < 0 { "-" } else { "" };
    match exp {
        0 => format!("{sign}{units}"),
        _ => {
            let scale = 10u64.pow(exp);
            let width = exp as usize;
            format!("{sign}{}.{:0width$}", units / scale, units % scale)
        }
    }
}

fn feature(v: &ExportVisit, row: Vec<Option<String>>) -> Value {
    let geometry = match (v.lon, v.lat) {
        (Some(lon), Some(lat)) => json!({"type": "Point", "coordinates": [lon, lat]}),
        _ => Value::Null,
    };
    let properties: Map<String, Value> = COLUMNS
        .iter()
        .zip(row)
        .map(|(k, c)| ((*k).to_owned(), c.map_or(Value::Null, Value::String)))
        .collect();
    json!({"type": "Feature", "id": v.id, "geometry": geometry, "properties": properties})
}

#[cfg(test)]
mod tests {
    use super::*;
    use terreno_shared::model::money::Currency;

    #[test]
    fn amounts_are_plain_decimals_of_their_currency() {
        let cop = Currency::parse("COP").unwrap();
        let clp = Currency::parse("CLP").unwrap();
        assert_eq!(decimal(Money::from_minor(123_450, cop)), "1234.50");
        assert_eq!(decimal(Money::from_minor(5, cop)), "0.05");
        assert_eq!(decimal(Money::from_minor(1_500, clp)), "1500");
    }
}
