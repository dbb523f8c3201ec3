//! Reading the change feed (`changes`) for one caller: pages in server commit order, never
//! splitting a server transaction, limited to the caller's scope; and (in [`snapshot`]) the
//! paginated snapshot of current values a device bootstraps from after `409 resync`.
//!
//! This module only reads. Writers append through [`crate::begin_feed!`] and
//! [`crate::record_change!`] in the transaction that changes the state, under this contract:
//! - `entity_type` is `account` (body [`AccountView`]), `stop` ([`StopView`]), `visit`
//!   ([`VisitView`]), `field` ([`FieldView`], `entity_id` `ENTITY/FIELD`), `checkin`, or,
//!   organization-wide, `form` and `visit_form` (`terreno_shared::api::v1::forms`), or
//!   `payment` (`PaymentView`, scoped to the account's collector; see `db::payments`); the body
//!   is the whole record as the device stores it, the same shape the snapshot sends (the
//!   snapshot does not list payments yet).
//! - A `remove` has body `null`. When a debtor leaves a collector's scope (reassigned, closed,
//!   portfolio withdrawn), the writer records `remove` for the account with the OLD collector
//!   (and that collector's team) in the same transaction; the device deletes the account and
//!   what hangs off it (stops, visits, fields). The new collector gets an `upsert`.
//! - Scope columns: a row with `collector_id` reaches that collector and the supervisors of its
//!   `team_id` (so collector rows must carry the collector's team); with no collector, everyone
//!   in `team_id`; with neither, the whole organization. Admins see every row of the org.
//!
//! Commit order: on SQLite the single writer makes `pos` commit-ordered and a transaction's rows
//! contiguous. On PostgreSQL a sequence is not commit-ordered, so rows are read by `(xid, pos)`
//! and only below `pg_snapshot_xmin(pg_current_snapshot())`, the oldest transaction still in
//! progress: every row below it is final, every row committed later sorts after it (SYNC.md).
//! The price: one long-open writing transaction holds back every pull until it ends.
//!
//! [`AccountView`]: terreno_shared::api::v1::views::AccountView
//! [`StopView`]: terreno_shared::api::v1::views::StopView
//! [`VisitView`]: terreno_shared::api::v1::views::VisitView
//! [`FieldView`]: terreno_shared::api::v1::views::FieldView

use anyhow::Context;
use terreno_shared::api::v1::sync::{Change, ChangeOp};
use terreno_shared::sync::cursor::Cursor;

use super::Db;
use super::scope::BindScope;
use super::scope::ByRole;
use super::sessions::Session;
use crate::on_read;

pub mod snapshot;

/// Changes per page when the caller does not say.
pub const DEFAULT_LIMIT: u32 = 500;
/// Most changes per page a caller may ask for (a page may still exceed it to finish a
/// transaction).
pub const MAX_LIMIT: u32 = 5_000;

/// One page of the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedPage {
    /// Changes in commit order, whole transactions only.
    pub changes: Vec<Change>,
    /// Where the next page starts.
    pub cursor: Cursor,
    /// Whether more changes are readable now.
    pub more: bool,
}

/// What a pull gets.
#[derive(Debug, Clone, PartialEq)]
pub enum Pulled {
    /// A page of changes.
    Page(FeedPage),
    /// The cursor cannot be continued (another epoch, or beyond the feed's end after a restore):
    /// the device must bootstrap from the snapshot. The text says why.
    Resync(String),
}

// The caller's scope over `changes` is a union of disjoint branches, each an equality on an
// index prefix whose rows come out in feed order, so a page reads about `limit` rows per
// branch whatever the organization's size (one `or` would read the organization's feed; issue
// 16). Binds: `$1` org, `$3` team, `$4` user. A collector: their rows, and the rows of no
// collector for their team or for everyone. A supervisor: their team's rows, the rows for
// everyone, and their own rows outside the team. An admin: the organization's rows.
macro_rules! feed_by_role {
    ($b:ident, $kind:ident) => {
        ByRole {
            collector: feed_union!(
                $b,
                $kind,
                "collector_id = $4 and org_id = $1",
                "collector_id is null and team_id = $3 and org_id = $1",
                "collector_id is null and team_id is null and org_id = $1"
            ),
            supervisor: feed_union!(
                $b,
                $kind,
                "team_id = $3 and org_id = $1",
                "collector_id is null and team_id is null and org_id = $1",
                "collector_id = $4 and (team_id is null or team_id <> $3) and org_id = $1"
            ),
            admin: feed_union!($b, $kind, "org_id = $1"),
        }
    };
}

