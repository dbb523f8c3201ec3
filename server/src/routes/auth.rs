//! `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`, `GET /api/v1/auth/me`.
//!
//! Login answers the same 401 for an unknown user, a wrong password and an invited user without
//! one, so the answer does not tell which accounts exist; a disabled account is named (403) only
//! to someone who knew its password. Failed logins are counted per account and per client
//! address over one minute (`crate::auth::limit` has the policy); past a limit attempts get 429.
//! Passwords are checked by the state's bounded hasher, which answers 503 when saturated. This
//! module must not hash or compare passwords itself nor hold SQL.

use std::time::Duration;
use terreno_shared::api::{ErrorBody, ErrorCode};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use terreno_shared::api::v1::auth::{LoginRequest, LoginResponse, UserInfo};
use terreno_shared::model::Username;
use utoipa::OpenApi;

use crate::auth::{self, ClientAddr, limit};
use crate::db::devices::time;
use crate::db::now_ms;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, AuthUser};
use crate::state::AppState;

/// The one answer to every kind of bad credentials.
pub const WRONG_CREDENTIALS: &str = "wrong username or password";

/// Routes of this module.
pub fn router() -> super::Routes {
    super::Routes::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/auth/me", get(me))
}

#[derive(OpenApi)]
#[openapi(
    paths(login, logout, me),
    components(schemas(LoginRequest, LoginResponse, UserInfo, ErrorBody))
)]
struct Doc;

/// This module's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}

/// Logs in: a new bearer token for a username and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses((status = 200, description = "logged in", body = LoginResponse),
        (status = 400, description = "malformed body or unknown fields", body = ErrorBody),
        (status = 401, description = "wrong username or password", body = ErrorBody),
        (status = 403, description = "`account_disabled`", body = ErrorBody),
        (status = 429, description = "too many failed logins for this account or from this \
            address in a minute (`Retry-After`)", body = ErrorBody),
        (status = 503, description = "`busy`: too many passwords being checked at once \
            (`Retry-After`)", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    Ok(Json(authenticate(&state, client, req).await?))
}

/// Logs out: the caller's token stops working.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "the token is revoked"),
        (status = 401, description = "not logged in", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn logout(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
) -> ApiResult<StatusCode> {
    state.db.users().revoke_token(&who.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who the caller's token belongs to.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, description = "the caller", body = UserInfo),
        (status = 401, description = "not logged in", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn me(
    State(state): State<AppState>,
    AuthUser(who): AuthUser,
) -> ApiResult<Json<UserInfo>> {
    let user = state.db.users().find_info(who.user_id).await?;
    user.map(Json)
        .ok_or_else(|| ApiError::Unauthorized("the token's user no longer exists".into()))
}

/// The login use case: rate limit, password check, then a new token.
async fn authenticate(
    state: &AppState,
    client: ClientAddr,
    req: LoginRequest,
) -> ApiResult<LoginResponse> {
    // A name that cannot exist gets the same answer as one that does not.
    let name = Username::parse(&req.username)
        .map_err(|_| ApiError::Unauthorized(WRONG_CREDENTIALS.into()))?;
    let client = client.key();
    let db = &state.db;
    limit::admit(db, &state.config, &name, &client).await?;
    let user = db.users().find_login(&name).await?;
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches = state.hasher.verify(req.password, hash).await?;
    let Some(user) = user.filter(|_| matches) else {
        return Err(ApiError::Unauthorized(WRONG_CREDENTIALS.into()));
    };
    if !user.active {
        return Err(ApiError::Forbidden {
            code: ErrorCode::AccountDisabled,
            message: format!("the account {name} is disabled: ask an administrator"),
        });
    }
    limit::forget(db, &name, &client).await?;
    let token = auth::new_token()?;
    let expires_ms = now_ms().saturating_add(ttl_ms(state.config.token_ttl));
    db.users()
        .insert_token(user.info.id, &auth::token_hash(&token), expires_ms)
        .await?;
    Ok(LoginResponse {
        token,
        expires_at: time(expires_ms)?,
        user: user.info,
    })
}

fn ttl_ms(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX)
}
