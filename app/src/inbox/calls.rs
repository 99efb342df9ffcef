//! The inbox's server functions: a page of a view, and each change to a
//! notification. Each answers a plain form too (`input = PostUrl`).

use herald::{InboxView, Notification};
use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;

use crate::error::AppError;

/// A page of the user's `view`, newest first, older than `before` (a seq).
#[server(endpoint = "inbox/page", input = PostUrl, output = crate::codec::Json)]
pub async fn inbox_page(
    view: InboxView,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Notification>, AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move {
        backend
            .page(user.id, view, before, limit.clamp(1, 100))
            .await
    })
    .await
}

#[server(endpoint = "inbox/read", input = PostUrl, output = crate::codec::Json)]
pub async fn set_read(id: i64, read: bool) -> Result<Notification, AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move {
        backend
            .change(user.id, id, herald::Change::Read(read))
            .await
    })
    .await
}

#[server(endpoint = "inbox/archive", input = PostUrl, output = crate::codec::Json)]
pub async fn set_archived(id: i64, archived: bool) -> Result<Notification, AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move {
        backend
            .change(user.id, id, herald::Change::Archived(archived))
            .await
    })
    .await
}

/// Snoozes one notification for `choice` (`herald::SnoozeFor`), reckoned in
/// the browser's time zone (`offset`: minutes east of UTC; without WASM,
/// UTC).
#[server(endpoint = "inbox/snooze", input = PostUrl, output = crate::codec::Json)]
pub async fn snooze(
    id: i64,
    choice: herald::SnoozeFor,
    #[server(default)] offset: i64,
) -> Result<Notification, AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move {
        let until = choice.until(crate::state::now_ms(), offset);
        backend
            .change(user.id, id, herald::Change::Snoozed(Some(until)))
            .await
    })
    .await
}

/// Clicks a notification's webhook action `index`: read and interacted in
/// every tab; Herald then tells the integrator's backend. (Link actions are
/// plain links through `/notifications/{id}/actions/{index}`.)
#[server(endpoint = "inbox/act", input = PostUrl, output = crate::codec::Json)]
pub async fn act(id: i64, index: usize) -> Result<Notification, AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move { backend.interact(user.id, id, index).await }).await
}

/// Brings a snoozed notification back now.
#[server(endpoint = "inbox/unsnooze", input = PostUrl, output = crate::codec::Json)]
pub async fn unsnooze(id: i64) -> Result<Notification, AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move {
        backend
            .change(user.id, id, herald::Change::Snoozed(None))
            .await
    })
    .await
}

/// Marks read everything up to `up_to` (a seq): what the user had seen when
/// they asked. Returns the new unread count.
#[server(endpoint = "inbox/read-all", input = PostUrl, output = crate::codec::Json)]
pub async fn mark_all_read(up_to: i64) -> Result<i64, AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move { backend.mark_all_read(user.id, up_to).await }).await
}

#[server(endpoint = "inbox/seen", input = PostUrl, output = crate::codec::Json)]
pub async fn mark_seen(up_to: i64) -> Result<(), AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move { backend.mark_seen(user.id, up_to).await }).await
}
