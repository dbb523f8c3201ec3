//! The dashboard's reports, within the caller's scope (the visits of [`visits_in_scope`]: a
//! supervisor's and a collector's read from their users, not the organization's visits). Contact
//! rate: submitted visits and those that reached someone (the shared [`Outcome::is_contact`] rule),
//! by the organization's local weekday and hour of completion. SQL counts per quarter hour of UTC
//! (every zone's offset is a whole number of quarter hours, and the dialects share no time-zone
//! function); the local weekday and hour are read here, so a year costs at most 35,136 small rows.
//!
//! Promises: those made in the range, by the account's delinquency bucket (its days past due now:
//! the server keeps no history of it) and currency, kept (a `paid` visit of the account after the
//! promise, on or before its local due date), broken (none by then, and the date has passed) or
//! pending. Payments recorded outside visits are unknown here, so "broken" means "no payment seen
//! by a collector".

use anyhow::Context;
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Timelike};
use chrono_tz::Tz;
use serde::Serialize;
use terreno_shared::model::submission::RawSubmission;
use terreno_shared::model::visit::Outcome;
use terreno_shared::model::{DaysPastDue, DelinquencyBucket};

use super::scope::{BindScope, visits_in_scope};
use super::sessions::Session;
use crate::on_read;

/// Milliseconds in the slots SQL counts by.
const SLOT_MS: i64 = 15 * 60 * 1000;

/// Visits and contacts of one local weekday and hour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContactCell {
    /// Visits with a submitted outcome.
    pub visits: u32,
    /// Of them, those that reached the debtor or someone for them.
    pub contacts: u32,
}

/// The contact-rate table: `cells[weekday][hour]`, Monday first, hours 0 to 23 local.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContactRate {
    /// The organization's time zone the hours are in.
    pub time_zone: String,
    /// Seven rows (Monday to Sunday) of 24 cells.
    pub cells: Vec<Vec<ContactCell>>,
}

#[derive(sqlx::FromRow)]
struct SlotRow {
    slot: i64,
    outcome: String,
    visits: i64,
}

/// Promises of one delinquency bucket in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PromiseRow {
    /// The bucket's id (`d0_30` ... `d361_plus`).
    pub bucket: String,
    /// ISO 4217 code of the amounts.
    pub currency: String,
    /// Decimals of the currency: an amount is `minor / 10^exponent`.
    pub exponent: u8,
    /// Promises made.
    pub made: u32,
    /// Of them, followed by a payment by their date.
    pub kept: u32,
    /// Of them, past their date with no payment.
    pub broken: u32,
    /// Of them, not yet due and not yet paid.
    pub pending: u32,
    /// Amount promised, minor units.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub made_minor: i64,
    /// Amount of the kept promises, minor units.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub kept_minor: i64,
    /// Amount of the broken promises, minor units.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub broken_minor: i64,
}

/// The promises table, least late bucket first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Promises {
    /// The organization's local day "past due" was judged on.
    #[schema(value_type = String, format = Date)]
    pub today: NaiveDate,
    /// One row per bucket and currency with promises.
    pub rows: Vec<PromiseRow>,
}

#[derive(sqlx::FromRow)]
struct PromiseSql {
    id: String,
    completed_ms: i64,
    submission: Option<String>,
    days_past_due: i64,
    paid_ms: Option<i64>,
}

impl PromiseRow {
    fn empty(
        bucket: DelinquencyBucket,
        currency: String,
        exponent: u8,
    ) -> anyhow::Result<PromiseRow> {
        Ok(PromiseRow {
            bucket: serde_json::to_value(bucket)?
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            currency,
            exponent,
            made: 0,
            kept: 0,
            broken: 0,
            pending: 0,
            made_minor: 0,
            kept_minor: 0,
            broken_minor: 0,
        })
    }

    /// Counts one promise of `minor` units in its state.
    fn count(&mut self, state: Kept, minor: i64) {
        self.made += 1;
        self.made_minor += minor;
        match state {
            Kept::Yes => {
                self.kept += 1;
                self.kept_minor += minor;
            }
            Kept::No => {
                self.broken += 1;
                self.broken_minor += minor;
            }
            Kept::NotYet => self.pending += 1,
        }
    }
}

area! {
    /// The supervisor reports.
    Reports, reports
}

