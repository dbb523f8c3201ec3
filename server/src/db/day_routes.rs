//! The Routes page's day: every active collector the caller may see (the rules of [`super::scope`],
//! a supervisor's read from their team's users) with the stops of their route dated that day, in
//! route order, and each stop's newest visit status. Collectors without a route are listed too:
//! they are where a stop can be reassigned to. A disabled collector is listed (`active: false`)
//! while they have stops that day, which a supervisor must then reassign.

use std::collections::HashMap;

use anyhow::Context;
use chrono::NaiveDate;
use serde::Serialize;
use terreno_shared::model::Role;

use super::portfolio::Portfolio;
use super::scope::{BindScope, OVER_C};
use super::sessions::Session;
use crate::on_read;

/// A collector and their route of the day.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DayRoute {
    /// Login name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// Team name.
    pub team: Option<String>,
    /// Whether the collector may log in; a disabled one is listed only with stops that day.
    pub active: bool,
    /// The route's stops in order (empty: no route that day).
    pub stops: Vec<DayStop>,
}

/// A stop of a day's route.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DayStop {
    /// Stop id.
    pub id: String,
    /// Account id.
    pub account: String,
    /// The creditor's code for the account.
    pub external_id: String,
    /// Debtor's name.
    pub debtor: String,
    /// Address.
    pub address: String,
    /// Position in the route (from 1).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub position: i64,
    /// The newest visit's status (`planned` while none exists).
    pub status: String,
    /// The newest visit's outcome, once submitted.
    pub outcome: Option<String>,
}

/// The routes of one day.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DayRoutes {
    /// The organization's local day.
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// Collectors by login name.
    pub collectors: Vec<DayRoute>,
}

#[derive(sqlx::FromRow)]
struct CollectorRow {
    id: String,
    username: String,
    display_name: String,
    team: Option<String>,
    active: bool,
}

#[derive(sqlx::FromRow)]
struct StopRow {
    collector_id: String,
    #[sqlx(flatten)]
    stop: DayStop,
}

impl Portfolio<'_> {
    /// The routes of `date` of the collectors `who` may see.
    pub async fn day_routes(&self, who: &Session, date: NaiveDate) -> anyhow::Result<DayRoutes> {
        let (people, stops): (Vec<CollectorRow>, Vec<StopRow>) = on_read!(self, |pool| {
            let people = sqlx::query_as(sqlx::AssertSqlSafe(people_sql(who)))
                .bind_scope(who)
                .bind(date.to_string())
                .fetch_all(&mut *pool)
                .await
                .context("reading the collectors of the routes")?;
            let stops = sqlx::query_as(sqlx::AssertSqlSafe(stops_sql(who)))
                .bind_scope(who)
                .bind(date.to_string())
                .fetch_all(pool)
                .await
                .context("reading the day's stops")?;
            (people, stops)
        });
        let mut by_collector: HashMap<String, Vec<DayStop>> = HashMap::new();
        for s in stops {
            by_collector.entry(s.collector_id).or_default().push(s.stop);
        }
        let collectors = people
            .into_iter()
            .map(|p| DayRoute {
                stops: by_collector.remove(&p.id).unwrap_or_default(),
                username: p.username,
                display_name: p.display_name,
                team: p.team,
                active: p.active,
            })
            .collect();
        Ok(DayRoutes { date, collectors })
    }
}

/// The collectors in scope, active or with stops on day `$5`. Binds the scope first (`$1`..`$4`,
/// see [`OVER_C`]).
fn people_sql(who: &Session) -> String {
    format!(
        "select c.id, c.username, c.display_name, t.name as team, c.active
         from users c left join teams t on t.id = c.team_id
         where c.role = 'collector' and {}
           and (c.active or exists (select 1 from routes r join stops s on s.route_id = r.id
                                    where r.collector_id = c.id and r.route_date = $5))
         order by c.username",
        OVER_C.of(who)
    )
}

/// The stops of the routes of day `$5` in scope, with their newest visit's status: an admin's
/// by day, a supervisor's and a collector's through their users' routes of the day (`cross
/// join` keeps SQLite from starting at the organization's routes).
fn stops_sql(who: &Session) -> String {
    let (from, routes) = match who.role {
        Role::Admin => (
            "stops s join routes r on r.id = s.route_id join users c on c.id = r.collector_id",
            "r.route_date = $5",
        ),
        Role::Supervisor | Role::Collector => (
            "users c cross join routes r cross join stops s",
            "r.collector_id = c.id and r.route_date = $5 and s.route_id = r.id",
        ),
    };
    format!(
        "select r.collector_id, s.id, a.id as account, a.external_id,
                a.debtor_name as debtor, a.address, cast(s.position as bigint) as position,
                coalesce((select v.status from visits v where v.stop_id = s.id
                  order by v.created_ms desc limit 1), 'planned') as status,
                (select v.outcome from visits v where v.stop_id = s.id
                  order by v.created_ms desc limit 1) as outcome
         from {from} join accounts a on a.id = s.account_id
         where {routes} and {} order by r.collector_id, s.position, s.id",
        OVER_C.of(who)
    )
}

/// The Routes page's reads as `who` makes them, for the plan checks.
#[cfg(test)]
pub(crate) fn plan_reads(who: &Session) -> Vec<crate::db::plans::Read> {
    use crate::db::plans::{Bind, Read};
    let binds = || {
        Bind::scope(who)
            .into_iter()
            .chain([Bind::text("2026-12-07")])
            .collect()
    };
    vec![
        Read {
            name: "day routes' collectors".into(),
            sql: people_sql(who),
            binds: binds(),
        },
        Read {
            name: "day routes' stops".into(),
            sql: stops_sql(who),
            binds: binds(),
        },
    ]
}
