//! Routes and stops of a load: one route per collector (dated by the earliest planned date of
//! their rows), stops in sheet order. A chunk's stored stops are read in one statement, and
//! its removed and new or moved stops written in one each.

use std::collections::HashMap;

use anyhow::Context;
use chrono::NaiveDate;
use sqlx::AssertSqlSafe;
use terreno_shared::ids::{AccountId, RouteId, StopId};
use terreno_shared::model::Username;
use uuid::Uuid;

use super::super::json_rows::{self, Ty};
use super::{AccountRow, Collector, RouteRef, WriteTx};
use crate::on_tx;

/// The routes of a load: one per collector, dated by the earliest planned date of their rows,
/// with stops in sheet order (the date orders the work; it does not forbid an earlier visit).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RoutePlan {
    routes: HashMap<Username, (NaiveDate, u32)>,
}

impl RoutePlan {
    /// The plan of rows held in memory.
    pub fn of(rows: &[AccountRow]) -> RoutePlan {
        let mut plan = RoutePlan::default();
        for row in rows {
            if let (Some(c), Some(d)) = (&row.collector, row.visit_date) {
                plan.add(c, d);
            }
        }
        plan
    }

    /// Counts a row of `collector` planned for `date` (for plans built while streaming).
    pub fn add(&mut self, collector: &Username, date: NaiveDate) {
        match self.routes.get_mut(collector) {
            Some(e) => e.0 = e.0.min(date),
            None => {
                self.routes.insert(collector.clone(), (date, 0));
            }
        }
    }

    /// The route date of a collector's next stop and its position (from 1).
    pub(super) fn next_stop(&mut self, collector: &Username) -> anyhow::Result<(NaiveDate, u32)> {
        let e = self
            .routes
            .get_mut(collector)
            .with_context(|| format!("collector {collector} has no planned route"))?;
        e.1 += 1;
        Ok((e.0, e.1))
    }
}

/// A stop as stored, with its route's collector.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct StoredStop {
    pub id: String,
    pub account_id: String,
    pub route_id: String,
    pub planned_date: String,
    pub position: i64,
    pub collector_id: String,
    pub team_id: Option<String>,
}

/// A stop to insert or move.
pub(super) struct StopWrite {
    pub id: StopId,
    pub route: RouteId,
    pub account: AccountId,
    pub planned_date: NaiveDate,
    pub position: u32,
}

impl WriteTx {
    /// A collector's route for a date, created if absent.
    pub async fn ensure_route(
        &mut self,
        collector: Collector,
        date: NaiveDate,
    ) -> anyhow::Result<RouteRef> {
        let new_id = RouteId::from_uuid(Uuid::now_v7());
        let id: String = on_tx!(self, |c| {
            sqlx::query(
                "insert into routes (id, collector_id, route_date) values ($1, $2, $3)
                 on conflict (collector_id, route_date) do nothing",
            )
            .bind(new_id.to_string())
            .bind(collector.id.to_string())
            .bind(date.to_string())
            .execute(&mut **c)
            .await
            .context("creating a route")?;
            sqlx::query_scalar("select id from routes where collector_id = $1 and route_date = $2")
                .bind(collector.id.to_string())
                .bind(date.to_string())
                .fetch_one(&mut **c)
                .await?
        });
        Ok(RouteRef {
            id: id.parse().context("stored route id")?,
            collector,
            date,
        })
    }

    /// Every stored stop of these accounts.
    pub(super) async fn stops_of(
        &mut self,
        accounts: &[AccountId],
    ) -> anyhow::Result<Vec<StoredStop>> {
        if accounts.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "select s.id, s.account_id, s.route_id, s.planned_date,
                    cast(s.position as bigint) as position, r.collector_id, u.team_id
             from stops s join routes r on r.id = s.route_id
             join users u on u.id = r.collector_id
             where s.account_id in (select r.id from {})",
            json_rows::table(self.is_pg(), 1, &[("id", Ty::Text)], "r")
        );
        let param = json_rows::param(
            &accounts
                .iter()
                .map(|a| (a.to_string(),))
                .collect::<Vec<_>>(),
        );
        Ok(on_tx!(self, |c| {
            sqlx::query_as(AssertSqlSafe(sql))
                .bind(&param)
                .fetch_all(&mut **c)
                .await
                .context("reading stops")?
        }))
    }

    /// Deletes stops by id.
    pub(super) async fn delete_stops(&mut self, ids: &[&str]) -> anyhow::Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "delete from stops where id in (select r.id from {})",
            json_rows::table(self.is_pg(), 1, &[("id", Ty::Text)], "r")
        );
        let param = json_rows::param(&ids.iter().map(|id| (id,)).collect::<Vec<_>>());
        on_tx!(self, |c| {
            sqlx::query(AssertSqlSafe(sql))
                .bind(&param)
                .execute(&mut **c)
                .await
                .context("removing stops")?;
        });
        Ok(())
    }

    /// Inserts new stops and moves existing ones (same route and account) to their date and
    /// position.
    pub(super) async fn write_stops(&mut self, stops: &[StopWrite]) -> anyhow::Result<()> {
        if stops.is_empty() {
            return Ok(());
        }
        let rows: Vec<_> = stops
            .iter()
            .map(|s| {
                (
                    s.id.to_string(),
                    s.route.to_string(),
                    s.account.to_string(),
                    s.planned_date.to_string(),
                    s.position,
                )
            })
            .collect();
        let cols = [
            ("id", Ty::Text),
            ("route_id", Ty::Text),
            ("account_id", Ty::Text),
            ("planned_date", Ty::Text),
            ("position", Ty::Int),
        ];
        let sql = format!(
            "insert into stops (id, route_id, account_id, planned_date, position)
             select r.id, r.route_id, r.account_id, r.planned_date, r.position from {} where true
             on conflict (route_id, account_id)
             do update set planned_date = excluded.planned_date, position = excluded.position",
            json_rows::table(self.is_pg(), 1, &cols, "r")
        );
        let param = json_rows::param(&rows);
        on_tx!(self, |c| {
            sqlx::query(AssertSqlSafe(sql))
                .bind(&param)
                .execute(&mut **c)
                .await
                .context("saving stops")?;
        });
        Ok(())
    }
}
