//! `POST /api/v1/connection-tokens`: a short-lived token with which a page
//! on the integrating site opens Herald's socket (`/ws?token=…`) or event
//! stream (`/events?token=…`) for one user.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use herald::{FieldErrors, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::JsonBody;
use super::keys::Caller;
use super::problem::Problem;
use super::responses::{BodyRefusals, KeyRefusals, NoSuchUser};
use crate::state::AppState;
use crate::store::now_ms;

const DEFAULT_TTL_SECONDS: i64 = 300;
const MAX_TTL_SECONDS: i64 = 3600;

/// Which user the token is for (exactly one of the two), and for how long.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub user_id: Option<UserId>,
    pub external_id: Option<String>,
    /// Seconds, 1 to 3600 (default 300).
    pub ttl_seconds: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Token {
    pub token: String,
    /// Unix milliseconds.
    pub expires_at: i64,
}

fn invalid(field: &str, message: &str) -> Problem {
    let mut errors = FieldErrors::default();
    errors.push(field, message);
    Problem::invalid(errors)
}

/// Issue a connection token for one user.
#[utoipa::path(
    post,
    path = "/api/v1/connection-tokens",
    tag = "connection tokens",
    request_body = TokenRequest,
    responses(
        (status = 201, description = "A token for /ws?token= or /events?token=", body = Token),
        NoSuchUser,
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        KeyRefusals,
        BodyRefusals,
    ),
)]
pub async fn issue(
    State(state): State<AppState>,
    Caller(key): Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<Token>), Problem> {
    let request: TokenRequest = body.decode()?;
    let ttl = request.ttl_seconds.unwrap_or(DEFAULT_TTL_SECONDS);
    if !(1..=MAX_TTL_SECONDS).contains(&ttl) {
        return Err(invalid("ttl_seconds", "Must be 1 to 3600."));
    }
    let user = super::reads::resolve(
        &state,
        request.user_id,
        request.external_id,
        super::reads::Unknown::Create,
    )
    .await?;
    let expires_at = now_ms() + ttl * 1000;
    // The token names its key, so revoking the key ends it too.
    let token = state.tokens.sign(&crate::identity::tokens::Claims {
        user,
        key: key.id,
        expires_at,
    });
    Ok((StatusCode::CREATED, Json(Token { token, expires_at })))
}
