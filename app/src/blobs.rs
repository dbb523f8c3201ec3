//! Attachment bytes on the device: one file per content hash under `blobs/` in the data
//! directory, encrypted with AES-256-GCM (a photo of a debtor's house or receipt is personal
//! data, and a lost phone must not give it away). The key is derived from the database key, so
//! whoever can open the database can read its photos and nobody else can. File layout:
//! 12-byte random nonce, then the sealed bytes; the content hash is of the plaintext.

use std::fs;
use std::path::{Path, PathBuf};

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::digest::{SHA256, digest};
use ring::hkdf::{HKDF_SHA256, Salt};

use crate::error::{Context, Error, Result};

/// Largest attachment accepted (a phone photo is 2-8 MB).
pub const MAX_BLOB_BYTES: u64 = 25 * 1024 * 1024;

/// The encrypted blob folder.
pub(crate) struct Blobs {
    dir: PathBuf,
    key: LessSafeKey,
}

impl Blobs {
    pub(crate) fn new(dir: PathBuf, db_key: &[u8; 32]) -> Result<Blobs> {
        let prk = Salt::new(HKDF_SHA256, b"terreno blobs v1").extract(db_key);
        let okm = prk
            .expand(&[b"aes-256-gcm"], &AES_256_GCM)
            .map_err(|_| Error::corrupt("deriving the attachment key", "hkdf failed"))?;
        let mut raw = [0u8; 32];
        okm.fill(&mut raw)
            .map_err(|_| Error::corrupt("deriving the attachment key", "hkdf failed"))?;
        let key = UnboundKey::new(&AES_256_GCM, &raw)
            .map_err(|_| Error::corrupt("deriving the attachment key", "bad key"))?;
        Ok(Blobs {
            dir,
            key: LessSafeKey::new(key),
        })
    }

    fn path(&self, sha256: &str) -> PathBuf {
        self.dir.join(sha256)
    }

    /// Stores `bytes` (idempotent: the same content is one file); returns its SHA-256 hex.
    pub(crate) fn put(&self, bytes: &[u8]) -> Result<String> {
        let sha = terreno_shared::hex::encode(digest(&SHA256, bytes).as_ref());
        let path = self.path(&sha);
        if path.exists() {
            return Ok(sha);
        }
        crate::keys::ensure_private_dir(&self.dir)?;
        let nonce_bytes: [u8; 12] = crate::keys::random32()?[..12]
            .try_into()
            .expect("12 of 32 bytes");
        let mut sealed = bytes.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(sha.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| Error::corrupt("encrypting an attachment", "sealing failed"))?;
        let mut file = nonce_bytes.to_vec();
        file.extend_from_slice(&sealed);
        let tmp = path.with_extension("tmp");
        fs::write(&tmp, &file).context("writing an attachment")?;
        fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .context("writing an attachment")?;
        fs::rename(&tmp, &path).context("writing an attachment")?;
        Ok(sha)
    }

    /// The plaintext of a stored blob, checked against its hash.
    pub(crate) fn get(&self, sha256: &str) -> Result<Vec<u8>> {
        let what = format!("reading attachment {sha256}");
        let file = fs::read(self.path(sha256)).context(&what)?;
        if file.len() < 12 {
            return Err(Error::corrupt(&what, "truncated"));
        }
        let (nonce, sealed) = file.split_at(12);
        let mut buf = sealed.to_vec();
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| Error::corrupt(&what, "bad nonce"))?;
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(sha256.as_bytes()), &mut buf)
            .map_err(|_| {
                Error::corrupt(
                    &what,
                    "it does not decrypt (altered, or another device's key)",
                )
            })?;
        Ok(plain.to_vec())
    }

    /// Whether the blob is stored.
    pub(crate) fn has(&self, sha256: &str) -> bool {
        self.path(sha256).exists()
    }

    /// Deletes one blob's file (after the retention).
    pub(crate) fn remove(&self, sha256: &str) {
        let _ = fs::remove_file(self.path(sha256));
    }

    /// Deletes every blob (a wipe or a new enrollment).
    pub(crate) fn remove_all(dir: &Path) {
        let _ = fs::remove_dir_all(dir);
    }
}

/// The media type of a photo file by its extension.
pub(crate) fn media_type(path: &Path) -> Result<&'static str> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("jpg" | "jpeg") => Ok("image/jpeg"),
        Some("png") => Ok("image/png"),
        Some("webp") => Ok("image/webp"),
        Some("heic") => Ok("image/heic"),
        _ => Err(Error::Invalid(format!(
            "{}: a photo must be a .jpg, .jpeg, .png, .webp or .heic file",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_is_stored_encrypted_and_read_back_only_with_its_key() {
        let dir = std::env::temp_dir().join(format!("terreno-blobs-{}", uuid::Uuid::now_v7()));
        let blobs = Blobs::new(dir.clone(), &[3; 32]).unwrap();
        let photo = b"\xff\xd8\xff\xe0 a photo of the door at Calle 10 # 7-50".to_vec();
        let sha = blobs.put(&photo).unwrap();
        assert_eq!(blobs.put(&photo).unwrap(), sha, "same content, same file");
        let on_disk = fs::read(dir.join(&sha)).unwrap();
        assert!(
            !on_disk.windows(9).any(|w| w == b"Calle 10 "),
            "no plaintext on disk"
        );
        assert_eq!(blobs.get(&sha).unwrap(), photo);
        let other = Blobs::new(dir.clone(), &[4; 32]).unwrap();
        assert!(other.get(&sha).is_err());
        fs::remove_dir_all(dir).unwrap();
    }
}
