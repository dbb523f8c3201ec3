//! Secrets of the data directory on desktop: the database key and the device's Ed25519 seed,
//! each a file readable by its owner only (the mobile shell keeps them in the platform keystore
//! instead and passes them in). Written atomically, so a crash never leaves half a key.

use std::fs;
use std::io::Write;
use std::path::Path;

use ring::rand::{SecureRandom, SystemRandom};

use crate::error::{Context, Error, Result};

/// 32 random bytes from the operating system.
pub(crate) fn random32() -> Result<[u8; 32]> {
    let mut out = [0u8; 32];
    SystemRandom::new().fill(&mut out).map_err(|_| {
        Error::storage(
            "drawing random bytes",
            std::io::Error::other("the system random source failed"),
        )
    })?;
    Ok(out)
}

/// Reads a 32-byte secret stored as hex, creating it when absent.
pub(crate) fn load_or_create(path: &Path) -> Result<[u8; 32]> {
    if let Some(key) = load(path)? {
        return Ok(key);
    }
    let key = random32()?;
    store(path, &key)?;
    Ok(key)
}

/// Reads a 32-byte hex secret, `None` when the file does not exist.
pub(crate) fn load(path: &Path) -> Result<Option<[u8; 32]>> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::storage(format!("reading {}", path.display()), e)),
    };
    terreno_shared::hex::decode::<32>(text.trim())
        .map(Some)
        .ok_or_else(|| Error::corrupt(format!("reading {}", path.display()), "not 64 hex digits"))
}

/// Writes a secret with owner-only permissions (temporary file, fsync, rename).
pub(crate) fn store(path: &Path, key: &[u8; 32]) -> Result<()> {
    let what = format!("writing {}", path.display());
    let tmp = path.with_extension("tmp");
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp).context(&what)?;
    f.write_all(terreno_shared::hex::encode(key).as_bytes())
        .context(&what)?;
    f.sync_all().context(&what)?;
    fs::rename(&tmp, path).context(&what)?;
    Ok(())
}

/// Creates the data directory, owner-only on Unix.
pub(crate) fn ensure_private_dir(dir: &Path) -> Result<()> {
    let what = format!("creating the data directory {}", dir.display());
    fs::create_dir_all(dir).context(&what)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).context(&what)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_created_once_owner_only_and_read_back() {
        let dir = std::env::temp_dir().join(format!("terreno-keys-{}", uuid::Uuid::now_v7()));
        ensure_private_dir(&dir).unwrap();
        let path = dir.join("db.key");
        let a = load_or_create(&path).unwrap();
        let b = load_or_create(&path).unwrap();
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        fs::write(&path, "zz").unwrap();
        assert!(
            load(&path).is_err(),
            "a damaged key file is an error, never replaced"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
