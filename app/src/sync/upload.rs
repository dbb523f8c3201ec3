//! Uploading the blobs of attachments during a sync: resumable, in chunks, each resumed where
//! the server's status says it stopped.

use crate::error::{Error, Result};
use crate::store::attachments;
use crate::sync::driver::{Driver, SyncReport};

/// Bytes per attachment upload request: small enough to resume cheaply on a weak network.
const BLOB_CHUNK: usize = 512 * 1024;

impl Driver<'_> {
    /// Uploads the blobs of attachments, resuming each where the server's status says.
    pub(super) fn upload(&mut self, report: &mut SyncReport) -> Result<()> {
        let pending = self.with(|s| attachments::pending(&s.conn))?;
        for blob in pending {
            let mut status = self.retry(|| self.api.blob_status(&blob.sha256))?;
            if !status.complete {
                let bytes = self.blobs.get(&blob.sha256)?;
                while !status.complete {
                    let start = usize::try_from(status.received)
                        .unwrap_or(usize::MAX)
                        .min(bytes.len());
                    let end = (start + BLOB_CHUNK).min(bytes.len());
                    if start == end {
                        return Err(Error::Conflict(format!(
                            "the server holds all {} bytes of attachment {} but not as complete",
                            bytes.len(),
                            blob.attachment_id
                        )));
                    }
                    status = self.retry(|| {
                        self.api.blob_put(
                            &blob.sha256,
                            &blob.media_type,
                            start as u64,
                            blob.bytes,
                            bytes[start..end].to_vec(),
                        )
                    })?;
                }
            }
            self.with(|s| {
                let now = self.now_ms(s);
                attachments::mark_uploaded(&s.conn, &blob.sha256, now)
            })?;
            report.uploaded += 1;
        }
        Ok(())
    }
}