/// The branches of one query kind joined: pages and continuations are unions (each page
/// branch limited before the union), "more?" is a disjunction of `exists`.
macro_rules! feed_union {
    ($b:ident, more, $first:literal $(, $rest:literal)*) => {
        concat!("select ", branch!($b, more, $first) $(, " or ", branch!($b, more, $rest))*)
    };
    ($b:ident, $kind:ident, $first:literal $(, $rest:literal)*) => {
        concat!(
            branch!($b, $kind, $first)
            $(, " union all ", branch!($b, $kind, $rest))*,
            " order by ", feed_order!($b), tail!($kind)
        )
    };
}

macro_rules! branch {
    ($b:ident, page, $scope:literal) => {
        concat!(
            "select * from (",
            columns!($b),
            " where ",
            after!($b),
            " and ",
            $scope,
            " order by ",
            index_order!($b),
            " limit $8) b"
        )
    };
    ($b:ident, rest, $scope:literal) => {
        concat!(
            columns!($b),
            " where ",
            after!($b),
            " and txn = $8 and ",
            $scope
        )
    };
    ($b:ident, more, $scope:literal) => {
        concat!(
            "exists (select 1 from changes where ",
            after!($b),
            " and ",
            $scope,
            ")"
        )
    };
}

macro_rules! tail {
    (page) => {
        " limit $8"
    };
    (rest) => {
        ""
    };
}

macro_rules! columns {
    (sqlite) => {
        "select cast(0 as bigint) as xid, pos, txn, entity_type, entity_id, op, body from changes"
    };
    (postgres) => {
        "select cast(cast(xid as text) as bigint) as xid, pos, txn, entity_type, entity_id, op,
                body from changes"
    };
}

/// After the cursor (`$5` xid, `$6` pos) and, on PostgreSQL, below the visibility bound `$7`.
macro_rules! after {
    (sqlite) => {
        "pos > $6 and $5 = 0 and $7 = 0"
    };
    (postgres) => {
        "(xid, pos) > (cast(cast($5 as text) as xid8), $6)
            and xid < cast(cast($7 as text) as xid8)"
    };
}

/// Feed order inside a branch: the table's columns, so PostgreSQL reads its `xid8` index
/// rather than sorting by the `bigint` output column of the same name.
macro_rules! index_order {
    (sqlite) => {
        "changes.pos"
    };
    (postgres) => {
        "changes.xid, changes.pos"
    };
}

/// Feed order of the union (its output columns).
macro_rules! feed_order {
    (sqlite) => {
        "pos"
    };
    (postgres) => {
        "xid, pos"
    };
}

/// Page, continuation (the rest of the last transaction) and "more?" queries of one backend.
/// Binds: scope `$1..$4`, then cursor `$5` xid, `$6` pos, `$7` visibility bound (PostgreSQL),
/// then the limit or the transaction.
struct FeedSql {
    page: ByRole,
    rest_of_txn: ByRole,
    more: ByRole,
}

const SQLITE: FeedSql = FeedSql {
    page: feed_by_role!(sqlite, page),
    rest_of_txn: feed_by_role!(sqlite, rest),
    more: feed_by_role!(sqlite, more),
};

const POSTGRES: FeedSql = FeedSql {
    page: feed_by_role!(postgres, page),
    rest_of_txn: feed_by_role!(postgres, rest),
    more: feed_by_role!(postgres, more),
};

#[derive(sqlx::FromRow)]
struct ChangeRow {
    xid: i64,
    pos: i64,
    txn: i64,
    entity_type: String,
    entity_id: String,
    op: String,
    body: String,
}

impl ChangeRow {
    fn cursor(&self, epoch: u32) -> anyhow::Result<Cursor> {
        Ok(Cursor {
            epoch,
            xid: u64::try_from(self.xid).context("stored xid")?,
            pos: u64::try_from(self.pos).context("stored pos")?,
        })
    }

