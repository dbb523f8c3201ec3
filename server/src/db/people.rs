//! The people a supervisor or an admin manages, as the dashboard's People page shows them: each
//! user of the scope with their phones and external trackers, and the organization's teams.
//!
//! Reads only. Creating, disabling and setting passwords are [`super::users`]' (shared with the
//! command line); revoking is [`super::devices`]'. The scope is the organization, or one team
//! for a supervisor: the same `(org, only_team)` pair as [`Trackers::add`](super::trackers::Trackers::add).

use anyhow::Context;
use serde::Serialize;
use terreno_shared::ids::{OrgId, TeamId};
use terreno_shared::model::Role;

use crate::on_read;

/// A user and what reports for them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Person {
    /// User id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Name shown in the UI.
    pub display_name: String,
    /// `admin`, `supervisor` or `collector`.
    #[schema(value_type = String)]
    pub role: Role,
    /// Team name (admins have none).
    pub team: Option<String>,
    /// Whether they may log in.
    pub active: bool,
    /// No password set yet: they cannot log in until one is.
    pub invited: bool,
    /// Where they get emails.
    pub email: Option<String>,
    /// Their latest login or any of their devices' latest contact (Unix ms).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_seen_ms: Option<i64>,
    /// Enrolled phones, oldest first (revoked ones too: the page says so).
    pub devices: Vec<PersonDevice>,
    /// External senders (Traccar Client / OsmAnd) registered for them.
    pub trackers: Vec<PersonDevice>,
}

/// A phone or an external tracker of a person.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonDevice {
    /// Device id (what `POST /api/v1/devices/{id}/revoke` takes).
    pub id: String,
    /// The phone's label, or `tracker IDENT`.
    pub label: String,
    /// A tracker's identifier; none for a phone.
    pub ident: Option<String>,
    /// When it enrolled or was registered (Unix ms).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub enrolled_ms: i64,
    /// When it last reached the server (Unix ms).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_seen_ms: Option<i64>,
    /// When it was revoked (Unix ms).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub revoked_ms: Option<i64>,
    #[serde(skip)]
    #[schema(ignore)]
    user_id: String,
}

/// A team of the organization.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Team {
    /// Team id.
    pub id: String,
    /// Its name (what `POST /api/v1/users` takes).
    pub name: String,
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: String,
    username: String,
    display_name: String,
    role: String,
    team: Option<String>,
    active: bool,
    invited: bool,
    email: Option<String>,
    last_login_ms: Option<i64>,
}

area! {
    /// People (users with their devices) and teams, as supervisors see them.
    People, people
}

impl People<'_> {
    /// The users of `org` (of `only_team` for a supervisor) by team, role and name, with their
    /// devices and trackers.
    pub async fn list(&self, org: OrgId, only_team: Option<TeamId>) -> anyhow::Result<Vec<Person>> {
        let (org, team) = (org.to_string(), only_team.map(|t| t.to_string()));
        let rows: Vec<PersonRow> = on_read!(self, |pool| {
            sqlx::query_as(
                "select u.id, u.username, u.display_name, u.role, t.name as team, u.active,
                        (u.password_hash is null) as invited, u.email,
                        (select max(k.created_ms) from tokens k where k.user_id = u.id)
                            as last_login_ms
                 from users u left join teams t on t.id = u.team_id
                 where u.org_id = $1 and ($2 is null or u.team_id = $2)
                 order by t.name, u.role, u.display_name, u.username",
            )
            .bind(&org)
            .bind(&team)
            .fetch_all(pool)
            .await
            .context("listing people")?
        });
        let devices: Vec<PersonDevice> = on_read!(self, |pool| {
            sqlx::query_as(
                "select d.id, d.label, d.tracker_ident as ident, d.enrolled_ms, d.last_seen_ms,
                        d.revoked_ms, d.user_id
                 from devices d join users u on u.id = d.user_id
                 where u.org_id = $1 and ($2 is null or u.team_id = $2)
                 order by d.enrolled_ms, d.id",
            )
            .bind(&org)
            .bind(&team)
            .fetch_all(pool)
            .await
            .context("listing people's devices")?
        });
        rows.into_iter()
            .map(|r| person(r, &devices))
            .collect::<anyhow::Result<_>>()
    }

    /// One user of `org` (of `only_team` for a supervisor), as listed.
    pub async fn find(
        &self,
        org: OrgId,
        only_team: Option<TeamId>,
        username: &str,
    ) -> anyhow::Result<Option<Person>> {
        // A team holds tens of people: filtering the listing keeps one query shape.
        let people = self.list(org, only_team).await?;
        Ok(people.into_iter().find(|p| p.username == username))
    }

    /// The organization's teams, by name.
    pub async fn teams(&self, org: OrgId) -> anyhow::Result<Vec<Team>> {
        Ok(on_read!(self, |pool| {
            sqlx::query_as("select id, name from teams where org_id = $1 order by name")
                .bind(org.to_string())
                .fetch_all(pool)
                .await
                .context("listing teams")?
        }))
    }
}

fn person(r: PersonRow, devices: &[PersonDevice]) -> anyhow::Result<Person> {
    let (trackers, phones): (Vec<_>, Vec<_>) = devices
        .iter()
        .filter(|d| d.user_id == r.id)
        .cloned()
        .partition(|d| d.ident.is_some());
    let last_seen_ms = phones
        .iter()
        .chain(&trackers)
        .filter_map(|d| d.last_seen_ms)
        .chain(r.last_login_ms)
        .max();
    Ok(Person {
        role: r.role.parse().context("stored role")?,
        id: r.id,
        username: r.username,
        display_name: r.display_name,
        team: r.team,
        active: r.active,
        invited: r.invited,
        email: r.email,
        last_seen_ms,
        devices: phones,
        trackers,
    })
}
