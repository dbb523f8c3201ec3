//! A write transaction of either backend that the steps of a load or an import share, so the
//! whole commits or rolls back as one, with its feed transaction started lazily on the first
//! change.
//!
//! On SQLite it holds the single writer connection until commit or drop: nothing inside may call
//! another `Db` write method (it would wait for itself).

use anyhow::Context;
use sqlx::AssertSqlSafe;

use super::Db;
use super::changes::NewChange;
use super::json_rows::{self, Ty};
use super::now_ms;
use crate::begin_feed;

/// A transaction on the write pool (rolled back when dropped uncommitted).
pub struct WriteTx {
    #[doc(hidden)]
    pub inner: Inner,
    feed: Option<i64>,
}

#[doc(hidden)]
pub enum Inner {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$conn` bound to the transaction of either backend (compiled per backend,
/// like `on_write!`): `on_tx!(tx, |c| query.execute(&mut **c).await)`.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match &mut $tx.inner {
            $crate::db::tx::Inner::Sqlite($conn) => $body,
            $crate::db::tx::Inner::Postgres($conn) => $body,
        }
    };
}

impl Db {
    /// Begins a write transaction for a load.
    pub async fn begin_write(&self) -> anyhow::Result<WriteTx> {
        let inner = match self {
            Db::Sqlite(s) => Inner::Sqlite(s.write.begin().await.context("beginning a load")?),
            Db::Postgres(p) => Inner::Postgres(p.begin().await.context("beginning a load")?),
        };
        Ok(WriteTx { inner, feed: None })
    }
}

impl WriteTx {
    /// Commits everything written through this transaction.
    pub async fn commit(self) -> anyhow::Result<()> {
        match self.inner {
            Inner::Sqlite(t) => t.commit().await?,
            Inner::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Whether this is a PostgreSQL transaction (for SQL that differs by backend).
    pub fn is_pg(&self) -> bool {
        matches!(self.inner, Inner::Postgres(_))
    }

    /// This transaction's feed transaction, started on first use.
    async fn feed_txn(&mut self) -> anyhow::Result<i64> {
        if let Some(t) = self.feed {
            return Ok(t);
        }
        let t = on_tx!(self, |c| begin_feed!(&mut **c)).context("starting a feed transaction")?;
        self.feed = Some(t);
        Ok(t)
    }

    /// Appends changes to the pull feed in one statement, in their order.
    pub async fn record_all(&mut self, changes: &[NewChange]) -> anyhow::Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let txn = self.feed_txn().await?;
        let rows = changes
            .iter()
            .map(|c| {
                Ok((
                    c.org_id.to_string(),
                    c.collector_id.map(|u| u.to_string()),
                    c.team_id.map(|t| t.to_string()),
                    c.change.entity_type(),
                    c.change.entity_id(),
                    c.change.op(),
                    c.body_json()?,
                ))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let cols = [
            ("org_id", Ty::Text),
            ("collector_id", Ty::Text),
            ("team_id", Ty::Text),
            ("entity_type", Ty::Text),
            ("entity_id", Ty::Text),
            ("op", Ty::Text),
            ("body", Ty::Text),
        ];
        let sql = format!(
            "insert into changes (org_id, collector_id, team_id, entity_type, entity_id, op, body,
                 changed_ms, txn)
             select r.org_id, r.collector_id, r.team_id, r.entity_type, r.entity_id, r.op,
                 r.body, $2, $3
             from {} order by r.n",
            json_rows::table(self.is_pg(), 1, &cols, "r")
        );
        let param = json_rows::param(&rows);
        on_tx!(self, |c| {
            sqlx::query(AssertSqlSafe(sql))
                .bind(&param)
                .bind(now_ms())
                .bind(txn)
                .execute(&mut **c)
                .await
                .context("recording changes")?;
        });
        Ok(())
    }
}
