//! Attachment blobs as rows: one per SHA-256, with the upload's progress (`received` of
//! `bytes`), its media type, the server-generated file name and an upload lease.
//!
//! Owns `blobs` and the visibility rule of downloads. It never touches files (the blob store
//! in `crate::routes::blobs` does) and never accepts a client-supplied name: `stored_name` is
//! a UUID minted here.
//!
//! The lease (`lease_id`, `lease_until_ms`) makes one request at a time the writer of an
//! unfinished upload: it is taken only at the expected offset, and progress is recorded only
//! by its holder.

use anyhow::Context;
use uuid::Uuid;

use super::now_ms;
use super::scope::{SCOPE, VISIT_OWNER};
use super::sessions::Session;
use crate::{on_read, on_write};

/// A blob's row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Blob {
    /// Lower-case hex SHA-256 of the whole content.
    pub sha256: String,
    /// Total size announced by the first chunk.
    pub bytes: i64,
    /// Bytes received so far (a contiguous prefix).
    pub received: i64,
    /// Media type given by the first chunk.
    pub media_type: String,
    /// Server-generated file name (a UUID) inside the blob directory.
    pub stored_name: String,
    /// Whether the content arrived whole and matched its hash.
    pub complete: bool,
}

const COLUMNS: &str = "sha256, bytes, received, media_type, stored_name, complete";

area! {
    /// Content-addressed attachment blobs: finding, writing, leasing and releasing them.
    Blobs, blobs
}

impl Blobs<'_> {
    /// A blob's row, if an upload of it ever started.
    pub async fn find(&self, sha256: &str) -> anyhow::Result<Option<Blob>> {
        let sql = format!("select {COLUMNS} from blobs where sha256 = $1");
        Ok(on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(sha256)
                .fetch_optional(pool)
                .await
                .context("reading a blob")?
        }))
    }

    /// Starts an upload (a row with nothing received and a fresh stored name) unless one
    /// exists; answers the row either way.
    pub async fn insert(
        &self,
        sha256: &str,
        bytes: i64,
        media_type: &str,
        uploader: terreno_shared::ids::UserId,
    ) -> anyhow::Result<Blob> {
        on_write!(self, |pool| {
            sqlx::query(
                "insert into blobs (sha256, bytes, media_type, stored_name, created_ms, uploader_id)
                 values ($1, $2, $3, $4, $5, $6) on conflict (sha256) do nothing",
            )
            .bind(sha256)
            .bind(bytes)
            .bind(media_type)
            .bind(Uuid::now_v7().to_string())
            .bind(now_ms())
            .bind(uploader.to_string())
            .execute(pool)
            .await
            .context("starting a blob upload")?;
        });
        self.find_blob_written(sha256).await
    }

    /// Reads a row through the writer, so a just-written row is seen on every backend.
    async fn find_blob_written(&self, sha256: &str) -> anyhow::Result<Blob> {
        let sql = format!("select {COLUMNS} from blobs where sha256 = $1");
        Ok(on_write!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(sha256)
                .fetch_one(pool)
                .await
                .context("reading a blob")?
        }))
    }

    /// Takes the upload lease for a chunk starting at `offset`: only when that is exactly the
    /// bytes received, the upload is unfinished and nobody holds a live lease.
    pub async fn lease(
        &self,
        sha256: &str,
        offset: i64,
        lease_id: &str,
        lease_ms: i64,
    ) -> anyhow::Result<bool> {
        let now = now_ms();
        let n = on_write!(self, |pool| {
            sqlx::query(
                "update blobs set lease_id = $1, lease_until_ms = $2
                 where sha256 = $3 and received = $4 and not complete
                   and (lease_id is null or lease_until_ms < $5)",
            )
            .bind(lease_id)
            .bind(now + lease_ms)
            .bind(sha256)
            .bind(offset)
            .bind(now)
            .execute(pool)
            .await
            .context("taking a blob upload lease")?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Records progress and releases the lease (`received` unchanged when a chunk failed).
    /// False when the lease was lost (it expired and another request took it).
    pub async fn release(
        &self,
        sha256: &str,
        lease_id: &str,
        received: i64,
        complete: bool,
    ) -> anyhow::Result<bool> {
        let n = on_write!(self, |pool| {
            sqlx::query(
                "update blobs set received = $1, complete = $2, lease_id = null,
                        lease_until_ms = null
                 where sha256 = $3 and lease_id = $4",
            )
            .bind(received)
            .bind(complete)
            .bind(sha256)
            .bind(lease_id)
            .execute(pool)
            .await
            .context("recording blob upload progress")?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Forgets an upload whose content did not match its hash (the lease holder only).
    pub async fn delete(&self, sha256: &str, lease_id: &str) -> anyhow::Result<()> {
        on_write!(self, |pool| {
            sqlx::query("delete from blobs where sha256 = $1 and lease_id = $2 and not complete")
                .bind(sha256)
                .bind(lease_id)
                .execute(pool)
                .await
                .context("discarding a blob upload")?;
        });
        Ok(())
    }

    /// A complete blob the caller may download: one that a visit they may see references,
    /// through an attachment added by a device of the blob's uploader (knowing a hash is not
    /// enough to attach someone else's photo to one's own visit and read it);
    /// through a not-removed attachment (collector: their visits; supervisor: visits of their
    /// team's collectors; admin: their organization's). `None` otherwise, exactly as if absent.
    pub async fn find_for(&self, who: &Session, sha256: &str) -> anyhow::Result<Option<Blob>> {
        let sql = format!(
            "select {COLUMNS} from blobs b
             where b.sha256 = $1 and b.complete and exists (
                 select 1 from visit_attachments va
                 join visits v on v.id = va.visit_id {VISIT_OWNER}
                 join devices ad on ad.id = va.added_device
                 where va.sha256 = b.sha256 and not va.removed and ad.user_id = b.uploader_id
                   and {SCOPE})"
        );
        Ok(on_read!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(sha256)
                .bind(who.org_id.to_string())
                .bind(who.role.as_str())
                .bind(who.team_id.map(|t| t.to_string()))
                .bind(who.user_id.to_string())
                .fetch_optional(pool)
                .await
                .context("reading a visible blob")?
        }))
    }
}