    /// The stored change, typed. A body this build cannot read (written by a newer server
    /// sharing the database) goes out as stored: the device decides what it can use.
    fn into_change(self) -> anyhow::Result<Change> {
        if ChangeOp::parse(&self.op).is_none() {
            anyhow::bail!("stored change {} has op {:?}", self.pos, self.op);
        }
        let change = Change::from_stored(self.entity_type, self.entity_id, &self.op, &self.body);
        if matches!(change, Change::Unknown { .. })
            && serde_json::from_str::<serde::de::IgnoredAny>(&self.body).is_err()
        {
            anyhow::bail!("stored change {} has a body that is not JSON", self.pos);
        }
        Ok(change)
    }
}

/// Where the feed stands now: its epoch, the visibility bound (PostgreSQL: the oldest
/// transaction in progress; 0 on SQLite), the next transaction id (PostgreSQL; 0 on SQLite) and
/// the highest position.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FeedHead {
    pub(crate) epoch: u32,
    pub(crate) bound: i64,
    pub(crate) next_xid: i64,
    pub(crate) max_pos: i64,
}

impl FeedHead {
    /// A cursor from which the feed delivers everything committed after this head was read
    /// (and perhaps some changes again, which is harmless: devices apply upserts idempotently).
    pub(crate) fn cursor(&self) -> anyhow::Result<Cursor> {
        Ok(if self.bound > 0 {
            // Rows below the bound are final and were visible before this point; every row of a
            // transaction at or above it sorts after (bound, 0).
            Cursor {
                epoch: self.epoch,
                xid: u64::try_from(self.bound).context("xid bound")?,
                pos: 0,
            }
        } else {
            Cursor {
                epoch: self.epoch,
                xid: 0,
                pos: u64::try_from(self.max_pos).context("feed position")?,
            }
        })
    }

    /// Why `cursor` cannot be continued, if it cannot.
    fn refuse(&self, cursor: Cursor) -> Option<String> {
        if cursor.epoch != self.epoch {
            return Some(format!(
                "the cursor belongs to feed epoch {}, the server is at epoch {}: bootstrap from \
                 /api/v1/sync/snapshot",
                cursor.epoch, self.epoch
            ));
        }
        let beyond_pos = i64::try_from(cursor.pos).map_or(true, |p| p > self.max_pos);
        let beyond_xid = match self.next_xid {
            0 => cursor.xid != 0,
            // A cursor taken while nothing ran holds `xmin`, which then equals the next xid.
            next => i64::try_from(cursor.xid).map_or(true, |x| x > next),
        };
        (beyond_pos || beyond_xid).then(|| {
            "the cursor is beyond the end of the server's feed (was the server restored from a \
             backup?): bootstrap from /api/v1/sync/snapshot"
                .to_owned()
        })
    }
}

area! {
    /// The pull side of sync: the change feed and the first-sync snapshot.
    Pull, pull
}

