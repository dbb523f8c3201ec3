//! Tests of [`super`]: portfolios, external ids and debtor accounts.

use super::*;
use uuid::Uuid;

fn raw_account() -> RawDebtorAccount {
    RawDebtorAccount {
        id: AccountId::from_uuid(Uuid::from_u128(1)),
        portfolio: PortfolioId::from_uuid(Uuid::from_u128(2)),
        external_id: ExternalId::parse("CL-100000").unwrap(),
        person: PersonId::from_uuid(Uuid::from_u128(3)),
        debtor_name: "José González Vargas".into(),
        address: "Diagonal 150 # 8-65 Apto 277".into(),
        neighbourhood: Some("Fontibón".into()),
        location: Some(GeoPoint::parse(4.60772, -74.121898).unwrap()),
        phones: vec![Phone::parse("3156126116").unwrap()],
        balance: Money::from_decimal_str("1885907.28", Currency::COP).unwrap(),
        days_past_due: DaysPastDue::parse(200).unwrap(),
        contact_window: Some("08:00-12:00".parse().unwrap()),
        status: AccountStatus::Open,
    }
}

#[test]
fn a_fixture_row_becomes_an_account_with_a_derived_bucket() {
    let account = DebtorAccount::try_from(raw_account()).unwrap();
    assert_eq!(account.external_id().as_str(), "CL-100000");
    assert_eq!(account.bucket(), DelinquencyBucket::D181To360);
    assert_eq!(account.balance().to_string(), "1885907.28 COP");
    assert_eq!(account.contact_window().unwrap().to_string(), "08:00-12:00");
    assert!(!account.needs_location());
    assert!(account.with_location(None).needs_location());
}

#[test]
fn blank_optional_cells_become_none_and_duplicate_phones_are_dropped() {
    let mut raw = raw_account();
    raw.neighbourhood = Some("  ".into());
    raw.contact_window = None;
    raw.location = None;
    let p = Phone::parse("315 612 6116").unwrap();
    raw.phones = vec![p.clone(), Phone::parse("6012345678").unwrap(), p];
    let account = DebtorAccount::try_from(raw).unwrap();
    assert_eq!(account.neighbourhood(), None);
    assert_eq!(account.contact_window(), None);
    assert_eq!(account.phones().len(), 2);
    assert!(account.needs_location());
}

#[test]
fn invalid_accounts_are_refused_with_the_field_named() {
    type Edit = fn(&mut RawDebtorAccount);
    let cases: [(Edit, &str); 4] = [
        (
            |r| r.balance = Money::from_minor(-1, Currency::COP),
            "balance",
        ),
        (|r| r.debtor_name = " ".into(), "debtor name"),
        (|r| r.address = "\n \n".into(), "address"),
        (|r| r.neighbourhood = Some("x".repeat(201)), "neighbourhood"),
    ];
    for (edit, field) in cases {
        let mut raw = raw_account();
        edit(&mut raw);
        assert_eq!(DebtorAccount::try_from(raw).unwrap_err().field, field);
    }
}

#[test]
fn an_account_round_trips_through_json_without_storing_the_bucket() {
    let account = DebtorAccount::try_from(raw_account()).unwrap();
    let json = serde_json::to_value(&account).unwrap();
    assert!(json.get("bucket").is_none(), "{json}");
    assert_eq!(json["days_past_due"], 200);
    assert_eq!(
        serde_json::from_value::<DebtorAccount>(json).unwrap(),
        account
    );
}

#[test]
fn deserializing_an_invalid_account_fails() {
    let good = serde_json::to_value(DebtorAccount::try_from(raw_account()).unwrap()).unwrap();
    let edits: [(&str, serde_json::Value); 6] = [
        ("days_past_due", (-4).into()),
        (
            "balance",
            serde_json::json!({"minor_units": -5, "currency": "COP"}),
        ),
        ("location", serde_json::json!({"lat": 91.5, "lon": -74.0})),
        ("phones", serde_json::json!(["12"])),
        ("external_id", "".into()),
        ("bucket", "d0_30".into()),
    ];
    for (key, value) in edits {
        let mut bad = good.clone();
        bad[key] = value;
        assert!(
            serde_json::from_value::<DebtorAccount>(bad).is_err(),
            "{key}"
        );
    }
}

#[test]
fn external_ids_are_trimmed_and_bounded() {
    assert_eq!(
        ExternalId::parse("  CL-100000 ").unwrap().as_str(),
        "CL-100000"
    );
    for raw in ["", "   ", "a\tb", &"x".repeat(65)] {
        assert_eq!(
            ExternalId::parse(raw).unwrap_err().field,
            "external id",
            "{raw:?}"
        );
    }
}

#[test]
fn a_portfolio_round_trips_and_refuses_bad_values() {
    let p = Portfolio::new(
        PortfolioId::from_uuid(Uuid::from_u128(1)),
        OrgId::from_uuid(Uuid::from_u128(2)),
        "Banco Andino - consumo",
        Currency::COP,
    )
    .unwrap();
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["currency"], "COP");
    assert_eq!(
        serde_json::from_value::<Portfolio>(json.clone()).unwrap(),
        p
    );
    let mut bad = json;
    bad["currency"] = "PESOS".into();
    assert!(serde_json::from_value::<Portfolio>(bad).is_err());
    assert_eq!(
        Portfolio::new(p.id(), p.org(), "", Currency::COP)
            .unwrap_err()
            .field,
        "portfolio name"
    );
}
