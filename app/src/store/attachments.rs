//! Attachments of visits and their upload state.

use rusqlite::{Connection, params};

use crate::error::{Context, Result};

/// An attachment whose blob the server does not hold yet.
#[derive(Debug, Clone)]
pub(crate) struct PendingBlob {
    pub attachment_id: String,
    pub sha256: String,
    pub media_type: String,
    pub bytes: u64,
}

pub(crate) struct NewAttachment<'a> {
    pub attachment_id: &'a str,
    pub visit_id: &'a str,
    pub sha256: &'a str,
    pub media_type: &'a str,
    pub bytes: u64,
    pub role: &'a str,
    pub created_ms: i64,
}

pub(crate) fn insert(conn: &Connection, a: &NewAttachment<'_>) -> Result<()> {
    conn.execute(
        "insert into attachments (attachment_id, visit_id, sha256, media_type, bytes, role, created_ms) \
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![a.attachment_id, a.visit_id, a.sha256, a.media_type, a.bytes as i64, a.role, a.created_ms],
    )
    .context("recording an attachment")?;
    Ok(())
}

pub(crate) fn pending(conn: &Connection) -> Result<Vec<PendingBlob>> {
    let mut stmt = conn
        .prepare_cached(
            "select attachment_id, sha256, media_type, bytes from attachments where uploaded_ms is null \
             order by created_ms",
        )
        .context("reading attachments to upload")?;
    stmt.query_map([], |r| {
        Ok(PendingBlob {
            attachment_id: r.get(0)?,
            sha256: r.get(1)?,
            media_type: r.get(2)?,
            bytes: r.get::<_, i64>(3)? as u64,
        })
    })
    .context("reading attachments to upload")?
    .collect::<Result<_, _>>()
    .context("reading attachments to upload")
}

pub(crate) fn mark_uploaded(conn: &Connection, sha256: &str, at_ms: i64) -> Result<()> {
    conn.execute(
        "update attachments set uploaded_ms = ?2 where sha256 = ?1 and uploaded_ms is null",
        params![sha256, at_ms],
    )
    .context("recording an upload")?;
    Ok(())
}

pub(crate) fn pending_count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn
        .query_row(
            "select count(*) from attachments where uploaded_ms is null",
            [],
            |r| r.get(0),
        )
        .context("counting attachments to upload")?;
    Ok(n as u64)
}
