//! Today's route: every stop of the day once, in visiting order. Stops already visited come
//! first, in the order they were visited; the rest follow the shared planner's order from the
//! collector's last position (nearest neighbour + 2-opt within each stop's contact window);
//! stops the contact rules close today come last, marked with their next allowed moment.
//!
//! A day's stops are those planned for it, those planned earlier and not finished (work carries
//! over), and those visited that day ahead of their planned date.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use terreno_shared::api::v1::views::{AccountView, StopView};
use terreno_shared::contact::Decision;
use terreno_shared::model::money::{Currency, Money};
use terreno_shared::model::{GeoPoint, VisitStatus};
use terreno_shared::plan::{Placement, PlanParams, PlanStop, plan_route};

use crate::error::{Context, Result};
use crate::store::visits::{self, VisitRow};
use crate::store::{Store, device, fixes};
use crate::visit::target::{Rules, decode};

/// One stop of the route as the collector sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RouteStop {
    /// Position in visiting order, from 1.
    pub order: usize,
    /// Stop id.
    pub stop_id: String,
    /// The debtor's external id.
    pub external_id: String,
    /// Debtor's name.
    pub name: String,
    /// Address.
    pub address: String,
    /// `planned`, `checked_in`, `done` or `not_done`.
    #[cfg_attr(
        feature = "ts",
        ts(type = "\"planned\" | \"checked_in\" | \"done\" | \"not_done\"")
    )]
    pub status: &'static str,
    /// When the collector checked in.
    pub checked_in_at: Option<DateTime<Utc>>,
    /// Metres from the last fix, when both are known.
    pub distance_m: Option<f64>,
    /// Delinquency bucket.
    pub bucket: String,
    /// Balance in the account's currency.
    pub balance: String,
    /// The debtor's contact window (local time).
    pub contact_window: Option<String>,
    /// When the contact rules next allow a visit, if not now.
    pub next_allowed: Option<DateTime<Utc>>,
    /// Estimated visit start, for stops still to visit today.
    pub eta: Option<DateTime<Utc>>,
    /// The planned date.
    pub planned_date: NaiveDate,
}

struct Candidate {
    stop: StopView,
    account: AccountView,
    visit: Option<VisitRow>,
}

// Long: the stops read, ranked and split into visited and to do in one pass.
pub(crate) fn route(store: &Store, date: NaiveDate, now: DateTime<Utc>) -> Result<Vec<RouteStop>> {
    let me = device::get(&store.conn)?;
    let rules = Rules::from_settings(me.settings.as_ref(), now);
    let last = fixes::last_at_or_before(&store.conn, now.timestamp_millis())?;
    let here = last.and_then(|l| GeoPoint::parse(l.1, l.2).ok());
    let mut visited = Vec::new();
    let mut todo = Vec::new();
    for c in candidates(store, date, &rules)? {
        match c.visit.as_ref().map(|v| v.status) {
            Some(s) if s.is_visited() => visited.push(c),
            _ => todo.push(c),
        }
    }
    visited.sort_by_key(|c| c.visit.as_ref().and_then(|v| v.checked_in_ms));
    let mut plan_input = Vec::new();
    let mut next = Vec::new();
    for (key, c) in todo.iter().enumerate() {
        let history = Rules::history(
            &store.conn,
            &c.account,
            c.visit.as_ref().map(|v| v.id.as_str()),
        )?;
        let ctx = rules.context(window(&c.account), &history);
        let next_allowed = match ctx.decide(now) {
            Decision::Allowed => None,
            Decision::Refused { next_allowed, .. } => next_allowed,
        };
        next.push(next_allowed);
        let local = now.with_timezone(&rules.zone).date_naive();
        plan_input.push(PlanStop {
            key,
            point: location(&c.account),
            allowed: if local == date {
                ctx.allowed_interval_on(date)
            } else {
                None
            },
            next_allowed: next_allowed.or_else(|| ctx.next_allowed(now)),
        });
    }
    let plan = plan_route(here, now, &plan_input, &PlanParams::default());
    let mut out = Vec::new();
    for c in &visited {
        out.push(row(out.len() + 1, c, here, None, None));
    }
    for p in plan {
        let (eta, not_now) = match p.placement {
            Placement::Visit { eta } => (Some(eta), None),
            Placement::Unlocated => (None, None),
            Placement::NotNow { next_allowed } => (None, next_allowed.or(next[p.key])),
        };
        out.push(row(
            out.len() + 1,
            &todo[p.key],
            here,
            eta,
            not_now.or(next[p.key]),
        ));
    }
    Ok(out)
}

