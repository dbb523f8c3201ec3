//! The map's queries, one per kind of row, each filtered by the caller's scope ([`SCOPE`]:
//! binds `$2`..`$5`; `$1` and `$6` are each query's own) and, when one is asked for, by one
//! collector ([`only`]: their id, bound last, on the table's own user column so the query
//! reads that collector's rows through the index instead of filtering everyone's).

use std::collections::HashMap;

use anyhow::Context;
use chrono::NaiveDate;
use terreno_shared::model::{Fix, RawFix, VisitStatus};
use terreno_shared::track::{TrackPolicy, flag, simplify};

use super::{MapCollector, MapRefusal, MapStop, TRACK_TOLERANCE_M, time};
use crate::db::Db;
use crate::db::positions::Position;
use crate::db::scope::{SCOPE, scope_binds};
use crate::db::sessions::Session;
use crate::on_read;

/// The clause that keeps one collector's rows (`column = $n`), or nothing for everyone's.
fn only(column: &str, n: u8, user: Option<&str>) -> String {
    match user {
        Some(_) => format!(" and {column} = ${n}"),
        None => String::new(),
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
pub(super) struct PositionRow {
    user_id: String,
    device_id: String,
    lat: f64,
    lon: f64,
    accuracy_m: f64,
    battery: Option<f64>,
    charging: Option<bool>,
    t_ms: i64,
    received_ms: i64,
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

impl Db {
    pub(super) async fn map_collectors(
        &self,
        who: &Session,
        username: Option<&str>,
    ) -> anyhow::Result<Vec<(String, MapCollector)>> {
        let (org, role, team, user) = scope_binds(who);
        let sql = format!(
            "select c.id, c.username, c.display_name, t.name as team
             from users c left join teams t on t.id = c.team_id
             where c.role = $1 and c.active and {SCOPE}{} order by c.username",
            only("c.username", 6, username)
        );
        let rows: Vec<CollectorRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind("collector")
                .bind(org)
                .bind(role)
                .bind(team)
                .bind(user)
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
        let (org, role, team, user) = scope_binds(who);
        let sql = format!(
            "select p.user_id, p.device_id, p.lat, p.lon, p.accuracy_m, p.battery, p.charging,
                    p.t_ms, p.received_ms
             from last_positions p join users c on c.id = p.user_id
             where c.role = $1 and {SCOPE}{} order by p.t_ms",
            only("p.user_id", 6, only_user)
        );
        let rows: Vec<PositionRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind("collector")
                .bind(org)
                .bind(role)
                .bind(team)
                .bind(user)
                .bind_if(only_user)
                .fetch_all(pool)
                .await
                .context("reading the map's positions")?
        });
        let mut out = HashMap::new();
        for r in rows {
            // Ordered by time: a later row is the fresher device.
            let position = Position {
                device: r.device_id,
                username: String::new(),
                lat: r.lat,
                lon: r.lon,
                accuracy_m: r.accuracy_m,
                battery: r.battery,
                charging: r.charging,
                t: time(r.t_ms)?,
                last_seen: time(r.received_ms)?,
            };
            out.insert(r.user_id, position);
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
        let (org, role, team, user) = scope_binds(who);
        let sql = format!(
            "select f.user_id, f.t_ms, f.lat, f.lon, f.accuracy_m, f.speed_ms, f.battery, f.mock
             from fixes f join users c on c.id = f.user_id
             where f.t_ms >= $1 and f.t_ms < $6 and {SCOPE}{}
             order by f.user_id, f.t_ms",
            only("f.user_id", 7, only_user)
        );
        let rows: Vec<FixRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(from_ms)
                .bind(org)
                .bind(role)
                .bind(team)
                .bind(user)
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
        let (org, role, team, user) = scope_binds(who);
        let sql = format!(
            "select r.collector_id, a.id as account_id, a.external_id, a.debtor_name, a.address,
                    a.lat, a.lon, cast(s.position as bigint) as position,
                    (select v.status from visits v where v.stop_id = s.id
                      order by v.created_ms desc limit 1) as status,
                    (select v.outcome from visits v where v.stop_id = s.id
                      order by v.created_ms desc limit 1) as outcome
             from stops s join routes r on r.id = s.route_id
             join users c on c.id = r.collector_id join accounts a on a.id = s.account_id
             where s.planned_date = $1 and {SCOPE}{}
             order by r.collector_id, s.position",
            only("r.collector_id", 6, only_user)
        );
        let rows: Vec<StopRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(date.to_string())
                .bind(org)
                .bind(role)
                .bind(team)
                .bind(user)
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
        let (org, role, team, user) = scope_binds(who);
        let sql = format!(
            "select r.collector_id,
                    cast(count(*) as bigint) as total,
                    cast(coalesce(sum(case when exists (select 1 from visits v
                        where v.stop_id = s.id and v.status_rank = {terminal})
                        then 1 else 0 end), 0) as bigint) as done
             from stops s join routes r on r.id = s.route_id
             join users c on c.id = r.collector_id
             where s.planned_date = $1 and {SCOPE} group by r.collector_id",
            // The lattice rank every terminal status shares (done, not done, cancelled).
            terminal = VisitStatus::Done.rank()
        );
        let rows: Vec<(String, i64, i64)> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(date.to_string())
                .bind(org)
                .bind(role)
                .bind(team)
                .bind(user)
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
        let (org, role, team, user) = scope_binds(who);
        let sql = format!(
            "select k.visit_id, k.account_id, c.username, a.debtor_name, a.lat, a.lon, k.at_ms,
                    k.server_verdict
             from checkins k join devices d on d.id = k.device_id
             join users c on c.id = d.user_id join accounts a on a.id = k.account_id
             where k.at_ms >= $1 and k.at_ms < $6 and k.server_allowed = false and {SCOPE}{}
             order by k.at_ms",
            only("d.user_id", 7, only_user)
        );
        let rows: Vec<RefusalRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(from_ms)
                .bind(org)
                .bind(role)
                .bind(team)
                .bind(user)
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
