//! Organizations and teams: creating the first one, and finding the one a command acts on.

use anyhow::{Context, bail};
use chrono_tz::Tz;
use terreno_shared::ids::{OrgId, TeamId};
use uuid::Uuid;

use super::now_ms;
use crate::forms::shipped;
use crate::{on_read, on_tx, on_write};

/// An organization as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    /// Id.
    pub id: OrgId,
    /// Unique name.
    pub name: String,
    /// IANA time zone.
    pub time_zone: Tz,
}

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: String,
    name: String,
    time_zone: String,
}

impl TryFrom<OrgRow> for Org {
    type Error = anyhow::Error;
    fn try_from(r: OrgRow) -> anyhow::Result<Org> {
        Ok(Org {
            id: r.id.parse().context("stored organization id")?,
            time_zone: r
                .time_zone
                .parse()
                .map_err(|e| anyhow::anyhow!("stored time zone {:?}: {e}", r.time_zone))?,
            name: r.name,
        })
    }
}

/// The name of the team every new organization starts with.
pub const FIRST_TEAM: &str = "default";

area! {
    /// Organizations, their teams and settings.
    Orgs, orgs
}

impl Orgs<'_> {
    /// All organizations, by name.
    pub async fn list(&self) -> anyhow::Result<Vec<Org>> {
        let rows: Vec<OrgRow> = on_read!(self, |pool| {
            sqlx::query_as("select id, name, time_zone from orgs order by name")
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(Org::try_from).collect()
    }

    /// Creates an organization with its first team and the shipped visit form, in one
    /// transaction.
    pub async fn insert(&self, name: &str, time_zone: Tz) -> anyhow::Result<Org> {
        let name = name.trim();
        if name.is_empty() {
            bail!("an organization needs a name");
        }
        let org = Org {
            id: OrgId::from_uuid(Uuid::now_v7()),
            name: name.to_owned(),
            time_zone,
        };
        let team = TeamId::from_uuid(Uuid::now_v7());
        let visit_form = shipped::visit_form().context("reading the shipped visit form")?;
        let mut tx = self.begin_write().await?;
        on_tx!(tx, |c| {
            sqlx::query(
                "insert into orgs (id, name, time_zone, created_ms) values ($1, $2, $3, $4)",
            )
            .bind(org.id.to_string())
            .bind(&org.name)
            .bind(time_zone.name())
            .bind(now_ms())
            .execute(&mut **c)
            .await
            .with_context(|| format!("creating organization {name:?}"))?;
            sqlx::query("insert into teams (id, org_id, name) values ($1, $2, $3)")
                .bind(team.to_string())
                .bind(org.id.to_string())
                .bind(FIRST_TEAM)
                .execute(&mut **c)
                .await?;
        });
        tx.give_visit_form(org.id, &visit_form).await?;
        tx.commit().await?;
        Ok(org)
    }

    /// The organization a command acts on: the one named, or the only one. A database with none
    /// gets one (`create_name`, `create_tz`): every command works on an empty database.
    pub async fn resolve(
        &self,
        name: Option<&str>,
        create_name: &str,
        create_tz: Tz,
    ) -> anyhow::Result<Org> {
        let orgs = self.list().await?;
        if orgs.is_empty() {
            return self.insert(name.unwrap_or(create_name), create_tz).await;
        }
        match name {
            Some(n) => orgs
                .into_iter()
                .find(|o| o.name == n)
                .with_context(|| format!("there is no organization named {n:?}")),
            None if orgs.len() == 1 => Ok(orgs.into_iter().next().expect("one org")),
            None => {
                let names: Vec<_> = orgs.iter().map(|o| o.name.as_str()).collect();
                bail!(
                    "there are several organizations ({}): choose one with --org",
                    names.join(", ")
                )
            }
        }
    }

    /// A team of an organization by name, created if absent.
    pub async fn ensure_team(&self, org: OrgId, name: &str) -> anyhow::Result<TeamId> {
        let name = name.trim();
        if name.is_empty() {
            bail!("a team needs a name");
        }
        if let Some(id) = self.find_team(org, name).await? {
            return Ok(id);
        }
        let id = TeamId::from_uuid(Uuid::now_v7());
        on_write!(self, |pool| {
            sqlx::query(
                "insert into teams (id, org_id, name) values ($1, $2, $3) on conflict do nothing",
            )
            .bind(id.to_string())
            .bind(org.to_string())
            .bind(name)
            .execute(pool)
            .await?;
        });
        self.find_team(org, name)
            .await?
            .with_context(|| format!("creating team {name:?}"))
    }

    /// A team of an organization by name.
    pub async fn find_team(&self, org: OrgId, name: &str) -> anyhow::Result<Option<TeamId>> {
        let id: Option<String> = on_read!(self, |pool| {
            sqlx::query_scalar("select id from teams where org_id = $1 and name = $2")
                .bind(org.to_string())
                .bind(name)
                .fetch_optional(pool)
                .await?
        });
        id.map(|s| s.parse().context("stored team id")).transpose()
    }
}

impl Orgs<'_> {
    /// The rules a device of `org` enforces offline: its zone, geofence and contact policies
    /// (a missing contact policy is the company default) and the holidays it closes on. The
    /// holiday calendar is Colombia's for organizations in Colombian time (`America/Bogota`),
    /// from last year to two years ahead; no other country's calendar is built in yet, so
    /// other zones get none.
    pub async fn settings(
        &self,
        org: OrgId,
        today: chrono::NaiveDate,
    ) -> anyhow::Result<terreno_shared::api::v1::org::OrgSettings> {
        use chrono::Datelike;
        use terreno_shared::contact::{ContactPolicy, HolidayCalendar};
        let id = org.to_string();
        let (time_zone, geofence, contact): (String, String, Option<String>) =
            on_read!(self, |pool| {
                sqlx::query_as(
                    "select time_zone, geofence_policy, contact_policy from orgs where id = $1",
                )
                .bind(&id)
                .fetch_one(pool)
                .await?
            });
        let geofence_policy = serde_json::from_str(&geofence)
            .with_context(|| format!("stored geofence policy of organization {org}"))?;
        let contact_policy = match contact {
            Some(text) => serde_json::from_str(&text)
                .with_context(|| format!("stored contact policy of organization {org}"))?,
            None => ContactPolicy::default_company(),
        };
        let holidays = if time_zone == "America/Bogota" {
            HolidayCalendar::colombia(today.year() - 1..=today.year() + 2)
                .context("building Colombia's holidays")?
        } else {
            HolidayCalendar::new()
        };
        Ok(terreno_shared::api::v1::org::OrgSettings {
            time_zone,
            geofence_policy,
            contact_policy,
            holidays,
            // The tile server is the server's configuration, not the organization's: the route
            // adds it.
            map_tiles: None,
        })
    }
}
