//! The failed-login policy, over a one-minute window of attempts kept by `db::logins`:
//!
//! - Every attempt is counted before its password is checked (so guesses sent in parallel all
//!   count) and stays counted unless it succeeds; refused attempts count too, so a script
//!   hammering away stays refused until it pauses.
//! - Per address: past `max_failed_logins_per_address_per_minute` attempts from one address
//!   (any usernames), everything from it gets 429, the right password included.
//! - Per account: past `max_failed_logins_per_minute` attempts on one username (any
//!   addresses), attempts get 429 — except from an address with no other attempt in the window:
//!   its one try is checked, so whoever locks an account out does not lock its owner out. A
//!   wrong password there uses that address's try for the minute.
//! - Past [`OPEN_ADDRESS_CEILING`] times the account limit (a guessing attack from many
//!   addresses), even fresh addresses get 429 until the attack slows down.

use terreno_shared::model::Username;

use crate::config::Config;
use crate::db::{Db, now_ms};
use crate::error::{ApiError, ApiResult};

/// The window attempts are counted over.
pub const WINDOW_MS: i64 = 60_000;

/// How many times the account limit an account may see in a window before fresh addresses
/// are refused too: a few owners may get in during an attack from one place, while an attack
/// from thousands of addresses still gets only this many guesses a minute.
pub const OPEN_ADDRESS_CEILING: u32 = 10;

/// Counts a login attempt of `name` from `client` and decides whether its password may be
/// checked: `Ok` to go on, 429 with the seconds until a retry can succeed otherwise.
pub async fn admit(db: &Db, config: &Config, name: &Username, client: &str) -> ApiResult<()> {
    let since = now_ms() - WINDOW_MS;
    db.sessions()
        .insert_failure(name.as_str(), client, since)
        .await?;
    let from_client = db.sessions().recent_failures_from(client, since).await?;
    if let Some(secs) = over(
        &from_client,
        config.max_failed_logins_per_address_per_minute,
    ) {
        return Err(too_many(
            format!(
                "too many failed logins from your address in the last minute: try again in {secs} s"
            ),
            secs,
        ));
    }
    let per_account = config.max_failed_logins_per_minute;
    // The attempt under way is among the address's: alone, the address has not failed.
    let limit = if from_client.len() <= 1 {
        per_account.saturating_mul(OPEN_ADDRESS_CEILING)
    } else {
        per_account
    };
    let for_name = db.sessions().recent_failures(name.as_str(), since).await?;
    if let Some(secs) = over(&for_name, limit) {
        return Err(too_many(
            format!("too many failed logins for {name} in the last minute: try again in {secs} s"),
            secs,
        ));
    }
    Ok(())
}

/// After a successful login: forgets the account's attempts from this address (those from
/// elsewhere stay, so whoever is guessing there stays limited).
pub async fn forget(db: &Db, name: &Username, client: &str) -> ApiResult<()> {
    Ok(db.sessions().clear_failures(name.as_str(), client).await?)
}

/// `Some(seconds until enough attempts age out)` when `times` (oldest first, the attempt under
/// way included) holds more than `max` of them.
fn over(times: &[i64], max: u32) -> Option<u64> {
    let max = usize::try_from(max.max(1)).unwrap_or(usize::MAX);
    if times.len() <= max {
        return None;
    }
    let unlocks_ms = times[times.len() - max] + WINDOW_MS;
    let wait_ms = u64::try_from(unlocks_ms - now_ms()).unwrap_or(0).max(1);
    Some(wait_ms.div_ceil(1000))
}

fn too_many(message: String, retry_after_secs: u64) -> ApiError {
    ApiError::TooManyRequests {
        message,
        retry_after_secs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_to_the_limit_passes_and_past_it_the_wait_is_until_the_oldest_needed_ages_out() {
        let now = now_ms();
        let times: Vec<i64> = (0..4).map(|i| now - 50_000 + i * 1000).collect();

        assert_eq!(over(&times, 4), None);
        let secs = over(&times, 3).unwrap();
        // The second-oldest (49 s ago) must age out: about 11 s.
        assert!((10..=12).contains(&secs), "{secs}");
        assert_eq!(
            over(&[], 0),
            None,
            "a zero limit still lets one attempt through"
        );
    }
}
