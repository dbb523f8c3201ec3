//! A supervisor's edits of a day's routes, each in ONE write transaction with its feed changes:
//! moving a stop's account to another collector (the load's reassignment rule: the old collector
//! gets a `remove` for the account and for its stops, which are deleted; the new one gets the
//! account and a stop at the end of their route of that day) and reordering a route's stops.
//!
//! Scope: the caller's [`SCOPE`] over the route's collector and the target collector, so a
//! supervisor edits only their team's routes; anything outside it is "not found".

use anyhow::Context;
use chrono::NaiveDate;
use terreno_shared::api::v1::sync::{Change, EntityType, Record};
use terreno_shared::api::v1::views::StopView;
use terreno_shared::ids::{AccountId, OrgId, StopId, TeamId, UserId};
use uuid::Uuid;

use super::super::account_view::AccountViewRow;
use super::super::changes::NewChange;
use super::super::now_ms;
use super::super::scope::{SCOPE, scope_binds};
use super::super::sessions::Session;
use super::stops::StopWrite;
use super::{Collector, WriteTx, removal};
use crate::db::portfolio::Portfolio;
use crate::on_tx;

/// Why an edit was refused (anything else is an internal error).
#[derive(Debug, thiserror::Error)]
pub enum RouteEditError {
    /// The stop, route, collector or capture does not exist or is outside the caller's scope.
    #[error("{0}")]
    NotFound(String),
    /// The request cannot apply to what is stored.
    #[error("{0}")]
    Invalid(String),
    /// The database failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Where a reassigned stop went.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Reassigned {
    /// The stop on the new collector's route (a new id: stops belong to a route).
    pub stop: String,
    /// The account that moved.
    pub account: String,
    /// The new collector's login name.
    pub collector: String,
    /// Its position on their route (from 1, the last).
    pub position: u32,
}

#[derive(sqlx::FromRow)]
struct StopAt {
    account_id: String,
    route_date: String,
    planned_date: String,
    org_id: String,
    account_collector: Option<String>,
    account_team: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Target {
    id: String,
    username: String,
    team_id: Option<String>,
}

impl Portfolio<'_> {
    /// Moves the account of stop `stop_id` to collector `to` (a login name) for the stop's day.
    pub async fn reassign_stop(
        &self,
        who: &Session,
        stop_id: &str,
        to: &str,
    ) -> Result<Reassigned, RouteEditError> {
        let mut tx = self.begin_write().await?;
        let at = tx.stop_in_scope(who, stop_id).await?;
        let target = tx.collector_in_scope(who, to).await?;
        if at.account_collector.as_deref() == Some(target.id.as_str()) {
            return Err(RouteEditError::Invalid(format!(
                "reassigning stop {stop_id}: its debtor is already {to}'s"
            )));
        }
        let org = at.org_id.parse().context("stored org id")?;
        let collector = Collector {
            id: target.id.parse().context("stored user id")?,
            team: parse_team(target.team_id.as_deref())?,
        };
        let account: AccountId = at.account_id.parse().context("stored account id")?;
        let mut changes = tx.take_from_previous(org, &at, account).await?;
        tx.move_account(&at.account_id, &target.id).await?;
        changes.push(tx.account_upsert(org, &at.account_id, collector).await?);
        let date: NaiveDate = at.route_date.parse().context("stored route date")?;
        let route = tx.ensure_route(collector, date).await?;
        let position = tx.next_position(&route.id.to_string()).await?;
        let stop = StopWrite {
            id: StopId::from_uuid(Uuid::now_v7()),
            route: route.id,
            account,
            planned_date: at.planned_date.parse().context("stored planned date")?,
            position,
        };
        changes.push(stop_upsert(org, collector, &stop, date)?);
        tx.write_stops(std::slice::from_ref(&stop)).await?;
        tx.record_all(&changes).await?;
        tx.commit().await.context("committing the reassignment")?;
        Ok(Reassigned {
            stop: stop.id.to_string(),
            account: at.account_id,
            collector: target.username,
            position,
        })
    }

