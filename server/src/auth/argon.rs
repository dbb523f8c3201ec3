//! Argon2id hashing into memory the caller owns. The `argon2` crate's own `hash_password` and
//! `verify_password` allocate (and free) 19 MiB per call; under a login storm glibc keeps the
//! freed memory, so the process stayed at its peak. Here the caller lends one buffer per worker
//! ([`super::hasher`] keeps them), so hashing memory is fixed. No threads or I/O here.

use anyhow::{Context, bail};
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{ARGON2ID_IDENT, Algorithm, Argon2, Block, Params, Version};

/// The memory one hash with the default parameters needs, in 1 KiB blocks (19 MiB).
pub const DEFAULT_BLOCKS: usize = Params::DEFAULT.block_count();

/// The most memory a stored hash may ask for (256 MiB): every hash stored is ours and uses
/// the defaults, so a larger one is a damaged row, not a reason to allocate gigabytes.
const MAX_BLOCKS: usize = 256 * 1024;

/// Salt bytes of a new hash (the size the `argon2` crate recommends).
pub const SALT_BYTES: usize = 16;

/// The argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of `password` with
/// the default parameters, as `argon2`'s own `hash_password` writes it.
pub fn hash(password: &[u8], salt: &[u8], memory: &mut Vec<Block>) -> anyhow::Result<String> {
    let params = Params::DEFAULT;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let version = Version::V0x13;
    compute(
        Algorithm::Argon2id,
        version,
        &params,
        (password, salt),
        &mut out,
        memory,
    )?;
    let phc = PasswordHash {
        algorithm: ARGON2ID_IDENT,
        version: Some(version.into()),
        params: ParamsString::try_from(&params).context("writing the hash parameters")?,
        salt: Some(Salt::new(salt).context("a salt of the wrong size")?),
        hash: Some(Output::new(&out).context("a hash of the wrong size")?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored` (any Argon2 variant and parameters up to
/// [`MAX_BLOCKS`]); the comparison takes the same time wherever the hashes differ.
pub fn verify(password: &[u8], stored: &str, memory: &mut Vec<Block>) -> anyhow::Result<bool> {
    let phc = PasswordHash::new(stored).context("reading a stored password hash")?;
    let algorithm = Algorithm::new(phc.algorithm).context("the stored hash's algorithm")?;
    let version = match phc.version {
        Some(v) => Version::try_from(v).context("the stored hash's Argon2 version")?,
        None => Version::default(),
    };
    let params = Params::try_from(&phc).context("the stored hash's parameters")?;
    let (Some(salt), Some(expected)) = (phc.salt, phc.hash) else {
        bail!("the stored password hash has no salt or no hash");
    };
    let mut out = [0u8; Output::MAX_LENGTH];
    let out = &mut out[..expected.len()];
    compute(
        algorithm,
        version,
        &params,
        (password, salt.as_ref()),
        out,
        memory,
    )?;
    // `Output`'s equality is constant-time.
    Ok(Output::new(out).context("a hash of the wrong size")? == expected)
}

/// The work of a check against a default-parameter hash, for a login without one (unknown
/// user, invited user): the answer must take as long as for an account that exists.
pub fn spend(password: &[u8], memory: &mut Vec<Block>) -> anyhow::Result<()> {
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(
        Algorithm::Argon2id,
        Version::V0x13,
        &Params::DEFAULT,
        (password, b"terreno-no-account"),
        &mut out,
        memory,
    )
}

/// Hashes into `out`, growing `memory` only if `params` need more than it holds (never for
/// the defaults once it has [`DEFAULT_BLOCKS`]).
fn compute(
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    (password, salt): (&[u8], &[u8]),
    out: &mut [u8],
    memory: &mut Vec<Block>,
) -> anyhow::Result<()> {
    let blocks = params.block_count();
    if blocks > MAX_BLOCKS {
        bail!("the stored password hash asks for {blocks} KiB of memory, over the limit");
    }
    if memory.len() < blocks {
        memory.resize(blocks, Block::new());
    }
    Argon2::new(algorithm, version, params.clone())
        .hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
        .map_err(|e| anyhow::anyhow!("computing an Argon2 hash: {e}"))
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    use super::*;

    #[test]
    fn hashes_made_by_the_argon2_crate_verify_in_a_reused_buffer_and_vice_versa() {
        let stock = argon2::Argon2::default()
            .hash_password(b"correct horse")
            .unwrap()
            .to_string();
        // A buffer left dirty by another hash: Argon2 must not depend on its contents.
        let mut memory = Vec::new();
        let ours = hash(b"correct horse", b"0123456789abcdef", &mut memory).unwrap();

        assert!(verify(b"correct horse", &stock, &mut memory).unwrap());
        assert!(!verify(b"wrong horse", &stock, &mut memory).unwrap());
        assert_eq!(
            memory.len(),
            DEFAULT_BLOCKS,
            "the buffer is reused, not grown"
        );
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        assert!(
            argon2::Argon2::default()
                .verify_password(b"correct horse", ours.as_str())
                .is_ok()
        );
    }

    #[test]
    fn a_damaged_or_greedy_stored_hash_is_an_error_not_a_match() {
        let mut memory = Vec::new();
        assert!(verify(b"x", "not a hash", &mut memory).is_err());
        let greedy = "$argon2id$v=19$m=4194304,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$\
                      AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        let err = verify(b"x", greedy, &mut memory).unwrap_err().to_string();
        assert!(err.contains("over the limit"), "{err}");
        assert!(memory.is_empty(), "nothing was allocated for it");
    }
}
