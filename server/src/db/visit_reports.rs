//! Two reports over a range of the organization's local days, within the caller's scope (the
//! visits of [`visits_in_scope`], and the check-ins of the same owner rule; a supervisor's and a
//! collector's read from their users, not the organization's rows):
//! - visits per collector per day: submitted visits by the collector who made them and the
//!   local day of completion. SQL counts per quarter hour of UTC (see [`super::reports`]) and the
//!   local day is read here, so no dialect-specific time-zone function is needed;
//! - check-in refusal reasons: the server's refusals (`checkins.server_allowed` false) counted
//!   per reason of its verdict; one refusal with two reasons counts for each.

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;
use terreno_shared::geofence::{Reason, Verdict};
use terreno_shared::model::Role;

use super::reports::Reports;
use super::scope::{BindScope, OVER_C, visits_in_scope};
use super::sessions::Session;
use crate::on_read;

/// Milliseconds in the slots SQL counts by (every zone's offset is whole quarter hours).
const SLOT_MS: i64 = 15 * 60 * 1000;

/// One collector's visits per day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CollectorDays {
    /// Login name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// Visits on each day of `days`, in order.
    pub counts: Vec<u32>,
    /// Their sum.
    pub total: u32,
}

/// The visits-per-collector table.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VisitsPerCollector {
    /// Every local day of the range, in order.
    #[schema(value_type = Vec<String>)]
    pub days: Vec<NaiveDate>,
    /// Collectors with at least one visit, by login name.
    pub rows: Vec<CollectorDays>,
    /// Visits of each day, all collectors.
    pub day_totals: Vec<u32>,
    /// All visits of the range.
    pub total: u32,
}

/// How often one reason refused a check-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReasonCount {
    /// The reason's tag (`outside_radius`, `poor_accuracy`, ...).
    pub reason: String,
    /// Refusals that gave it.
    pub count: u32,
}

/// The refusal-reasons table, most frequent first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RefusalReasons {
    /// Refused check-ins in the range.
    pub refusals: u32,
    /// Reasons, most frequent first (ties by tag).
    pub reasons: Vec<ReasonCount>,
}

#[derive(sqlx::FromRow)]
struct SlotRow {
    username: String,
    display_name: String,
    slot: i64,
    visits: i64,
}

impl Reports<'_> {
    /// Visits completed on the local days `first..=last` (`[from_ms, to_ms)`) that `who` may
    /// see, by author and day.
    pub async fn visits_per_collector(
        &self,
        who: &Session,
        tz: Tz,
        (first, last): (NaiveDate, NaiveDate),
        (from_ms, to_ms): (i64, i64),
    ) -> anyhow::Result<VisitsPerCollector> {
        let sql = per_collector_sql(who);
        let rows: Vec<SlotRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind_scope(who)
                .bind(from_ms)
                .bind(to_ms)
                .fetch_all(pool)
                .await
                .context("counting visits per collector")?
        });
        let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
        let mut by_user: BTreeMap<String, CollectorDays> = BTreeMap::new();
        let mut day_totals = vec![0u32; days.len()];
        for r in rows {
            let day = DateTime::from_timestamp_millis(r.slot * SLOT_MS)
                .with_context(|| format!("a stored completion slot {}", r.slot))?
                .with_timezone(&tz)
                .date_naive();
            let Some(i) = days.iter().position(|d| *d == day) else {
                continue;
            };
            let n = u32::try_from(r.visits).unwrap_or(u32::MAX);
            let row = by_user
                .entry(r.username.clone())
                .or_insert_with(|| CollectorDays {
                    username: r.username,
                    display_name: r.display_name,
                    counts: vec![0; days.len()],
                    total: 0,
                });
            row.counts[i] += n;
            row.total += n;
            day_totals[i] += n;
        }
        Ok(VisitsPerCollector {
            total: day_totals.iter().sum(),
            days,
            rows: by_user.into_values().collect(),
            day_totals,
        })
    }

    /// Check-ins in `[from_ms, to_ms)` the server refused, of accounts `who` may see, by reason.
    pub async fn refusal_reasons(
        &self,
        who: &Session,
        (from_ms, to_ms): (i64, i64),
    ) -> anyhow::Result<RefusalReasons> {
        // Verdicts carry their numbers, so identical texts are rare: grouping in SQL would
        // not shrink the rows, and the reasons must be read from the JSON anyway.
        let sql = refusals_sql(who);
        let verdicts: Vec<String> = on_read!(self, |pool| {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind_scope(who)
                .bind(from_ms)
                .bind(to_ms)
                .fetch_all(pool)
                .await
                .context("reading refused check-ins")?
        });
        count_reasons(&verdicts)
    }
}

