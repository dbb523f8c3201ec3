//! Routes and stops of a load: one route per collector (dated by the earliest planned date of
//! their rows), stops in sheet order, and the stop changes of the pull feed (upsert for the
//! route's collector, remove for a collector whose account moved away).

use std::collections::HashMap;

use anyhow::Context;
use chrono::NaiveDate;
use terreno_shared::api::v1::sync::ChangeOp;
use terreno_shared::api::v1::views::{AccountView, StopView};
use terreno_shared::ids::{OrgId, RouteId, StopId, UserId};
use terreno_shared::model::Username;
use uuid::Uuid;

use super::super::changes::NewChange;
use super::{AccountRow, Collector, RouteRef, Upserted, WriteTx, removal};

/// The routes of a load: one per collector, dated by the earliest planned date of their rows,
/// with stops in sheet order (the date orders the work; it does not forbid an earlier visit).
#[derive(Debug, Default)]
pub(super) struct RoutePlan {
    routes: HashMap<Username, (NaiveDate, u32)>,
}

impl RoutePlan {
    pub(super) fn of(rows: &[AccountRow]) -> RoutePlan {
        let mut routes: HashMap<Username, (NaiveDate, u32)> = HashMap::new();
        for row in rows {
            if let (Some(c), Some(d)) = (&row.collector, row.visit_date) {
                let e = routes.entry(c.clone()).or_insert((d, 0));
                e.0 = e.0.min(d);
            }
        }
        RoutePlan { routes }
    }

    /// The route date of a collector's next stop and its position (from 1).
    pub(super) fn next_stop(&mut self, collector: &Username) -> (NaiveDate, u32) {
        let e = self
            .routes
            .get_mut(collector)
            .expect("every collector with a dated row is planned");
        e.1 += 1;
        (e.0, e.1)
    }
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

    /// Puts an account on a route at `position` (from 1), recording the stop for the route's
    /// collector when it is new or moved.
    pub async fn upsert_stop(
        &mut self,
        org: OrgId,
        route: &RouteRef,
        account: &AccountView,
        planned_date: NaiveDate,
        position: u32,
    ) -> anyhow::Result<Upserted> {
        let existing: Option<(String, String, i64)> = on_tx!(self, |c| {
            sqlx::query_as(
                "select id, planned_date, cast(position as bigint) from stops
                 where route_id = $1 and account_id = $2",
            )
            .bind(route.id.to_string())
            .bind(account.id.to_string())
            .fetch_optional(&mut **c)
            .await?
        });
        let (id, done) = match existing {
            Some((_, date, pos)) if date == planned_date.to_string() && pos == position as i64 => {
                return Ok(Upserted::Unchanged);
            }
            Some((id, ..)) => (id.parse().context("stored stop id")?, Upserted::Updated),
            None => (StopId::from_uuid(Uuid::now_v7()), Upserted::Created),
        };
        on_tx!(self, |c| {
            sqlx::query(
                "insert into stops (id, route_id, account_id, planned_date, position)
                 values ($1, $2, $3, $4, $5)
                 on conflict (route_id, account_id)
                 do update set planned_date = excluded.planned_date, position = excluded.position",
            )
            .bind(id.to_string())
            .bind(route.id.to_string())
            .bind(account.id.to_string())
            .bind(planned_date.to_string())
            .bind(i64::from(position))
            .execute(&mut **c)
            .await
            .context("saving a stop")?;
        });
        let view = StopView {
            id,
            route: route.id,
            collector: route.collector.id,
            route_date: route.date,
            account: account.id,
            planned_date,
            position,
        };
        let change = NewChange {
            org_id: org,
            collector_id: Some(route.collector.id),
            team_id: route.collector.team,
            entity_type: "stop",
            entity_id: id.to_string(),
            op: ChangeOp::Upsert,
            body: serde_json::to_value(&view).context("encoding a stop")?,
        };
        self.record(&change).await?;
        Ok(done)
    }

    /// Deletes the account's stops on routes of collectors other than `keep` (all of them when
    /// `keep` is none), recording their removal for those collectors. Returns how many.
    pub(super) async fn remove_stops_elsewhere(
        &mut self,
        org: OrgId,
        account: &AccountView,
        keep: Option<UserId>,
    ) -> anyhow::Result<usize> {
        let keep = keep.map(|k| k.to_string());
        let gone: Vec<(String, String, Option<String>)> = on_tx!(self, |c| {
            sqlx::query_as(
                "select s.id, r.collector_id, u.team_id from stops s
                 join routes r on r.id = s.route_id join users u on u.id = r.collector_id
                 where s.account_id = $1 and ($2 is null or r.collector_id <> $2)",
            )
            .bind(account.id.to_string())
            .bind(&keep)
            .fetch_all(&mut **c)
            .await?
        });
        for (stop, collector, team) in &gone {
            on_tx!(self, |c| {
                sqlx::query("delete from stops where id = $1")
                    .bind(stop)
                    .execute(&mut **c)
                    .await
                    .context("removing a stop")?;
            });
            let change = removal(org, "stop", stop, collector, team.as_deref())?;
            self.record(&change).await?;
        }
        Ok(gone.len())
    }
}
