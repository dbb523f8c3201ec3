//! Hostile and unusual CSV files, and one bad value of each kind.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use terreno_shared::model::Currency;

use super::super::{Field, FileError, ImportOptions, open_text};
use super::{read, read_with};

const HEADER: &str = "external_id,debtor_name,address,balance";

#[test]
fn a_file_with_only_unknown_headers_is_refused_listing_them_and_the_missing_fields() {
    let err = read("Foo;Bar;Observaciones\n1;2;3\n").unwrap_err();

    assert!(matches!(err, FileError::MissingColumns { .. }), "{err}");
    let msg = err.to_string();
    for part in [
        "Foo",
        "Bar",
        "Observaciones",
        "external_id",
        "debtor_name",
        "address",
        "balance",
    ] {
        assert!(msg.contains(part), "{part} not in {msg}");
    }
}

#[test]
fn empty_and_blank_files_are_refused_as_empty() {
    for bytes in [&b""[..], b"\xEF\xBB\xBF", b"\r\n\r\n  \n"] {
        let err = read(bytes).unwrap_err();
        assert!(matches!(err, FileError::Empty), "{bytes:?}: {err}");
    }
}

#[test]
fn a_binary_file_is_refused_as_binary() {
    let mut bytes = b"\x7fELF\x02\x01\x01\x00".to_vec();
    bytes.extend((0..=255u8).cycle().take(4096));

    let err = read(bytes).unwrap_err();

    assert!(matches!(err, FileError::Binary), "{err}");
    assert!(err.to_string().contains("binary"));
}

/// Counts the bytes handed out, to show the reader stopped early.
struct Counted<R>(R, Arc<AtomicU64>);

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        self.1.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[test]
fn a_fifty_megabyte_line_without_a_newline_is_refused_early_on_its_line() {
    let total = 50 * 1024 * 1024;
    let head = format!("{HEADER}\nCL-1,Ana,Calle 1,100\n");
    let endless = io::repeat(b'x').take(total);
    let used = Arc::new(AtomicU64::new(0));
    let source = Counted(io::Cursor::new(head).chain(endless), used.clone());
    let started = Instant::now();

    let results: Vec<_> = open_text(source, &ImportOptions::new(Currency::COP))
        .unwrap()
        .collect();

    assert_eq!(results.len(), 2, "{results:?}");
    assert!(results[0].is_ok());
    let err = results[1].as_ref().unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.reason.contains("longer than 1 MiB"), "{err}");
    assert!(
        used.load(Ordering::Relaxed) < 4 * 1024 * 1024,
        "read too far"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn an_unclosed_quote_is_reported_instead_of_swallowing_the_file() {
    let mut text = format!("{HEADER}\nCL-1,\"Ana,Calle 1,100\n");
    text.push_str(&"CL-2,Beto,Calle 2,200\n".repeat(60_000));

    let (rows, errors) = read(text).unwrap();

    assert!(rows.is_empty());
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 2);
}

