//! The decisions of a load chunk, made without the database (the plan half of
//! [`super::load`]): which accounts are new, changed or repeated, which feed changes that makes
//! (a removal for the collector an account left, an upsert for the one it went to), and which
//! stops move, appear or leave another collector's route. The apply half reads what these need,
//! hands it in, and writes what they return. New ids come from the caller, so a plan is a
//! function of its inputs.

use std::collections::HashMap;

use anyhow::Context;
use chrono::NaiveDate;
use terreno_shared::api::v1::sync::{Change, EntityType, Record};
use terreno_shared::api::v1::views::StopView;
use terreno_shared::ids::{AccountId, OrgId, PersonId, StopId, UserId};

use super::super::changes::NewChange;
use super::accounts::{AccountCols, AccountWrite, Existing};
use super::stops::{RoutePlan, StopWrite, StoredStop};
use super::{AccountRow, Collector, LoadSummary, PortfolioRef, RouteRef, removal};

/// What a chunk does to its accounts.
pub(super) struct AccountPlan<'r> {
    /// New and changed accounts (repeats are left out).
    pub writes: Vec<AccountWrite<'r>>,
    /// Feed changes, row by row: a removal for the collector an account left, then an upsert
    /// for the collector it has.
    pub changes: Vec<NewChange>,
    /// Each row's account id, in row order.
    pub ids: Vec<AccountId>,
    /// The ids of the accounts that were stored before (their stops are read back).
    pub existed: Vec<AccountId>,
}

/// Plans a chunk's accounts: `first` is the chunk's first row counted from the load's (for
/// errors), `assigned` each row's collector, `persons` the chunk's persons by document, and
/// `existing` the stored accounts by external id.
#[allow(clippy::too_many_arguments)] // the plan's inputs, each read by the apply half
// Long: one pass over the rows keeps each row's removal before its upsert, as the feed needs.
pub(super) fn accounts<'r>(
    portfolio: &PortfolioRef,
    rows: &'r [AccountRow],
    first: usize,
    assigned: &[Option<Collector>],
    persons: &HashMap<(String, String), PersonId>,
    existing: &HashMap<String, Existing>,
    summary: &mut LoadSummary,
    mut new_id: impl FnMut() -> AccountId,
) -> anyhow::Result<AccountPlan<'r>> {
    let org = portfolio.org;
    let mut plan = AccountPlan {
        writes: Vec::new(),
        changes: Vec::new(),
        ids: Vec::with_capacity(rows.len()),
        existed: Vec::new(),
    };
    for (i, (row, collector)) in rows.iter().zip(assigned).enumerate() {
        let at = || format!("row {} (account {})", first + i + 1, row.external_id);
        let person = row.national_id.as_ref().and_then(|n| {
            persons
                .get(&(n.kind().as_str().to_owned(), n.number().to_owned()))
                .copied()
        });
        let cols = AccountCols::of(portfolio, row, person, *collector).with_context(at)?;
        let old = existing.get(row.external_id.as_str());
        let (id, version) = identify(old, &cols, summary, &mut new_id)?;
        if old.is_some() {
            plan.existed.push(id);
        }
        plan.ids.push(id);
        let Some(version) = version else { continue };
        let moved_from = old
            .filter(|e| e.cols.collector_id != cols.collector_id)
            .and_then(|e| Some((e.cols.collector_id.as_deref()?, e.collector_team.as_deref())));
        if let Some((old_collector, old_team)) = moved_from {
            let new_team = collector.and_then(|c| c.team).map(|t| t.to_string());
            if collector.is_some() && new_team.as_deref() != old_team {
                summary.accounts_moved_between_teams += 1;
            }
            let id = id.to_string();
            plan.changes.push(removal(
                org,
                EntityType::Account,
                &id,
                old_collector,
                old_team,
            )?);
        }
        if let Some(c) = collector {
            let view = cols.view(portfolio, row, id, version)?;
            plan.changes.push(NewChange {
                org_id: org,
                collector_id: Some(c.id),
                team_id: c.team,
                change: Change::upsert(id.to_string(), Record::Account(view)),
            });
        }
        plan.writes.push(AccountWrite { id, row, cols });
    }
    Ok(plan)
}

/// An account's id (stored, or a new one) and, when it is to be written, its next version: 1
/// when new, the stored one plus one when a column differs, none when loaded unchanged.
fn identify(
    old: Option<&Existing>,
    cols: &AccountCols,
    summary: &mut LoadSummary,
    new_id: &mut impl FnMut() -> AccountId,
) -> anyhow::Result<(AccountId, Option<i64>)> {
    let Some(e) = old else {
        summary.accounts_created += 1;
        return Ok((new_id(), Some(1)));
    };
    let id: AccountId = e.id.parse().context("stored account id")?;
    if e.cols == *cols {
        summary.accounts_unchanged += 1;
        Ok((id, None))
    } else {
        summary.accounts_updated += 1;
        Ok((id, Some(e.version + 1)))
    }
}

