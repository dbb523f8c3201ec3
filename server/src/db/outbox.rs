//! The email outbox: rows the projection writes when a visit is completed (in the same
//! transaction), claimed by a sender with a lease, then marked sent, retried later, or given up.
//! The outbox is the truth: an email is sent at least once unless given up (visibly), and at
//! most twice when the sender dies between the server's acceptance and the mark.
//!
//! Owns `email_outbox` (the projection inserts rows through `ProjectStore::enqueue_email`) and
//! reads users' `email`.

use anyhow::Context;
use chrono::{DateTime, Utc};
use terreno_shared::geofence::Verdict;
use terreno_shared::model::Submission;

use super::now_ms;
use crate::{on_read, on_write};

/// A claimed outbox row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxItem {
    /// Row id.
    pub id: String,
    /// The completed visit.
    pub visit_id: String,
    /// When it was completed (with the visit, the email's identity).
    pub completed_ms: i64,
    /// When the row was written.
    pub created_ms: i64,
    /// Attempts so far.
    pub attempts: i64,
}

/// An outbox row as listed for admins.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct OutboxListing {
    /// The completed visit.
    pub visit_id: String,
    /// Attempts so far.
    pub attempts: i64,
    /// `pending`, `sent` or `failed`.
    pub state: String,
    /// When it was sent (ms).
    pub sent_ms: Option<i64>,
    /// The last failure.
    pub last_error: Option<String>,
}

/// What an email about a completed visit says.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitEmail {
    /// The visit.
    pub visit_id: String,
    /// When it was completed.
    pub completed_at: DateTime<Utc>,
    /// The organization's time zone (times are shown in it).
    pub time_zone: chrono_tz::Tz,
    /// Debtor's name.
    pub debtor: String,
    /// The creditor's account code.
    pub external_id: String,
    /// Address.
    pub address: String,
    /// Collector's display name and login.
    pub collector: (String, String),
    /// The submission (outcome, promise, payment).
    pub submission: Submission,
    /// Check-ins: (time, the device's verdict, the server's verdict).
    pub checkins: Vec<(DateTime<Utc>, Verdict, Verdict)>,
    /// Recipients: (display name, address).
    pub recipients: Vec<(String, String)>,
}

#[derive(sqlx::FromRow)]
struct VisitRow {
    completed_ms: Option<i64>,
    submission: Option<String>,
    debtor_name: String,
    external_id: String,
    address: String,
    collector_name: String,
    collector_login: String,
    team_id: Option<String>,
    org_id: String,
    time_zone: String,
}

area! {
    /// The email outbox.
    Outbox, outbox
}

