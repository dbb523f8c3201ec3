//! The map's queries, one per kind of row, each with one text per role (see [`ByRole`]): an
//! admin's read the organization's rows of the day, a supervisor's and a collector's start from
//! the users in their scope ([`OVER_C`]) and reach their rows through those users' keys, so they
//! cost the team, not the organization (issue 16). Every text binds the scope first (`$1`..`$4`,
//! [`BindScope`]), then its own values, then, when one is asked for, one collector ([`only`]:
//! their id, on the table's own user column).

use std::collections::HashMap;

use anyhow::Context;
use chrono::NaiveDate;
use terreno_shared::model::{Fix, RawFix, Role, VisitStatus};
use terreno_shared::track::{TrackPolicy, flag, simplify};

use super::{MapCollector, MapRefusal, MapStop, TRACK_TOLERANCE_M, time};
use crate::db::Db;
use crate::db::live_reads::Position;
use crate::db::live_reads::{POSITION_COLUMNS, PositionRow};
use crate::db::scope::{BindScope, OVER_C};
use crate::db::sessions::Session;
use crate::on_read;

/// The clause that keeps one collector's rows (`column = $n`), or nothing for everyone's.
fn only(column: &str, n: u8, one: bool) -> String {
    match one {
        true => format!(" and {column} = ${n}"),
        false => String::new(),
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct CollectorRow {
    id: String,
    username: String,
    display_name: String,
    team: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(super) struct FixRow {
    user_id: String,
    t_ms: i64,
    lat: f64,
    lon: f64,
    accuracy_m: f64,
    speed_ms: Option<f64>,
    battery: Option<f64>,
    mock: bool,
}

#[derive(sqlx::FromRow)]
pub(super) struct StopRow {
    collector_id: String,
    account_id: String,
    external_id: String,
    debtor_name: String,
    address: String,
    lat: Option<f64>,
    lon: Option<f64>,
    position: i64,
    status: Option<String>,
    outcome: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(super) struct RefusalRow {
    visit_id: String,
    account_id: String,
    username: String,
    debtor_name: String,
    lat: Option<f64>,
    lon: Option<f64>,
    at_ms: i64,
    server_verdict: String,
}

/// Collectors in scope (`$5`: one's login name).
fn collectors_sql(who: &Session, one: bool) -> String {
    format!(
        "select c.id, c.username, c.display_name, t.name as team
         from users c left join teams t on t.id = c.team_id
         where c.role = 'collector' and c.active and {}{} order by c.username",
        OVER_C.of(who),
        only("c.username", 5, one)
    )
}

/// Last positions of the collectors in scope (`$5`: one's id).
fn positions_sql(who: &Session, one: bool) -> String {
    format!(
        "select {POSITION_COLUMNS} from users c join last_positions p on p.user_id = c.id
         where c.role = 'collector' and {}{} order by p.t_ms",
        OVER_C.of(who),
        only("p.user_id", 5, one)
    )
}

/// Fixes of `[$5, $6)` of the users in scope (`$7`: one's id).
fn tracks_sql(who: &Session, one: bool) -> String {
    format!(
        "select f.user_id, f.t_ms, f.lat, f.lon, f.accuracy_m, f.speed_ms, f.battery, f.mock
         from users c join fixes f on f.user_id = c.id
         where {} and f.t_ms >= $5 and f.t_ms < $6{}
         order by f.user_id, f.t_ms",
        OVER_C.of(who),
        only("f.user_id", 7, one)
    )
}

/// The stops `s` of day `$5` in scope, with their route `r` and its collector `c`: the FROM
/// items and the conditions. An admin's are read by day (`stops_by_planned_date`); a
/// supervisor's and a collector's from their users' routes, each route's stops of the day
/// (`stops_by_route_day`). Without statistics either planner may still start from the day's
/// stops of the whole organization, so the order is spelled out: SQLite keeps the left table of
/// a `cross join` outer, and PostgreSQL plans a `lateral` subquery with `offset 0` per route.
fn day_stops(who: &Session, pg: bool) -> (&'static str, String) {
    let over = OVER_C.of(who);
    match (who.role, pg) {
        (Role::Admin, _) => (
            "stops s join routes r on r.id = s.route_id join users c on c.id = r.collector_id",
            format!("s.planned_date = $5 and {over}"),
        ),
        (Role::Supervisor | Role::Collector, false) => (
            "users c cross join routes r cross join stops s",
            format!(
                "{over} and r.collector_id = c.id and s.route_id = r.id and s.planned_date = $5"
            ),
        ),
        (Role::Supervisor | Role::Collector, true) => (
            "users c join routes r on r.collector_id = c.id
             cross join lateral (select s.id, s.route_id, s.account_id, s.position from stops s
                                 where s.route_id = r.id and s.planned_date = $5 offset 0) s",
            over.to_owned(),
        ),
    }
}

/// The stops of day `$5` in scope with their newest visit's status (`$6`: one collector's id).
fn stops_sql(who: &Session, pg: bool, one: bool) -> String {
    let (from, conditions) = day_stops(who, pg);
    format!(
        "select r.collector_id, a.id as account_id, a.external_id, a.debtor_name, a.address,
                a.lat, a.lon, cast(s.position as bigint) as position,
                (select v.status from visits v where v.stop_id = s.id
                  order by v.created_ms desc limit 1) as status,
                (select v.outcome from visits v where v.stop_id = s.id
                  order by v.created_ms desc limit 1) as outcome
         from {from} join accounts a on a.id = s.account_id
         where {conditions}{}
         order by r.collector_id, s.position",
        only("r.collector_id", 6, one)
    )
}

/// How many stops of day `$5` each collector in scope has, and how many were visited.
fn stop_counts_sql(who: &Session, pg: bool) -> String {
    let (from, conditions) = day_stops(who, pg);
    format!(
        "select r.collector_id,
                cast(count(*) as bigint) as total,
                cast(coalesce(sum(case when exists (select 1 from visits v
                    where v.stop_id = s.id and v.status_rank = {terminal})
                    then 1 else 0 end), 0) as bigint) as done
         from {from} where {conditions} group by r.collector_id",
        // The lattice rank every terminal status shares (done, not done, cancelled).
        terminal = VisitStatus::Done.rank()
    )
}

/// The check-ins of `[$5, $6)` the server refused, of devices of users in scope (`$7`: one's
/// id): an admin's by time (`checkins_by_time`), the others' through their users' devices
/// (`checkins_by_device_time`; the order spelled out as in [`day_stops`]).
fn refusals_sql(who: &Session, pg: bool, one: bool) -> String {
    const REFUSED: &str = "k.at_ms >= $5 and k.at_ms < $6 and k.server_allowed = false";
    let over = OVER_C.of(who);
    let (from, conditions) = match (who.role, pg) {
        (Role::Admin, _) => (
            "checkins k join devices d on d.id = k.device_id join users c on c.id = d.user_id"
                .to_owned(),
            format!("{over} and {REFUSED}"),
        ),
        (Role::Supervisor | Role::Collector, false) => (
            "users c cross join devices d cross join checkins k".to_owned(),
            format!("{over} and d.user_id = c.id and k.device_id = d.id and {REFUSED}"),
        ),
        (Role::Supervisor | Role::Collector, true) => (
            format!(
                "users c join devices d on d.user_id = c.id
                 cross join lateral (select k.visit_id, k.account_id, k.at_ms, k.server_verdict
                                     from checkins k where k.device_id = d.id and {REFUSED}
                                     offset 0) k"
            ),
            over.to_owned(),
        ),
    };
    format!(
        "select k.visit_id, k.account_id, c.username, a.debtor_name, a.lat, a.lon, k.at_ms,
                k.server_verdict
         from {from} join accounts a on a.id = k.account_id
         where {conditions}{}
         order by k.at_ms",
        only("d.user_id", 7, one)
    )
}

impl Db {
    pub(super) async fn map_collectors(
        &self,
        who: &Session,
        username: Option<&str>,
    ) -> anyhow::Result<Vec<(String, MapCollector)>> {
        let sql = collectors_sql(who, username.is_some());
        let rows: Vec<CollectorRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind_scope(who)
                .bind_if(username)
                .fetch_all(pool)
                .await
                .context("reading the map's collectors")?
        });
        Ok(rows
            .into_iter()
            .map(|r| {
                let c = MapCollector {
                    username: r.username,
                    display_name: r.display_name,
                    team: r.team,
                    position: None,
                    detail: false,
                    track: Vec::new(),
                    stops: Vec::new(),
                    stops_total: 0,
                    stops_done: 0,
                };
                (r.id, c)
            })
            .collect())
    }

    /// Each collector's newest position (a collector with two phones shows the fresher one).
    pub(super) async fn map_positions(
        &self,
        who: &Session,
        only_user: Option<&str>,
    ) -> anyhow::Result<HashMap<String, Position>> {
        let sql = positions_sql(who, only_user.is_some());
        let rows: Vec<PositionRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind_scope(who)
                .bind_if(only_user)
                .fetch_all(pool)
                .await
                .context("reading the map's positions")?
        });
        let mut out = HashMap::new();
        for r in rows {
            // Ordered by time: a later row is the fresher device.
            let user = r.user_id.clone();
            out.insert(user, r.into_position()?);
        }
        Ok(out)
    }

    /// Today's track of each collector: clean fixes (the shared filter's flags), simplified.
    pub(super) async fn map_tracks(
        &self,
        who: &Session,
        from_ms: i64,
        to_ms: i64,
        only_user: Option<&str>,
    ) -> anyhow::Result<HashMap<String, Vec<[f64; 2]>>> {
        let sql = tracks_sql(who, only_user.is_some());
        let rows: Vec<FixRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind_scope(who)
                .bind(from_ms)
                .bind(to_ms)
                .bind_if(only_user)
                .fetch_all(pool)
                .await
                .context("reading today's fixes")?
        });
        let mut by_user: HashMap<String, Vec<Fix>> = HashMap::new();
        for r in rows {
            let raw = RawFix {
                t: time(r.t_ms)?,
                lat: r.lat,
                lon: r.lon,
                accuracy_m: r.accuracy_m,
                speed_ms: r.speed_ms,
                heading_deg: None,
                altitude_m: None,
                battery: r.battery,
                charging: None,
                provider: Default::default(),
                mock: r.mock,
            };
            let fix = Fix::try_from(raw)
                .with_context(|| format!("a stored fix of user {} at {}", r.user_id, r.t_ms))?;
            by_user.entry(r.user_id).or_default().push(fix);
        }
        let policy = TrackPolicy::default();
        Ok(by_user
            .into_iter()
            .map(|(user, fixes)| {
                let flags = flag(&fixes, &policy);
                let kept = simplify(&fixes, &flags, TRACK_TOLERANCE_M);
                let line = kept
                    .into_iter()
                    .map(|i| [fixes[i].point().lat(), fixes[i].point().lon()])
                    .collect();
                (user, line)
            })
            .collect())
    }

    /// The stops planned for `date` of each collector, in route order, with their newest visit's
    /// status.
    pub(super) async fn map_stops(
        &self,
        who: &Session,
        date: NaiveDate,
        only_user: Option<&str>,
    ) -> anyhow::Result<HashMap<String, Vec<MapStop>>> {
        let sql = stops_sql(who, self.is_postgres(), only_user.is_some());
        let rows: Vec<StopRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind_scope(who)
                .bind(date.to_string())
                .bind_if(only_user)
                .fetch_all(pool)
                .await
                .context("reading today's stops")?
        });
        let mut out: HashMap<String, Vec<MapStop>> = HashMap::new();
        for r in rows {
            out.entry(r.collector_id).or_default().push(MapStop {
                account: r.account_id,
                external_id: r.external_id,
                debtor: r.debtor_name,
                address: r.address,
                lat: r.lat,
                lon: r.lon,
                position: r.position,
                status: r.status.unwrap_or_else(|| "planned".to_owned()),
                outcome: r.outcome,
            });
        }
        Ok(out)
    }

    /// How many stops each collector has planned for `date`, and how many of them were visited
    /// (done, not done or cancelled): the overview of a map too large to carry every stop.
    pub(super) async fn map_stop_counts(
        &self,
        who: &Session,
        date: NaiveDate,
    ) -> anyhow::Result<HashMap<String, (i64, i64)>> {
        let sql = stop_counts_sql(who, self.is_postgres());
        let rows: Vec<(String, i64, i64)> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind_scope(who)
                .bind(date.to_string())
                .fetch_all(pool)
                .await
                .context("counting today's stops")?
        });
        Ok(rows.into_iter().map(|(c, t, d)| (c, (t, d))).collect())
    }

    /// The check-ins the server refused in `[from_ms, to_ms)`, oldest first.
    pub(super) async fn map_refusals(
        &self,
        who: &Session,
        from_ms: i64,
        to_ms: i64,
        only_user: Option<&str>,
    ) -> anyhow::Result<Vec<MapRefusal>> {
        let sql = refusals_sql(who, self.is_postgres(), only_user.is_some());
        let rows: Vec<RefusalRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind_scope(who)
                .bind(from_ms)
                .bind(to_ms)
                .bind_if(only_user)
                .fetch_all(pool)
                .await
                .context("reading today's refused check-ins")?
        });
        rows.into_iter()
            .map(|r| {
                Ok(MapRefusal {
                    server_verdict: serde_json::from_str(&r.server_verdict)
                        .context("a stored server verdict")?,
                    visit: r.visit_id,
                    account: r.account_id,
                    username: r.username,
                    debtor: r.debtor_name,
                    lat: r.lat,
                    lon: r.lon,
                    at: time(r.at_ms)?,
                })
            })
            .collect()
    }
}

