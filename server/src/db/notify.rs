//! PostgreSQL's `NOTIFY`/`LISTEN`, the channel servers sharing one database tell each other
//! through (the live feed's signals, `crate::live::notify`). On SQLite there is one server and
//! nothing to tell: sending is a no-op and there is no listener.

use anyhow::Context;
use sqlx::postgres::PgListener;

use super::Db;

impl Db {
    /// Sends `payload` on `channel` to every listening server (PostgreSQL; nothing on SQLite).
    pub async fn notify(&self, channel: &str, payload: &str) -> anyhow::Result<()> {
        let Db::Postgres(pool) = self else {
            return Ok(());
        };
        sqlx::query("select pg_notify($1, $2)")
            .bind(channel)
            .bind(payload)
            .execute(pool)
            .await
            .context("sending NOTIFY")?;
        Ok(())
    }

    /// A listener on `channel` (PostgreSQL), or `None` on SQLite. `PgListener` re-establishes a
    /// lost connection by itself; notifications sent meanwhile are lost.
    pub async fn listen(&self, channel: &str) -> anyhow::Result<Option<PgListener>> {
        let Db::Postgres(pool) = self else {
            return Ok(None);
        };
        let mut listener = PgListener::connect_with(pool)
            .await
            .context("connecting a listener")?;
        listener
            .listen(channel)
            .await
            .with_context(|| format!("LISTEN {channel}"))?;
        Ok(Some(listener))
    }
}
