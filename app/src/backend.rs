//! The server-side services that server functions call. The `server` crate
//! implements [`Backend`] over its store and hub and provides it as context;
//! this crate only knows the interface, so the dependency points one way.

use std::fmt::Display;
use std::sync::Arc;

use async_trait::async_trait;
use herald::wire::Transport;
use herald::{
    Audience, Category, InboxView, NewNotification, Notification, Preference, User, UserId,
};
use leptos::prelude::*;
use tower_sessions::Session;

use crate::error::AppError;
use herald::admin::{ApiKeyInfo, AuditInfo, SendReport, SendSummary, UserSummary};

/// What the server functions need from the server.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Logs `session` in as the user with this username and password, if
    /// both match and the attempt is not throttled. `request` tells who is
    /// asking (their address counts against the throttle).
    async fn log_in(
        &self,
        session: &Session,
        request: &axum::http::request::Parts,
        username: &str,
        password: &str,
    ) -> Result<User, AppError>;
    /// Ends `session` and the live connections opened with it.
    async fn log_out(&self, session: &Session) -> Result<(), AppError>;
    /// The user `session` is logged in as, if it is still valid; extends
    /// the session's inactivity expiry now and then.
    async fn session_user(&self, session: &Session) -> Result<Option<User>, AppError>;
    /// Replaces `user`'s password after checking the current one; every
    /// other session of theirs ends, `session` stays.
    async fn change_password(
        &self,
        session: &Session,
        user: &User,
        current: &str,
        new: &str,
    ) -> Result<(), AppError>;
    /// The unread count and the sequence number it is valid at.
    async fn unread(&self, id: UserId) -> Result<herald::Counts, AppError>;
    async fn users(&self) -> Result<Vec<User>, AppError>;
    /// The active users among `names` (normalised usernames).
    async fn users_named(&self, names: &[String]) -> Result<Vec<User>, AppError>;
    /// A page of the user's `view`, newest first, older than `before` (a seq).
    async fn page(
        &self,
        user: UserId,
        view: InboxView,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Notification>, AppError>;
    /// Applies `change` to one of the user's notifications; another user's
    /// is `NotFound`.
    async fn change(
        &self,
        user: UserId,
        id: i64,
        change: herald::Change,
    ) -> Result<Notification, AppError>;
    /// Clicks a webhook action of one of the user's notifications (read,
    /// interacted, its webhook on its way); a link action is `NotFound` here.
    async fn interact(&self, user: UserId, id: i64, index: usize)
    -> Result<Notification, AppError>;
    /// Marks read everything up to `up_to` (a seq); returns the new count.
    async fn mark_all_read(&self, user: UserId, up_to: i64) -> Result<i64, AppError>;
    /// Records that the bell's panel showed everything up to `up_to`.
    async fn mark_seen(&self, user: UserId, up_to: i64) -> Result<(), AppError>;
    /// The user's preference for every category.
    async fn preferences(&self, user: UserId) -> Result<Vec<Preference>, AppError>;
    /// Sets one category's choices; muting a required one is invalid `bell`.
    async fn set_preference(
        &self,
        user: UserId,
        choice: Preference,
    ) -> Result<Vec<Preference>, AppError>;
    /// The address `user`'s email digests go to.
    async fn email(&self, user: UserId) -> Result<Option<String>, AppError>;
    /// Sets (or, `None`, removes) that address.
    async fn set_email(&self, user: UserId, email: Option<String>) -> Result<(), AppError>;
    /// The language `user` chose for the pages, if any.
    async fn locale(&self, user: UserId) -> Result<Option<herald::i18n::Locale>, AppError>;
    /// Sets (or, `None`, forgets) that language.
    async fn set_locale(
        &self,
        user: UserId,
        locale: Option<herald::i18n::Locale>,
    ) -> Result<(), AppError>;
    /// The topics `user` follows.
    async fn topics(&self, user: UserId) -> Result<Vec<herald::topics::Subscription>, AppError>;
    /// `user` stops following `topic`.
    async fn leave_topic(&self, user: UserId, topic: &str) -> Result<(), AppError>;
    /// The public key browsers subscribe to web push with (base64url).
    fn push_key(&self) -> String;
    /// Stores a device of `user`'s for web push (checked subscription),
    /// forgotten when `session` signs out.
    async fn subscribe_push(
        &self,
        session: &Session,
        user: UserId,
        endpoint: &str,
        p256dh: &str,
        auth: &str,
    ) -> Result<(), AppError>;
    /// Forgets one of `user`'s devices.
    async fn unsubscribe_push(&self, user: UserId, endpoint: &str) -> Result<(), AppError>;
    /// Whether Herald pushes to `endpoint` for `user`.
    async fn is_push_device(&self, user: UserId, endpoint: &str) -> Result<bool, AppError>;
    /// The browser signed in as `user` with `session` holds the push
    /// subscription `endpoint`: a device stored for it under any other
    /// sign-in is forgotten.
    async fn claim_push_device(
        &self,
        session: &Session,
        user: UserId,
        endpoint: &str,
    ) -> Result<(), AppError>;
    /// The categories an admin made required.
    async fn required_categories(&self) -> Result<Vec<Category>, AppError>;
    /// Makes a category required (nobody can mute it) or optional again.
    async fn set_required(
        &self,
        by: &User,
        category: Category,
        required: bool,
    ) -> Result<(), AppError>;
    /// The categories emailed by default.
    async fn emailed_categories(&self) -> Result<Vec<Category>, AppError>;
    /// Makes a category emailed by default (for users who did not choose).
    async fn set_emailed(
        &self,
        by: &User,
        category: Category,
        emailed: bool,
    ) -> Result<(), AppError>;
    /// How browsers should keep their live connection.
    fn transport(&self) -> Transport;
    /// Every integration API key, newest first (never their secrets).
    async fn api_keys(&self) -> Result<Vec<ApiKeyInfo>, AppError>;
    /// Creates a key and returns its secret, the only time it is shown.
    async fn create_api_key(&self, by: &User, name: &str) -> Result<String, AppError>;
    /// Revokes a key and closes the live connections its tokens opened.
    async fn revoke_api_key(&self, by: &User, id: i64) -> Result<(), AppError>;
    /// What was sent, newest first, older than `before` (an id), with
    /// `search` in the title.
    async fn sends(
        &self,
        search: &str,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<SendSummary>, AppError>;
    /// Withdraws a send from every recipient; returns how many it reached.
    async fn retract_send(&self, by: &User, id: i64) -> Result<usize, AppError>;
    /// Users newest first, older than `before` (an id), with `search` in
    /// their username.
    async fn user_list(
        &self,
        search: &str,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<UserSummary>, AppError>;
    /// Creates a user; a taken username is an invalid `username`.
    async fn create_user(
        &self,
        by: &User,
        username: &str,
        password: &str,
        role: herald::Role,
    ) -> Result<(), AppError>;
    /// Deactivates a user and ends their sessions and live connections;
    /// the last active admin is a `Conflict`.
    async fn deactivate_user(&self, by: &User, id: UserId) -> Result<(), AppError>;
    /// Lets a deactivated user log in again.
    async fn reactivate_user(&self, by: &User, id: UserId) -> Result<(), AppError>;
    /// Makes a user an admin or a member; the last active admin is a `Conflict`.
    async fn set_role(&self, by: &User, id: UserId, role: herald::Role) -> Result<(), AppError>;
    /// The audit log, newest first, older than `before` (an id), matching `search`.
    async fn audit_log(
        &self,
        search: &str,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditInfo>, AppError>;
    /// Stores a validated notification from `actor` for `audience` and
    /// delivers it live, now or (with `send_at`) at that time.
    async fn send(
        &self,
        actor: &User,
        audience: Audience,
        content: NewNotification,
        send_at: Option<i64>,
    ) -> Result<SendReport, AppError>;
}

pub type SharedBackend = Arc<dyn Backend>;

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

/// The logged-in user, if the session is still valid for them.
pub async fn current_user() -> Result<Option<User>, AppError> {
    backend()?.session_user(&session().await?).await
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

/// A signed-in user calls the backend: how every user's server function
/// runs. `call` gets the backend and the user; a failure gets its status.
pub async fn as_user<T, Fut>(call: impl FnOnce(SharedBackend, User) -> Fut) -> Result<T, AppError>
where
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    respond(calling(require_user(), call).await)
}

/// [`as_user`] for an admin: anyone else is refused before `call` runs.
pub async fn as_admin<T, Fut>(call: impl FnOnce(SharedBackend, User) -> Fut) -> Result<T, AppError>
where
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    respond(calling(require_admin(), call).await)
}

async fn calling<T, Fut>(
    caller: impl std::future::Future<Output = Result<User, AppError>>,
    call: impl FnOnce(SharedBackend, User) -> Fut,
) -> Result<T, AppError>
where
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let user = caller.await?;
    call(backend()?, user).await
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
            if let Some(seconds) = error.retry_after() {
                res.insert_header(axum::http::header::RETRY_AFTER, seconds.into());
            }
        }
    }
    result
}
