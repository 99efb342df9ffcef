//! What every request handler is handed: the parts of a running Herald.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use tokio_util::sync::CancellationToken;

use crate::api::limits::Limiter;
use crate::config::Config;
use crate::identity::sessions::Sessions;
use crate::identity::tokens;
use crate::jobs::housekeeping::Housekeeping;
use crate::realtime::broker::Broker;
use crate::realtime::hub::Hub;
use crate::realtime::notifier::Notifier;
use crate::store::{Pass, Store, StoreError, now_ms};
use app::backend::SharedBackend;
use herald::User;

/// Everything a request handler may need; cloned into each one, so it is
/// one shared reference (cloning every part per request was ~5 % of the
/// server's CPU under load).
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

impl AppState {
    pub fn new(parts: Parts) -> AppState {
        AppState(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// What Leptos's handlers take from the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        state.leptos_options.clone()
    }
}

/// The parts of a running Herald, behind [`AppState`].
pub struct Parts {
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    pub store: Store,
    pub hub: Arc<Hub>,
    /// How committed changes reach the hub (of every instance).
    pub broker: Arc<Broker>,
    /// Every change to notifications goes through it.
    pub notifier: Arc<Notifier>,
    pub backend: SharedBackend,
    /// Sessions, also read by live connections to re-check theirs.
    pub sessions: Sessions,
    /// Cancelled when the server stops accepting connections.
    pub shutdown: CancellationToken,
    /// Cancelled on SIGTERM (and with `shutdown`): `/readyz` turns 503, live
    /// connections close with 1001 and new ones are refused.
    pub draining: CancellationToken,
    /// This instance's name among several.
    pub instance: Arc<str>,
    /// Requests per API key.
    pub api_limiter: Limiter,
    /// Requests per user with a connection token (`/api/v1/me`).
    pub viewer_limiter: Limiter,
    /// Signs connection tokens for other sites.
    pub tokens: tokens::Signer,
    /// The purge job's record, for operators and tests.
    pub housekeeping: Arc<Housekeeping>,
}

impl AppState {
    /// The active user a connection token stands for, with its claims: the
    /// signature and expiry, then the user still active and the minting key
    /// not revoked. `None` is a refusal, whatever the reason.
    pub async fn token_holder(
        &self,
        token: &str,
    ) -> Result<Option<(User, tokens::Claims)>, StoreError> {
        let Some(claims) = self.tokens.verify(token, now_ms()) else {
            return Ok(None);
        };
        let user = self
            .store
            .user_let_in(claims.user, Pass::Token { key: claims.key })
            .await?;
        Ok(user.map(|user| (user, claims)))
    }
}
