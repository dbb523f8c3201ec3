//! The people of the organization, for the dashboard's People page: `GET /api/v1/users`,
//! `POST /api/v1/users` (invite with a one-time password), `PUT /api/v1/users/{username}/password`
//! and `POST /api/v1/users/{username}/disable`. Phones are revoked through
//! `POST /api/v1/devices/{id}/revoke` and trackers registered through `POST /api/v1/trackers`.
//!
//! Who manages whom: admins every user of the organization; supervisors the collectors of their
//! own team (they see their team's supervisors, but only admins create or change supervisors and
//! admins); collectors nobody. Nobody disables themselves. A user out of reach answers 404, like
//! one that does not exist. The rules on names, passwords and hashing are the command line's
//! ([`crate::db::users`], [`crate::auth`]), not copies.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use serde::{Deserialize, Serialize};
use terreno_shared::api::{ErrorBody, ErrorCode};
use terreno_shared::ids::TeamId;
use terreno_shared::model::{Role, Username};
use utoipa::{OpenApi, ToSchema};

use crate::db::people::{Person, PersonDevice, Team};
use crate::db::sessions::Session;
use crate::db::users::{Credentials, NewUser, NewUserError};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, AuthUser};
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new()
        .route("/api/v1/users", get(list).post(create))
        .route("/api/v1/users/{username}/password", put(set_password))
        .route("/api/v1/users/{username}/disable", post(disable))
}

#[derive(OpenApi)]
#[openapi(
    paths(list, create, set_password, disable),
    components(schemas(
        People,
        Person,
        PersonDevice,
        Team,
        NewPerson,
        Invited,
        NewPassword,
        PasswordSet
    ))
)]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// The people the caller manages and the teams they may add people to.
#[derive(Debug, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct People {
    /// Users by team, role and name, with their phones and trackers.
    pub people: Vec<Person>,
    /// Teams a new person may join (a supervisor: their own).
    pub teams: Vec<Team>,
}

/// A person to invite.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    /// Login name: letters a-z, digits, `.`, `_`, `-` (lower-cased).
    pub username: String,
    /// Name shown in the dashboard, 1 to 100 characters.
    pub display_name: String,
    /// `collector`, `supervisor` or `admin` (supervisors invite collectors only).
    pub role: String,
    /// Team name; required for collectors and supervisors (a supervisor's own by default).
    pub team: Option<String>,
    /// Where they get emails (optional).
    pub email: Option<String>,
}

/// An invited person and the one-time password to hand over.
#[derive(Debug, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Invited {
    /// The new user.
    pub person: Person,
    /// Shown once: the server keeps only its hash.
    pub temporary_password: String,
}

/// A new password, or none to have the server make a one-time one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    /// At least 8 characters; absent: the server makes one and answers it.
    pub password: Option<String>,
}

/// The outcome of setting a password.
#[derive(Debug, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PasswordSet {
    /// The one-time password the server made, to hand over; none when the caller chose one.
    pub temporary_password: Option<String>,
}

/// The people the caller manages, with their devices and trackers.
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, description = "people and teams", body = People),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "`forbidden`: collectors manage nobody", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
) -> ApiResult<Json<People>> {
    let only_team = managed_team(&who)?;
    let people = state.db.people().list(who.org_id, only_team).await?;
    let teams = state.db.people().teams(who.org_id).await?;
    let teams = teams
        .into_iter()
        .filter(|t| only_team.is_none_or(|o| o.to_string() == t.id))
        .collect();
    Ok(Json(People { people, teams }))
}

/// Invites a person: creates the user with a one-time password, answered once.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewPerson,
    responses((status = 201, description = "created", body = Invited),
        (status = 400, description = "malformed body or unknown fields", body = ErrorBody),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "`forbidden`: a supervisor inviting a supervisor or admin, \
            or into another team; a collector", body = ErrorBody),
        (status = 409, description = "`username_taken`", body = ErrorBody),
        (status = 422, description = "a field is invalid; the message starts with its name",
            body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    ApiJson(req): ApiJson<NewPerson>,
) -> ApiResult<(StatusCode, Json<Invited>)> {
    let role: Role = req
        .role
        .parse()
        .map_err(|_| invalid("role", "must be collector, supervisor or admin"))?;
    let team = team_for(&state, &who, role, req.team.as_deref()).await?;
    let password = crate::auth::temporary_password()?;
    let hash = state.hasher.hash(password.clone()).await?;
    let new = NewUser {
        username: &req.username,
        role,
        team: team.as_deref(),
        display_name: Some(&req.display_name),
    };
    let credentials = Credentials {
        password_hash: Some(&hash),
        email: req.email.as_deref(),
    };
    let user = state
        .db
        .users()
        .insert_with(who.org_id, &new, credentials)
        .await
        .map_err(new_user_error)?;
    let person = state
        .db
        .people()
        .find(who.org_id, None, &user.username)
        .await?
        .ok_or_else(|| anyhow::anyhow!("reading back a created user"))?;
    let temporary_password = password;
    Ok((
        StatusCode::CREATED,
        Json(Invited {
            person,
            temporary_password,
        }),
    ))
}

