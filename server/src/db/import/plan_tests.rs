//! The import plans without a database: rows, name holders and staged rows are built here.

use chrono::NaiveDate;
use terreno_shared::ids::{OrgId, TeamId};
use terreno_shared::model::{DaysPastDue, ExternalId, GeoPoint, Money, Username};
use uuid::Uuid;

use super::*;

fn org() -> OrgId {
    OrgId::from_uuid(Uuid::from_u128(1))
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).expect("a date")
}

fn setup() -> Setup<'static> {
    Setup {
        org: org(),
        portfolio: "cartera",
        date: day(2),
        as_of: day(2),
        team: Some("norte"),
        only_team: None,
        all_or_nothing: false,
        close_missing: false,
    }
}

fn account(id: &str, collector: Option<&str>, currency: Currency) -> AccountRow {
    AccountRow {
        external_id: ExternalId::parse(id).expect("an id"),
        national_id: None,
        debtor_name: "Debtor".into(),
        address: "Calle 1".into(),
        neighbourhood: None,
        location: None,
        phones: Vec::new(),
        balance: Money::from_minor(500, currency),
        days_past_due: DaysPastDue::parse(10).expect("days"),
        contact_window: None,
        collector: collector.map(|c| Username::parse(c).expect("a name")),
        visit_date: None,
    }
}

fn good(
    line: u64,
    id: &str,
    collector: Option<&str>,
    team: Option<&str>,
) -> Result<ImportRow, RowError> {
    Ok(ImportRow {
        line,
        account: account(id, collector, Currency::COP),
        team: team.map(str::to_owned),
    })
}

fn bad(line: u64, id: Option<&str>) -> Result<ImportRow, RowError> {
    Err(RowError {
        line,
        column: Some("saldo".into()),
        field: None,
        reason: "not a number".into(),
        external_id: id.map(str::to_owned),
    })
}

#[test]
fn a_good_row_is_staged_with_the_imports_date_and_its_collectors_first_team_is_kept() {
    let mut read = Read::default();

    let (first, no) = stage_row(
        good(2, "A-1", Some("ana"), Some("sur")),
        1,
        day(2),
        &mut read,
    )
    .expect("staged");
    let (second, _) = stage_row(
        good(3, "A-2", Some("ana"), Some("este")),
        2,
        day(2),
        &mut read,
    )
    .expect("staged");

    assert!(no.is_none());
    let first = first.expect("a staged row");
    assert_eq!(
        (first.seq, first.line, first.collector.as_deref()),
        (1, 2, Some("ana"))
    );
    assert_eq!(first.visit_date.as_deref(), Some("2026-03-02"));
    let row: AccountRow = serde_json::from_str(first.row.as_deref().expect("json")).expect("a row");
    assert_eq!(row.visit_date, Some(day(2)));
    assert!(second.expect("a staged row").row.is_some());
    assert_eq!(
        read.teams["ana"].as_deref(),
        Some("sur"),
        "the first row's team"
    );
    assert_eq!(
        (read.currency, read.rejected_reading),
        (Some(Currency::COP), 0)
    );
}

#[test]
fn a_row_in_a_second_currency_is_refused_and_staged_only_as_a_marker_of_its_id() {
    let mut read = Read {
        balance_column: Some("saldo".into()),
        ..Read::default()
    };
    stage_row(good(2, "A-1", None, None), 1, day(2), &mut read).expect("staged");
    let usd = Ok(ImportRow {
        line: 3,
        account: account("A-2", Some("ana"), Currency::USD),
        team: None,
    });

    let (marker, refused) = stage_row(usd, 2, day(2), &mut read).expect("planned");

    let marker = marker.expect("a marker");
    assert_eq!(
        (marker.external_id.as_str(), marker.row.as_deref()),
        ("A-2", None)
    );
    let refused = refused.expect("refused");
    assert_eq!(
        (refused.line, refused.column.as_deref()),
        (3, Some("saldo"))
    );
    assert_eq!(
        refused.reason,
        "the balance is in USD, but this import is in COP"
    );
    assert_eq!(read.rejected_reading, 1);
    assert!(read.teams.is_empty(), "a refused row names no collector");
}

#[test]
fn a_bad_row_is_refused_and_staged_as_a_marker_only_when_its_id_is_readable() {
    let mut read = Read::default();

    let (with_id, r1) = stage_row(bad(4, Some("A-9")), 1, day(2), &mut read).expect("planned");
    let (without, r2) = stage_row(bad(5, None), 2, day(2), &mut read).expect("planned");

    assert_eq!(
        with_id.map(|m| (m.external_id, m.row)),
        Some(("A-9".to_owned(), None))
    );
    assert!(without.is_none());
    assert_eq!(
        (r1.expect("refused").line, r2.expect("refused").line),
        (4, 5)
    );
    assert_eq!(read.rejected_reading, 2);
}

