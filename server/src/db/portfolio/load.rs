//! A load, chunk by chunk: each chunk of rows (distinct external ids) costs a handful of
//! statements whatever its size (persons, accounts, stops and feed changes in bulk), so a load
//! of a million rows is bound by SQLite's own work, not by per-row round trips.
//!
//! Feed changes of a chunk are recorded in this order: account removals and upserts (row by
//! row), then stop removals, then stop upserts. What to write is decided by the pure plans of
//! `load_plan`; this file reads their inputs and writes their outputs.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use anyhow::Context;
use chrono::NaiveDate;
use terreno_shared::ids::{AccountId, StopId, UserId};
use terreno_shared::model::Username;
use uuid::Uuid;

use super::load_plan::{self, StopInputs};
use super::stops::RoutePlan;
use super::{AccountRow, Collector, LoadSummary, PortfolioRef, RouteRef, WriteTx};

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
    /// chunks). An error names the row, counted from the load's first, and its account. Reads
    /// what the plans ([`load_plan`]) need, then writes what they decide.
    pub async fn load_chunk(
        &mut self,
        load: &mut Load<'_>,
        rows: &[AccountRow],
    ) -> anyhow::Result<()> {
        let portfolio = load.portfolio;
        let assigned = self.assign_collectors(load, rows).await?;
        let persons = self.upsert_persons(portfolio.org, rows).await?;
        let existing = self.existing_accounts(portfolio, rows).await?;
        let accounts = load_plan::accounts(
            portfolio,
            rows,
            load.rows_done,
            &assigned,
            &persons,
            &existing,
            &mut load.summary,
            || AccountId::from_uuid(Uuid::now_v7()),
        )?;
        self.write_accounts(portfolio, &accounts.writes).await?;

        let stored = self.stops_of(&accounts.existed).await?;
        let slots = load_plan::stop_slots(&mut load.plan, rows, &assigned)?;
        for (collector, slot) in assigned.iter().zip(&slots) {
            if let (Some(c), Some((date, _))) = (collector, slot)
                && let Entry::Vacant(v) = load.routes.entry((c.id, *date))
            {
                v.insert(self.ensure_route(*c, *date).await?);
            }
        }
        let input = StopInputs {
            org: portfolio.org,
            assigned: &assigned,
            ids: &accounts.ids,
            slots: &slots,
            routes: &load.routes,
            stored: &stored,
        };
        let stops = load_plan::stops(rows, input, &mut load.summary, || {
            StopId::from_uuid(Uuid::now_v7())
        })?;
        self.delete_stops(&stops.gone).await?;
        self.write_stops(&stops.writes).await?;
        let mut changes = accounts.changes;
        changes.extend(stops.removals);
        changes.extend(stops.upserts);
        self.record_all(&changes).await?;
        load.rows_done += rows.len();
        Ok(())
    }

    /// Each row's collector, looked up once per load by name.
    async fn assign_collectors(
        &mut self,
        load: &mut Load<'_>,
        rows: &[AccountRow],
    ) -> anyhow::Result<Vec<Option<Collector>>> {
        let mut assigned = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let collector = match &row.collector {
                None => None,
                Some(name) => match load.collectors.get(name) {
                    Some(c) => Some(*c),
                    None => {
                        let at = || {
                            let n = load.rows_done + i + 1;
                            format!("row {n} (account {})", row.external_id)
                        };
                        let c = self
                            .find_collector(load.portfolio.org, name)
                            .await
                            .with_context(at)?;
                        load.collectors.insert(name.clone(), c);
                        Some(c)
                    }
                },
            };
            assigned.push(collector);
        }
        Ok(assigned)
    }
}
