//! Header recognition and mapping.
use super::*;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn spanish_and_english_headers_are_recognized_whatever_their_spelling() {
    for (header, field) in [
        ("Código", ExternalId),
        ("NÚMERO DE CUENTA", ExternalId),
        ("No. Obligación", ExternalId),
        ("external_id", ExternalId),
        ("Nombre deudor", DebtorName),
        ("Cédula", NationalId),
        ("Número de identificación", NationalId),
        ("Dirección de visita", Address),
        ("Mora (días)", DaysPastDue),
        ("Días de mora", DaysPastDue),
        ("days_past_due", DaysPastDue),
        ("Teléfono", Phone),
        ("Móvil", Phone),
        ("Deuda total", Balance),
        ("Gestor asignado", Collector),
        ("Fecha visita", VisitDate),
        ("Horario contacto", ContactWindow),
        ("lng", Longitude),
    ] {
        assert_eq!(Field::from_header(header), Some(field), "{header:?}");
    }
    assert_eq!(Field::from_header("Observaciones"), None);
}

#[test]
fn a_file_without_required_columns_is_refused_listing_what_it_saw() {
    let err = Mapping::new(&strings(&["Foo", "Bar", "Nombre"]), &[], &[]).unwrap_err();
    let msg = err.to_string();
    for part in ["Foo", "Bar", "Nombre", "external_id", "address", "balance"] {
        assert!(msg.contains(part), "{msg}");
    }
    assert!(!msg.contains("debtor_name"), "{msg}");
}

#[test]
fn two_columns_for_one_field_are_refused_naming_both() {
    let h = strings(&["Código", "Nombre", "Cliente", "Dirección", "Saldo"]);
    let msg = Mapping::new(&h, &[], &[]).unwrap_err().to_string();
    assert!(
        msg.contains("\"Nombre\"") && msg.contains("\"Cliente\""),
        "{msg}"
    );
    // Either override settles it.
    let m = Mapping::new(&h, &[], &strings(&["cliente"])).unwrap();
    assert_eq!(m.column(DebtorName), Some(1));
    let m = Mapping::new(&h, &[("Cliente".into(), DebtorName)], &[]).unwrap();
    assert_eq!(m.column(DebtorName), Some(2));
}

#[test]
fn overrides_map_unknown_headers_and_several_phone_columns_are_kept() {
    let h = strings(&["Ref", "Nombre", "Dir", "Saldo", "Teléfono", "Celular"]);
    let map = [("Ref".into(), ExternalId), ("Dir".into(), Address)];
    let m = Mapping::new(&h, &map, &[]).unwrap();
    assert_eq!(m.column(ExternalId), Some(0));
    assert_eq!(m.column(Address), Some(2));
    assert_eq!(m.columns_of(Phone).collect::<Vec<_>>(), vec![4, 5]);
    let err = Mapping::new(&h, &[("Nope".into(), Address)], &[]).unwrap_err();
    assert!(err.to_string().contains("Nope"), "{err}");
}

#[test]
fn a_latitude_column_without_a_longitude_column_is_refused() {
    let h = strings(&["id", "name", "address", "balance", "lat"]);
    let err = Mapping::new(&h, &[], &[]).unwrap_err();
    assert!(err.to_string().contains("\"lat\""), "{err}");
}
