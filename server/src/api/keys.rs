//! Who is calling: the API key from `Authorization: Bearer`, checked on every
//! request (a revoked key is refused at once), and its rate limit.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::problem::Problem;
use crate::state::AppState;
use crate::store::ApiKey;

/// The calling application, as named by its API key.
pub struct Caller(pub ApiKey);

impl Caller {
    /// How the audit log and the Sent list name this caller.
    pub fn label(&self) -> String {
        crate::store::key_label(&self.0)
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, Problem> {
        let token = bearer(parts).ok_or_else(Problem::unauthorized)?;
        let key = state
            .store
            .api_key_for(token)
            .await
            .map_err(Problem::internal)?
            .ok_or_else(Problem::unauthorized)?;
        super::limits::check_limit(&state.api_limiter, key.id, "this API key")?;
        // "Last used" is bookkeeping: written at most once a minute, only
        // for requests the limit let through, and never able to fail one.
        if let Err(error) = state.store.touch_api_key(&key).await {
            tracing::warn!(%error, key = key.prefix, "cannot record API key use");
        }
        Ok(Caller(key))
    }
}

/// The credential in `Authorization: Bearer <credential>`.
pub(super) fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}
