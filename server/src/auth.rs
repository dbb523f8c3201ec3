//! Secrets: opaque bearer tokens (256 random bits, stored only as SHA-256) and argon2id
//! password hashes.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted, in bytes (hashing cost grows with length).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A new token: 32 random bytes as 64 hex digits.
pub fn new_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| anyhow::anyhow!("the system random generator failed"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// What the database stores for a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    digest::digest(&digest::SHA256, token.as_bytes())
        .as_ref()
        .to_vec()
}

/// Letters and digits of temporary passwords: lower case, without look-alikes (`0 o 1 l i`),
/// because a supervisor reads them out or writes them down for the collector.
const TEMPORARY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A one-time password for a new or locked-out user: 12 random characters of
/// [`TEMPORARY_ALPHABET`] (about 59 bits) in groups of four, `abcd-efgh-jkmn`.
pub fn temporary_password() -> anyhow::Result<String> {
    // Bytes at or past the largest multiple of the alphabet's size are dropped, so every
    // character is equally likely.
    let limit = (256 / TEMPORARY_ALPHABET.len() * TEMPORARY_ALPHABET.len()) as u8;
    let rng = SystemRandom::new();
    let mut chars = Vec::with_capacity(12);
    while chars.len() < 12 {
        let mut bytes = [0u8; 32];
        rng.fill(&mut bytes)
            .map_err(|_| anyhow::anyhow!("the system random generator failed"))?;
        chars.extend(
            bytes
                .iter()
                .filter(|b| **b < limit)
                .map(|b| TEMPORARY_ALPHABET[usize::from(*b) % TEMPORARY_ALPHABET.len()] as char)
                .take(12 - chars.len()),
        );
    }
    let groups: Vec<String> = chars.chunks(4).map(|g| g.iter().collect()).collect();
    Ok(groups.join("-"))
}

/// Checks a new password's length, with a message saying what is wrong.
pub fn check_new_password(password: &str) -> anyhow::Result<()> {
    if password.is_empty() {
        anyhow::bail!("the password is empty");
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        anyhow::bail!("the password is too short: use at least {MIN_PASSWORD_CHARS} characters");
    }
    if password.len() > MAX_PASSWORD_BYTES {
        anyhow::bail!("the password is too long: use at most {MAX_PASSWORD_BYTES} bytes");
    }
    Ok(())
}

/// The argon2id PHC string of a password, with a random salt. Runs on the blocking pool:
/// hashing takes tens of milliseconds on purpose and must not stall the executor.
/// Argon2 computations allowed at once. Each takes ~19 MiB and tens of milliseconds of CPU;
/// without a bound a flood of logins would run hundreds at once (tokio's blocking pool) and
/// exhaust memory. Further requests wait their turn, costing only a parked future each. A
/// process-wide limit because what it protects — the machine's cores and memory — is too.
static ARGON2_PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

pub async fn hash_password(password: String) -> anyhow::Result<String> {
    let _permit = ARGON2_PERMITS.acquire().await?;
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|e| anyhow::anyhow!("the password hashing task failed: {e}"))?
}

fn hash_now(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// Whether `password` matches `hash`. Without a hash (unknown or invited user) a dummy one is
/// checked, so the answer takes as long either way and does not tell which accounts exist.
/// A password longer than [`MAX_PASSWORD_BYTES`] never matches (none can be set).
pub async fn verify_password(password: String, hash: Option<String>) -> anyhow::Result<bool> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Ok(false);
    }
    let _permit = ARGON2_PERMITS.acquire().await?;
    tokio::task::spawn_blocking(move || {
        let hash = match hash {
            Some(h) => h,
            None => dummy_hash()?.to_owned(),
        };
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok();
        Ok(matches && !password.is_empty())
    })
    .await
    .map_err(|e| anyhow::anyhow!("the password check task failed: {e}"))?
}

fn dummy_hash() -> anyhow::Result<&'static str> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h);
    }
    let h = hash_now(&new_token()?)?;
    Ok(DUMMY.get_or_init(|| h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_random_bits_and_hash_to_32_bytes() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 32);
        assert_eq!(token_hash(&a), token_hash(&a));
    }

    #[tokio::test]
    async fn a_password_verifies_against_its_salted_argon2id_hash_only() {
        let h1 = hash_password("correct horse".into()).await.unwrap();
        let h2 = hash_password("correct horse".into()).await.unwrap();
        assert!(h1.starts_with("$argon2id$"), "{h1}");
        assert_ne!(h1, h2, "each hash has its own salt");
        assert!(
            verify_password("correct horse".into(), Some(h1.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify_password("wrong horse".into(), Some(h1))
                .await
                .unwrap()
        );
        assert!(!verify_password("correct horse".into(), None).await.unwrap());
    }

    #[test]
    fn temporary_passwords_are_random_readable_and_pass_the_policy() {
        let (a, b) = (temporary_password().unwrap(), temporary_password().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 14, "{a}");
        assert!(a.split('-').all(|g| g.len() == 4), "{a}");
        assert!(!a.contains(['0', 'o', '1', 'l', 'i']), "{a}");
        check_new_password(&a).unwrap();
    }

    #[test]
    fn new_passwords_must_have_at_least_eight_characters() {
        assert!(
            check_new_password("")
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        let short = check_new_password("seven77").unwrap_err().to_string();
        assert!(short.contains("at least 8"), "{short}");
        assert!(check_new_password("eight888").is_ok());
        assert!(
            check_new_password("ñandú-ñu").is_ok(),
            "characters, not bytes"
        );
        assert!(check_new_password(&"x".repeat(2000)).is_err());
    }
}
