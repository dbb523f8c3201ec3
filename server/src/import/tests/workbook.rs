//! XLSX: `route_basic.csv` rewritten as a workbook the way Excel would hold it (numbers as
//! numbers, dates as date cells) reads to the same rows.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use terreno_shared::model::Currency;

use super::super::{FileError, ImportOptions};
use super::{fixtures_dir, read, read_with};

/// The CSV's cells typed: numeric columns as numbers, ISO dates as date cells.
fn workbook_of(csv_text: &str, sheet: &str) -> Vec<u8> {
    let mut wb = Workbook::new();
    wb.add_worksheet().set_name("Notas").unwrap();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    let mut csv = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = csv.headers().unwrap().clone();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    for (r, record) in csv.records().enumerate() {
        let row = r as u32 + 1;
        for (c, cell) in record.unwrap().iter().enumerate() {
            let col = c as u16;
            match headers[c].as_ref() {
                _ if cell.is_empty() => {}
                "visit_date" => {
                    let d = ExcelDateTime::parse_from_str(cell).unwrap();
                    ws.write_datetime_with_format(row, col, d, &date_format)
                        .unwrap();
                }
                "document" | "latitude" | "longitude" | "phone" | "balance" | "days_past_due" => {
                    ws.write_number(row, col, cell.parse::<f64>().unwrap())
                        .unwrap();
                }
                _ => {
                    ws.write_string(row, col, cell).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn an_xlsx_version_of_route_basic_reads_to_the_same_rows() {
    let Some(dir) = fixtures_dir() else {
        return;
    };
    let csv_bytes = std::fs::read(dir.join("route_basic.csv")).unwrap();
    let csv_text = String::from_utf8(csv_bytes.clone()).unwrap();
    let xlsx = workbook_of(&csv_text, "Ruta");
    let mut options = ImportOptions::new(Currency::COP);
    options.sheet = Some("Ruta".into());

    let (from_xlsx, xlsx_errors) = read_with(xlsx.clone(), &options).unwrap();
    let (from_csv, _) = read(csv_bytes).unwrap();

    assert!(xlsx_errors.is_empty(), "{xlsx_errors:?}");
    assert_eq!(from_xlsx.len(), 20);
    assert_eq!(from_xlsx, from_csv);
    assert_eq!(from_xlsx[0].account.balance.minor_units(), 188_590_728);
    // The first sheet is a different one; a missing sheet is named with the ones there are.
    options.sheet = Some("Nope".into());
    let err = read_with(xlsx, &options).unwrap_err();
    assert!(matches!(err, FileError::SheetNotFound { .. }), "{err}");
    assert!(err.to_string().contains("Ruta"), "{err}");
}

#[test]
fn xlsx_rows_report_spreadsheet_row_numbers_and_read_number_cells_exactly() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "Código",
        "Nombre",
        "Dirección",
        "Saldo",
        "Latitud",
        "Longitud",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "A1").unwrap();
    ws.write_string(1, 1, "Ana").unwrap();
    ws.write_string(1, 2, "Calle 1").unwrap();
    // A text cell in a Spanish-locale sheet, then an exact number cell.
    ws.write_string(1, 3, "13.030.965,51").unwrap();
    ws.write_number(1, 4, 4.739473).unwrap();
    ws.write_number(1, 5, -74.046819).unwrap();
    ws.write_string(3, 0, "A2").unwrap();
    ws.write_string(3, 1, "Luz").unwrap();
    ws.write_string(3, 2, "Calle 2").unwrap();
    ws.write_number(3, 3, 1885.907).unwrap();
    ws.write_number(3, 4, 4.7).unwrap();
    ws.write_number(3, 5, -74.0).unwrap();
    let bytes = wb.save_to_buffer().unwrap();

    let (rows, errors) = read(bytes).unwrap();

    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].line, 2);
    assert_eq!(rows[0].account.balance.minor_units(), 1_303_096_551);
    assert_eq!(rows[0].account.location.unwrap().lat(), 4.739473);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line, 4);
    // A numeric cell is exact: three decimals are too many for COP, not thousands.
    assert_eq!(errors[0].column.as_deref(), Some("Saldo"));
    assert!(
        errors[0].reason.contains("more than 2 decimals"),
        "{}",
        errors[0]
    );
}

#[test]
fn a_long_shared_string_repeated_in_every_row_is_not_copied_into_each_row_error() {
    // rust_xlsxwriter shares repeated strings: the file holds the 30 KB id (near Excel's
    // longest cell) once; an XLSX written by hand could repeat a 1 MiB one.
    let long_id = "x".repeat(30_000);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["external_id", "debtor_name", "address", "balance"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=200 {
        ws.write_string(r, 0, &long_id).unwrap();
        ws.write_string(r, 1, "Ana").unwrap();
        ws.write_string(r, 2, "Calle 1").unwrap();
        ws.write_number(r, 3, 10.0).unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    assert!(bytes.len() < 100_000, "{} bytes", bytes.len());

    let (rows, errors) = read(bytes).unwrap();

    assert!(rows.is_empty());
    assert_eq!(errors.len(), 200);
    for e in &errors {
        assert!(
            e.reason.capacity() < 1024,
            "{} bytes held",
            e.reason.capacity()
        );
        assert_eq!(
            e.external_id, None,
            "an id over 64 characters names no account"
        );
    }
}
