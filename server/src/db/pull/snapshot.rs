//! The bootstrap snapshot: the current values in a caller's scope, read from the materialized
//! tables as `upsert` changes with the same bodies the feed carries, paginated by key.
//!
//! The feed cursor is taken *before* the first page and travels inside every page token, so any
//! change committed while the snapshot is read is delivered again by the feed afterwards (a
//! duplicate upsert is harmless; a missed one would not be). The device clears its
//! server-authored data before applying the first page: the snapshot carries no removals.
//!
//! Scope: a collector gets the open accounts assigned to them, the stops of their routes for
//! those accounts, their visits of those accounts (deleted ones excepted) and the fields,
//! check-ins and attachments of those visits; a supervisor the same for every collector of their
//! team (all visits of those accounts); an admin every open account of the organization. Every
//! caller gets the organization's form versions and, last, which one is the visit form.
//! Sections are read in [`SnapshotSection::ALL`] order, each by its key (the change's entity id;
//! `A/B` for two-part keys).

use anyhow::Context;
use terreno_shared::api::v1::sync::Change;
use terreno_shared::sync::cursor::{Cursor, SnapshotCursor, SnapshotSection};

use crate::db::scope::BindScope;
use crate::db::scope::{ByRole, by_role};
use crate::db::sessions::Session;
use crate::on_read;

mod rows;

use crate::db::pull::Pull;
use rows::{
    AccountRow, AttachmentRow, CheckinRow, FieldRow, FormRow, StopRow, VisitFormRow, VisitRow,
};

/// One snapshot page.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotPage {
    /// Upserts of current values.
    pub changes: Vec<Change>,
    /// The token of the next page, or `None` when the snapshot is complete.
    pub next: Option<SnapshotCursor>,
    /// Where pulling the feed resumes once the snapshot is applied.
    pub feed: Cursor,
}

/// What a snapshot request gets.
#[derive(Debug, Clone, PartialEq)]
pub enum Snapshotted {
    /// A page.
    Page(SnapshotPage),
    /// The token's feed epoch is gone: start the snapshot again. The text says why.
    Restart(String),
    /// The token's key does not fit its section (it was not issued by this server).
    BadToken(String),
}

// Scope, by role (see [`ByRole`]): binds `$1` org, `$3` team, `$4` user; `$2` (the role) picks
// the text. Each role's text is led by its own key: a collector's reads start from their
// accounts, routes and visits, a supervisor's from the users of their team, so a page costs the
// caller's scope, not the organization's size.

/// Open accounts `a` in scope (with `p` their portfolio): the FROM items, then the conditions.
macro_rules! accounts_from {
    (collector) => {
        " from accounts a join portfolios p on p.id = a.portfolio_id "
    };
    (supervisor) => {
        " from users c join accounts a on a.collector_id = c.id
          join portfolios p on p.id = a.portfolio_id "
    };
    (admin) => {
        " from accounts a join portfolios p on p.id = a.portfolio_id "
    };
}

macro_rules! accounts_where {
    (collector) => {
        " where a.collector_id = $4 and p.org_id = $1 and a.status = 'open' "
    };
    (supervisor) => {
        " where c.team_id = $3 and c.org_id = $1 and p.org_id = $1 and a.status = 'open' "
    };
    (admin) => {
        " where p.org_id = $1 and a.status = 'open' "
    };
}

/// Visits `v` in scope: of accounts in scope, the collector's own for collectors, not deleted.
macro_rules! visits_from {
    (collector) => {
        " from visits v join accounts a on a.id = v.account_id
          join portfolios p on p.id = a.portfolio_id "
    };
    (supervisor) => {
        concat!(
            accounts_from!(supervisor),
            " join visits v on v.account_id = a.id "
        )
    };
    (admin) => {
        concat!(
            accounts_from!(admin),
            " join visits v on v.account_id = a.id "
        )
    };
}

macro_rules! visits_where {
    (collector) => {
        concat!(
            accounts_where!(collector),
            " and v.collector_id = $4
              and not exists (select 1 from deletions d where d.entity = v.id) "
        )
    };
    ($role:ident) => {
        concat!(
            accounts_where!($role),
            " and not exists (select 1 from deletions d where d.entity = v.id) "
        )
    };
}

// Each section reads rows after its key `$5` (and `$7` for two-part keys), `$6` at most.
macro_rules! accounts_sql {
    ($role:ident) => {
        concat!(
            "select a.id, a.portfolio_id, p.name as portfolio_name, a.external_id, a.person_id,
                    (select pe.doc_number from persons pe where pe.id = a.person_id) as doc_number,
                    a.debtor_name, a.address, a.neighbourhood, a.lat, a.lon, a.phones,
                    cast(a.balance_minor as bigint) as balance_minor, a.currency,
                    cast(a.days_past_due as bigint) as days_past_due, a.contact_window,
                    a.collector_id, cast(a.version as bigint) as version",
            accounts_from!($role),
            accounts_where!($role),
            "and a.id > $5 order by a.id limit $6"
        )
    };
}
const ACCOUNTS: ByRole = by_role!(accounts_sql);