/// Sets a person's password (the caller's choice, or a one-time one the server makes).
#[utoipa::path(put, path = "/api/v1/users/{username}/password", tag = "users",
    params(("username" = String, Path, description = "login name")),
    request_body = NewPassword,
    responses((status = 200, description = "set", body = PasswordSet),
        (status = 403, description = "`forbidden`: a supervisor and a supervisor or admin",
            body = ErrorBody),
        (status = 404, description = "no such user among those the caller manages",
            body = ErrorBody),
        (status = 422, description = "password: too short or too long", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_password(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Path(username): Path<String>,
    ApiJson(req): ApiJson<NewPassword>,
) -> ApiResult<Json<PasswordSet>> {
    let person = target(&state, &who, &username).await?;
    let (password, generated) = match req.password {
        Some(p) => (p, false),
        None => (crate::auth::temporary_password()?, true),
    };
    crate::auth::check_new_password(&password).map_err(|e| invalid("password", e))?;
    let hash = state.hasher.hash(password.clone()).await?;
    state
        .db
        .users()
        .set_password_hash(who.org_id, &person.username, &hash)
        .await?;
    Ok(Json(PasswordSet {
        temporary_password: generated.then_some(password),
    }))
}

/// Disables a person: they cannot log in, their sessions end and their phones are revoked
/// (each wipes its data on its next contact).
#[utoipa::path(post, path = "/api/v1/users/{username}/disable", tag = "users",
    params(("username" = String, Path, description = "login name")),
    responses((status = 200, description = "disabled (again: no change)", body = Person),
        (status = 403, description = "`forbidden`: a supervisor and a supervisor or admin",
            body = ErrorBody),
        (status = 404, description = "no such user among those the caller manages",
            body = ErrorBody),
        (status = 422, description = "`invalid`: the caller themselves", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn disable(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
    Path(username): Path<String>,
) -> ApiResult<Json<Person>> {
    let person = target(&state, &who, &username).await?;
    if person.id == who.user_id.to_string() {
        return Err(invalid(
            "username",
            "you cannot disable yourself: ask another administrator",
        ));
    }
    state
        .db
        .users()
        .disable(who.org_id, &person.username)
        .await?;
    let person = state
        .db
        .people()
        .find(who.org_id, None, &person.username)
        .await?;
    person
        .map(Json)
        .ok_or_else(|| anyhow::anyhow!("reading back a disabled user").into())
}

/// The team the caller manages: `None` for an admin (the whole organization).
fn managed_team(who: &Session) -> ApiResult<Option<TeamId>> {
    match (who.role, who.team_id) {
        (Role::Admin, _) => Ok(None),
        (Role::Supervisor, Some(team)) => Ok(Some(team)),
        _ => Err(forbidden(
            "only supervisors and administrators manage people",
        )),
    }
}

/// A user the caller may change: within reach (else 404) and, for a supervisor, a collector.
async fn target(state: &AppState, who: &Session, username: &str) -> ApiResult<Person> {
    let only_team = managed_team(who)?;
    let not_found = || ApiError::NotFound(format!("no user {username:?} that you manage"));
    let name = Username::parse(username).map_err(|_| not_found())?;
    let person = state
        .db
        .people()
        .find(who.org_id, only_team, name.as_str())
        .await?
        .ok_or_else(not_found)?;
    if who.role == Role::Supervisor && person.role != Role::Collector {
        return Err(forbidden(
            "supervisors manage collectors only: ask an administrator",
        ));
    }
    Ok(person)
}

/// The team name a new user joins, once the caller may add that role there.
async fn team_for(
    state: &AppState,
    who: &Session,
    role: Role,
    team: Option<&str>,
) -> ApiResult<Option<String>> {
    let team = team.map(str::trim).filter(|t| !t.is_empty());
    let teams = state.db.people().teams(who.org_id).await?;
    let Some(own) = managed_team(who)? else {
        if !role.needs_team() {
            return Ok(team.map(str::to_owned));
        }
        let name = team.ok_or_else(|| invalid("team", "choose the team they join"))?;
        return match teams.iter().find(|t| t.name == name) {
            Some(t) => Ok(Some(t.name.clone())),
            None => Err(invalid("team", format!("there is no team named {name:?}"))),
        };
    };
    if role != Role::Collector {
        return Err(forbidden(
            "only administrators add supervisors and administrators",
        ));
    }
    let own = teams
        .into_iter()
        .find(|t| t.id == own.to_string())
        .ok_or_else(|| anyhow::anyhow!("the supervisor's team is missing"))?;
    match team {
        Some(name) if name != own.name => Err(forbidden(format!(
            "supervisors add people to their own team ({}) only",
            own.name
        ))),
        _ => Ok(Some(own.name)),
    }
}

fn new_user_error(e: NewUserError) -> ApiError {
    match e {
        NewUserError::Invalid { .. } => ApiError::Invalid(e.to_string()),
        NewUserError::Taken(_) => ApiError::Conflict {
            code: ErrorCode::UsernameTaken,
            message: e.to_string(),
        },
        NewUserError::Storage(e) => ApiError::Internal(e),
    }
}

/// 422 naming the field first, as every message of this module does.
fn invalid(field: &str, why: impl std::fmt::Display) -> ApiError {
    ApiError::Invalid(format!("{field}: {why}"))
}

fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::Forbidden {
        code: ErrorCode::Forbidden,
        message: message.into(),
    }
}
