//! Bearer-token sessions: what a token (by its SHA-256) says about its user.

use anyhow::Context;
use terreno_shared::ids::{OrgId, TeamId, UserId};
use terreno_shared::model::Role;

use super::{Db, now_ms};
use crate::on_read;

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
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: String,
    org_id: String,
    team_id: Option<String>,
    role: String,
    username: String,
}

impl Db {
    /// The session of a token hash: the token exists, is neither expired nor revoked, and its
    /// user is active.
    pub async fn find_session(&self, token_hash: &[u8]) -> anyhow::Result<Option<Session>> {
        let row: Option<SessionRow> = on_read!(self, |pool| {
            sqlx::query_as(
                "select u.id as user_id, u.org_id, u.team_id, u.role, u.username
                 from tokens t join users u on u.id = t.user_id
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
            })
        })
        .transpose()
    }
}