/// Submitted visits of `[$5, $6)` in scope, per author and quarter hour of completion.
fn per_collector_sql(who: &Session) -> String {
    format!(
        "select author.username, author.display_name,
                v.completed_ms / {SLOT_MS} as slot, count(*) as visits
         from {} join users author on author.id = v.collector_id
         where v.completed_ms >= $5 and v.completed_ms < $6 and v.outcome is not null
         group by author.username, author.display_name, v.completed_ms / {SLOT_MS}",
        visits_in_scope(who)
    )
}

/// The verdicts of the check-ins of `[$5, $6)` the server refused, of accounts in scope: a
/// check-in's owner `c` is its account's collector, or its device's user while the account is
/// unassigned. A supervisor's and a collector's read the check-ins of their users' accounts,
/// then those of their users' devices on unassigned accounts (`cross join` keeps SQLite from
/// starting at the organization's check-ins of the range).
fn refusals_sql(who: &Session) -> String {
    const REFUSED: &str = "k.at_ms >= $5 and k.at_ms < $6 and k.server_allowed = false";
    let over = OVER_C.of(who);
    match who.role {
        Role::Admin => format!(
            "select k.server_verdict from checkins k
             join devices d on d.id = k.device_id join accounts a on a.id = k.account_id
             join users c on c.id = coalesce(a.collector_id, d.user_id)
             where {REFUSED} and {over}"
        ),
        Role::Supervisor | Role::Collector => format!(
            "select k.server_verdict from users c cross join accounts a cross join checkins k
                 join devices d on d.id = k.device_id
             where {over} and a.collector_id = c.id and k.account_id = a.id and {REFUSED}
             union all
             select k.server_verdict from users c cross join devices d cross join checkins k
                 join accounts a on a.id = k.account_id
             where {over} and d.user_id = c.id and k.device_id = d.id
               and a.collector_id is null and {REFUSED}"
        ),
    }
}

/// The two reports' reads as `who` makes them, for the plan checks.
#[cfg(test)]
pub(crate) fn plan_reads(who: &Session) -> Vec<crate::db::plans::Read> {
    use crate::db::plans::{Bind, Read};
    let binds = || {
        Bind::scope(who)
            .into_iter()
            .chain([Bind::Int(Some(0)), Bind::Int(Some(1))])
            .collect()
    };
    vec![
        Read {
            name: "visits per collector".into(),
            sql: per_collector_sql(who),
            binds: binds(),
        },
        Read {
            name: "refusal reasons".into(),
            sql: refusals_sql(who),
            binds: binds(),
        },
    ]
}

/// Counts the reasons of stored refusal verdicts.
fn count_reasons(verdicts: &[String]) -> anyhow::Result<RefusalReasons> {
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for text in verdicts {
        let verdict: Verdict = serde_json::from_str(text).context("a stored server verdict")?;
        for reason in verdict.reasons() {
            *counts.entry(tag(reason)?).or_default() += 1;
        }
    }
    let mut reasons: Vec<ReasonCount> = counts
        .into_iter()
        .map(|(reason, count)| ReasonCount { reason, count })
        .collect();
    reasons.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
    Ok(RefusalReasons {
        refusals: u32::try_from(verdicts.len()).unwrap_or(u32::MAX),
        reasons,
    })
}

/// A reason's serialized tag (`outside_radius`).
fn tag(reason: &Reason) -> anyhow::Result<String> {
    let value = serde_json::to_value(reason).context("encoding a reason")?;
    value["reason"]
        .as_str()
        .map(str::to_owned)
        .context("a reason without its tag")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_of_a_refusal_is_counted_most_frequent_first() {
        let verdicts = [
            r#"{"verdict":"refused","reasons":[{"reason":"mock_provider"},{"reason":"no_fixes"}]}"#,
            r#"{"verdict":"refused","reasons":[{"reason":"no_fixes"}]}"#,
        ]
        .map(str::to_owned);

        let r = count_reasons(&verdicts).unwrap();

        assert_eq!(r.refusals, 2);
        let got: Vec<(&str, u32)> = r
            .reasons
            .iter()
            .map(|c| (c.reason.as_str(), c.count))
            .collect();
        assert_eq!(got, [("no_fixes", 2), ("mock_provider", 1)]);
    }
}
