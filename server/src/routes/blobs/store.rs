//! The blob files behind `routes::blobs`: chunks streamed into `<uuid>.part` at the offset the
//! row says, fsynced, then on the last byte hashed, renamed to `<uuid>` (directory fsynced) and
//! only then marked complete. Memory stays bounded: bodies are read frame by frame, files are
//! hashed and served in small reads.
//!
//! A crash mid-chunk leaves `received` unchanged (progress is recorded after the fsync); the
//! next chunk truncates the partial file back to it. If the partial file is shorter than
//! `received` (it was lost), the upload restarts at 0. Whatever goes wrong, a wrong byte never
//! becomes a complete blob: the hash check is the last gate.

use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use terreno_shared::api::ErrorCode;

use anyhow::Context;
use axum::body::{Body, HttpBody};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use ring::digest;
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use uuid::Uuid;

use crate::db::blobs::Blob;
use crate::error::{ApiError, ApiResult};
use crate::extract::body_error;
use crate::state::AppState;

use super::request::ChunkRange;

/// How long a chunk may take before another request may take over the upload.
const LEASE_MS: i64 = 10 * 60 * 1000;

/// Where an upload stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BlobStatus {
    /// The blob's SHA-256 (lower-case hex).
    pub sha256: String,
    /// Bytes received so far: the next chunk starts here.
    pub received: i64,
    /// Whole size, once an upload started.
    pub bytes: Option<i64>,
    /// Whether the blob arrived whole and matched its hash.
    pub complete: bool,
}

impl BlobStatus {
    /// The status of a hash, from its row if any.
    pub fn of(sha256: &str, blob: Option<&Blob>) -> BlobStatus {
        BlobStatus {
            sha256: sha256.to_owned(),
            received: blob.map_or(0, |b| b.received),
            bytes: blob.map(|b| b.bytes),
            complete: blob.is_some_and(|b| b.complete),
        }
    }
}

fn wrong_offset(expected: i64, got: u64) -> ApiError {
    ApiError::Conflict {
        code: ErrorCode::WrongOffset,
        message: format!("the chunk starts at byte {got} but the server expects offset {expected}"),
    }
}

fn part_path(dir: &Path, blob: &Blob) -> PathBuf {
    dir.join(format!("{}.part", blob.stored_name))
}

/// Stores one chunk and, when it is the last, verifies and completes the blob.
// Long: the chunk's checks, write and completion in the order the protocol runs them.
pub async fn upload(
    state: &AppState,
    uploader: terreno_shared::ids::UserId,
    sha256: &str,
    range: ChunkRange,
    media_type: &str,
    body: Body,
) -> ApiResult<BlobStatus> {
    let max = state.config.max_blob_bytes;
    if range.total > max {
        return Err(ApiError::TooLarge(format!(
            "the blob has {} bytes; attachments may have at most {max}",
            range.total
        )));
    }
    let total = i64::try_from(range.total).context("blob size")?;
    let db = &state.db;
    let blob = match db.blobs().find(sha256).await? {
        Some(b) => b,
        None if range.start != 0 => return Err(wrong_offset(0, range.start)),
        None => {
            db.blobs()
                .insert(sha256, total, media_type, uploader)
                .await?
        }
    };
    if blob.complete {
        return Ok(BlobStatus::of(sha256, Some(&blob)));
    }
    if blob.bytes != total {
        return Err(ApiError::Conflict {
            code: ErrorCode::WrongTotal,
            message: format!(
                "this upload was started with {} bytes in all, not {total}",
                blob.bytes
            ),
        });
    }
    if range.start != blob.received as u64 {
        return Err(wrong_offset(blob.received, range.start));
    }
    let lease = Uuid::now_v7().to_string();
    if !db
        .blobs()
        .lease(sha256, blob.received, &lease, LEASE_MS)
        .await?
    {
        return Err(lease_refused(state, sha256, range.start).await);
    }
    let written = write_chunk(&state.config.blob_dir, &blob, range, body).await;
    let received = match written {
        Ok(end) => end as i64,
        Err(e) => {
            if blob.received == 0 {
                let _ = tokio::fs::remove_file(part_path(&state.config.blob_dir, &blob)).await;
                db.blobs().delete(sha256, &lease).await?;
            } else {
                db.blobs()
                    .release(sha256, &lease, blob.received, false)
                    .await?;
            }
            return Err(e);
        }
    };
    let complete = received == total;
    if complete {
        finish(state, &blob, &lease).await?;
    }
    if !db
        .blobs()
        .release(sha256, &lease, received, complete)
        .await?
    {
        return Err(ApiError::Conflict {
            code: ErrorCode::UploadInProgress,
            message: "the chunk took too long and another upload took over: ask the status \
                      and resume"
                .into(),
        });
    }
    let blob = db.blobs().find(sha256).await?;
    Ok(BlobStatus::of(sha256, blob.as_ref()))
}

