//! The scoped reads of a collector and of a supervisor are led by an index on their scope, on
//! SQLite always and on PostgreSQL when `DATABASE_URL` is set (a database made and dropped here).

use std::time::Duration;

use terreno_shared::model::Role;

use super::{ALIASES, Read, scans};
use crate::db::Db;
use crate::db::sessions::Session;
use crate::db::test_db::Fresh;
use crate::db::users::NewUser;

async fn session(db: &Db, org: terreno_shared::ids::OrgId, name: &str, role: Role) -> Session {
    let info = db
        .users()
        .insert(
            org,
            &NewUser {
                username: name,
                role,
                team: Some("Equipo"),
                display_name: None,
            },
        )
        .await
        .expect("a user");
    Session {
        user_id: info.id,
        org_id: org,
        team_id: info.team,
        role,
        username: name.to_owned(),
        token_hash: Vec::new(),
        device_id: None,
        device_revoked: false,
    }
}

/// Every read `who` makes that the plan check covers.
fn reads(db: &Db, who: &Session) -> Vec<Read> {
    let mut reads = crate::db::pull::snapshot::plan_reads(who);
    reads.extend(crate::db::pull::plan_reads(db, who));
    reads.extend(crate::db::map::plan_reads(db, who));
    reads.extend(crate::db::visit_list::plan_reads(who));
    reads.extend(crate::db::reports::plan_reads(who));
    reads.extend(crate::db::visit_reports::plan_reads(who));
    reads.extend(crate::db::exports::plan_reads(who));
    reads.extend(crate::db::day_routes::plan_reads(who));
    reads
}

/// Explains every read of a collector and a supervisor; answers the reads that scan a big
/// table, with their plans.
async fn scanning_reads(db: &Db) -> Vec<String> {
    let org = db
        .orgs()
        .insert("plans", chrono_tz::America::Bogota)
        .await
        .expect("an org")
        .id;
    let mut bad = Vec::new();
    for (name, role) in [
        ("gestor", Role::Collector),
        ("supervisora", Role::Supervisor),
    ] {
        let who = session(db, org, name, role).await;
        for read in reads(db, &who) {
            let plan = db.explain(&read).await.expect("a plan");
            if std::env::var_os("TERRENO_SHOW_PLANS").is_some() {
                eprintln!("{name}: {}\n  {}", read.name, plan.join("\n  "));
            }
            if !scans(&plan, &ALIASES).is_empty() {
                bad.push(format!("{name}: {}\n  {}", read.name, plan.join("\n  ")));
            }
        }
    }
    bad
}

#[tokio::test]
async fn a_collectors_and_a_supervisors_reads_scan_no_big_table_on_sqlite() {
    let fresh = Fresh::sqlite(Duration::ZERO).await;

    let bad = scanning_reads(&fresh.db).await;

    fresh.drop_it().await;
    assert!(bad.is_empty(), "reads that scan:\n{}", bad.join("\n"));
}

#[tokio::test]
async fn a_collectors_and_a_supervisors_reads_scan_no_big_table_on_postgres() {
    let Some(fresh) = Fresh::postgres(Duration::ZERO).await else {
        return;
    };

    let bad = scanning_reads(&fresh.db).await;

    fresh.drop_it().await;
    assert!(bad.is_empty(), "reads that scan:\n{}", bad.join("\n"));
}

#[test]
fn a_scan_is_told_from_a_search() {
    let lines = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let plan = lines(&[
        "SEARCH a USING INDEX accounts_by_collector_id (collector_id=? AND id>?)",
        "SCAN c",
        "SCAN changes USING INDEX changes_by_xid",
        "Seq Scan on users",
        "Index Scan on accounts using accounts_pkey (no cond)",
        "Seq Scan on stops",
        "SEARCH a USING INDEX sqlite_autoindex_accounts_2 (portfolio_id=?)",
        "SEARCH s USING INDEX stops_by_account (account_id=?)",
        "Index Scan on accounts using accounts_by_collector_id ((collector_id = c.id))",
    ]);

    let found = scans(&plan, &ALIASES);

    assert_eq!(
        found,
        lines(&[
            "SCAN changes USING INDEX changes_by_xid",
            "Index Scan on accounts using accounts_pkey (no cond)",
            "Seq Scan on stops",
            "SEARCH a USING INDEX sqlite_autoindex_accounts_2 (portfolio_id=?)",
        ])
    );
}

