//! The route files in `shared/fixtures`, with the outcomes their README states.

use chrono::NaiveDate;

use super::super::Field;
use super::{fixtures_dir, read};

fn fixture(name: &str) -> Option<Vec<u8>> {
    let path = fixtures_dir()?.join(name);
    Some(std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display())))
}

#[test]
fn route_basic_reads_twenty_rows_exactly_and_without_errors() {
    let Some(bytes) = fixture("route_basic.csv") else {
        return;
    };

    let (rows, errors) = read(bytes).unwrap();

    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rows.len(), 20);
    let first = &rows[0];
    assert_eq!(first.line, 2);
    let a = &first.account;
    assert_eq!(a.external_id.as_str(), "CL-100000");
    assert_eq!(a.debtor_name, "José González Vargas");
    assert_eq!(a.national_id.as_ref().unwrap().number(), "212142728");
    assert_eq!(a.neighbourhood.as_deref(), Some("Fontibón"));
    assert_eq!(a.balance.minor_units(), 188_590_728);
    assert_eq!(a.balance.currency().code(), "COP");
    let loc = a.location.unwrap();
    assert_eq!((loc.lat(), loc.lon()), (4.60772, -74.121898));
    assert_eq!(a.phones[0].as_str(), "3156126116");
    assert_eq!(a.days_past_due.days(), 200);
    assert_eq!(a.collector.as_ref().unwrap().as_str(), "gestor.ramirez");
    assert_eq!(a.visit_date, NaiveDate::from_ymd_opt(2026, 11, 24));
    assert_eq!(a.contact_window.unwrap().to_string(), "08:00-12:00");
    assert_eq!(rows[3].account.contact_window, None);
    assert_eq!(rows[3].account.debtor_name, "Óscar Núñez Díaz");
    assert_eq!(rows[19].line, 21);
    let collectors: std::collections::BTreeSet<_> = rows
        .iter()
        .map(|r| r.account.collector.clone().unwrap())
        .collect();
    assert_eq!(collectors.len(), 4);
}

#[test]
fn the_excel_windows_1252_file_keeps_accents_and_exact_spanish_numbers() {
    let Some(bytes) = fixture("ruta_excel_cp1252.csv") else {
        return;
    };

    let rows = super::super::open(
        std::io::Cursor::new(bytes.clone()),
        &super::super::ImportOptions::new(terreno_shared::model::Currency::COP),
    )
    .unwrap();
    assert!(rows.headers().iter().any(|h| h == "Dirección"));
    assert_eq!(rows.mapping().column(Field::Address), Some(3));
    assert_eq!(rows.mapping().column(Field::DaysPastDue), Some(9));
    let (rows, errors) = read(bytes).unwrap();

    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rows.len(), 25);
    let a = &rows[0].account;
    assert_eq!(a.debtor_name, "María Núñez García");
    assert_eq!(a.balance.minor_units(), 1_303_096_551);
    let loc = a.location.unwrap();
    assert_eq!((loc.lat(), loc.lon()), (4.739473, -74.046819));
    assert_eq!(a.visit_date, NaiveDate::from_ymd_opt(2026, 11, 26));
    assert_eq!(a.days_past_due.days(), 175);
    assert_eq!(a.contact_window, None);
    assert_eq!(rows[1].account.debtor_name, "José Sánchez Hernández");
    assert_eq!(rows[22].account.balance.minor_units(), 76_713_492);
    assert_eq!(rows[8].account.neighbourhood.as_deref(), Some("Usaquén"));
}

#[test]
fn route_with_errors_reports_the_four_bad_rows_on_their_physical_lines() {
    let Some(bytes) = fixture("route_with_errors.csv") else {
        return;
    };

    let (rows, errors) = read(bytes).unwrap();

    assert_eq!(rows.len(), 11);
    let found: Vec<(u64, Option<&str>)> = errors
        .iter()
        .map(|e| (e.line, e.column.as_deref()))
        .collect();
    assert_eq!(
        found,
        vec![
            (6, Some("latitude")),
            (9, Some("longitude")),
            (11, Some("balance")),
            (13, Some("days_past_due")),
        ]
    );
    assert!(
        errors[0].reason.contains("91.5 is outside -90..90"),
        "{}",
        errors[0]
    );
    assert!(errors[1].reason.contains("empty"), "{}", errors[1]);
    assert!(
        errors[2].reason.contains("\"doce mil\" is not a number"),
        "{}",
        errors[2]
    );
    assert!(errors[3].reason.contains("-4 is negative"), "{}", errors[3]);
    assert_eq!(errors[3].field, Some(Field::DaysPastDue));
    let by_id = |id: &str| {
        rows.iter()
            .find(|r| r.account.external_id.as_str() == id)
            .unwrap_or_else(|| panic!("{id} missing"))
    };
    assert_eq!(
        by_id("CL-100046").account.address,
        "Avenida Carrera 21 # 7-94, Torre 2\nInterior 5"
    );
    assert_eq!(by_id("CL-100047").line, 5);
    assert_eq!(
        by_id("CL-100047").account.debtor_name,
        "Ana López Castaño, \"el Mono\""
    );
    assert_eq!(by_id("CL-100045").account.external_id.as_str(), "CL-100045");
}
