//! Users and their credentials: creating (invited, without a password), setting a password,
//! listing, disabling, the login lookup and bearer tokens (the failed-login window is
//! `super::logins`).
//!
//! Owns `users` and `tokens`; disabling a user also revokes their devices
//! (`devices.revoked_ms`) in the same transaction. Passwords arrive here already hashed
//! (`crate::auth` hashes them off the async executor); this module never sees one in clear.

use anyhow::{Context, bail};
use terreno_shared::api::v1::auth::UserInfo;
use terreno_shared::ids::{OrgId, UserId};
use terreno_shared::model::{Role, Username};
use uuid::Uuid;

use super::now_ms;
use super::orgs::FIRST_TEAM;
use crate::{on_read, on_write};

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Login name, as typed (validated and lower-cased here).
    pub username: &'a str,
    /// Role.
    pub role: Role,
    /// Team name for collectors and supervisors (default: the organization's first team).
    pub team: Option<&'a str>,
    /// Name shown in the UI (default: the login name).
    pub display_name: Option<&'a str>,
}

/// A user as listed to administrators.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UserSummary {
    /// Login name.
    pub username: String,
    /// Name shown in the UI.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Team name.
    pub team: Option<String>,
    /// Whether they may log in.
    pub active: bool,
    /// No password set yet.
    pub invited: bool,
}

/// What login needs about a user.
#[derive(Debug, Clone)]
pub struct LoginUser {
    /// Who they are.
    pub info: UserInfo,
    /// The argon2id PHC string; none while invited.
    pub password_hash: Option<String>,
    /// Disabled users cannot log in.
    pub active: bool,
}

#[derive(sqlx::FromRow)]
struct LoginRow {
    id: String,
    org_id: String,
    team_id: Option<String>,
    username: String,
    display_name: String,
    role: String,
    password_hash: Option<String>,
    active: bool,
}

impl TryFrom<LoginRow> for LoginUser {
    type Error = anyhow::Error;
    fn try_from(r: LoginRow) -> anyhow::Result<LoginUser> {
        Ok(LoginUser {
            info: UserInfo {
                id: r.id.parse().context("stored user id")?,
                username: r.username,
                display_name: r.display_name,
                role: r.role.parse().context("stored role")?,
                org: r.org_id.parse().context("stored org id")?,
                team: r
                    .team_id
                    .map(|t| t.parse())
                    .transpose()
                    .context("stored team id")?,
            },
            password_hash: r.password_hash,
            active: r.active,
        })
    }
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    username: String,
    display_name: String,
    role: String,
    team: Option<String>,
    active: bool,
    invited: bool,
}

/// Longest display name accepted.
const MAX_DISPLAY_NAME: usize = 100;

/// Why a user could not be created: a field the caller can fix, a taken login name, or storage.
#[derive(Debug, thiserror::Error)]
pub enum NewUserError {
    /// A field is not acceptable; the message says what to change.
    #[error("{field}: {message}")]
    Invalid {
        /// `username`, `display_name`, `team` or `email`.
        field: &'static str,
        /// Why, in plain words.
        message: String,
    },
    /// Login names are unique across the server: a user of this or any other organization
    /// holds it. The message is the same either way, so it tells nothing about other
    /// organizations.
    #[error("username: {0:?} is taken (usernames are unique across the whole server)")]
    Taken(String),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// What a user may start with besides their name: a password (already hashed) so they can log
/// in at once, and where they get emails. Both absent: an invited user, as the CLI creates.
#[derive(Debug, Clone, Copy, Default)]
pub struct Credentials<'a> {
    /// An argon2id PHC string from [`crate::auth::hash_password`].
    pub password_hash: Option<&'a str>,
    /// An email address, as typed (validated here).
    pub email: Option<&'a str>,
}

/// An email address in canonical form, or why it is not one.
pub fn parse_email(raw: &str) -> anyhow::Result<String> {
    let raw = raw.trim();
    raw.parse::<lettre::Address>()
        .map(|a| a.to_string())
        .map_err(|e| anyhow::anyhow!("{raw:?} is not an email address: {e}"))
}