/// Binds a value only when there is one, matching the clause [`only`] wrote.
trait BindIf<'q>: Sized {
    fn bind_if(self, value: Option<&'q str>) -> Self;
}

impl<'q, DB, O> BindIf<'q> for sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments>
where
    DB: sqlx::Database,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    fn bind_if(self, value: Option<&'q str>) -> Self {
        match value {
            Some(v) => self.bind(v),
            None => self,
        }
    }
}

/// The map's reads as `who` makes them on `db`'s backend (for everyone in scope, and for one
/// collector), for the plan checks.
#[cfg(test)]
pub(crate) fn plan_reads(db: &Db, who: &Session) -> Vec<crate::db::plans::Read> {
    use crate::db::plans::{Bind, Read};
    let pg = db.is_postgres();
    let (day, time, id) = (
        Bind::text("2026-12-07"),
        Bind::Int(Some(0)),
        Bind::text("u"),
    );
    type Text<'a> = Box<dyn Fn(bool) -> String + 'a>;
    let reads: [(&str, Text, Vec<Bind>); 6] = [
        (
            "collectors",
            Box::new(|one| collectors_sql(who, one)),
            vec![],
        ),
        ("positions", Box::new(|one| positions_sql(who, one)), vec![]),
        (
            "tracks",
            Box::new(|one| tracks_sql(who, one)),
            vec![time.clone(), time.clone()],
        ),
        (
            "day stops",
            Box::new(|one| stops_sql(who, pg, one)),
            vec![day.clone()],
        ),
        (
            "stop counts",
            Box::new(|_| stop_counts_sql(who, pg)),
            vec![day],
        ),
        (
            "refusals",
            Box::new(|one| refusals_sql(who, pg, one)),
            vec![time.clone(), time],
        ),
    ];
    let mut out = Vec::new();
    for (name, sql, own) in reads {
        for one in [false, true] {
            out.push(Read {
                name: format!("map {name}{}", if one { " of one collector" } else { "" }),
                sql: sql(one),
                binds: Bind::scope(who)
                    .into_iter()
                    .chain(own.iter().cloned())
                    .chain(one.then(|| id.clone()))
                    .collect(),
            });
        }
    }
    out
}