/// A stop is in scope when its account is, on a route of the account's collector.
macro_rules! stops_sql {
    (collector) => {
        concat!(
            "select s.id, s.route_id, r.collector_id, r.route_date, s.account_id, s.planned_date,
                    cast(s.position as bigint) as position
             from routes r join stops s on s.route_id = r.id
             join accounts a on a.id = s.account_id join portfolios p on p.id = a.portfolio_id",
            accounts_where!(collector),
            "and r.collector_id = $4 and s.id > $5 order by s.id limit $6"
        )
    };
    (supervisor) => {
        concat!(
            "select s.id, s.route_id, r.collector_id, r.route_date, s.account_id, s.planned_date,
                    cast(s.position as bigint) as position
             from users c join routes r on r.collector_id = c.id
             join stops s on s.route_id = r.id join accounts a on a.id = s.account_id
             join portfolios p on p.id = a.portfolio_id",
            accounts_where!(supervisor),
            "and a.collector_id = c.id and s.id > $5 order by s.id limit $6"
        )
    };
    (admin) => {
        concat!(
            "select s.id, s.route_id, r.collector_id, r.route_date, s.account_id, s.planned_date,
                    cast(s.position as bigint) as position
             from stops s join routes r on r.id = s.route_id
             join accounts a on a.id = s.account_id join portfolios p on p.id = a.portfolio_id",
            accounts_where!(admin),
            "and a.collector_id = r.collector_id and s.id > $5 order by s.id limit $6"
        )
    };
}
const STOPS: ByRole = by_role!(stops_sql);

macro_rules! visits_sql {
    ($role:ident) => {
        concat!(
            "select v.id, v.account_id, v.collector_id, v.stop_id, v.status,
                    cast(v.status_epoch as bigint) as status_epoch,
                    cast(v.status_hlc as bigint) as status_hlc, v.status_device,
                    cast(v.status_seq as bigint) as status_seq, v.outcome, v.completed_ms,
                    v.flagged",
            visits_from!($role),
            visits_where!($role),
            "and v.id > $5 order by v.id limit $6"
        )
    };
}
const VISITS: ByRole = by_role!(visits_sql);

macro_rules! fields_sql {
    ($role:ident) => {
        concat!(
            "select f.entity, f.field, f.value, cast(f.hlc as bigint) as hlc, f.device_id,
                    cast(f.seq as bigint) as seq",
            visits_from!($role),
            "join field_values f on f.entity = v.id",
            visits_where!($role),
            "and (f.entity, f.field) > ($5, $7) order by f.entity, f.field limit $6"
        )
    };
}
const FIELDS: ByRole = by_role!(fields_sql);

macro_rules! checkins_sql {
    ($role:ident) => {
        concat!(
            "select k.device_id, cast(k.seq as bigint) as seq, k.visit_id, k.account_id,
                    k.at_ms, k.device_verdict, k.server_verdict, k.flagged",
            visits_from!($role),
            "join checkins k on k.visit_id = v.id",
            visits_where!($role),
            "and (k.device_id, k.seq) > ($5, $7) order by k.device_id, k.seq limit $6"
        )
    };
}
const CHECKINS: ByRole = by_role!(checkins_sql);

macro_rules! attachments_sql {
    ($role:ident) => {
        concat!(
            "select t.visit_id, t.attachment_id, t.sha256, t.media_type, t.bytes, t.role,
                    t.removed",
            visits_from!($role),
            "join visit_attachments t on t.visit_id = v.id",
            visits_where!($role),
            "and (t.visit_id, t.attachment_id) > ($5, $7)
             order by t.visit_id, t.attachment_id limit $6"
        )
    };
}
const ATTACHMENTS: ByRole = by_role!(attachments_sql);

// Forms are organization-wide: `$2..$4` (role, team, user) do not narrow them.
const FORMS: ByRole = ByRole::same(
    "select id, form_id, version, title, created_ms, definition, media from forms
     where org_id = $1 and id > $5 order by id limit $6",
);

// One row at most, keyed by its entity id.
const VISIT_FORM: ByRole = ByRole::same(
    "select visit_form_id from orgs
     where id = $1 and visit_form_id is not null and $5 < 'current' limit $6",
);