#[test]
fn one_bad_value_of_each_kind_is_reported_with_its_column_and_reason() {
    let text = "\
Código;Nombre;Dirección;Saldo;Moneda;Gestor;Fecha visita;Horario;Latitud;Longitud;Teléfono
A1;Ana;Calle 1;1.000,50;XYZ;;;;;;
A2;Ana;Calle 1;1.000,50;;Gestor Ramírez;;;;;
A3;Ana;Calle 1;1.000,50;;;31/02/2026;;;;
A4;Ana;Calle 1;1.000,50;;;;8 a 12;;;
A5;Ana;Calle 1;1.000,50;;;;;;-74,1;
A6;;Calle 1;1.000,50;;;;;;;
A7;Ana;   ;1.000,50;;;;;;;
A8;Ana;Calle 1;-5;;;;;;;
A9;Ana;Calle 1;1.000,50;;;;;;;12
;Ana;Calle 1;1.000,50;;;;;;;
A11;Ana;Calle 1;1.000,555;;;;;;;
A12;Ana;Calle 1;1.000,50;;;;;4,6;-74,1;;extra
OK;Ana;Calle 1;1.000,50;USD;gestor.ramirez;2026-11-26;08:00-12:00;4,6;-74,1;315 612 6116 / 601 2345678
";
    let (rows, errors) = read(text).unwrap();

    let got: Vec<(u64, Option<&str>, &str)> = errors
        .iter()
        .map(|e| (e.line, e.column.as_deref(), e.reason.as_str()))
        .collect();
    let expected: [(u64, Option<&str>, &str); 12] = [
        (2, Some("Moneda"), "not an active ISO 4217 currency"),
        (3, Some("Gestor"), "only letters a-z"),
        (4, Some("Fecha visita"), "not a calendar date"),
        (5, Some("Horario"), "not a time range"),
        (6, Some("Latitud"), "empty but the longitude"),
        (7, Some("Nombre"), "is empty"),
        (8, Some("Dirección"), "is empty"),
        (9, Some("Saldo"), "negative"),
        (10, Some("Teléfono"), "expected 7 to 15"),
        (11, Some("Código"), "is empty"),
        (12, Some("Saldo"), "more than 2 decimals"),
        (13, None, "has 12 cells but the header has 11"),
    ];
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (g, e) in got.iter().zip(expected) {
        assert_eq!((g.0, g.1), (e.0, e.1), "{g:?}");
        assert!(g.2.contains(e.2), "{g:?} should say {:?}", e.2);
    }
    assert_eq!(rows.len(), 1);
    let a = &rows[0].account;
    assert_eq!(a.balance.to_string(), "1000.50 USD");
    let phones: Vec<&str> = a.phones.iter().map(|p| p.as_str()).collect();
    assert_eq!(phones, ["3156126116", "6012345678"]);
    assert_eq!(rows[0].line, 14);
}

#[test]
fn two_columns_for_one_field_are_refused_naming_both() {
    let err = read("id;nombre;cliente;direccion;saldo\n").unwrap_err();

    let msg = err.to_string();
    assert!(matches!(
        err,
        FileError::DuplicateColumn {
            field: Field::DebtorName,
            ..
        }
    ));
    assert!(
        msg.contains("\"nombre\"") && msg.contains("\"cliente\""),
        "{msg}"
    );
}

#[test]
fn map_overrides_and_tab_files_with_quoted_fields_and_blank_rows_read() {
    let text = "Ref\tTitular\tDomicilio\tImporte\tGestor\n\
                \"R-1\"\t\"Peña, \"\"Toño\"\"\"\t\"Calle 1\tpiso 2\"\t1.234\tGestor.Ramirez\n\
                \t\t\t\t\n\
                R-2\tLuz\tCalle 2\t2.500,5\t\n";
    let mut options = ImportOptions::new(Currency::COP);
    options.map = vec![
        ("Ref".into(), Field::ExternalId),
        ("importe".into(), Field::Balance),
    ];

    let (rows, errors) = read_with(text, &options).unwrap();

    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rows.len(), 2);
    let a = &rows[0].account;
    assert_eq!(a.debtor_name, "Peña, \"Toño\"");
    assert_eq!(a.address, "Calle 1 piso 2");
    // A tab file has no locale evidence: a lone dot before three digits groups thousands.
    assert_eq!(a.balance.minor_units(), 123_400);
    assert_eq!(a.collector.as_ref().unwrap().as_str(), "gestor.ramirez");
    assert_eq!(rows[1].line, 4);
    assert_eq!(rows[1].account.balance.minor_units(), 250_050);
    assert_eq!(rows[1].account.collector, None);
}

#[test]
fn line_numbers_are_physical_across_blank_lines_crlf_and_quoted_newlines() {
    let text = format!(
        "\r\n{HEADER}\r\n\r\nCL-1,Ana,\"Calle 1\r\nPiso 2\",1\r\n\n\nCL-2,,Calle 2,2\nCL-3,Luz,Calle 3,3"
    );

    let (rows, errors) = read(text).unwrap();

    let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [4, 9]);
    assert_eq!(rows[0].account.address, "Calle 1\nPiso 2");
    assert_eq!(errors.len(), 1);
    assert_eq!(
        (errors[0].line, errors[0].column.as_deref()),
        (8, Some("debtor_name"))
    );
}