fn candidates(store: &Store, date: NaiveDate, rules: &Rules) -> Result<Vec<Candidate>> {
    let mut stmt = store
        .conn
        .prepare_cached("select s.body, a.body from stops s join accounts a on a.id = s.account_id order by s.planned_date, s.position")
        .context("reading the route")?;
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .context("reading the route")?
        .collect::<Result<_, _>>()
        .context("reading the route")?;
    let mut out = Vec::new();
    for (s, a) in rows {
        let stop: StopView = decode(&s)?;
        let account: AccountView = decode(&a)?;
        let visit = visits::find_for(
            &store.conn,
            &account.id.to_string(),
            Some(&stop.id.to_string()),
        )?;
        let visited_on = visit
            .as_ref()
            .and_then(|v| v.checked_in_ms.or(v.completed_ms))
            .and_then(DateTime::from_timestamp_millis)
            .map(|t| t.with_timezone(&rules.zone).date_naive());
        let finished = visit.as_ref().is_some_and(|v| v.status.is_terminal());
        let on_day = stop.planned_date == date
            || (stop.planned_date < date && (!finished || visited_on == Some(date)))
            || visited_on == Some(date);
        let earlier_visit = visited_on.is_some_and(|d| d < date) && stop.planned_date != date;
        if on_day && !earlier_visit {
            out.push(Candidate {
                stop,
                account,
                visit,
            });
        }
    }
    Ok(out)
}

fn location(a: &AccountView) -> Option<GeoPoint> {
    GeoPoint::parse(a.lat?, a.lon?).ok()
}

fn window(a: &AccountView) -> Option<terreno_shared::contact::LocalWindow> {
    a.contact_window
        .as_deref()
        .and_then(|w| terreno_shared::contact::LocalWindow::parse(w).ok())
}

fn row(
    order: usize,
    c: &Candidate,
    here: Option<GeoPoint>,
    eta: Option<DateTime<Utc>>,
    next_allowed: Option<DateTime<Utc>>,
) -> RouteStop {
    let status = match c.visit.as_ref().map(|v| v.status) {
        None | Some(VisitStatus::Planned) => "planned",
        Some(VisitStatus::InProgress) => "checked_in",
        Some(VisitStatus::Done) => "done",
        Some(VisitStatus::NotDone | VisitStatus::Cancelled) => "not_done",
    };
    let balance = Currency::parse(&c.account.currency)
        .map(|cur| Money::from_minor(c.account.balance_minor, cur).to_string())
        .unwrap_or_else(|_| format!("{} {}", c.account.balance_minor, c.account.currency));
    RouteStop {
        order,
        stop_id: c.stop.id.to_string(),
        external_id: c.account.external_id.clone(),
        name: c.account.name.clone(),
        address: c.account.address.clone(),
        status,
        checked_in_at: c
            .visit
            .as_ref()
            .and_then(|v| v.checked_in_ms)
            .and_then(DateTime::from_timestamp_millis),
        distance_m: here
            .zip(location(&c.account))
            .map(|(h, p)| h.distance_m(&p)),
        bucket: c.account.bucket.clone(),
        balance,
        contact_window: c.account.contact_window.clone(),
        next_allowed: if status == "planned" {
            next_allowed
        } else {
            None
        },
        eta,
        planned_date: c.stop.planned_date,
    }
}
