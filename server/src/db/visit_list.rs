//! Listing visits within the caller's scope (the visits of [`visits_in_scope`]: a supervisor's and
//! a collector's read from their users, not the organization's visits), newest first, filtered by
//! local day, collector, outcome, status, team and delinquency bucket, a page at a time. A page
//! ends with a keyset cursor, so paging stays exact while new visits arrive.

use anyhow::Context;
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Serialize;
use terreno_shared::model::DelinquencyBucket;

use super::Db;
use super::map::day_bounds;
use super::scope::{BindScope, visits_in_scope};
use super::sessions::Session;
use crate::on_read;

/// The most visits one page holds, whatever the caller asks.
pub const MAX_LIMIT: u32 = 200;

/// What to list.
#[derive(Debug, Default, Clone)]
pub struct VisitFilter {
    /// The organization's local day the visit was completed (or created, while open).
    pub date: Option<NaiveDate>,
    /// Username of the collector who made the visit.
    pub collector: Option<String>,
    /// The submitted outcome (`refused`, `paid`, ...).
    pub outcome: Option<String>,
    /// planned, in_progress, done, not_done, cancelled.
    pub status: Option<String>,
    /// The review state: `pending` (completed, not reviewed yet), `approved` or `rejected`.
    pub review: Option<String>,
    /// Name of the team of the visit's owner (the account's collector).
    pub team: Option<String>,
    /// The account's delinquency bucket (its days past due now).
    pub bucket: Option<DelinquencyBucket>,
    /// Page size, 1..=[`MAX_LIMIT`].
    pub limit: u32,
    /// Where the previous page ended.
    pub cursor: Option<VisitCursor>,
}

/// A position in the list: the last visit's time and id (ties broken by id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitCursor {
    at_ms: i64,
    id: String,
}

impl VisitCursor {
    /// Reads a cursor as [`VisitCursor::to_token`] wrote it.
    pub fn parse(token: &str) -> Option<VisitCursor> {
        let (at, id) = token.split_once('_')?;
        Some(VisitCursor {
            at_ms: at.parse().ok()?,
            id: id.to_owned(),
        })
    }

    /// The cursor as the opaque text the client sends back.
    pub fn to_token(&self) -> String {
        format!("{}_{}", self.at_ms, self.id)
    }
}

/// One visit of the list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VisitSummary {
    /// Visit id.
    pub id: String,
    /// The account visited.
    pub account: String,
    /// The account's id in the creditor's books.
    pub external_id: String,
    /// The debtor's name.
    pub debtor_name: String,
    /// The collector who made the visit (id).
    pub collector: String,
    /// The collector's username.
    pub collector_username: String,
    /// The collector's display name.
    pub collector_name: String,
    /// planned, in_progress, done, not_done, cancelled.
    pub status: String,
    /// The outcome, once submitted.
    pub outcome: Option<String>,
    /// When it was completed (Unix ms), else when it was created: the list's order.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at_ms: i64,
    /// When it was completed (Unix ms).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub completed_ms: Option<i64>,
    /// A check-in the device allowed but the server refused.
    pub flagged: bool,
    /// The latest review's decision (`approved`, `rejected`); null when not reviewed.
    pub review: Option<String>,
}

/// One page of visits.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VisitPage {
    /// Newest first.
    pub visits: Vec<VisitSummary>,
    /// Send as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

area! {
    /// Visits: the list, one visit's detail, history, answers and reviews, location captures,
/// and the organization's visit form.
    Visits, visits
}

impl Visits<'_> {
    /// A page of the visits the caller may see, newest first.
    pub async fn list(&self, who: &Session, filter: &VisitFilter) -> anyhow::Result<VisitPage> {
        let org = who.org_id.to_string();
        let (from_ms, to_ms) = match filter.date {
            Some(date) => {
                let (from, to) = day_bounds(date, self.org_zone(&org).await?)?;
                (Some(from), Some(to))
            }
            None => (None, None),
        };
        let limit = filter.limit.clamp(1, MAX_LIMIT);
        let (after_ms, after_id) = match &filter.cursor {
            Some(c) => (Some(c.at_ms), Some(c.id.clone())),
            None => (None, None),
        };
        let sql = list_sql(who);
        let mut visits: Vec<VisitSummary> = on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind_scope(who)
                .bind(i64::from(limit) + 1)
                .bind(&filter.collector)
                .bind(&filter.outcome)
                .bind(&filter.status)
                .bind(from_ms)
                .bind(to_ms)
                .bind(after_ms)
                .bind(&after_id)
                .bind(&filter.review)
                .bind(&filter.team)
                .bind(filter.bucket.map(|b| i64::from(b.min_days())))
                .bind(filter.bucket.and_then(bucket_end))
                .fetch_all(pool)
                .await
                .context("listing visits")?
        });
        let next_cursor = match visits.len() > limit as usize {
            true => {
                visits.truncate(limit as usize);
                visits.last().map(|v| {
                    VisitCursor {
                        at_ms: v.at_ms,
                        id: v.id.clone(),
                    }
                    .to_token()
                })
            }
            false => None,
        };
        Ok(VisitPage {
            visits,
            next_cursor,
        })
    }
}

