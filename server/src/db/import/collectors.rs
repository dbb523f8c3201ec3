//! The collectors an import names: who already holds each login name, and the invited
//! collectors (no password) it creates, inside the import's transaction so a rolled-back
//! import creates nobody.

use anyhow::{Context, bail};
use terreno_shared::ids::{OrgId, TeamId, UserId};
use terreno_shared::model::{Role, Username};
use uuid::Uuid;

use super::super::now_ms;
use super::super::orgs::FIRST_TEAM;
use super::super::tx::WriteTx;
use crate::on_tx;

/// The holder of a login name.
#[derive(Debug, sqlx::FromRow)]
pub struct NameHolder {
    /// Login name.
    pub username: String,
    /// Organization.
    pub org_id: String,
    /// Team.
    pub team_id: Option<String>,
    /// Role.
    pub role: String,
    /// Not disabled.
    pub active: bool,
}

impl NameHolder {
    /// Why rows naming this user cannot be imported by `org` (limited to `only_team`).
    pub fn refusal(&self, org: OrgId, only_team: Option<TeamId>) -> Option<String> {
        let why = if self.org_id != org.to_string() {
            // Which organization (or that there is one) is not this organization's business.
            "is taken (usernames are unique across the whole server)"
        } else if self.role != Role::Collector.as_str() {
            "is not a collector"
        } else if !self.active {
            "is a disabled collector"
        } else if only_team.is_some_and(|t| self.team_id != Some(t.to_string())) {
            "is a collector of another team"
        } else {
            return None;
        };
        Some(format!("{:?} {why}", self.username))
    }
}

impl WriteTx {
    /// The holder of a login name, in any organization (login names are unique overall).
    pub async fn name_holder(&mut self, username: &str) -> anyhow::Result<Option<NameHolder>> {
        Ok(on_tx!(self, |c| {
            sqlx::query_as(
                "select username, org_id, team_id, role, active from users where username = $1",
            )
            .bind(username)
            .fetch_optional(&mut **c)
            .await
            .context("looking up a collector")?
        }))
    }

    /// The name of a team.
    pub async fn team_name(&mut self, team: TeamId) -> anyhow::Result<String> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar("select name from teams where id = $1")
                .bind(team.to_string())
                .fetch_one(&mut **c)
                .await
                .context("looking up the supervisor's team")?
        }))
    }

    /// Creates an invited collector (no password: they cannot log in until an admin sets one)
    /// in team `team` (by name, created if absent; the first team when none).
    pub async fn insert_invited_collector(
        &mut self,
        org: OrgId,
        username: &str,
        team: Option<&str>,
    ) -> anyhow::Result<UserId> {
        let username = Username::parse(username)?;
        let team = team.map(str::trim).unwrap_or(FIRST_TEAM);
        if team.is_empty() {
            bail!("collector {username} needs a team name");
        }
        let new_team = TeamId::from_uuid(Uuid::now_v7());
        let id = UserId::from_uuid(Uuid::now_v7());
        on_tx!(self, |c| {
            sqlx::query(
                "insert into teams (id, org_id, name) values ($1, $2, $3) on conflict do nothing",
            )
            .bind(new_team.to_string())
            .bind(org.to_string())
            .bind(team)
            .execute(&mut **c)
            .await
            .context("creating a team")?;
            let team_id: String =
                sqlx::query_scalar("select id from teams where org_id = $1 and name = $2")
                    .bind(org.to_string())
                    .bind(team)
                    .fetch_one(&mut **c)
                    .await
                    .context("reading a team")?;
            sqlx::query(
                "insert into users (id, org_id, team_id, username, display_name, role, created_ms)
                 values ($1, $2, $3, $4, $4, $5, $6)",
            )
            .bind(id.to_string())
            .bind(org.to_string())
            .bind(team_id)
            .bind(username.as_str())
            .bind(Role::Collector.as_str())
            .bind(now_ms())
            .execute(&mut **c)
            .await
            .with_context(|| format!("creating collector {username}"))?;
        });
        Ok(id)
    }
}