/// A section's key: one part, or two (`A/B`: the first part is a UUID, so the first `/` splits).
#[derive(Debug, Clone, Copy)]
enum Key<'a> {
    One(&'a str),
    Text(&'a str, &'a str),
    Int(&'a str, i64),
}

impl<'a> Key<'a> {
    fn of(section: SnapshotSection, after: &'a str) -> Option<Key<'a>> {
        let pair = || after.split_once('/').unwrap_or((after, ""));
        Some(match section {
            SnapshotSection::Accounts
            | SnapshotSection::Stops
            | SnapshotSection::Visits
            | SnapshotSection::Forms
            | SnapshotSection::VisitForm => Key::One(after),
            SnapshotSection::Fields | SnapshotSection::Attachments => {
                let (a, b) = pair();
                Key::Text(a, b)
            }
            SnapshotSection::Checkins => match pair() {
                ("", _) => Key::Int("", 0),
                (a, b) => Key::Int(a, b.parse().ok()?),
            },
        })
    }
}

impl Pull<'_> {
    /// A page of the caller's snapshot: `token` `None` starts one (taking the feed cursor
    /// first). At most `limit` changes; when a section ends exactly at the limit the next page
    /// may be empty.
    pub async fn snapshot_page(
        &self,
        who: &Session,
        token: Option<SnapshotCursor>,
        limit: u32,
    ) -> anyhow::Result<Snapshotted> {
        let head = self.feed_head().await?;
        let mut at = match token {
            None => SnapshotCursor::first(head.cursor()?),
            Some(t) if t.feed.epoch != head.epoch => {
                return Ok(Snapshotted::Restart(format!(
                    "the snapshot began in feed epoch {}, the server is at epoch {}: start it \
                     again without a cursor",
                    t.feed.epoch, head.epoch
                )));
            }
            Some(t) => t,
        };
        let limit = limit.clamp(1, super::MAX_LIMIT) as usize;
        let mut changes = Vec::new();
        loop {
            let want = limit - changes.len();
            let Some(key) = Key::of(at.section, &at.after) else {
                return Ok(Snapshotted::BadToken(format!(
                    "the snapshot page token's key {:?} does not fit its section",
                    at.after
                )));
            };
            let mut got = self.section(who, at.section, key, want).await?;
            let full = got.len() == want;
            let last = got.last().map(|c| c.entity_id().to_owned());
            changes.append(&mut got);
            if full {
                at.after = last.unwrap_or_default();
                let feed = at.feed;
                return Ok(Snapshotted::Page(SnapshotPage {
                    changes,
                    next: Some(at),
                    feed,
                }));
            }
            let Some(next) = at.section.next() else {
                return Ok(Snapshotted::Page(SnapshotPage {
                    changes,
                    next: None,
                    feed: at.feed,
                }));
            };
            at.section = next;
            at.after.clear();
        }
    }

    /// Up to `limit` upserts of one section after `key`, in key order.
    async fn section(
        &self,
        who: &Session,
        section: SnapshotSection,
        key: Key<'_>,
        limit: usize,
    ) -> anyhow::Result<Vec<Change>> {
        let limit = i64::try_from(limit).context("snapshot limit")?;
        match section {
            SnapshotSection::Accounts => {
                self.rows(ACCOUNTS, who, key, limit, AccountRow::into_change)
                    .await
            }
            SnapshotSection::Stops => {
                self.rows(STOPS, who, key, limit, StopRow::into_change)
                    .await
            }
            SnapshotSection::Visits => {
                self.rows(VISITS, who, key, limit, VisitRow::into_change)
                    .await
            }
            SnapshotSection::Fields => {
                self.rows(FIELDS, who, key, limit, FieldRow::into_change)
                    .await
            }
            SnapshotSection::Checkins => {
                self.rows(CHECKINS, who, key, limit, CheckinRow::into_change)
                    .await
            }
            SnapshotSection::Attachments => {
                self.rows(ATTACHMENTS, who, key, limit, AttachmentRow::into_change)
                    .await
            }
            SnapshotSection::Forms => {
                self.rows(FORMS, who, key, limit, FormRow::into_change)
                    .await
            }
            SnapshotSection::VisitForm => {
                self.rows(VISIT_FORM, who, key, limit, VisitFormRow::into_change)
                    .await
            }
        }
    }

    async fn rows<R>(
        &self,
        sql: ByRole,
        who: &Session,
        key: Key<'_>,
        limit: i64,
        to_change: fn(R) -> anyhow::Result<Change>,
    ) -> anyhow::Result<Vec<Change>>
    where
        R: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
        R: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let first = match key {
            Key::One(a) | Key::Text(a, _) | Key::Int(a, _) => a,
        };
        let rows: Vec<R> = on_read!(self, |pool| {
            let q = sqlx::query_as(sql.of(who))
                .bind_scope(who)
                .bind(first)
                .bind(limit);
            let q = match key {
                Key::One(_) => q,
                Key::Text(_, b) => q.bind(b),
                Key::Int(_, b) => q.bind(b),
            };
            q.fetch_all(pool).await.context("reading the snapshot")?
        });
        rows.into_iter().map(to_change).collect()
    }
}

/// The sections' reads as `who` makes them, for the plan checks.
#[cfg(test)]
pub(crate) fn plan_reads(who: &Session) -> Vec<crate::db::plans::Read> {
    use crate::db::plans::{Bind, Read};
    let text = || Bind::text("");
    let sections = [
        ("accounts", ACCOUNTS, None),
        ("stops", STOPS, None),
        ("visits", VISITS, None),
        ("fields", FIELDS, Some(text())),
        ("checkins", CHECKINS, Some(Bind::Int(Some(0)))),
        ("attachments", ATTACHMENTS, Some(text())),
        ("forms", FORMS, None),
    ];
    sections
        .into_iter()
        .map(|(name, sql, second)| Read {
            name: format!("snapshot {name}"),
            sql: sql.of(who).to_owned(),
            binds: Bind::scope(who)
                .into_iter()
                .chain([text(), Bind::Int(Some(500))])
                .chain(second)
                .collect(),
        })
        .collect()
}
