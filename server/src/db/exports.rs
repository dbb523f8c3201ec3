//! The rows of the dashboard's exports, a page at a time: visits completed (or created, while
//! open) in a range of instants, and collectors' fixes of a range, both within the caller's scope
//! (the visits of [`visits_in_scope`], the users of [`OVER_C`]: a supervisor's and a collector's
//! read from their users, not the organization's rows). Pages end on keyset positions, so an
//! export of a year reads a bounded number of rows at once and holds no read connection between
//! pages. Formatting the rows belongs to [`crate::export`].

use anyhow::Context;
use chrono::NaiveDate;
use chrono_tz::Tz;

use super::map::day_bounds;
use super::scope::{BindScope, OVER_C, visits_in_scope};
use super::sessions::Session;
use crate::on_read;

/// Rows one export page reads.
pub const PAGE_ROWS: u32 = 500;

/// One visit as exported: the list's columns plus its check-in and submission.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportVisit {
    /// Visit id.
    pub id: String,
    /// The account's id in the creditor's books.
    pub external_id: String,
    /// The debtor's name.
    pub debtor_name: String,
    /// Username of the collector who made the visit.
    pub collector: String,
    /// planned, in_progress, done, not_done, cancelled.
    pub status: String,
    /// The submitted outcome.
    pub outcome: Option<String>,
    /// Completion time, else creation time (Unix ms): the export's order.
    pub at_ms: i64,
    /// When it was completed (Unix ms).
    pub completed_ms: Option<i64>,
    /// The first check-in attempt (Unix ms).
    pub checked_in_ms: Option<i64>,
    /// The newest check-in's device verdict, as stored (JSON).
    pub device_verdict: Option<String>,
    /// The newest check-in's server verdict, as stored (JSON).
    pub server_verdict: Option<String>,
    /// The submission, as stored (JSON).
    pub submission: Option<String>,
    /// The debtor's latitude, when known.
    pub lat: Option<f64>,
    /// The debtor's longitude, when known.
    pub lon: Option<f64>,
}

/// Where a visits page starts: after this visit (time, id).
pub type VisitKey = (i64, String);

/// A collector with fixes in a range.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TrackOwner {
    /// User id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
}

/// One exported fix.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportFix {
    /// The device that took it.
    pub device_id: String,
    /// Its sequence number on that device.
    pub seq: i64,
    /// When (Unix ms).
    pub t_ms: i64,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Accuracy radius, metres.
    pub accuracy_m: f64,
}

/// Where a fixes page starts: after this fix (time, device, seq).
pub type FixKey = (i64, String, i64);

area! {
    /// The paged reads behind the exports.
    Exports, exports
}

impl Exports<'_> {
    /// The organization's time zone and the instants `[start of first, end of last)` of its
    /// local days `first..=last`.
    pub async fn range(
        &self,
        who: &Session,
        first: NaiveDate,
        last: NaiveDate,
    ) -> anyhow::Result<(Tz, (i64, i64))> {
        let tz = self.org_zone(&who.org_id.to_string()).await?;
        let (from_ms, _) = day_bounds(first, tz)?;
        let (_, to_ms) = day_bounds(last, tz)?;
        Ok((tz, (from_ms, to_ms)))
    }

    /// Up to [`PAGE_ROWS`] visits the caller may see with their time in `[from_ms, to_ms)`,
    /// oldest first, after `after`.
    pub async fn visits_page(
        &self,
        who: &Session,
        (from_ms, to_ms): (i64, i64),
        after: Option<&VisitKey>,
    ) -> anyhow::Result<Vec<ExportVisit>> {
        let sql = visits_page_sql(who);
        let (after_ms, after_id) = match after {
            Some((ms, id)) => (Some(*ms), Some(id.clone())),
            None => (None, None),
        };
        Ok(on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind_scope(who)
                .bind(i64::from(PAGE_ROWS))
                .bind(from_ms)
                .bind(to_ms)
                .bind(after_ms)
                .bind(&after_id)
                .fetch_all(pool)
                .await
                .context("reading a page of visits to export")?
        }))
    }

    /// The collectors the caller may see with fixes in `[from_ms, to_ms)`, by login name;
    /// only `username` when one is named.
    pub async fn track_owners(
        &self,
        who: &Session,
        (from_ms, to_ms): (i64, i64),
        username: Option<&str>,
    ) -> anyhow::Result<Vec<TrackOwner>> {
        let sql = track_owners_sql(who);
        Ok(on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind_scope(who)
                .bind(username)
                .bind(from_ms)
                .bind(to_ms)
                .fetch_all(pool)
                .await
                .context("listing the collectors whose tracks to export")?
        }))
    }

    /// Up to [`PAGE_ROWS`] fixes of user `user_id` in `[from_ms, to_ms)`, in time order, after
    /// `after`. The user comes from [`Exports::track_owners`], which applied the scope.
    pub async fn fixes_page(
        &self,
        user_id: &str,
        (from_ms, to_ms): (i64, i64),
        after: Option<&FixKey>,
    ) -> anyhow::Result<Vec<ExportFix>> {
        let (after_ms, after_device, after_seq) = match after {
            Some((ms, device, seq)) => (Some(*ms), Some(device.clone()), Some(*seq)),
            None => (None, None, None),
        };
        Ok(on_read!(self, |pool| {
            sqlx::query_as(
                "select device_id, seq, t_ms, lat, lon, accuracy_m from fixes
                 where user_id = $2 and t_ms >= $3 and t_ms < $4
                   and ($5 is null or t_ms > $5 or (t_ms = $5 and (device_id > $6
                        or (device_id = $6 and seq > $7))))
                 order by t_ms, device_id, seq
                 limit $1",
            )
            .bind(i64::from(PAGE_ROWS))
            .bind(user_id)
            .bind(from_ms)
            .bind(to_ms)
            .bind(after_ms)
            .bind(&after_device)
            .bind(after_seq)
            .fetch_all(pool)
            .await
            .context("reading a page of fixes to export")?
        }))
    }
}

