use std::collections::HashMap;

use chrono::NaiveDate;
use terreno_shared::ids::{AccountId, TeamId, UserId};
use terreno_shared::model::{Currency, ExternalId};
use uuid::Uuid;

use super::*;

fn row(line: u64, account: &str, amount: &str, reference: &str) -> PaymentRow {
    PaymentRow {
        line,
        account: ExternalId::parse(account).expect("an id"),
        amount: amount.into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 26).expect("a date"),
        reference: reference.into(),
        channel: None,
    }
}

fn account(portfolio: &str, team: Option<TeamId>) -> AccountRef {
    AccountRef {
        id: AccountId::from_uuid(Uuid::now_v7()),
        portfolio: portfolio.into(),
        currency: Currency::COP,
        collector: team.map(|_| UserId::from_uuid(Uuid::now_v7())),
        team,
        open: true,
    }
}

fn columns() -> Columns {
    Columns {
        account: Some("cuenta".into()),
        amount: Some("valor".into()),
        reference: Some("referencia".into()),
    }
}

#[test]
fn an_id_in_two_portfolios_is_refused_with_its_line_and_one_is_taken() {
    let accounts = HashMap::from([
        (
            "A-1".to_owned(),
            vec![account("norte", None), account("sur", None)],
        ),
        ("A-2".to_owned(), vec![account("norte", None)]),
    ]);
    let rows = vec![
        row(2, "A-1", "100", "R1"),
        row(3, "A-2", "100", "R2"),
        row(4, "Z", "1", "R3"),
    ];
    let m = match_rows(rows, &accounts, None, None, &columns());
    assert_eq!(m.rows.len(), 1);
    let lines: Vec<u64> = m.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 4]);
    assert!(
        m.rejected[0].reason.contains("norte, sur"),
        "{:?}",
        m.rejected[0]
    );
    assert_eq!(m.rejected[0].column.as_deref(), Some("cuenta"));
}

#[test]
fn a_reference_twice_is_one_payment_when_the_rows_agree() {
    let accounts = HashMap::from([("A-1".to_owned(), vec![account("norte", None)])]);
    let rows = vec![
        row(2, "A-1", "100", "r-1"),
        row(3, "A-1", "100", " R-1"),
        row(4, "A-1", "200", "R-1"),
    ];
    let m = match_rows(rows, &accounts, None, None, &columns());
    assert_eq!((m.rows.len(), m.repeated), (1, 1));
    assert_eq!(m.rejected[0].line, 4);
}

#[test]
fn a_supervisor_cannot_record_payments_of_another_teams_account() {
    let (mine, theirs) = (
        TeamId::from_uuid(Uuid::now_v7()),
        TeamId::from_uuid(Uuid::now_v7()),
    );
    let accounts = HashMap::from([
        ("A-1".to_owned(), vec![account("norte", Some(theirs))]),
        ("A-2".to_owned(), vec![account("norte", Some(mine))]),
    ]);
    let rows = vec![row(2, "A-1", "100", "R1"), row(3, "A-2", "100", "R2")];
    let m = match_rows(rows, &accounts, None, Some(mine), &columns());
    assert_eq!(m.rows.len(), 1);
    assert_eq!(m.rejected[0].line, 2);
}

#[test]
fn stored_keys_are_unchanged_when_equal_and_refused_when_not() {
    let accounts = HashMap::from([("A-1".to_owned(), vec![account("norte", None)])]);
    let rows = vec![
        row(2, "A-1", "100", "R1"),
        row(3, "A-1", "100", "R2"),
        row(4, "A-1", "5", "R3"),
    ];
    let m = match_rows(rows, &accounts, None, None, &columns());
    let id = m.rows[0].account.id;
    let stored = HashMap::from([
        (
            (id, "R1".to_owned()),
            Stored {
                amount_minor: 10_000,
                paid_on: "2026-11-26".into(),
            },
        ),
        (
            (id, "R3".to_owned()),
            Stored {
                amount_minor: 900,
                paid_on: "2026-11-26".into(),
            },
        ),
    ]);
    let (fresh, unchanged, rejected) = against_stored(m.rows, &stored, &columns());
    assert_eq!(fresh.len(), 1);
    assert_eq!(fresh[0].row.line, 3);
    assert_eq!(unchanged, 1);
    assert_eq!(rejected[0].line, 4);
}

#[test]
fn an_amount_finer_than_the_currency_is_refused_on_the_amount_column() {
    let accounts = HashMap::from([("A-1".to_owned(), vec![account("norte", None)])]);
    let m = match_rows(
        vec![row(2, "A-1", "1.005", "R1")],
        &accounts,
        None,
        None,
        &columns(),
    );
    assert_eq!(m.rejected[0].column.as_deref(), Some("valor"));
}