impl Pull<'_> {
    /// The feed's epoch, visibility bound and end, read before anything else in a pull.
    pub(crate) async fn feed_head(&self) -> anyhow::Result<FeedHead> {
        let epoch: String = on_read!(self, |pool| {
            sqlx::query_scalar("select value from server_meta where key = 'cursor_epoch'")
                .fetch_one(pool)
                .await
                .context("reading the cursor epoch")?
        });
        let epoch = epoch.parse().context("stored cursor epoch")?;
        let (bound, next_xid, max_pos): (i64, i64, i64) = match self.0 {
            Db::Sqlite(s) => sqlx::query_as(
                "select cast(0 as bigint), cast(0 as bigint), coalesce(max(pos), 0) from changes",
            )
            .fetch_one(&s.read)
            .await
            .context("reading the feed head")?,
            Db::Postgres(p) => sqlx::query_as(
                "select cast(cast(pg_snapshot_xmin(s) as text) as bigint),
                        cast(cast(pg_snapshot_xmax(s) as text) as bigint),
                        coalesce((select max(pos) from changes), 0)
                 from pg_current_snapshot() as s",
            )
            .fetch_one(p)
            .await
            .context("reading the feed head")?,
        };
        Ok(FeedHead {
            epoch,
            bound,
            next_xid,
            max_pos,
        })
    }

    /// The caller's next page of changes after `after` (`None`: from the start). At least
    /// `limit` changes when that many are readable, more only to finish the last transaction.
    pub async fn changes(
        &self,
        who: &Session,
        after: Option<Cursor>,
        limit: u32,
    ) -> anyhow::Result<Pulled> {
        let head = self.feed_head().await?;
        let after = after.unwrap_or(Cursor::start(head.epoch));
        if let Some(why) = head.refuse(after) {
            return Ok(Pulled::Resync(why));
        }
        let sql = if self.is_postgres() {
            &POSTGRES
        } else {
            &SQLITE
        };
        let limit = i64::from(limit.clamp(1, MAX_LIMIT));
        let mut rows = self
            .feed_rows(sql.page, who, after, head.bound, limit)
            .await?;
        let more = if rows.len() as i64 == limit {
            let last = rows.last().context("a full page has a last row")?;
            let (txn, last) = (last.txn, last.cursor(head.epoch)?);
            rows.extend(
                self.feed_rows(sql.rest_of_txn, who, last, head.bound, txn)
                    .await?,
            );
            let end = rows.last().context("a full page has a last row")?;
            self.feed_has_more(sql.more, who, end.cursor(head.epoch)?, head.bound)
                .await?
        } else {
            false
        };
        let cursor = match rows.last() {
            Some(r) => r.cursor(head.epoch)?,
            None => after,
        };
        let changes = rows
            .into_iter()
            .map(ChangeRow::into_change)
            .collect::<anyhow::Result<_>>()?;
        Ok(Pulled::Page(FeedPage {
            changes,
            cursor,
            more,
        }))
    }

    async fn feed_rows(
        &self,
        sql: ByRole,
        who: &Session,
        after: Cursor,
        bound: i64,
        last_bind: i64,
    ) -> anyhow::Result<Vec<ChangeRow>> {
        let (xid, pos) = cursor_binds(after)?;
        Ok(on_read!(self, |pool| {
            sqlx::query_as(sql.of(who))
                .bind_scope(who)
                .bind(xid)
                .bind(pos)
                .bind(bound)
                .bind(last_bind)
                .fetch_all(pool)
                .await
                .context("reading the change feed")?
        }))
    }

    async fn feed_has_more(
        &self,
        sql: ByRole,
        who: &Session,
        after: Cursor,
        bound: i64,
    ) -> anyhow::Result<bool> {
        let (xid, pos) = cursor_binds(after)?;
        Ok(on_read!(self, |pool| {
            sqlx::query_scalar(sql.of(who))
                .bind_scope(who)
                .bind(xid)
                .bind(pos)
                .bind(bound)
                .fetch_one(pool)
                .await
                .context("looking for more changes")?
        }))
    }
}

fn cursor_binds(c: Cursor) -> anyhow::Result<(i64, i64)> {
    Ok((
        i64::try_from(c.xid).context("cursor xid out of range")?,
        i64::try_from(c.pos).context("cursor pos out of range")?,
    ))
}

/// The feed's reads as `who` makes them on `db`'s backend, for the plan checks.
#[cfg(test)]
pub(crate) fn plan_reads(db: &Db, who: &Session) -> Vec<crate::db::plans::Read> {
    use crate::db::plans::{Bind, Read};
    let sql = if db.is_postgres() { &POSTGRES } else { &SQLITE };
    [
        ("page", sql.page, true),
        ("rest of a transaction", sql.rest_of_txn, true),
        ("more", sql.more, false),
    ]
    .into_iter()
    .map(|(name, sql, last)| Read {
        name: format!("pull {name}"),
        sql: sql.of(who).to_owned(),
        binds: Bind::scope(who)
            .into_iter()
            .chain([
                // PostgreSQL: after transaction 1, below 1,000,000 (SQLite: xid and bound 0).
                Bind::Int(Some(i64::from(db.is_postgres()))),
                Bind::Int(Some(0)),
                Bind::Int(Some(if db.is_postgres() { 1_000_000 } else { 0 })),
            ])
            .chain(last.then_some(Bind::Int(Some(500))))
            .collect(),
    })
    .collect()
}
