//! Organizations (tenants), their teams, and the people who log in: users, their roles and
//! login names. Enrolled devices live in [`device`] (re-exported here).
//!
//! This module owns the invariants of those records (a collector belongs to a team, a login
//! name is canonical lower case...). It must not hold credentials or decide permissions per
//! request: passwords and sessions are the server's, authorization rules live with the API.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::ValidationError;
use crate::ids::{OrgId, TeamId, UserId};

pub use super::device::{Device, RawDevice};
use super::text::{MAX_NAME_CHARS, one_line};
pub use super::username::Username;

/// An agency (tenant). Its time zone decides what "local time" means for contact windows and
/// route dates, so it is an IANA zone (`America/Bogota`), never a fixed offset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawOrganization", into = "RawOrganization")]
pub struct Organization {
    id: OrgId,
    name: String,
    time_zone: Tz,
}

/// The unvalidated JSON shape of an [`Organization`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOrganization {
    /// Organization id.
    pub id: OrgId,
    /// Display name.
    pub name: String,
    /// IANA time zone name, e.g. `America/Bogota`.
    pub time_zone: String,
}

impl Organization {
    /// Validates the name (trimmed, non-empty, at most 200 characters).
    pub fn new(id: OrgId, name: &str, time_zone: Tz) -> Result<Self, ValidationError> {
        Ok(Self {
            id,
            name: one_line("organization name", name, MAX_NAME_CHARS)?,
            time_zone,
        })
    }

    /// Like [`Organization::new`], with the time zone given by its IANA name.
    pub fn parse(id: OrgId, name: &str, time_zone: &str) -> Result<Self, ValidationError> {
        Self::new(id, name, parse_time_zone(time_zone)?)
    }

    /// The organization's id.
    pub fn id(&self) -> OrgId {
        self.id
    }
    /// Display name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The zone in which the organization's local times and dates are read.
    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }
}

/// Parses an IANA time zone name (`America/Bogota`). Abbreviations such as `COT` are refused:
/// they do not say which rules (and which future changes) apply.
pub fn parse_time_zone(name: &str) -> Result<Tz, ValidationError> {
    name.trim().parse::<Tz>().map_err(|_| {
        ValidationError::new("time zone", format!("{name:?} is not an IANA zone name"))
    })
}

impl TryFrom<RawOrganization> for Organization {
    type Error = ValidationError;
    fn try_from(raw: RawOrganization) -> Result<Self, ValidationError> {
        Self::parse(raw.id, &raw.name, &raw.time_zone)
    }
}

impl From<Organization> for RawOrganization {
    fn from(o: Organization) -> Self {
        RawOrganization {
            id: o.id,
            name: o.name,
            time_zone: o.time_zone.name().to_owned(),
        }
    }
}

impl fmt::Display for Organization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// A team of collectors with its supervisors, inside one organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawTeam", into = "RawTeam")]
pub struct Team {
    id: TeamId,
    org: OrgId,
    name: String,
}

/// The unvalidated JSON shape of a [`Team`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTeam {
    /// Team id.
    pub id: TeamId,
    /// Owning organization.
    pub org: OrgId,
    /// Display name.
    pub name: String,
}

impl Team {
    /// Validates the name (trimmed, non-empty, at most 200 characters).
    pub fn new(id: TeamId, org: OrgId, name: &str) -> Result<Self, ValidationError> {
        let name = one_line("team name", name, MAX_NAME_CHARS)?;
        Ok(Self { id, org, name })
    }
    /// The team's id.
    pub fn id(&self) -> TeamId {
        self.id
    }
    /// The organization the team belongs to.
    pub fn org(&self) -> OrgId {
        self.org
    }
    /// Display name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl TryFrom<RawTeam> for Team {
    type Error = ValidationError;
    fn try_from(raw: RawTeam) -> Result<Self, ValidationError> {
        Self::new(raw.id, raw.org, &raw.name)
    }
}

impl From<Team> for RawTeam {
    fn from(t: Team) -> Self {
        RawTeam {
            id: t.id,
            org: t.org,
            name: t.name,
        }
    }
}

/// What a user may do in an organization.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages the organization: users, portfolios, imports.
    Admin,
    /// Plans routes and reviews the visits of a team.
    Supervisor,
    /// Visits debtors in the field.
    Collector,
}

impl Role {
    /// All roles.
    pub const ALL: [Role; 3] = [Role::Admin, Role::Supervisor, Role::Collector];

