//! A load, chunk by chunk: each chunk of rows (distinct external ids) costs a handful of
//! statements whatever its size (persons, accounts, stops and feed changes in bulk), so a load
//! of a million rows is bound by SQLite's own work, not by per-row round trips.
//!
//! Feed changes of a chunk are recorded in this order: account removals and upserts (row by
//! row), then stop removals, then stop upserts.

use std::collections::HashMap;

use anyhow::Context;
use chrono::NaiveDate;
use terreno_shared::api::v1::sync::{Change, EntityType, Record};
use terreno_shared::api::v1::views::StopView;
use terreno_shared::ids::{AccountId, StopId, UserId};
use terreno_shared::model::Username;
use uuid::Uuid;

use super::super::changes::NewChange;
use super::accounts::{AccountCols, AccountWrite};
use super::stops::{RoutePlan, StopWrite, StoredStop};
use super::{AccountRow, Collector, LoadSummary, PortfolioRef, RouteRef, WriteTx, removal};

/// What the chunks of one load share.
pub struct Load<'p> {
    portfolio: &'p PortfolioRef,
    plan: RoutePlan,
    collectors: HashMap<Username, Collector>,
    routes: HashMap<(UserId, NaiveDate), RouteRef>,
    rows_done: usize,
    /// What the load did so far.
    pub summary: LoadSummary,
}

impl<'p> Load<'p> {
    /// A load into `portfolio` whose collectors' routes `plan` dates.
    pub fn new(portfolio: &'p PortfolioRef, plan: RoutePlan) -> Self {
        Load {
            portfolio,
            plan,
            collectors: HashMap::new(),
            routes: HashMap::new(),
            rows_done: 0,
            summary: LoadSummary::default(),
        }
    }
}

impl WriteTx {
    /// Loads rows whose external ids are distinct (within the chunk, and from the load's other
    /// chunks). An error names the row, counted from the load's first, and its account.
    pub async fn load_chunk(
        &mut self,
        load: &mut Load<'_>,
        rows: &[AccountRow],
    ) -> anyhow::Result<()> {
        let portfolio = load.portfolio;
        let org = portfolio.org;
        let first = load.rows_done;
        let at = |i: usize| format!("row {} (account {})", first + i + 1, rows[i].external_id);
        let mut assigned: Vec<Option<Collector>> = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let collector = match &row.collector {
                None => None,
                Some(name) => match load.collectors.get(name) {
                    Some(c) => Some(*c),
                    None => {
                        let c = self
                            .find_collector(org, name)
                            .await
                            .with_context(|| at(i))?;
                        load.collectors.insert(name.clone(), c);
                        Some(c)
                    }
                },
            };
            assigned.push(collector);
        }
        let persons = self.upsert_persons(org, rows).await?;
        let existing = self.existing_accounts(portfolio, rows).await?;