area! {
    /// User accounts, their passwords and login tokens.
    Users, users
}

impl Users<'_> {
    /// Creates an invited user (no password: they cannot log in until one is set).
    pub async fn insert(&self, org: OrgId, new: &NewUser<'_>) -> anyhow::Result<UserInfo> {
        Ok(self.insert_with(org, new, Credentials::default()).await?)
    }

    /// Creates a user with their credentials in one row, so a failure leaves no half-made
    /// account behind (say, one without the password the supervisor was just shown).
    // Long: validation then one insert, so a failure leaves no half-made user.
    pub async fn insert_with(
        &self,
        org: OrgId,
        new: &NewUser<'_>,
        credentials: Credentials<'_>,
    ) -> Result<UserInfo, NewUserError> {
        let invalid = |field, message: String| NewUserError::Invalid { field, message };
        let username = Username::parse(new.username).map_err(|e| invalid("username", e.reason))?;
        let display_name = new.display_name.unwrap_or(username.as_str()).trim();
        if display_name.is_empty() || display_name.chars().count() > MAX_DISPLAY_NAME {
            return Err(invalid(
                "display_name",
                format!("the display name must have 1 to {MAX_DISPLAY_NAME} characters"),
            ));
        }
        let email = match credentials.email.map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => Some(parse_email(e).map_err(|e| invalid("email", e.to_string()))?),
            None => None,
        };
        let team = match (new.role.needs_team(), new.team) {
            (false, Some(t)) => {
                return Err(invalid(
                    "team",
                    format!("admins belong to no team, so --team {t:?} does not apply"),
                ));
            }
            (false, None) => None,
            (true, t) => Some(
                self.orgs()
                    .ensure_team(org, t.unwrap_or(FIRST_TEAM))
                    .await?,
            ),
        };
        let info = UserInfo {
            id: UserId::from_uuid(Uuid::now_v7()),
            username: username.to_string(),
            display_name: display_name.to_owned(),
            role: new.role,
            org,
            team,
        };
        let result = on_write!(self, |pool| {
            sqlx::query(
                "insert into users (id, org_id, team_id, username, display_name, role, created_ms,
                    password_hash, email)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(info.id.to_string())
            .bind(org.to_string())
            .bind(team.map(|t| t.to_string()))
            .bind(&info.username)
            .bind(&info.display_name)
            .bind(info.role.as_str())
            .bind(now_ms())
            .bind(credentials.password_hash)
            .bind(&email)
            .execute(pool)
            .await
            .map(|_| ())
        });
        match result {
            Ok(_) => Ok(info),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(NewUserError::Taken(info.username))
            }
            Err(e) => Err(anyhow::Error::new(e).context("creating a user").into()),
        }
    }

    /// Stores a password hash for a user of `org`; an error when there is no such user.
    pub async fn set_password_hash(
        &self,
        org: OrgId,
        username: &str,
        hash: &str,
    ) -> anyhow::Result<()> {
        let username = Username::parse(username)?;
        let changed = on_write!(self, |pool| {
            sqlx::query("update users set password_hash = $1 where org_id = $2 and username = $3")
                .bind(hash)
                .bind(org.to_string())
                .bind(username.as_str())
                .execute(pool)
                .await
                .context("setting a password")?
                .rows_affected()
        });
        if changed == 0 {
            bail!("there is no user named {:?}", username.as_str());
        }
        Ok(())
    }

    /// The users of an organization, by login name.
    pub async fn list(&self, org: OrgId) -> anyhow::Result<Vec<UserSummary>> {
        let rows: Vec<SummaryRow> = on_read!(self, |pool| {
            sqlx::query_as(
                "select u.username, u.display_name, u.role, t.name as team, u.active,
                        (u.password_hash is null) as invited
                 from users u left join teams t on t.id = u.team_id
                 where u.org_id = $1 order by u.username",
            )
            .bind(org.to_string())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(UserSummary {
                    role: r.role.parse().context("stored role")?,
                    username: r.username,
                    display_name: r.display_name,
                    team: r.team,
                    active: r.active,
                    invited: r.invited,
                })
            })
            .collect()
    }

    /// Sets (or, with `None`, clears) where a user of `org` gets visit emails.
    pub async fn set_email(
        &self,
        org: OrgId,
        username: &str,
        address: Option<&str>,
    ) -> anyhow::Result<()> {
        let username = Username::parse(username)?;
        let address = match address.map(str::trim) {
            Some(a) => Some(parse_email(a)?),
            None => None,
        };
        let changed = on_write!(self, |pool| {
            sqlx::query("update users set email = $1 where org_id = $2 and username = $3")
                .bind(&address)
                .bind(org.to_string())
                .bind(username.as_str())
                .execute(pool)
                .await
                .context("setting an email address")?
                .rows_affected()
        });
        if changed == 0 {
            bail!(
                "there is no user named {:?} in this organization",
                username.as_str()
            );
        }
        Ok(())
    }

    /// Disables a user of `org` and revokes their tokens and devices, in one transaction: a
    /// disabled collector's phone is told to wipe its data on its next contact, so a person who
    /// left the company keeps no debtor data.
    pub async fn disable(&self, org: OrgId, username: &str) -> anyhow::Result<()> {
        let username = Username::parse(username)?;
        let now = now_ms();
        let found = on_write!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: Option<String> = sqlx::query_scalar(
                "update users set active = false where org_id = $1 and username = $2 returning id",
            )
            .bind(org.to_string())
            .bind(username.as_str())
            .fetch_optional(&mut *tx)
            .await
            .context("disabling a user")?;
            if let Some(id) = &id {
                sqlx::query(
                    "update tokens set revoked_ms = $1 where user_id = $2 and revoked_ms is null",
                )
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await
                .context("revoking the tokens of a disabled user")?;
                sqlx::query(
                    "update devices set revoked_ms = $1 where user_id = $2 and revoked_ms is null",
                )
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await
                .context("revoking the devices of a disabled user")?;
            }
            tx.commit().await?;
            id.is_some()
        });
        if !found {
            bail!("there is no user named {:?}", username.as_str());
        }
        Ok(())
    }

    /// A user by login name (names are global), with what login checks.
    pub async fn find_login(&self, username: &Username) -> anyhow::Result<Option<LoginUser>> {
        let row: Option<LoginRow> = on_read!(self, |pool| {
            sqlx::query_as(
                "select id, org_id, team_id, username, display_name, role, password_hash, active
                 from users where username = $1",
            )
            .bind(username.as_str())
            .fetch_optional(pool)
            .await?
        });
        row.map(LoginUser::try_from).transpose()
    }

    /// A user by id, as shown to clients.
    pub async fn find_info(&self, id: UserId) -> anyhow::Result<Option<UserInfo>> {
        let row: Option<LoginRow> = on_read!(self, |pool| {
            sqlx::query_as(
                "select id, org_id, team_id, username, display_name, role, password_hash, active
                 from users where id = $1",
            )
            .bind(id.to_string())
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(LoginUser::try_from).transpose()?.map(|u| u.info))
    }

    /// Stores a new token (by its hash) for a user; it works until `expires_ms`.
    pub async fn insert_token(
        &self,
        user: UserId,
        token_hash: &[u8],
        expires_ms: i64,
    ) -> anyhow::Result<()> {
        on_write!(self, |pool| {
            sqlx::query(
                "insert into tokens (hash, user_id, created_ms, expires_ms) values ($1, $2, $3, $4)",
            )
            .bind(token_hash)
            .bind(user.to_string())
            .bind(now_ms())
            .bind(expires_ms)
            .execute(pool)
            .await
            .context("storing a token")?;
        });
        Ok(())
    }

    /// Revokes one token (logout). Revoking a revoked token changes nothing.
    pub async fn revoke_token(&self, token_hash: &[u8]) -> anyhow::Result<()> {
        on_write!(self, |pool| {
            sqlx::query("update tokens set revoked_ms = $1 where hash = $2 and revoked_ms is null")
                .bind(now_ms())
                .bind(token_hash)
                .execute(pool)
                .await
                .context("revoking a token")?;
        });
        Ok(())
    }
}
