//! The load plans without a database: rows, stored accounts and stored stops are built here.

use std::collections::HashMap;

use chrono::NaiveDate;
use terreno_shared::api::v1::sync::{Change, Record};
use terreno_shared::ids::{AccountId, OrgId, PortfolioId, RouteId, StopId, TeamId, UserId};
use terreno_shared::model::{Currency, DaysPastDue, ExternalId, Money, Username};
use uuid::Uuid;

use super::super::accounts::{AccountCols, Existing};
use super::super::stops::{RoutePlan, StoredStop};
use super::*;

fn portfolio() -> PortfolioRef {
    PortfolioRef {
        id: PortfolioId::from_uuid(Uuid::from_u128(1)),
        org: OrgId::from_uuid(Uuid::from_u128(2)),
        name: "cartera".into(),
        currency: Currency::COP,
    }
}

fn row(external: &str, collector: Option<&str>, date: Option<u32>) -> AccountRow {
    AccountRow {
        external_id: ExternalId::parse(external).expect("an external id"),
        national_id: None,
        debtor_name: format!("Debtor {external}"),
        address: "Calle 1".into(),
        neighbourhood: None,
        location: None,
        phones: Vec::new(),
        balance: Money::from_minor(10_000, Currency::COP),
        days_past_due: DaysPastDue::parse(30).expect("days"),
        contact_window: None,
        collector: collector.map(|c| Username::parse(c).expect("a username")),
        visit_date: date.map(|d| NaiveDate::from_ymd_opt(2026, 3, d).expect("a date")),
    }
}

fn collector(n: u128, team: u128) -> Collector {
    Collector {
        id: UserId::from_uuid(Uuid::from_u128(n)),
        team: Some(TeamId::from_uuid(Uuid::from_u128(team))),
    }
}

/// The account `row` as stored by an earlier load, for `stored_collector`.
fn stored(row: &AccountRow, id: u128, stored_collector: Option<Collector>) -> Existing {
    let cols = AccountCols::of(&portfolio(), row, None, stored_collector).expect("columns");
    Existing {
        id: AccountId::from_uuid(Uuid::from_u128(id)).to_string(),
        external_id: row.external_id.to_string(),
        version: 3,
        collector_team: stored_collector.and_then(|c| c.team).map(|t| t.to_string()),
        cols,
    }
}

/// (entity type, op, collector) of each change, in order.
fn summary_of(changes: &[NewChange]) -> Vec<(&str, &str, Option<UserId>)> {
    changes
        .iter()
        .map(|c| (c.change.entity_type(), c.change.op(), c.collector_id))
        .collect()
}

/// The version of the account an upsert carries.
fn version_of(c: &NewChange) -> i64 {
    match &c.change {
        Change::Upsert {
            record: Record::Account(a),
            ..
        } => a.version,
        other => panic!("not an account upsert: {other:?}"),
    }
}

fn ids_from(start: u128) -> impl FnMut() -> AccountId {
    let mut next = start;
    move || {
        next += 1;
        AccountId::from_uuid(Uuid::from_u128(next))
    }
}

#[test]
fn a_new_account_is_written_at_version_one_with_an_upsert_for_its_collector() {
    let (p, ana) = (portfolio(), collector(10, 1));
    let rows = [row("A-1", Some("ana"), None), row("A-2", None, None)];
    let mut summary = LoadSummary::default();

    let plan = accounts(
        &p,
        &rows,
        0,
        &[Some(ana), None],
        &HashMap::new(),
        &HashMap::new(),
        &mut summary,
        ids_from(100),
    )
    .expect("a plan");

    assert_eq!(summary.accounts_created, 2);
    assert_eq!(plan.writes.len(), 2, "both accounts are written");
    assert!(plan.existed.is_empty());
    let first = AccountId::from_uuid(Uuid::from_u128(101));
    assert_eq!(plan.ids[0], first);
    assert_eq!(
        summary_of(&plan.changes),
        [("account", "upsert", Some(ana.id))],
        "the unassigned account goes to no device"
    );
    assert_eq!(version_of(&plan.changes[0]), 1);
    assert_eq!(plan.changes[0].change.entity_id(), first.to_string());
}

#[test]
fn an_account_loaded_again_unchanged_writes_nothing_and_changes_nothing() {
    let (p, ana) = (portfolio(), collector(10, 1));
    let rows = [row("A-1", Some("ana"), None)];
    let existing = HashMap::from([("A-1".to_owned(), stored(&rows[0], 7, Some(ana)))]);
    let mut summary = LoadSummary::default();

    let plan = accounts(
        &p,
        &rows,
        0,
        &[Some(ana)],
        &HashMap::new(),
        &existing,
        &mut summary,
        ids_from(100),
    )
    .expect("a plan");

    assert_eq!(summary.accounts_unchanged, 1);
    assert!(plan.writes.is_empty() && plan.changes.is_empty());
    let id = AccountId::from_uuid(Uuid::from_u128(7));
    assert_eq!(
        (plan.ids.as_slice(), plan.existed.as_slice()),
        (&[id][..], &[id][..])
    );
}

