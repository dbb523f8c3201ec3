//! The failed-login window: one row per login attempt that failed or is still being checked,
//! by username and client address, kept for the window only. The policy that reads it is
//! `crate::auth::limit`; this module only stores and counts.
//!
//! Owns `login_failures`.

use anyhow::Context;

use super::now_ms;
use super::sessions::Sessions;
use crate::{on_read, on_write};

impl Sessions<'_> {
    /// Times (ms) of an account's failed logins since `since_ms`, from any address, oldest
    /// first.
    pub async fn recent_failures(&self, username: &str, since_ms: i64) -> anyhow::Result<Vec<i64>> {
        Ok(on_read!(self, |pool| {
            sqlx::query_scalar(
                "select at_ms from login_failures where username = $1 and at_ms > $2
                 order by at_ms",
            )
            .bind(username)
            .bind(since_ms)
            .fetch_all(pool)
            .await
            .context("reading an account's failed logins")?
        }))
    }

    /// Times (ms) of the failed logins from one client address since `since_ms`, for any
    /// username, oldest first.
    pub async fn recent_failures_from(
        &self,
        client: &str,
        since_ms: i64,
    ) -> anyhow::Result<Vec<i64>> {
        Ok(on_read!(self, |pool| {
            sqlx::query_scalar(
                "select at_ms from login_failures where client = $1 and at_ms > $2
                 order by at_ms",
            )
            .bind(client)
            .bind(since_ms)
            .fetch_all(pool)
            .await
            .context("reading an address's failed logins")?
        }))
    }

    /// Records a login attempt of `username` from `client` (counted as failed until it
    /// succeeds) and deletes every one older than `purge_before_ms`, so the table holds only
    /// the current window.
    pub async fn insert_failure(
        &self,
        username: &str,
        client: &str,
        purge_before_ms: i64,
    ) -> anyhow::Result<()> {
        on_write!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("delete from login_failures where at_ms <= $1")
                .bind(purge_before_ms)
                .execute(&mut *tx)
                .await?;
            sqlx::query("insert into login_failures (username, client, at_ms) values ($1, $2, $3)")
                .bind(username)
                .bind(client)
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
            tx.commit().await.context("recording a failed login")?;
        });
        Ok(())
    }

    /// Forgets an account's failed logins from one address (after a successful one there).
    /// Other addresses' failures stay: someone guessing elsewhere stays limited.
    pub async fn clear_failures(&self, username: &str, client: &str) -> anyhow::Result<()> {
        on_write!(self, |pool| {
            sqlx::query("delete from login_failures where username = $1 and client = $2")
                .bind(username)
                .bind(client)
                .execute(pool)
                .await
                .context("clearing failed logins")?;
        });
        Ok(())
    }
}
