//! The server-side services that server functions call. The `server` crate
//! implements [`Backend`] over its store and hub and provides it as context;
//! this crate only knows the interface, so the dependency points one way.

use std::fmt::Display;
use std::sync::Arc;

use async_trait::async_trait;
use herald::wire::Transport;
use herald::{Audience, InboxView, NewNotification, Notification, User, UserId};
use leptos::prelude::*;
use tower_sessions::Session;

use crate::admin::{ApiKeyInfo, SendReport, SendSummary, UserSummary};
use crate::error::AppError;

/// What the server functions need from the server.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The user with this username and password, if both match.
    async fn authenticate(&self, username: &str, password: &str) -> Result<Option<User>, AppError>;
    async fn user(&self, id: UserId) -> Result<Option<User>, AppError>;
    /// The unread count and the sequence number it is valid at.
    async fn unread(&self, id: UserId) -> Result<(i64, i64), AppError>;
    async fn users(&self) -> Result<Vec<User>, AppError>;
    /// A page of the user's `view`, newest first, older than `before` (a seq).
    async fn page(
        &self,
        user: UserId,
        view: InboxView,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Notification>, AppError>;
    /// Reads or unreads one of the user's notifications; another user's is
    /// `NotFound`.
    async fn set_read(&self, user: UserId, id: i64, read: bool) -> Result<Notification, AppError>;
    async fn set_archived(
        &self,
        user: UserId,
        id: i64,
        archived: bool,
    ) -> Result<Notification, AppError>;
    /// Marks read everything up to `up_to` (a seq); returns the new count.
    async fn mark_all_read(&self, user: UserId, up_to: i64) -> Result<i64, AppError>;
    /// Records that the bell's panel showed everything up to `up_to`.
    async fn mark_seen(&self, user: UserId, up_to: i64) -> Result<(), AppError>;
    /// How browsers should keep their live connection.
    fn transport(&self) -> Transport;
    /// Every integration API key, newest first (never their secrets).
    async fn api_keys(&self) -> Result<Vec<ApiKeyInfo>, AppError>;
    /// Creates a key and returns its secret, the only time it is shown.
    async fn create_api_key(&self, name: &str) -> Result<String, AppError>;
    async fn revoke_api_key(&self, id: i64) -> Result<(), AppError>;
    /// What was sent, newest first, older than `before` (an id), with
    /// `search` in the title.
    async fn sends(
        &self,
        search: &str,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<SendSummary>, AppError>;
    /// Withdraws a send from every recipient; returns how many it reached.
    async fn retract_send(&self, id: i64) -> Result<usize, AppError>;
    async fn user_list(&self, search: &str) -> Result<Vec<UserSummary>, AppError>;
    /// Creates a user; a taken username is an invalid `username`.
    async fn create_user(
        &self,
        username: &str,
        password: &str,
        role: herald::Role,
    ) -> Result<(), AppError>;
    /// Deactivates a user and ends their sessions and live connections.
    async fn deactivate_user(&self, id: UserId) -> Result<(), AppError>;
    /// Stores a validated notification from `actor` for `audience` and
    /// delivers it live.
    async fn send(
        &self,
        actor: &User,
        audience: Audience,
        content: NewNotification,
    ) -> Result<SendReport, AppError>;
}

pub type SharedBackend = Arc<dyn Backend>;

/// The session key holding the logged-in user's id.
pub const SESSION_USER_KEY: &str = "user_id";

/// Logs an unexpected failure and turns it into an opaque `Internal` error.
pub fn internal(error: impl Display) -> AppError {
    tracing::error!(%error, "internal error");
    AppError::Internal
}

pub fn backend() -> Result<SharedBackend, AppError> {
    use_context::<SharedBackend>().ok_or_else(|| internal("Backend missing from context"))
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(internal)
}

/// The logged-in user, if the session names one that still exists.
pub async fn current_user() -> Result<Option<User>, AppError> {
    let session = session().await?;
    let Some(id) = session
        .get::<UserId>(SESSION_USER_KEY)
        .await
        .map_err(internal)?
    else {
        return Ok(None);
    };
    backend()?.user(id).await
}

pub async fn require_user() -> Result<User, AppError> {
    current_user().await?.ok_or(AppError::Unauthorized)
}

pub async fn require_admin() -> Result<User, AppError> {
    let user = require_user().await?;
    if user.is_admin() {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Gives a failed server function its HTTP status. A plain HTML form post is
/// left alone: leptos_axum redirects it back to the form.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        let parts = use_context::<axum::http::request::Parts>();
        let plain_form = parts.is_some_and(|p| {
            p.headers
                .get(axum::http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
        });
        if let (false, Some(res)) = (plain_form, use_context::<leptos_axum::ResponseOptions>()) {
            let status = axum::http::StatusCode::from_u16(error.status())
                .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
            res.set_status(status);
        }
    }
    result
}