impl Reports<'_> {
    /// Visits completed in `[from_ms, to_ms)` that `who` may see, by local weekday and hour.
    pub async fn contact_rate(
        &self,
        who: &Session,
        tz: Tz,
        (from_ms, to_ms): (i64, i64),
    ) -> anyhow::Result<ContactRate> {
        let sql = contact_rate_sql(who);
        let rows: Vec<SlotRow> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind_scope(who)
                .bind(from_ms)
                .bind(to_ms)
                .fetch_all(pool)
                .await
                .context("counting visits for the contact rate")?
        });
        let mut cells = vec![vec![ContactCell::default(); 24]; 7];
        for r in rows {
            let at = DateTime::from_timestamp_millis(r.slot * SLOT_MS)
                .with_context(|| format!("a stored completion slot {}", r.slot))?
                .with_timezone(&tz);
            let cell = &mut cells[at.weekday().num_days_from_monday() as usize][at.hour() as usize];
            let n = u32::try_from(r.visits).unwrap_or(u32::MAX);
            cell.visits += n;
            // An outcome this server does not know counts as a visit, not as a contact.
            if r.outcome.parse::<Outcome>().is_ok_and(Outcome::is_contact) {
                cell.contacts += n;
            }
        }
        Ok(ContactRate {
            time_zone: tz.name().to_owned(),
            cells,
        })
    }

    /// Promises made in `[from_ms, to_ms)` that `who` may see, as of `now_ms`.
    pub async fn promises(
        &self,
        who: &Session,
        tz: Tz,
        (from_ms, to_ms): (i64, i64),
        now_ms: i64,
    ) -> anyhow::Result<Promises> {
        let today = DateTime::from_timestamp_millis(now_ms)
            .context("the clock")?
            .with_timezone(&tz)
            .date_naive();
        let mut rows: BTreeMap<(DelinquencyBucket, String), PromiseRow> = BTreeMap::new();
        let mut after: Option<(i64, String)> = None;
        loop {
            let page = self
                .promises_page(who, (from_ms, to_ms), after.as_ref())
                .await?;
            for p in &page {
                let (bucket, currency, exponent, minor, state) = judge(p, tz, today)
                    .with_context(|| format!("reading the promise of visit {}", p.id))?;
                rows.entry((bucket, currency.clone()))
                    .or_insert(PromiseRow::empty(bucket, currency, exponent)?)
                    .count(state, minor);
            }
            match page.last() {
                Some(p) if page.len() == PROMISE_PAGE => {
                    after = Some((p.completed_ms, p.id.clone()))
                }
                _ => break,
            }
        }
        Ok(Promises {
            today,
            rows: rows.into_values().collect(),
        })
    }

    async fn promises_page(
        &self,
        who: &Session,
        (from_ms, to_ms): (i64, i64),
        after: Option<&(i64, String)>,
    ) -> anyhow::Result<Vec<PromiseSql>> {
        let sql = promises_sql(who);
        Ok(on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind_scope(who)
                .bind(from_ms)
                .bind(to_ms)
                .bind(after.map(|a| a.0))
                .bind(after.map(|a| a.1.clone()))
                .fetch_all(pool)
                .await
                .context("reading promises")?
        }))
    }
}

/// Submitted visits of `[$5, $6)` in scope, per quarter hour of completion and outcome.
fn contact_rate_sql(who: &Session) -> String {
    format!(
        "select v.completed_ms / {SLOT_MS} as slot, v.outcome, count(*) as visits
         from {}
         where v.completed_ms >= $5 and v.completed_ms < $6 and v.outcome is not null
         group by v.completed_ms / {SLOT_MS}, v.outcome",
        visits_in_scope(who)
    )
}

/// Promises made in `[$5, $6)` in scope, after (`$7`, `$8`), with the first payment after each
/// (which decides it; a later one cannot un-break it).
fn promises_sql(who: &Session) -> String {
    format!(
        "select v.id, v.completed_ms, v.submission, owner_a.days_past_due,
                (select min(p.completed_ms) from visits p
                  where p.account_id = v.account_id and p.outcome = 'paid'
                    and p.completed_ms > v.completed_ms) as paid_ms
         from {}
         where v.outcome = 'promise_to_pay' and v.completed_ms >= $5 and v.completed_ms < $6
           and ($7 is null or v.completed_ms > $7 or (v.completed_ms = $7 and v.id > $8))
         order by v.completed_ms, v.id
         limit {PROMISE_PAGE}",
        visits_in_scope(who)
    )
}

/// The reports' reads as `who` makes them, for the plan checks.
#[cfg(test)]
pub(crate) fn plan_reads(who: &Session) -> Vec<crate::db::plans::Read> {
    use crate::db::plans::{Bind, Read};
    let range = [Bind::Int(Some(0)), Bind::Int(Some(1))];
    vec![
        Read {
            name: "contact rate".into(),
            sql: contact_rate_sql(who),
            binds: Bind::scope(who).into_iter().chain(range.clone()).collect(),
        },
        Read {
            name: "promises".into(),
            sql: promises_sql(who),
            binds: Bind::scope(who)
                .into_iter()
                .chain(range)
                .chain([Bind::Int(None), Bind::Text(None)])
                .collect(),
        },
    ]
}

/// Promises one page reads.
const PROMISE_PAGE: usize = 500;

/// Whether a promise was kept.
enum Kept {
    Yes,
    No,
    NotYet,
}

/// A promise's bucket, currency (code and exponent), amount (minor units) and state.
fn judge(
    p: &PromiseSql,
    tz: Tz,
    today: NaiveDate,
) -> anyhow::Result<(DelinquencyBucket, String, u8, i64, Kept)> {
    let submission: RawSubmission =
        serde_json::from_str(p.submission.as_deref().context("no submission")?)
            .context("the stored submission")?;
    let promise = submission
        .promise
        .context("a promise_to_pay without its promise")?;
    let days = DaysPastDue::parse(p.days_past_due).context("the account's days past due")?;
    let paid_on = p
        .paid_ms
        .and_then(DateTime::from_timestamp_millis)
        .map(|t| t.with_timezone(&tz).date_naive());
    let state = match paid_on {
        Some(day) if day <= promise.due() => Kept::Yes,
        _ if promise.due() < today => Kept::No,
        _ => Kept::NotYet,
    };
    let amount = promise.amount();
    Ok((
        DelinquencyBucket::from_days(days),
        amount.currency().code().to_owned(),
        amount.currency().exponent(),
        amount.minor_units(),
        state,
    ))
}
