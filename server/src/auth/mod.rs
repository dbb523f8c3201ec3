//! Secrets: opaque bearer tokens (256 random bits, stored only as SHA-256), argon2id password
//! hashes ([`hasher`]: bounded, off the async executor, in reused memory), the client address
//! a login comes from ([`client`]) and the failed-login policy ([`limit`]).

mod argon;
pub mod client;
pub mod hasher;
pub mod limit;

use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};

pub use client::ClientAddr;
pub use hasher::{HashError, Hasher};

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

/// The argon2id PHC string of a password, with a random salt, on the process's
/// [`Hasher::shared`] (the command line and tests; request handlers use the state's hasher).
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    Ok(Hasher::shared().hash(password).await?)
}

/// Whether `password` matches `hash` ([`Hasher::verify`]), on [`Hasher::shared`].
pub async fn verify_password(password: String, hash: Option<String>) -> anyhow::Result<bool> {
    Ok(Hasher::shared().verify(password, hash).await?)
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