/// Where each row's stop goes (its route's date and its position from 1), for rows with a
/// collector and a planned date; `None` for the others. Takes the positions from `routes`.
pub(super) fn stop_slots(
    routes: &mut RoutePlan,
    rows: &[AccountRow],
    assigned: &[Option<Collector>],
) -> anyhow::Result<Vec<Option<(NaiveDate, u32)>>> {
    rows.iter()
        .zip(assigned)
        .map(
            |(row, collector)| match (collector, &row.collector, row.visit_date) {
                (Some(_), Some(name), Some(_)) => routes.next_stop(name).map(Some),
                _ => Ok(None),
            },
        )
        .collect()
}

/// What a chunk does to its stops.
#[derive(Default)]
pub(super) struct StopPlan<'s> {
    /// Stops to delete: on the route of a collector the account no longer has.
    pub gone: Vec<&'s str>,
    /// Their feed removals, row by row.
    pub removals: Vec<NewChange>,
    /// Feed upserts of new and moved stops, row by row.
    pub upserts: Vec<NewChange>,
    /// New and moved stops.
    pub writes: Vec<StopWrite>,
}

/// The chunk's stops, as [`stop_slots`] and the stored stops make them.
pub(super) struct StopInputs<'a, 's> {
    /// The organization.
    pub org: OrgId,
    /// Each row's collector.
    pub assigned: &'a [Option<Collector>],
    /// Each row's account id.
    pub ids: &'a [AccountId],
    /// Each row's slot ([`stop_slots`]).
    pub slots: &'a [Option<(NaiveDate, u32)>],
    /// The routes of the slots, by collector and date.
    pub routes: &'a HashMap<(UserId, NaiveDate), RouteRef>,
    /// The stored stops of the chunk's accounts.
    pub stored: &'s [StoredStop],
}

/// Plans a chunk's stops: a stored stop on another collector's route leaves it; a row with a
/// slot gets a stop on its route, kept when its date and position are unchanged.
pub(super) fn stops<'s>(
    rows: &[AccountRow],
    input: StopInputs<'_, 's>,
    summary: &mut LoadSummary,
    mut new_id: impl FnMut() -> StopId,
) -> anyhow::Result<StopPlan<'s>> {
    let mut by_account: HashMap<&str, Vec<&StoredStop>> = HashMap::new();
    for s in input.stored {
        by_account.entry(&s.account_id).or_default().push(s);
    }
    let mut plan = StopPlan::default();
    for (i, row) in rows.iter().enumerate() {
        let (collector, id) = (input.assigned[i], input.ids[i]);
        let id_text = id.to_string();
        let stops = by_account
            .get(id_text.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        leave_other_routes(input.org, stops, collector, &mut plan)?;
        let (Some(c), Some((route_date, position)), Some(date)) =
            (collector, input.slots[i], row.visit_date)
        else {
            continue;
        };
        let route = *input
            .routes
            .get(&(c.id, route_date))
            .context("a planned stop's route was not resolved")?;
        let route_id = route.id.to_string();
        let stop_id = match stops.iter().find(|s| s.route_id == route_id) {
            Some(s) if s.planned_date == date.to_string() && s.position == i64::from(position) => {
                continue;
            }
            Some(s) => {
                summary.stops_updated += 1;
                s.id.parse().context("stored stop id")?
            }
            None => {
                summary.stops_created += 1;
                new_id()
            }
        };
        let view = StopView {
            id: stop_id,
            route: route.id,
            collector: c.id,
            route_date: route.date,
            account: id,
            planned_date: date,
            position,
        };
        plan.place(input.org, c, &view)?;
    }
    summary.stops_removed += plan.gone.len();
    Ok(plan)
}

/// Removes the stored stops of an account that sit on another collector's route than `keep`.
fn leave_other_routes<'s>(
    org: OrgId,
    stops: &[&'s StoredStop],
    keep: Option<Collector>,
    plan: &mut StopPlan<'s>,
) -> anyhow::Result<()> {
    let keep = keep.map(|c| c.id.to_string());
    for s in stops
        .iter()
        .filter(|s| Some(&s.collector_id) != keep.as_ref())
    {
        plan.gone.push(&s.id);
        let change = removal(
            org,
            EntityType::Stop,
            &s.id,
            &s.collector_id,
            s.team_id.as_deref(),
        )?;
        plan.removals.push(change);
    }
    Ok(())
}

impl StopPlan<'_> {
    /// Writes a new or moved stop, with its feed upsert for its collector.
    fn place(&mut self, org: OrgId, c: Collector, view: &StopView) -> anyhow::Result<()> {
        self.upserts.push(NewChange {
            org_id: org,
            collector_id: Some(c.id),
            team_id: c.team,
            change: Change::upsert(view.id.to_string(), Record::Stop(view.clone())),
        });
        self.writes.push(StopWrite {
            id: view.id,
            route: view.route,
            account: view.account,
            planned_date: view.planned_date,
            position: view.position,
        });
        Ok(())
    }
}

#[cfg(test)]
#[path = "load_plan_tests.rs"]
mod tests;
