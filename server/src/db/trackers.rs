//! Trackers: OsmAnd senders (an unmodified Traccar Client) registered by the identifier they
//! send, for one collector. Such a sender has no key and cannot enroll, so the server writes
//! its log: each accepted position becomes the next `fix` event of the tracker's device,
//! stamped by the server's clock, hash-chained like any log but unsigned (no
//! `batch_signatures` row; the device row has no public key). It then goes through the same
//! store and projection as a pushed batch (fixes, last position, track filter on read).
//!
//! Owns the `tracker_ident` column of `devices`; the rows are ordinary devices otherwise
//! (listed, revoked the same way).

use anyhow::{Context, bail};
use terreno_shared::ids::{DeviceId, OrgId, TeamId};
use terreno_shared::model::{Fix, Role, Username};
use terreno_shared::sync::EventHash;
use terreno_shared::sync::payload::{self, Payload};
use uuid::Uuid;

use super::devices::DeviceRecord;
use super::push::prepare::{PreparedBatch, PreparedEvent, canonical_text};
use super::push::{PushAck, PushError};
use super::{Db, now_ms};
use crate::state::AppState;
use crate::{on_read, on_write};

/// Longest tracker identifier accepted (Traccar's identifiers are short; IMEIs are 15 digits).
pub const MAX_IDENT_CHARS: usize = 128;

/// How often a report is retried when a concurrent one took its seq.
const RETRIES: u32 = 5;

impl Db {
    /// Registers `ident` as a tracker of collector `username` of `org` (of `only_team` for a
    /// supervisor). The identifier is unique across the server.
    pub async fn add_tracker(
        &self,
        org: OrgId,
        username: &Username,
        ident: &str,
        only_team: Option<TeamId>,
    ) -> anyhow::Result<DeviceId> {
        let ident = ident.trim();
        if ident.is_empty()
            || ident.chars().count() > MAX_IDENT_CHARS
            || ident.chars().any(char::is_control)
        {
            bail!("a tracker identifier has 1 to {MAX_IDENT_CHARS} printable characters");
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
        let Some((user_id, role, team, active)) = user else {
            bail!(
                "there is no user named {:?} in this organization",
                username.as_str()
            );
        };
        if role != Role::Collector.as_str() || !active {
            bail!("{username} is not an active collector");
        }
        if only_team.is_some_and(|t| team != Some(t.to_string())) {
            bail!("{username} is a collector of another team");
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
                bail!("tracker identifier {ident:?} is already registered")
            }
            Err(e) => Err(e).context("registering a tracker"),
        }
    }

    /// The tracker registered under `ident`, revoked or not.
    pub async fn find_tracker(&self, ident: &str) -> anyhow::Result<Option<DeviceRecord>> {
        let id: Option<String> = on_read!(self, |pool| {
            sqlx::query_scalar("select id from devices where tracker_ident = $1")
                .bind(ident.trim())
                .fetch_optional(pool)
                .await
                .context("looking up a tracker")?
        });
        match id {
            Some(id) => {
                self.find_device(id.parse().context("stored device id")?)
                    .await
            }
            None => Ok(None),
        }
    }
}

impl Db {
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

/// Appends `fix` to tracker `device`'s log and stores it like a pushed batch. A concurrent
/// report (on this or another server) that took the next seq makes it re-read the head and
/// try again.
pub async fn record_fix(
    state: &AppState,
    mut device: DeviceRecord,
    fix: &Fix,
) -> Result<PushAck, PushError> {
    let draft = payload::encode(&Payload::Fix(fix.clone()))
        .context("encoding a fix")
        .map_err(PushError::Internal)?;
    let mut attempt = 0;
    loop {
        let seq = device.head_seq + 1;
        let prev_hash = device.head_hash.unwrap_or(EventHash::GENESIS);
        let hlc = state.tick();
        let event = draft
            .clone()
            .seal(device.id, seq, hlc, prev_hash)
            .context("sealing a tracker event")
            .map_err(PushError::Internal)?;
        let d = event.draft();
        let prepared = PreparedEvent {
            seq,
            hlc,
            merge_hlc: hlc,
            clock_suspect: false,
            kind: d.kind.as_str().to_owned(),
            v: d.v,
            entity: None,
            field: None,
            base_hlc: None,
            prev_hash,
            hash: event.hash(),
            payload_json: canonical_text(&d.payload),
            payload: Ok(Payload::Fix(fix.clone())),
        };
        let batch = PreparedBatch {
            device: device.clone(),
            role: Role::Collector,
            events: vec![prepared],
            signature: None,
            received_ms: now_ms(),
            forms: state.forms.clone(),
        };
        let signal = batch.signal(state.live.origin);
        match state.db.store_batch(batch).await {
            Ok(ack) => {
                crate::live::Hub::publish(state, signal);
                return Ok(ack);
            }
            Err(PushError::Fork(_)) | Err(PushError::Invalid { .. }) if attempt < RETRIES => {
                attempt += 1;
                device = state
                    .db
                    .find_device(device.id)
                    .await?
                    .context("re-reading a tracker")
                    .map_err(PushError::Internal)?;
            }
            Err(e) => return Err(e),
        }
    }
}