#[test]
fn an_empty_file_imports_nothing_unless_close_missing_would_close_everything() {
    let read = Read::default();
    let closing = Setup {
        close_missing: true,
        ..setup()
    };

    assert!(!check_read(&read, 0, &setup()).expect("nothing to do"));
    let err = check_read(&read, 0, &closing).expect_err("refused");
    assert!(err.to_string().contains("no data rows"), "{err}");
    assert!(check_read(&read, 3, &closing).expect("fully read"));
    let cut = Read {
        failed_at: Some(40),
        ..Read::default()
    };
    assert!(check_read(&cut, 3, &setup()).expect("no closing: import what was read"));
    let err = check_read(&cut, 3, &closing).expect_err("refused");
    assert!(err.to_string().contains("past line 40"), "{err}");
}

fn holder(name: &str, org: OrgId, role: &str, active: bool) -> NameHolder {
    NameHolder {
        username: name.into(),
        org_id: org.to_string(),
        team_id: None,
        role: role.into(),
        active,
    }
}

#[test]
fn free_names_are_invited_held_ones_load_or_refuse_their_rows() {
    let other = OrgId::from_uuid(Uuid::from_u128(9));
    let staged = vec![
        ("ana".to_owned(), Some("2026-03-05".to_owned()), None),
        (
            "bea".to_owned(),
            Some("2026-03-04".to_owned()),
            Some(holder("bea", org(), "collector", true)),
        ),
        (
            "cruz".to_owned(),
            Some("2026-03-04".to_owned()),
            Some(holder("cruz", other, "collector", true)),
        ),
        (
            "dora".to_owned(),
            Some("2026-03-04".to_owned()),
            Some(holder("dora", org(), "supervisor", true)),
        ),
    ];

    let c = collectors(staged, &setup()).expect("decided");

    assert_eq!(c.invite, ["ana"]);
    assert_eq!(
        c.refused,
        BTreeMap::from([
            (
                "cruz".to_owned(),
                "\"cruz\" is taken (usernames are unique across the whole server)".to_owned()
            ),
            ("dora".to_owned(), "\"dora\" is not a collector".to_owned()),
        ])
    );
    let mut routes = RoutePlan::default();
    routes.add(&Username::parse("ana").expect("a name"), day(5));
    routes.add(&Username::parse("bea").expect("a name"), day(4));
    assert_eq!(
        c.routes, routes,
        "only collectors whose rows load get a route"
    );
}

#[test]
fn a_supervisors_import_refuses_collectors_of_other_teams() {
    let (mine, theirs) = (
        TeamId::from_uuid(Uuid::from_u128(5)),
        TeamId::from_uuid(Uuid::from_u128(6)),
    );
    let mut eva = holder("eva", org(), "collector", true);
    eva.team_id = Some(theirs.to_string());
    let supervisor = Setup {
        only_team: Some(mine),
        ..setup()
    };

    let c = collectors(
        vec![("eva".into(), Some("2026-03-04".into()), Some(eva))],
        &supervisor,
    )
    .expect("decided");

    assert_eq!(c.refused["eva"], "\"eva\" is a collector of another team");
}

#[test]
fn an_invited_collector_joins_the_supervisors_team_else_its_rows_team_else_the_imports() {
    let read = Read {
        teams: BTreeMap::from([
            ("ana".to_owned(), Some("sur".to_owned())),
            ("bea".to_owned(), None),
        ]),
        ..Read::default()
    };
    let s = setup();

    assert_eq!(
        invite_team("ana", Some("propio"), &read, &s),
        Some("propio")
    );
    assert_eq!(invite_team("ana", None, &read, &s), Some("sur"));
    assert_eq!(invite_team("bea", None, &read, &s), Some("norte"));
}

#[test]
fn rows_of_refused_collectors_are_not_loaded_and_rows_without_a_location_are_counted() {
    let row = |line, collector: Option<&str>, located: bool| {
        let mut a = account(&format!("A-{line}"), collector, Currency::COP);
        a.location = located.then(|| GeoPoint::parse(4.6, -74.1).expect("a point"));
        Staged {
            seq: line,
            line,
            collector: collector.map(str::to_owned),
            row: serde_json::to_string(&a).expect("json"),
        }
    };
    let refused = BTreeMap::from([("cruz".to_owned(), "taken".to_owned())]);
    let mut summary = ImportSummary::default();

    let rows = rows_to_load(
        vec![
            row(1, Some("ana"), true),
            row(2, Some("cruz"), false),
            row(3, None, false),
        ],
        &refused,
        &mut summary,
    )
    .expect("rows");

    let ids: Vec<&str> = rows.iter().map(|r| r.external_id.as_str()).collect();
    assert_eq!(ids, ["A-1", "A-3"]);
    assert_eq!(summary.needs_location, 1);
}