/// Visits in scope with their time in `[$6, $7)`, oldest first, after (`$8`, `$9`), `$5` at
/// most. The newest check-in carries the verdicts a reviewer cares about; the first one says
/// when the collector arrived. The check-ins are read for the page's visits only, once the page
/// is cut: asked inside it, PostgreSQL reads them for every visit of the scope.
fn visits_page_sql(who: &Session) -> String {
    format!(
        "select page.*,
                (select min(k.at_ms) from checkins k where k.visit_id = page.id)
                    as checked_in_ms,
                (select k.device_verdict from checkins k where k.visit_id = page.id
                  order by k.at_ms desc, k.seq desc limit 1) as device_verdict,
                (select k.server_verdict from checkins k where k.visit_id = page.id
                  order by k.at_ms desc, k.seq desc limit 1) as server_verdict
         from (
             select * from (
                 select v.id, owner_a.external_id, owner_a.debtor_name,
                        author.username as collector, v.status, v.outcome,
                        coalesce(v.completed_ms, v.created_ms) as at_ms, v.completed_ms,
                        v.submission, owner_a.lat, owner_a.lon
                 from {} join users author on author.id = v.collector_id
             ) listed
             where at_ms >= $6 and at_ms < $7
               and ($8 is null or at_ms > $8 or (at_ms = $8 and id > $9))
             order by at_ms, id
             limit $5
         ) page
         order by page.at_ms, page.id",
        visits_in_scope(who)
    )
}

/// The users in scope (only `$5` when named) with fixes in `[$6, $7)`. The first fix is asked
/// of each user (`fixes_by_user_time`): as an `exists`, PostgreSQL may instead read the range
/// of the whole organization's fixes and match them to the users.
fn track_owners_sql(who: &Session) -> String {
    format!(
        "select c.id, c.username, c.display_name from users c
         where {} and ($5 is null or c.username = $5)
           and (select f.t_ms from fixes f
                where f.user_id = c.id and f.t_ms >= $6 and f.t_ms < $7 limit 1) is not null
         order by c.username",
        OVER_C.of(who)
    )
}

/// The exports' reads as `who` makes them, for the plan checks.
#[cfg(test)]
pub(crate) fn plan_reads(who: &Session) -> Vec<crate::db::plans::Read> {
    use crate::db::plans::{Bind, Read};
    let range = [Bind::Int(Some(0)), Bind::Int(Some(1))];
    vec![
        Read {
            name: "visits export page".into(),
            sql: visits_page_sql(who),
            binds: Bind::scope(who)
                .into_iter()
                .chain([Bind::Int(Some(500))])
                .chain(range.clone())
                .chain([Bind::Int(None), Bind::Text(None)])
                .collect(),
        },
        Read {
            name: "track export owners".into(),
            sql: track_owners_sql(who),
            binds: Bind::scope(who)
                .into_iter()
                .chain([Bind::Text(None)])
                .chain(range)
                .collect(),
        },
    ]
}