impl Db {
    /// The organization's time zone, which decides what a "day" is.
    pub(crate) async fn org_zone(&self, org: &str) -> anyhow::Result<Tz> {
        let zone: String = on_read!(self, |pool| {
            sqlx::query_scalar("select time_zone from orgs where id = $1")
                .bind(org)
                .fetch_one(pool)
                .await
                .context("reading the organization's time zone")?
        });
        zone.parse()
            .map_err(|e| anyhow::anyhow!("stored time zone {zone:?}: {e}"))
    }
}

/// The list's text for `who`: binds the scope (`$1`..`$4`), then `$5` the page size plus one
/// (the extra row says whether another page follows), then the filters and the cursor.
fn list_sql(who: &Session) -> String {
    format!(
        "select * from (
             select v.id, v.account_id as account, owner_a.external_id, owner_a.debtor_name,
                    v.collector_id as collector, author.username as collector_username,
                    author.display_name as collector_name, v.status, v.outcome,
                    coalesce(v.completed_ms, v.created_ms) as at_ms, v.completed_ms,
                    v.flagged,
                    (select r.decision from visit_reviews r where r.visit_id = v.id
                     order by r.created_ms desc, r.id desc limit 1) as review
             from {} join users author on author.id = v.collector_id
             where ($6 is null or author.username = $6)
               and ($7 is null or v.outcome = $7)
               and ($8 is null or v.status = $8)
               and ($14 is null or c.team_id in
                    (select tm.id from teams tm where tm.org_id = $1 and tm.name = $14))
               and ($15 is null or owner_a.days_past_due >= $15)
               and ($16 is null or owner_a.days_past_due < $16)
         ) listed
         where ($9 is null or at_ms >= $9) and ($10 is null or at_ms < $10)
           and ($11 is null or at_ms < $11 or (at_ms = $11 and id < $12))
           and ($13 is null or review = $13
                or ($13 = 'pending' and review is null and status = 'done'))
         order by at_ms desc, id desc
         limit $5",
        visits_in_scope(who)
    )
}

/// The first page of the list as `who` reads it, for the plan checks.
#[cfg(test)]
pub(crate) fn plan_reads(who: &Session) -> Vec<crate::db::plans::Read> {
    use crate::db::plans::{Bind, Read};
    let none = || Bind::Text(None);
    let int = || Bind::Int(None);
    vec![Read {
        name: "visit list, first page".into(),
        sql: list_sql(who),
        binds: Bind::scope(who)
            .into_iter()
            .chain([Bind::Int(Some(51)), none(), none(), none()])
            .chain([int(), int(), int(), none(), none(), none(), int(), int()])
            .collect(),
    }]
}

/// The first day count past `bucket` (none for the last, open-ended one).
fn bucket_end(bucket: DelinquencyBucket) -> Option<i64> {
    let all = DelinquencyBucket::ALL;
    let next = all
        .iter()
        .position(|b| *b == bucket)
        .and_then(|i| all.get(i + 1));
    next.map(|b| i64::from(b.min_days()))
}

#[cfg(test)]
mod tests {
    use super::VisitCursor;

    #[test]
    fn a_cursor_reads_back_what_it_wrote() {
        let c = VisitCursor {
            at_ms: 1_795_000_000_000,
            id: "0194-ab_cd".into(),
        };
        assert_eq!(VisitCursor::parse(&c.to_token()), Some(c));
    }

    #[test]
    fn a_cursor_that_is_not_one_is_refused() {
        for token in ["", "abc", "12", "x_1"] {
            assert_eq!(VisitCursor::parse(token), None, "{token:?}");
        }
    }
}