/// Why the lease was refused: a concurrent chunk moved the offset, or is still being written.
async fn lease_refused(state: &AppState, sha256: &str, start: u64) -> ApiError {
    match state.db.blobs().find(sha256).await {
        Ok(Some(b)) if b.received as u64 != start || b.complete => wrong_offset(b.received, start),
        Ok(_) => ApiError::Conflict {
            code: ErrorCode::UploadInProgress,
            message: "another chunk of this blob is being uploaded: retry after it".into(),
        },
        Err(e) => e.into(),
    }
}

/// Writes the body at `range.start` of the partial file; returns the new received count.
async fn write_chunk(dir: &Path, blob: &Blob, range: ChunkRange, body: Body) -> ApiResult<u64> {
    tokio::fs::create_dir_all(dir)
        .await
        .with_context(|| format!("creating the blob directory {}", dir.display()))?;
    let path = part_path(dir, blob);
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(&path)
        .await
        .with_context(|| format!("opening {}", path.display()))?;
    let on_disk = file
        .metadata()
        .await
        .context("reading a partial blob")?
        .len();
    if on_disk < range.start {
        // The partial file lost bytes the row counts (restored from a backup, deleted): the
        // upload cannot resume, so it starts over.
        file.set_len(0).await.context("resetting a partial blob")?;
        return Err(wrong_offset(0, range.start));
    }
    file.set_len(range.start)
        .await
        .context("truncating a partial blob")?;
    file.seek(SeekFrom::Start(range.start))
        .await
        .context("seeking in a partial blob")?;
    let limit = range.end.unwrap_or(range.total);
    let end = copy_body(body, &mut file, range.start, limit).await?;
    if range.end.is_some_and(|e| e != end) {
        return Err(ApiError::bad_request(format!(
            "the body has {} bytes but Content-Range announces {}",
            end - range.start,
            limit - range.start
        )));
    }
    file.sync_data().await.context("syncing a partial blob")?;
    Ok(end)
}

/// Streams a request body into `file`, refusing bytes past `limit`; returns the end offset.
async fn copy_body(
    mut body: Body,
    file: &mut tokio::fs::File,
    mut pos: u64,
    limit: u64,
) -> ApiResult<u64> {
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        let frame = frame.map_err(|e| body_error(e.to_string()))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        pos += data.len() as u64;
        if pos > limit {
            return Err(ApiError::bad_request(format!(
                "the chunk runs past byte {limit} that its range announces"
            )));
        }
        file.write_all(&data)
            .await
            .context("writing a partial blob")?;
    }
    Ok(pos)
}

/// Checks the whole partial file against its hash; on a match makes it the durable blob file,
/// on a mismatch discards file and row.
async fn finish(state: &AppState, blob: &Blob, lease: &str) -> ApiResult<()> {
    let dir = &state.config.blob_dir;
    let part = part_path(dir, blob);
    let actual = sha256_file(&part).await?;
    if actual != blob.sha256 {
        let _ = tokio::fs::remove_file(&part).await;
        state.db.blobs().delete(&blob.sha256, lease).await?;
        return Err(ApiError::Invalid(format!(
            "the uploaded content has SHA-256 {actual}, not {}; the upload was discarded: \
             upload it again from offset 0",
            blob.sha256
        )));
    }
    tokio::fs::rename(&part, dir.join(&blob.stored_name))
        .await
        .context("completing a blob file")?;
    // The rename is durable only once the directory entry is.
    let dir = dir.clone();
    tokio::task::spawn_blocking(move || std::fs::File::open(&dir).and_then(|d| d.sync_all()))
        .await
        .context("syncing the blob directory")?
        .context("syncing the blob directory")?;
    Ok(())
}

async fn sha256_file(path: &Path) -> ApiResult<String> {
    let mut file = tokio::fs::File::open(path)
        .await
        .with_context(|| format!("opening {}", path.display()))?;
    let mut ctx = digest::Context::new(&digest::SHA256);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).await.context("hashing a blob")?;
        if n == 0 {
            break;
        }
        ctx.update(&buf[..n]);
    }
    Ok(ctx
        .finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The blob's bytes as a streamed response. Served as a download that browsers must not
/// sniff or render in the API's origin, whatever media type the uploader claimed.
pub async fn stream(dir: &Path, blob: &Blob) -> ApiResult<Response> {
    let path = dir.join(&blob.stored_name);
    let file = tokio::fs::File::open(&path)
        .await
        .with_context(|| format!("opening the blob file {}", path.display()))?;
    let mut resp = Response::new(Body::from_stream(tokio_util::io::ReaderStream::new(file)));
    let h = resp.headers_mut();
    let value = |s: &str| HeaderValue::from_str(s).context("a blob header");
    h.insert(header::CONTENT_TYPE, value(&blob.media_type)?);
    h.insert(header::CONTENT_LENGTH, value(&blob.bytes.to_string())?);
    h.insert(header::ETAG, value(&format!("\"{}\"", blob.sha256))?);
    h.insert(header::CONTENT_DISPOSITION, value("attachment")?);
    h.insert(header::X_CONTENT_TYPE_OPTIONS, value("nosniff")?);
    h.insert(
        header::CACHE_CONTROL,
        value("private, max-age=31536000, immutable")?,
    );
    Ok(resp)
}