    /// Puts the stops of `collector`'s route of `date` in the order of `stop_ids`, which must
    /// name each of its stops once. Positions become 1..=n.
    pub async fn reorder_route(
        &self,
        who: &Session,
        collector: &str,
        date: NaiveDate,
        stop_ids: &[String],
    ) -> Result<(), RouteEditError> {
        if stop_ids.is_empty() {
            return Err(RouteEditError::Invalid(format!(
                "reordering {collector}'s route of {date}: list its stops in the new order"
            )));
        }
        let mut tx = self.begin_write().await?;
        let target = tx.collector_in_scope(who, collector).await?;
        let c = Collector {
            id: target.id.parse().context("stored user id")?,
            team: parse_team(target.team_id.as_deref())?,
        };
        let route = tx.ensure_route(c, date).await?;
        let route_id = route.id.to_string();
        let stored = tx.route_stops(&route_id).await?;
        check_order(&stored, stop_ids, collector, date)?;
        let org = who.org_id;
        let mut changes = Vec::with_capacity(stop_ids.len());
        for (i, id) in stop_ids.iter().enumerate() {
            let (_, account, planned) = stored
                .iter()
                .find(|s| &s.0 == id)
                .context("a checked stop")?;
            let stop = StopWrite {
                id: id.parse().context("stored stop id")?,
                route: route.id,
                account: account.parse().context("stored account id")?,
                planned_date: planned.parse().context("stored planned date")?,
                position: u32::try_from(i + 1).context("a route position")?,
            };
            if tx.reposition_stop(&route_id, id, stop.position).await? {
                changes.push(stop_upsert(org, c, &stop, date)?);
            }
        }
        tx.record_all(&changes).await?;
        tx.commit().await.context("committing the new order")?;
        Ok(())
    }
}

/// Refuses an order that does not list the route's stops exactly once each.
fn check_order(
    stored: &[(String, String, String)],
    order: &[String],
    collector: &str,
    date: NaiveDate,
) -> Result<(), RouteEditError> {
    let doing = format!("reordering {collector}'s route of {date}");
    let mut seen = std::collections::HashSet::new();
    for id in order {
        if !seen.insert(id.as_str()) {
            return Err(RouteEditError::Invalid(format!(
                "{doing}: stop {id} is listed twice"
            )));
        }
        if !stored.iter().any(|s| &s.0 == id) {
            return Err(RouteEditError::Invalid(format!(
                "{doing}: stop {id} is not on this route"
            )));
        }
    }
    if let Some(missing) = stored.iter().find(|s| !seen.contains(s.0.as_str())) {
        return Err(RouteEditError::Invalid(format!(
            "{doing}: stop {} is missing; list all {} stops",
            missing.0,
            stored.len()
        )));
    }
    Ok(())
}

fn parse_team(team: Option<&str>) -> anyhow::Result<Option<TeamId>> {
    team.map(str::parse).transpose().context("stored team id")
}

/// The feed change that puts `stop` on its collector's devices.
fn stop_upsert(
    org: OrgId,
    collector: Collector,
    stop: &StopWrite,
    route_date: NaiveDate,
) -> anyhow::Result<NewChange> {
    let view = StopView {
        id: stop.id,
        route: stop.route,
        collector: collector.id,
        route_date,
        account: stop.account,
        planned_date: stop.planned_date,
        position: stop.position,
    };
    Ok(NewChange {
        org_id: org,
        collector_id: Some(collector.id),
        team_id: collector.team,
        change: Change::upsert(stop.id.to_string(), Record::Stop(view)),
    })
}

impl WriteTx {
    /// Takes the debtor of `at` from its collector, as a load does: a `remove` of the account
    /// and of every stop of it, whatever its day (the previous collector may keep nothing of a
    /// debtor who is no longer theirs, SYNC.md), and the stops deleted.
    async fn take_from_previous(
        &mut self,
        org: OrgId,
        at: &StopAt,
        account: AccountId,
    ) -> anyhow::Result<Vec<NewChange>> {
        let mut changes = Vec::new();
        if let Some(old) = &at.account_collector {
            let team = at.account_team.as_deref();
            changes.push(removal(
                org,
                EntityType::Account,
                &at.account_id,
                old,
                team,
            )?);
        }
        let old_stops = self.stops_of(&[account]).await?;
        for s in &old_stops {
            let team = s.team_id.as_deref();
            changes.push(removal(
                org,
                EntityType::Stop,
                &s.id,
                &s.collector_id,
                team,
            )?);
        }
        let gone: Vec<&str> = old_stops.iter().map(|s| s.id.as_str()).collect();
        self.delete_stops(&gone).await?;
        Ok(changes)
    }

