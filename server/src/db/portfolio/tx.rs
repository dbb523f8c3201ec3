//! A write transaction of either backend that load steps share, so a whole load commits or
//! rolls back as one, with its feed transaction started lazily on the first change.
//!
//! On SQLite it holds the single writer connection until commit or drop: nothing inside may call
//! another `Db` write method (it would wait for itself).

use anyhow::Context;

use super::super::Db;
use super::super::changes::NewChange;
use crate::{begin_feed, record_change};

/// A transaction on the write pool (rolled back when dropped uncommitted).
pub struct WriteTx {
    pub(super) inner: Inner,
    feed: Option<i64>,
}

pub(super) enum Inner {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$conn` bound to the transaction of either backend (compiled per backend,
/// like `on_write!`): `on_tx!(tx, |c| query.execute(&mut **c).await)`.
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match &mut $tx.inner {
            $crate::db::portfolio::tx::Inner::Sqlite($conn) => $body,
            $crate::db::portfolio::tx::Inner::Postgres($conn) => $body,
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

    /// Appends a change to the pull feed, in this transaction's feed transaction.
    pub async fn record(&mut self, change: &NewChange) -> anyhow::Result<()> {
        let txn = match self.feed {
            Some(t) => t,
            None => {
                let t = on_tx!(self, |c| begin_feed!(&mut **c))
                    .context("starting a feed transaction")?;
                self.feed = Some(t);
                t
            }
        };
        on_tx!(self, |c| record_change!(&mut **c, txn, change).map(|_| ()))
            .context("recording a change")?;
        Ok(())
    }
}
