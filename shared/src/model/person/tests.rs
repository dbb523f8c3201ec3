//! Tests of [`super`]: identity documents and people.

use super::*;
use uuid::Uuid;

#[test]
fn document_numbers_are_normalized_per_kind() {
    use DocumentKind::*;
    for (kind, raw, want) in [
        (Cc, "212142728", "212142728"),
        (Cc, " 1.020.304 ", "1020304"),
        (Ti, "1002-345 678", "1002345678"),
        (Nit, "800.197.268-4", "800197268"),
        (Nit, "800197268", "800197268"),
        (Nit, "800 197 268 - 4", "800197268"),
        (Pp, "ab-123456", "AB123456"),
        (Ce, "E 123.456", "E123456"),
        (Other, "v12345678", "V12345678"),
    ] {
        let id = NationalId::parse(kind, raw).unwrap();
        assert_eq!((id.kind(), id.number()), (kind, want), "{kind} {raw:?}");
    }
}

#[test]
fn a_nit_shows_its_computed_check_digit() {
    let dian = NationalId::parse(DocumentKind::Nit, "800197268").unwrap();
    assert_eq!(dian.check_digit(), Some(4));
    assert_eq!(dian.to_string(), "NIT 800197268-4");
    let cc = NationalId::parse(DocumentKind::Cc, "1020304").unwrap();
    assert_eq!(
        (cc.check_digit(), cc.to_string()),
        (None, "CC 1020304".into())
    );
}

#[test]
fn invalid_document_numbers_are_refused_with_the_field_named() {
    use DocumentKind::*;
    for (kind, raw) in [
        (Cc, ""),
        (Cc, "12"),
        (Cc, "AB123456"),
        (Cc, &"1".repeat(21)),
        (Nit, "800.197.268-5"),
        (Nit, &"1".repeat(16)),
        (Pp, "AB#123"),
        (Ti, "1234567x"),
        (Other, "ñandú123"),
    ] {
        let err = NationalId::parse(kind, raw).unwrap_err();
        assert_eq!(err.field, "document number", "{kind} {raw:?}");
    }
}

#[test]
fn document_kinds_parse_and_default_to_cc() {
    assert_eq!(" nit ".parse::<DocumentKind>().unwrap(), DocumentKind::Nit);
    assert_eq!(
        "DNI".parse::<DocumentKind>().unwrap_err().field,
        "document kind"
    );
    let id: NationalId = serde_json::from_str(r#"{"number":"1.020.304"}"#).unwrap();
    assert_eq!(id.kind(), DocumentKind::Cc);
    assert_eq!(id.number(), "1020304");
}

#[test]
fn a_person_round_trips_and_invalid_json_fails() {
    let person = Person::new(
        PersonId::from_uuid(Uuid::from_u128(1)),
        OrgId::from_uuid(Uuid::from_u128(2)),
        NationalId::parse(DocumentKind::Cc, "212142728").unwrap(),
        " José  González Vargas ",
    )
    .unwrap();
    assert_eq!(person.name(), "José González Vargas");
    let json = serde_json::to_value(&person).unwrap();
    assert_eq!(json["national_id"]["kind"], "CC");
    assert_eq!(
        serde_json::from_value::<Person>(json.clone()).unwrap(),
        person
    );

    let mut blank = json.clone();
    blank["name"] = " ".into();
    let mut bad_doc = json.clone();
    bad_doc["national_id"]["number"] = "12".into();
    let mut extra = json;
    extra["age"] = 40.into();
    for bad in [blank, bad_doc, extra] {
        assert!(
            serde_json::from_value::<Person>(bad.clone()).is_err(),
            "{bad}"
        );
    }
}
