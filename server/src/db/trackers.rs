//! Trackers: OsmAnd senders (an unmodified Traccar Client) registered by the identifier they
//! send, for one collector. Such a sender has no key and cannot enroll, so the server writes
//! its log: each accepted position becomes the next `fix` event of the tracker's device,
//! stamped by the server's clock, hash-chained like any log but unsigned (no
//! `batch_signatures` row; the device row has no public key). It then goes through the same
//! store and projection as a pushed batch (fixes, last position, track filter on read); writing
//! that log is `crate::sync::tracker`'s, this file is the registry.
//!
//! Owns the `tracker_ident` column of `devices`; the rows are ordinary devices otherwise
//! (listed, revoked the same way).

use anyhow::Context;
use terreno_shared::ids::{DeviceId, OrgId, TeamId};
use terreno_shared::model::{Role, Username};
use uuid::Uuid;

use super::devices::DeviceRecord;
use super::now_ms;
use super::portfolio::RouteEditError;
use crate::{on_read, on_write};

/// Longest tracker identifier accepted (Traccar's identifiers are short; IMEIs are 15 digits).
pub const MAX_IDENT_CHARS: usize = 128;

area! {
    /// GPS trackers (devices without a user) and their fixes.
    Trackers, trackers
}

impl Trackers<'_> {
    /// Registers `ident` as a tracker of collector `username` of `org` (of `only_team` for a
    /// supervisor). The identifier is unique across the server.
    // Long: validation, the collector lookup and the insert, in order, inside one call.
    pub async fn add(
        &self,
        org: OrgId,
        username: &Username,
        ident: &str,
        only_team: Option<TeamId>,
    ) -> Result<DeviceId, RouteEditError> {
        let ident = ident.trim();
        if ident.is_empty()
            || ident.chars().count() > MAX_IDENT_CHARS
            || ident.chars().any(char::is_control)
        {
            return Err(RouteEditError::Invalid(format!(
                "a tracker identifier has 1 to {MAX_IDENT_CHARS} printable characters"
            )));
        }
        let user: Option<(String, String, Option<String>, bool)> = on_read!(self, |pool| {
            sqlx::query_as(
                "select id, role, team_id, active from users where org_id = $1 and username = $2",
            )
            .bind(org.to_string())
            .bind(username.as_str())
            .fetch_optional(pool)
            .await
            .context("looking up the collector")?
        });
        // Another team's collector is as unknown to a supervisor as another organization's.
        let user = user.filter(|(_, _, team, _)| {
            only_team.is_none_or(|t| team.as_deref() == Some(t.to_string().as_str()))
        });
        let Some((user_id, role, _, active)) = user else {
            return Err(RouteEditError::NotFound(format!(
                "there is no collector named {username} in your teams"
            )));
        };
        if role != Role::Collector.as_str() || !active {
            return Err(RouteEditError::Invalid(format!(
                "{username} is not an active collector"
            )));
        }
        let id = DeviceId::from_uuid(Uuid::now_v7());
        let result = on_write!(self, |pool| {
            sqlx::query(
                "insert into devices (id, user_id, public_key, label, enrolled_ms, tracker_ident)
                 values ($1, $2, '', $3, $4, $5)",
            )
            .bind(id.to_string())
            .bind(&user_id)
            .bind(format!("tracker {ident}"))
            .bind(now_ms())
            .bind(ident)
            .execute(pool)
            .await
            .map(|_| ())
        });
        match result {
            Ok(_) => Ok(id),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(RouteEditError::Invalid(format!(
                    "tracker identifier {ident} is already registered"
                )))
            }
            Err(e) => Err(anyhow::Error::from(e)
                .context("registering a tracker")
                .into()),
        }
    }

    /// The tracker registered under `ident`, revoked or not.
    pub async fn find(&self, ident: &str) -> anyhow::Result<Option<DeviceRecord>> {
        let id: Option<String> = on_read!(self, |pool| {
            sqlx::query_scalar("select id from devices where tracker_ident = $1")
                .bind(ident.trim())
                .fetch_optional(pool)
                .await
                .context("looking up a tracker")?
        });
        match id {
            Some(id) => {
                self.devices()
                    .find(id.parse().context("stored device id")?)
                    .await
            }
            None => Ok(None),
        }
    }
}

impl Trackers<'_> {
    /// Keeps the extra keys of a tracker's report beside its stored fix.
    pub async fn set_fix_attributes(
        &self,
        device: DeviceId,
        seq: u64,
        attributes: &std::collections::BTreeMap<String, String>,
    ) -> anyhow::Result<()> {
        if attributes.is_empty() {
            return Ok(());
        }
        let json = serde_json::to_string(attributes).context("encoding attributes")?;
        on_write!(self, |pool| {
            sqlx::query("update fixes set attributes = $1 where device_id = $2 and seq = $3")
                .bind(&json)
                .bind(device.to_string())
                .bind(i64::try_from(seq).unwrap_or(i64::MAX))
                .execute(pool)
                .await
                .context("storing a report's attributes")?;
        });
        Ok(())
    }
}
