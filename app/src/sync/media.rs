//! After a pull: the media files (lookup tables, images) of the form versions on the device
//! that it does not hold yet, downloaded one by one, checked against the size and SHA-256 the
//! version lists, and kept encrypted as blobs by that hash. A file the server no longer has
//! (`404`), or whose bytes do not match, is skipped and logged: the form still works, its
//! lookups in that file empty, and the next sync tries again.

use std::collections::HashSet;

use ring::digest::{SHA256, digest};
use terreno_shared::form::media::MAX_MEDIA_BYTES;

use super::driver::{Driver, SyncReport};
use crate::error::{Error, Result};
use crate::store::forms;

impl Driver<'_> {
    /// Downloads the media files the device lacks.
    pub(super) fn fetch_media(&mut self, report: &mut SyncReport) -> Result<()> {
        let files = self.with(|s| forms::list_media(&s.conn))?;
        let mut seen = HashSet::new();
        for (form, file) in files {
            if !seen.insert(file.sha256.clone()) || self.blobs.has(&file.sha256) {
                continue;
            }
            if file.bytes > MAX_MEDIA_BYTES as u64 {
                tracing::warn!(
                    form,
                    file = file.name,
                    "skipped a media file over the limit"
                );
                continue;
            }
            let got = self.retry(|| self.api.form_media(&form, &file.name, MAX_MEDIA_BYTES));
            let bytes = match got {
                Ok(bytes) => bytes,
                Err(Error::Rejected { status: 404, .. }) => {
                    tracing::warn!(form, file = file.name, "the server has no such media file");
                    continue;
                }
                Err(e) => return Err(e),
            };
            let sha = terreno_shared::hex::encode(digest(&SHA256, &bytes).as_ref());
            if sha != file.sha256 {
                tracing::warn!(
                    form,
                    file = file.name,
                    "a media file did not match its hash"
                );
                continue;
            }
            self.blobs.put(&bytes)?;
            report.media += 1;
        }
        Ok(())
    }
}