    /// The snake_case name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Collector => "collector",
        }
    }

    /// Whether users with this role must belong to a team: field work is organized by team.
    pub fn needs_team(self) -> bool {
        !matches!(self, Role::Admin)
    }
}

impl FromStr for Role {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == wanted)
            .ok_or_else(|| {
                ValidationError::new(
                    "role",
                    format!("{s:?} is not one of admin, supervisor, collector"),
                )
            })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A person who logs in. Collectors and supervisors belong to a team; admins to none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawUser", into = "RawUser")]
pub struct User {
    id: UserId,
    org: OrgId,
    username: Username,
    display_name: String,
    role: Role,
    team: Option<TeamId>,
    active: bool,
    invited: bool,
}

/// The unvalidated shape of a [`User`]: the JSON form, and the argument of `User::try_from`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUser {
    /// User id.
    pub id: UserId,
    /// Owning organization.
    pub org: OrgId,
    /// Login name.
    pub username: Username,
    /// Name shown to others.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Team; required for collectors and supervisors, absent for admins.
    #[serde(default)]
    pub team: Option<TeamId>,
    /// Whether the user may log in and sync (deactivated users keep their history).
    pub active: bool,
    /// Invited but has not set a password yet.
    pub invited: bool,
}

impl TryFrom<RawUser> for User {
    type Error = ValidationError;
    fn try_from(r: RawUser) -> Result<Self, ValidationError> {
        check_team(r.role, r.team)?;
        Ok(User {
            id: r.id,
            org: r.org,
            username: r.username,
            display_name: one_line("display name", &r.display_name, MAX_NAME_CHARS)?,
            role: r.role,
            team: r.team,
            active: r.active,
            invited: r.invited,
        })
    }
}

impl From<User> for RawUser {
    fn from(u: User) -> Self {
        RawUser {
            id: u.id,
            org: u.org,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            team: u.team,
            active: u.active,
            invited: u.invited,
        }
    }
}

fn check_team(role: Role, team: Option<TeamId>) -> Result<(), ValidationError> {
    match (role.needs_team(), team) {
        (true, None) => Err(ValidationError::new(
            "team",
            format!("a {role} must belong to a team"),
        )),
        (false, Some(t)) => Err(ValidationError::new(
            "team",
            format!("an {role} belongs to no team, got {t}"),
        )),
        _ => Ok(()),
    }
}

impl User {
    /// A newly invited, active user who has no password yet.
    pub fn invite(
        id: UserId,
        org: OrgId,
        username: Username,
        display_name: &str,
        role: Role,
        team: Option<TeamId>,
    ) -> Result<Self, ValidationError> {
        User::try_from(RawUser {
            id,
            org,
            username,
            display_name: display_name.to_owned(),
            role,
            team,
            active: true,
            invited: true,
        })
    }

    /// The same user with another role and team, checked together (a collector moved to a
    /// team, a supervisor promoted to admin and taken off the team).
    pub fn with_role(mut self, role: Role, team: Option<TeamId>) -> Result<Self, ValidationError> {
        check_team(role, team)?;
        self.role = role;
        self.team = team;
        Ok(self)
    }

    /// The same user, activated or deactivated.
    pub fn with_active(mut self, active: bool) -> Self {
        self.active = active;
        self
    }

    /// The same user after setting a password (`false`) or being re-invited (`true`).
    pub fn with_invited(mut self, invited: bool) -> Self {
        self.invited = invited;
        self
    }

    /// The user's id.
    pub fn id(&self) -> UserId {
        self.id
    }
    /// The organization the user belongs to.
    pub fn org(&self) -> OrgId {
        self.org
    }
    /// Login name.
    pub fn username(&self) -> &Username {
        &self.username
    }
    /// Name shown to others.
    pub fn display_name(&self) -> &str {
        &self.display_name
    }
    /// Role.
    pub fn role(&self) -> Role {
        self.role
    }
    /// Team (always `Some` for collectors and supervisors, `None` for admins).
    pub fn team(&self) -> Option<TeamId> {
        self.team
    }
    /// Whether the user may log in and sync.
    pub fn is_active(&self) -> bool {
        self.active
    }
    /// Whether the user was invited and has not set a password yet.
    pub fn is_invited(&self) -> bool {
        self.invited
    }
}

#[cfg(test)]
mod tests;