#[test]
fn an_account_moved_to_another_teams_collector_is_removed_from_the_old_one_then_upserted() {
    let (p, ana, bea) = (portfolio(), collector(10, 1), collector(11, 2));
    let rows = [row("A-1", Some("bea"), None)];
    let existing = HashMap::from([("A-1".to_owned(), stored(&rows[0], 7, Some(ana)))]);
    let mut summary = LoadSummary::default();

    let plan = accounts(
        &p,
        &rows,
        0,
        &[Some(bea)],
        &HashMap::new(),
        &existing,
        &mut summary,
        ids_from(100),
    )
    .expect("a plan");

    assert_eq!(
        (
            summary.accounts_updated,
            summary.accounts_moved_between_teams
        ),
        (1, 1)
    );
    assert_eq!(
        summary_of(&plan.changes),
        [
            ("account", "remove", Some(ana.id)),
            ("account", "upsert", Some(bea.id)),
        ]
    );
    assert_eq!(
        version_of(&plan.changes[1]),
        4,
        "the stored version plus one"
    );
}

#[test]
fn a_bad_row_is_named_by_its_place_in_the_whole_load() {
    let p = portfolio();
    let mut bad = row("A-9", None, None);
    bad.debtor_name = "  ".into();
    let mut summary = LoadSummary::default();

    let err = accounts(
        &p,
        &[bad],
        1000,
        &[None],
        &HashMap::new(),
        &HashMap::new(),
        &mut summary,
        ids_from(0),
    )
    .err()
    .expect("refused");

    assert!(
        format!("{err:#}").starts_with("row 1001 (account A-9)"),
        "{err:#}"
    );
}

#[test]
fn slots_number_each_collectors_stops_in_row_order_on_their_earliest_date() {
    let (ana, bea) = (collector(10, 1), collector(11, 2));
    let rows = [
        row("A-1", Some("ana"), Some(9)),
        row("A-2", Some("bea"), Some(8)),
        row("A-3", Some("ana"), Some(5)),
        row("A-4", Some("ana"), None),
    ];
    let mut routes = RoutePlan::of(&rows);

    let slots = stop_slots(
        &mut routes,
        &rows,
        &[Some(ana), Some(bea), Some(ana), Some(ana)],
    )
    .expect("slots");

    let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).expect("a date");
    assert_eq!(
        slots,
        [
            Some((day(5), 1)),
            Some((day(8), 1)),
            Some((day(5), 2)),
            None
        ]
    );
}

fn stop(
    id: u128,
    account: AccountId,
    route: RouteId,
    who: Collector,
    date: &str,
    pos: i64,
) -> StoredStop {
    StoredStop {
        id: StopId::from_uuid(Uuid::from_u128(id)).to_string(),
        account_id: account.to_string(),
        route_id: route.to_string(),
        planned_date: date.into(),
        position: pos,
        collector_id: who.id.to_string(),
        team_id: who.team.map(|t| t.to_string()),
    }
}

#[test]
// Long: three stored stops and the three ways a load treats them, read as one table.
fn stops_leave_the_old_collectors_route_move_when_their_place_changes_and_stay_otherwise() {
    let (ana, bea) = (collector(10, 1), collector(11, 2));
    let day = NaiveDate::from_ymd_opt(2026, 3, 5).expect("a date");
    let route = |n, c| RouteRef {
        id: RouteId::from_uuid(Uuid::from_u128(n)),
        collector: c,
        date: day,
    };
    let (ana_route, bea_route) = (route(50, ana), route(51, bea));
    let routes = HashMap::from([((ana.id, day), ana_route), ((bea.id, day), bea_route)]);
    let acc = |n| AccountId::from_uuid(Uuid::from_u128(n));
    let rows = [
        row("A-1", Some("ana"), Some(5)), // stays: same route, date and position
        row("A-2", Some("ana"), Some(5)), // moves: stored at position 7
        row("A-3", Some("ana"), Some(5)), // leaves bea's route, new on ana's
    ];
    let stored = [
        stop(201, acc(1), ana_route.id, ana, "2026-03-05", 1),
        stop(202, acc(2), ana_route.id, ana, "2026-03-05", 7),
        stop(203, acc(3), bea_route.id, bea, "2026-03-05", 1),
    ];
    let mut summary = LoadSummary::default();
    let mut next = 300;
    let input = StopInputs {
        org: portfolio().org,
        assigned: &[Some(ana); 3],
        ids: &[acc(1), acc(2), acc(3)],
        slots: &[Some((day, 1)), Some((day, 2)), Some((day, 3))],
        routes: &routes,
        stored: &stored,
    };

    let plan = stops(&rows, input, &mut summary, || {
        next += 1;
        StopId::from_uuid(Uuid::from_u128(next))
    })
    .expect("a plan");

    assert_eq!(plan.gone, [stored[2].id.as_str()]);
    assert_eq!(
        summary_of(&plan.removals),
        [("stop", "remove", Some(bea.id))]
    );
    assert_eq!(
        summary_of(&plan.upserts),
        [
            ("stop", "upsert", Some(ana.id)),
            ("stop", "upsert", Some(ana.id))
        ]
    );
    let written: Vec<(String, u32)> = plan
        .writes
        .iter()
        .map(|w| (w.id.to_string(), w.position))
        .collect();
    assert_eq!(
        written,
        [
            (stored[1].id.clone(), 2),
            (StopId::from_uuid(Uuid::from_u128(301)).to_string(), 3)
        ]
    );
    assert_eq!(
        (
            summary.stops_updated,
            summary.stops_created,
            summary.stops_removed
        ),
        (1, 1, 1)
    );
}