/// Issue 16's snapshot read as it was: one text for every role, the role picked by `or`.
const ORG_WIDE_ACCOUNTS: &str = "select a.id from accounts a
     join portfolios p on p.id = a.portfolio_id left join users c on c.id = a.collector_id
     where p.org_id = $1 and a.status = 'open'
       and ($2 = 'admin' or ($2 = 'supervisor' and c.team_id = $3)
            or ($2 = 'collector' and a.collector_id = $4))
       and a.id > $5 order by a.id limit $6";

#[tokio::test]
async fn the_check_catches_a_read_whose_scope_is_an_or_of_roles() {
    use super::Bind;
    let fresh = Fresh::sqlite(Duration::ZERO).await;
    let read = Read {
        name: "the old snapshot accounts".into(),
        sql: ORG_WIDE_ACCOUNTS.into(),
        binds: vec![
            Bind::text("org"),
            Bind::text("collector"),
            Bind::Text(None),
            Bind::text("user"),
            Bind::text(""),
            Bind::Int(Some(500)),
        ],
    };

    let plan = fresh.db.explain(&read).await.expect("a plan");

    fresh.drop_it().await;
    assert!(!scans(&plan, &ALIASES).is_empty(), "{plan:?}");
}

/// The shared scope predicate the map, the visit list, the reports and the exports used before:
/// one text for every role, `$3` the role (`$2` org, `$4` team, `$5` user).
const OR_OF_ROLES: &str = "c.org_id = $2 and ($3 = 'admin'
     or ($3 = 'supervisor' and c.team_id = $4) or ($3 = 'collector' and c.id = $5))";

/// Issue 16's map stops and visit list as they were: the day's stops of the organization, and
/// the organization's visits, filtered by the predicate above.
fn or_of_roles_reads() -> Vec<Read> {
    use super::Bind;
    let binds = |first: Bind| {
        vec![
            first,
            Bind::text("org"),
            Bind::text("supervisor"),
            Bind::text("team"),
            Bind::text("user"),
            Bind::Int(Some(0)),
        ]
    };
    vec![
        Read {
            name: "the old map day stops".into(),
            sql: format!(
                "select r.collector_id, a.id from stops s join routes r on r.id = s.route_id
                 join users c on c.id = r.collector_id join accounts a on a.id = s.account_id
                 where s.planned_date = $1 and {OR_OF_ROLES} order by r.collector_id, s.position"
            ),
            binds: binds(Bind::text("2026-12-07")),
        },
        Read {
            name: "the old visit list".into(),
            sql: format!(
                "select v.id, coalesce(v.completed_ms, v.created_ms) as at_ms
                 from visits v {} where {OR_OF_ROLES} order by at_ms desc, v.id desc limit $1",
                crate::db::scope::VISIT_OWNER
            ),
            binds: binds(Bind::Int(Some(51))),
        },
        Read {
            name: "the old refusal reasons".into(),
            sql: format!(
                "select k.server_verdict from checkins k
                 join devices d on d.id = k.device_id join accounts a on a.id = k.account_id
                 join users c on c.id = coalesce(a.collector_id, d.user_id)
                 where k.at_ms >= $1 and k.at_ms < $6 and k.server_allowed = false
                   and {OR_OF_ROLES}"
            ),
            binds: binds(Bind::Int(Some(0))),
        },
    ]
}

/// The old reads the check lets through, with their plans.
async fn old_reads_let_through(db: &Db) -> Vec<String> {
    let mut missed = Vec::new();
    for read in or_of_roles_reads() {
        // PostgreSQL plans each of the first executions with the bound values, folding the
        // `or` of roles, and with `stops_by_route_day` it then starts the day's stops from the
        // team, as the new text does; SQLite plans the text once, for every role.
        if db.is_postgres() && read.name == "the old map day stops" {
            continue;
        }
        let plan = db.explain(&read).await.expect("a plan");
        if scans(&plan, &ALIASES).is_empty() {
            missed.push(format!("{}: {plan:?}", read.name));
        }
    }
    missed
}

#[tokio::test]
async fn the_check_catches_the_old_map_visit_and_report_reads_on_sqlite() {
    let fresh = Fresh::sqlite(Duration::ZERO).await;

    let missed = old_reads_let_through(&fresh.db).await;

    fresh.drop_it().await;
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

#[tokio::test]
async fn the_check_catches_the_old_map_visit_and_report_reads_on_postgres() {
    let Some(fresh) = Fresh::postgres(Duration::ZERO).await else {
        return;
    };

    let missed = old_reads_let_through(&fresh.db).await;

    fresh.drop_it().await;
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}