        let mut writes: Vec<AccountWrite<'_>> = Vec::new();
        let mut changes: Vec<NewChange> = Vec::new();
        let mut ids: Vec<AccountId> = Vec::with_capacity(rows.len());
        let mut existed: Vec<AccountId> = Vec::new();
        for (i, (row, collector)) in rows.iter().zip(&assigned).enumerate() {
            let person = row.national_id.as_ref().and_then(|n| {
                persons
                    .get(&(n.kind().as_str().to_owned(), n.number().to_owned()))
                    .copied()
            });
            let cols =
                AccountCols::of(portfolio, row, person, *collector).with_context(|| at(i))?;
            let old = existing.get(row.external_id.as_str());
            let (id, version) = match old {
                Some(e) => {
                    let id: AccountId = e.id.parse().context("stored account id")?;
                    existed.push(id);
                    if e.cols == cols {
                        load.summary.accounts_unchanged += 1;
                        (id, None)
                    } else {
                        load.summary.accounts_updated += 1;
                        (id, Some(e.version + 1))
                    }
                }
                None => {
                    load.summary.accounts_created += 1;
                    (AccountId::from_uuid(Uuid::now_v7()), Some(1))
                }
            };
            ids.push(id);
            let Some(version) = version else { continue };
            let moved_from = old
                .filter(|e| e.cols.collector_id != cols.collector_id)
                .and_then(|e| Some((e.cols.collector_id.as_deref()?, e.collector_team.as_deref())));
            if let Some((old_collector, old_team)) = moved_from {
                let new_team = collector.and_then(|c| c.team).map(|t| t.to_string());
                if collector.is_some() && new_team.as_deref() != old_team {
                    load.summary.accounts_moved_between_teams += 1;
                }
                let id = id.to_string();
                changes.push(removal(
                    org,
                    EntityType::Account,
                    &id,
                    old_collector,
                    old_team,
                )?);
            }
            if let Some(c) = collector {
                let view = cols.view(portfolio, row, id, version)?;
                changes.push(NewChange {
                    org_id: org,
                    collector_id: Some(c.id),
                    team_id: c.team,
                    change: Change::upsert(id.to_string(), Record::Account(view)),
                });
            }
            writes.push(AccountWrite { id, row, cols });
        }
        self.write_accounts(portfolio, &writes).await?;
        drop(writes);

        let stored = self.stops_of(&existed).await?;
        let mut stops_by_account: HashMap<&str, Vec<&StoredStop>> = HashMap::new();
        for s in &stored {
            stops_by_account.entry(&s.account_id).or_default().push(s);
        }
        let mut gone: Vec<&str> = Vec::new();
        let mut upserts: Vec<NewChange> = Vec::new();
        let mut stop_writes: Vec<StopWrite> = Vec::new();
        for ((row, collector), id) in rows.iter().zip(&assigned).zip(&ids) {
            let id_text = id.to_string();
            let stops = stops_by_account
                .get(id_text.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default();
            let keep = collector.map(|c| c.id.to_string());
            for s in stops
                .iter()
                .filter(|s| Some(&s.collector_id) != keep.as_ref())
            {
                gone.push(&s.id);
                let change = removal(
                    org,
                    EntityType::Stop,
                    &s.id,
                    &s.collector_id,
                    s.team_id.as_deref(),
                )?;
                changes.push(change);
            }
            let (Some(c), Some(name), Some(date)) = (collector, &row.collector, row.visit_date)
            else {
                continue;
            };
            let (route_date, position) = load.plan.next_stop(name)?;
            let route = match load.routes.get(&(c.id, route_date)) {
                Some(r) => *r,
                None => {
                    let r = self.ensure_route(*c, route_date).await?;
                    load.routes.insert((c.id, route_date), r);
                    r
                }
            };
            let route_id = route.id.to_string();
            let stop_id = match stops.iter().find(|s| s.route_id == route_id) {
                Some(s)
                    if s.planned_date == date.to_string() && s.position == i64::from(position) =>
                {
                    continue;
                }
                Some(s) => {
                    load.summary.stops_updated += 1;
                    s.id.parse().context("stored stop id")?
                }
                None => {
                    load.summary.stops_created += 1;
                    StopId::from_uuid(Uuid::now_v7())
                }
            };
            let view = StopView {
                id: stop_id,
                route: route.id,
                collector: c.id,
                route_date: route.date,
                account: *id,
                planned_date: date,
                position,
            };
            upserts.push(NewChange {
                org_id: org,
                collector_id: Some(c.id),
                team_id: c.team,
                change: Change::upsert(stop_id.to_string(), Record::Stop(view)),
            });
            stop_writes.push(StopWrite {
                id: stop_id,
                route: route.id,
                account: *id,
                planned_date: date,
                position,
            });
        }
        load.summary.stops_removed += gone.len();
        self.delete_stops(&gone).await?;
        self.write_stops(&stop_writes).await?;
        changes.append(&mut upserts);
        self.record_all(&changes).await?;
        load.rows_done += rows.len();
        Ok(())
    }
}
