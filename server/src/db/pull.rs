//! Reading the change feed (`changes`) for one caller: pages in server commit order, never
//! splitting a server transaction, limited to the caller's scope; and (in [`snapshot`]) the
//! paginated snapshot of current values a device bootstraps from after `409 resync`.
//!
//! This module only reads. Writers append through [`crate::begin_feed!`] and
//! [`crate::record_change!`] in the transaction that changes the state, under this contract:
//! - `entity_type` is `account` (body [`AccountView`]), `stop` ([`StopView`]), `visit`
//!   ([`VisitView`]), `field` ([`FieldView`], `entity_id` `ENTITY/FIELD`), `checkin`, or,
//!   organization-wide, `form` and `visit_form` (`terreno_shared::api::v1::forms`); the body
//!   is the whole record as the device stores it, the same shape the snapshot sends.
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
pub(crate) use super::scope::scope_binds;
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

/// The caller's scope predicate over `changes`: `$1` org, `$2` role, `$3` team, `$4` user.
macro_rules! scope {
    () => {
        " org_id = $1 and ($2 = 'admin' or collector_id = $4
            or (collector_id is null and (team_id is null or team_id = $3))
            or ($2 = 'supervisor' and team_id = $3)) "
    };
}

macro_rules! columns {
    (sqlite) => {
        "select cast(0 as bigint) as xid, pos, txn, entity_type, entity_id, op, body from changes "
    };
    (postgres) => {
        "select cast(cast(xid as text) as bigint) as xid, pos, txn, entity_type, entity_id, op,
                body from changes "
    };
}

/// Page, continuation (the rest of the last transaction) and "more?" queries of one backend.
/// Binds: scope `$1..$4`, then cursor `$5` xid, `$6` pos, `$7` visibility bound (PostgreSQL),
/// then the limit or the transaction.
struct FeedSql {
    page: &'static str,
    rest_of_txn: &'static str,
    more: &'static str,
}

const SQLITE: FeedSql = FeedSql {
    page: concat!(
        columns!(sqlite),
        "where pos > $6 and $5 = 0 and $7 = 0 and",
        scope!(),
        "order by pos limit $8"
    ),
    rest_of_txn: concat!(
        columns!(sqlite),
        "where pos > $6 and $5 = 0 and $7 = 0 and txn = $8 and",
        scope!(),
        "order by pos"
    ),
    more: concat!(
        "select exists (select 1 from changes where pos > $6 and $5 = 0 and $7 = 0 and",
        scope!(),
        ")"
    ),
};

const POSTGRES: FeedSql = FeedSql {
    page: concat!(
        columns!(postgres),
        "where (xid, pos) > (cast(cast($5 as text) as xid8), $6)
            and xid < cast(cast($7 as text) as xid8) and",
        scope!(),
        "order by xid, pos limit $8"
    ),
    rest_of_txn: concat!(
        columns!(postgres),
        "where (xid, pos) > (cast(cast($5 as text) as xid8), $6)
            and xid < cast(cast($7 as text) as xid8) and txn = $8 and",
        scope!(),
        "order by xid, pos"
    ),
    more: concat!(
        "select exists (select 1 from changes where (xid, pos) > (cast(cast($5 as text) as xid8), $6)
            and xid < cast(cast($7 as text) as xid8) and",
        scope!(),
        ")"
    ),
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

    fn into_change(self) -> anyhow::Result<Change> {
        let op = match self.op.as_str() {
            "upsert" => ChangeOp::Upsert,
            "remove" => ChangeOp::Remove,
            other => anyhow::bail!("stored change {} has op {other:?}", self.pos),
        };
        let body = serde_json::from_str(&self.body)
            .with_context(|| format!("stored change {} has a body that is not JSON", self.pos))?;
        Ok(Change {
            entity_type: self.entity_type,
            entity_id: self.entity_id,
            op,
            body,
        })
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

impl Db {
    /// The feed's epoch, visibility bound and end, read before anything else in a pull.
    pub(crate) async fn feed_head(&self) -> anyhow::Result<FeedHead> {
        let epoch: String = on_read!(self, |pool| {
            sqlx::query_scalar("select value from server_meta where key = 'cursor_epoch'")
                .fetch_one(pool)
                .await
                .context("reading the cursor epoch")?
        });
        let epoch = epoch.parse().context("stored cursor epoch")?;
        let (bound, next_xid, max_pos): (i64, i64, i64) = match self {
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
    pub async fn pull_changes(
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
        sql: &'static str,
        who: &Session,
        after: Cursor,
        bound: i64,
        last_bind: i64,
    ) -> anyhow::Result<Vec<ChangeRow>> {
        let (org, role, team, user) = scope_binds(who);
        let (xid, pos) = cursor_binds(after)?;
        Ok(on_read!(self, |pool| {
            sqlx::query_as(sql)
                .bind(&org)
                .bind(role)
                .bind(&team)
                .bind(&user)
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
        sql: &'static str,
        who: &Session,
        after: Cursor,
        bound: i64,
    ) -> anyhow::Result<bool> {
        let (org, role, team, user) = scope_binds(who);
        let (xid, pos) = cursor_binds(after)?;
        Ok(on_read!(self, |pool| {
            sqlx::query_scalar(sql)
                .bind(&org)
                .bind(role)
                .bind(&team)
                .bind(&user)
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
