//! Bearer-token sessions: what a token (by its SHA-256) says about its user.

use anyhow::Context;
use terreno_shared::ids::{DeviceId, OrgId, TeamId, UserId};
use terreno_shared::model::Role;

use super::now_ms;
use crate::{on_read, on_write};

/// The user behind a valid token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The user.
    pub user_id: UserId,
    /// Their organization.
    pub org_id: OrgId,
    /// Their team.
    pub team_id: Option<TeamId>,
    /// Their role.
    pub role: Role,
    /// Their login name.
    pub username: String,
    /// SHA-256 of the token (to revoke it at logout).
    pub token_hash: Vec<u8>,
    /// The device this token enrolled, if it enrolled one.
    pub device_id: Option<DeviceId>,
    /// That device was revoked: every request must answer `device_revoked` (wipe).
    pub device_revoked: bool,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: String,
    org_id: String,
    team_id: Option<String>,
    role: String,
    username: String,
    device_id: Option<String>,
    device_revoked: bool,
}

area! {
    /// Sessions and device tokens, and the login-failure throttle.
    Sessions, sessions
}

impl Sessions<'_> {
    /// The session of a token hash: the token exists, is neither expired nor revoked, and its
    /// user is active.
    pub async fn find(&self, token_hash: &[u8]) -> anyhow::Result<Option<Session>> {
        let row: Option<SessionRow> = on_read!(self, |pool| {
            sqlx::query_as(
                "select u.id as user_id, u.org_id, u.team_id, u.role, u.username, t.device_id,
                        (d.revoked_ms is not null) as device_revoked
                 from tokens t join users u on u.id = t.user_id
                 left join devices d on d.id = t.device_id
                 where t.hash = $1 and t.revoked_ms is null and t.expires_ms > $2 and u.active",
            )
            .bind(token_hash)
            .bind(now_ms())
            .fetch_optional(pool)
            .await?
        });
        row.map(|r| {
            Ok(Session {
                user_id: r.user_id.parse().context("stored user id")?,
                org_id: r.org_id.parse().context("stored org id")?,
                team_id: r
                    .team_id
                    .map(|t| t.parse())
                    .transpose()
                    .context("stored team id")?,
                role: r.role.parse().context("stored role")?,
                username: r.username,
                token_hash: token_hash.to_vec(),
                device_id: r
                    .device_id
                    .map(|d| d.parse())
                    .transpose()
                    .context("stored device id")?,
                device_revoked: r.device_revoked,
            })
        })
        .transpose()
    }

    /// Binds a token to the device it enrolled (the first binding stays).
    pub async fn bind_token(&self, token_hash: &[u8], device: DeviceId) -> anyhow::Result<()> {
        on_write!(self, |pool| {
            sqlx::query("update tokens set device_id = $1 where hash = $2 and device_id is null")
                .bind(device.to_string())
                .bind(token_hash)
                .execute(pool)
                .await
                .context("binding a token to its device")?;
        });
        Ok(())
    }

    /// Whether a token, valid or not, enrolled a device that was revoked since. A disabled
    /// user's tokens are revoked too, yet their phone must still learn to wipe its data rather
    /// than just be logged out.
    pub async fn is_revoked_device_token(&self, token_hash: &[u8]) -> anyhow::Result<bool> {
        let found: Option<i32> = on_read!(self, |pool| {
            sqlx::query_scalar(
                "select 1 from tokens t join devices d on d.id = t.device_id
                 where t.hash = $1 and d.revoked_ms is not null",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await
            .context("looking up a token's device")?
        });
        Ok(found.is_some())
    }
}