    /// A stop whose route's collector the caller may see, with its account's owner.
    async fn stop_in_scope(&mut self, who: &Session, id: &str) -> Result<StopAt, RouteEditError> {
        let (org, role, team, user) = scope_binds(who);
        // PostgreSQL: a second edit of the same stop waits for the first, then finds the stop
        // gone (the first deleted it). SQLite has a single writer anyway.
        let lock = if self.is_pg() {
            " for update of s, a"
        } else {
            ""
        };
        let sql = format!(
            "select s.account_id, r.route_date, s.planned_date, c.org_id, a.collector_id as account_collector,
                    owner.team_id as account_team
             from stops s join routes r on r.id = s.route_id
             join users c on c.id = r.collector_id join accounts a on a.id = s.account_id
             left join users owner on owner.id = a.collector_id
             where s.id = $1 and {SCOPE}{lock}"
        );
        let found: Option<StopAt> = on_tx!(self, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .bind(&org)
                .bind(role)
                .bind(&team)
                .bind(&user)
                .fetch_optional(&mut **c)
                .await
                .context("reading the stop")?
        });
        found
            .ok_or_else(|| RouteEditError::NotFound(format!("there is no stop {id} in your teams")))
    }

    /// An active collector the caller may see, by login name.
    async fn collector_in_scope(
        &mut self,
        who: &Session,
        username: &str,
    ) -> Result<Target, RouteEditError> {
        let (org, role, team, user) = scope_binds(who);
        let sql = format!(
            "select c.id, c.username, c.team_id from users c
             where c.username = $1 and c.role = 'collector' and c.active and {SCOPE}"
        );
        let found: Option<Target> = on_tx!(self, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(username)
                .bind(&org)
                .bind(role)
                .bind(&team)
                .bind(&user)
                .fetch_optional(&mut **c)
                .await
                .context("reading the collector")?
        });
        found.ok_or_else(|| {
            RouteEditError::NotFound(format!(
                "there is no active collector named {username:?} in your teams"
            ))
        })
    }

    /// Gives the account to `collector`; its version grows so devices replace their copy.
    async fn move_account(&mut self, account: &str, collector: &str) -> anyhow::Result<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "update accounts set collector_id = $2, version = version + 1, updated_ms = $3
                 where id = $1",
            )
            .bind(account)
            .bind(collector)
            .bind(now_ms())
            .execute(&mut **c)
            .await
            .context("reassigning the account")?;
        });
        Ok(())
    }

    /// The account as stored now, as an upsert for `collector`'s devices.
    pub(crate) async fn account_upsert(
        &mut self,
        org: OrgId,
        account: &str,
        collector: Collector,
    ) -> anyhow::Result<NewChange> {
        let row: AccountViewRow = on_tx!(self, |c| {
            sqlx::query_as(
                "select a.id, a.portfolio_id, p.name as portfolio_name, a.external_id,
                        a.person_id, pe.doc_number, a.debtor_name, a.address, a.neighbourhood,
                        a.lat, a.lon, a.phones, a.balance_minor, a.currency,
                        cast(a.days_past_due as bigint) as days_past_due, a.contact_window,
                        a.collector_id, a.version
                 from accounts a join portfolios p on p.id = a.portfolio_id
                 left join persons pe on pe.id = a.person_id
                 where a.id = $1",
            )
            .bind(account)
            .fetch_one(&mut **c)
            .await
            .context("reading the account")?
        });
        let view = row.into_view()?;
        Ok(NewChange {
            org_id: org,
            collector_id: Some(collector.id),
            team_id: collector.team,
            change: Change::upsert(account, Record::Account(view)),
        })
    }

    /// The position after the last stop of a route.
    async fn next_position(&mut self, route: &str) -> anyhow::Result<u32> {
        let last: Option<i64> = on_tx!(self, |c| {
            sqlx::query_scalar(
                "select cast(max(position) as bigint) from stops where route_id = $1",
            )
            .bind(route)
            .fetch_one(&mut **c)
            .await
            .context("reading the route's last position")?
        });
        u32::try_from(last.unwrap_or(0) + 1).context("a route position")
    }

    /// A route's stops as `(id, account, planned date)`. PostgreSQL: locked, so a reassignment
    /// racing the reorder waits for it (or, having deleted a stop first, is seen here).
    async fn route_stops(&mut self, route: &str) -> anyhow::Result<Vec<(String, String, String)>> {
        let lock = if self.is_pg() { " for update" } else { "" };
        let sql =
            format!("select id, account_id, planned_date from stops where route_id = $1{lock}");
        Ok(on_tx!(self, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(route)
                .fetch_all(&mut **c)
                .await
                .context("reading the route's stops")?
        }))
    }

    /// Moves a stored stop of `route` to `position`; whether it still exists (a stop deleted
    /// meanwhile is not re-created).
    async fn reposition_stop(
        &mut self,
        route: &str,
        stop: &str,
        position: u32,
    ) -> anyhow::Result<bool> {
        let done = on_tx!(self, |c| {
            sqlx::query("update stops set position = $3 where id = $1 and route_id = $2")
                .bind(stop)
                .bind(route)
                .bind(i64::from(position))
                .execute(&mut **c)
                .await
                .context("moving a stop")?
                .rows_affected()
        });
        Ok(done > 0)
    }
}

/// The user id of a collector, for callers outside this module.
pub(crate) fn collector_of(id: &str, team: Option<&str>) -> anyhow::Result<Collector> {
    Ok(Collector {
        id: id.parse::<UserId>().context("stored user id")?,
        team: parse_team(team)?,
    })
}