impl Outbox<'_> {
    /// Claims up to `limit` due rows for `lease_ms` (rows another sender holds are skipped).
    pub async fn claim(&self, lease_ms: i64, limit: i64) -> anyhow::Result<Vec<OutboxItem>> {
        let now = now_ms();
        // PostgreSQL: skip rows another server is claiming right now (SQLite has one writer).
        let lock = if self.is_postgres() {
            "for update skip locked"
        } else {
            ""
        };
        let sql = format!(
            "update email_outbox set claimed_until_ms = $1
             where id in (select id from email_outbox
                 where sent_ms is null and gave_up_ms is null and next_attempt_ms <= $2
                   and (claimed_until_ms is null or claimed_until_ms <= $2)
                 order by next_attempt_ms limit $3 {lock})
             returning id, visit_id, completed_ms, created_ms, attempts"
        );
        let items = on_write!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(now + lease_ms)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await
        });
        items.context("claiming emails")
    }

    /// Marks a row sent.
    pub async fn sent(&self, id: &str) -> anyhow::Result<()> {
        self.update_email(
            "update email_outbox set sent_ms = $2, attempts = attempts + 1,
                 claimed_until_ms = null, last_error = null where id = $1",
            id,
            now_ms(),
            None,
        )
        .await
    }

    /// Records a failed attempt and when to try again.
    pub async fn retry(&self, id: &str, at_ms: i64, error: &str) -> anyhow::Result<()> {
        self.update_email(
            "update email_outbox set next_attempt_ms = $2, attempts = attempts + 1,
                 claimed_until_ms = null, last_error = $3 where id = $1",
            id,
            at_ms,
            Some(error),
        )
        .await
    }

    /// Gives a row up (visible to admins with its error).
    pub async fn gave_up(&self, id: &str, error: &str) -> anyhow::Result<()> {
        self.update_email(
            "update email_outbox set gave_up_ms = $2, attempts = attempts + 1,
                 claimed_until_ms = null, last_error = $3 where id = $1",
            id,
            now_ms(),
            Some(error),
        )
        .await
    }

    async fn update_email(
        &self,
        sql: &'static str,
        id: &str,
        ms: i64,
        error: Option<&str>,
    ) -> anyhow::Result<()> {
        on_write!(self, |pool| {
            sqlx::query(sql)
                .bind(id)
                .bind(ms)
                .bind(error)
                .execute(pool)
                .await
                .context("updating the email outbox")?;
        });
        Ok(())
    }

    /// The outbox, newest first (`failed_only`: the given-up rows).
    pub async fn list(&self, failed_only: bool) -> anyhow::Result<Vec<OutboxListing>> {
        Ok(on_read!(self, |pool| {
            sqlx::query_as(
                "select visit_id, cast(attempts as bigint) as attempts,
                        case when sent_ms is not null then 'sent'
                             when gave_up_ms is not null then 'failed' else 'pending' end as state,
                        sent_ms, last_error
                 from email_outbox where ($1 = 0 or gave_up_ms is not null)
                 order by created_ms desc",
            )
            .bind(i64::from(failed_only))
            .fetch_all(pool)
            .await
            .context("listing the email outbox")?
        }))
    }

    /// What the email of a completed visit says, and to whom: the active supervisors of the
    /// collector's team with an address, else the organization's active admins with one.
    // Long: two reads (the visit, its recipients) and the message they make, in one place.
    pub async fn visit_email(&self, visit: &str) -> anyhow::Result<VisitEmail> {
        let row: VisitRow = on_read!(self, |pool| {
            sqlx::query_as(
                "select v.completed_ms, v.submission, a.debtor_name, a.external_id, a.address,
                        c.display_name as collector_name, c.username as collector_login,
                        c.team_id, c.org_id, o.time_zone
                 from visits v join accounts a on a.id = v.account_id
                 join users c on c.id = v.collector_id join orgs o on o.id = c.org_id
                 where v.id = $1",
            )
            .bind(visit)
            .fetch_one(pool)
            .await
            .context("reading the visit")?
        });
        let checkins: Vec<(i64, String, String)> = on_read!(self, |pool| {
            sqlx::query_as(
                "select at_ms, device_verdict, server_verdict from checkins
                 where visit_id = $1 order by at_ms",
            )
            .bind(visit)
            .fetch_all(pool)
            .await
            .context("reading check-ins")?
        });
        let recipients: Vec<(String, String)> = on_read!(self, |pool| {
            sqlx::query_as(
                "select display_name, email from users
                 where org_id = $1 and active and email is not null and (
                     (role = 'supervisor' and team_id = $2)
                     or (role = 'admin' and not exists (select 1 from users s
                         where s.org_id = $1 and s.active and s.email is not null
                           and s.role = 'supervisor' and s.team_id = $2)))
                 order by username",
            )
            .bind(&row.org_id)
            .bind(&row.team_id)
            .fetch_all(pool)
            .await
            .context("finding the recipients")?
        });
        let time = |ms: i64| {
            DateTime::from_timestamp_millis(ms).with_context(|| format!("stored time {ms}"))
        };
        let submission: Submission = serde_json::from_str(
            row.submission
                .as_deref()
                .context("the visit has no submission")?,
        )
        .context("stored submission")?;
        Ok(VisitEmail {
            visit_id: visit.to_owned(),
            completed_at: time(row.completed_ms.context("the visit is not completed")?)?,
            time_zone: row
                .time_zone
                .parse()
                .map_err(|e| anyhow::anyhow!("stored time zone: {e}"))?,
            debtor: row.debtor_name,
            external_id: row.external_id,
            address: row.address,
            collector: (row.collector_name, row.collector_login),
            submission,
            checkins: checkins
                .into_iter()
                .map(|(at, d, s)| {
                    let verdict = |text: &str| {
                        serde_json::from_str::<Verdict>(text).context("stored check-in verdict")
                    };
                    Ok((time(at)?, verdict(&d)?, verdict(&s)?))
                })
                .collect::<anyhow::Result<_>>()?,
            recipients,
        })
    }
}
