//! `/notifications/{id}/open`: following a notification's link marks it
//! read, then sends the browser on. A plain link, so it works without WASM
//! and opens in a new tab. Marking read changes state, so a GET does it only
//! when the click came from Herald's own pages (or the user typed the
//! address); a link planted on another site gets a page asking to confirm,
//! whose button POSTs (and is checked like every other POST).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::error::Error;
use crate::http::auth;
use crate::state::AppState;
use crate::store::StoreError;

pub async fn open(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, Error> {
    let Some(user) = auth::session_user(&session, &state.store, &state.config).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    if !auth::own_navigation(&headers, &state.config) {
        let notification = state
            .store
            .notification(user.id, id)
            .await?
            .ok_or(Error::Store(StoreError::NotFound))?;
        return Ok(Html(confirm_page(id, &notification.title)).into_response());
    }
    follow(&state, user.id, id).await
}

/// The confirmation page's button.
pub async fn open_confirmed(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, Error> {
    let Some(user) = auth::session_user(&session, &state.store, &state.config).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    follow(&state, user.id, id).await
}

async fn follow(state: &AppState, user: herald::UserId, id: i64) -> Result<Response, Error> {
    let notification = match state
        .notifier
        .change_one(user, id, herald::Change::Read(true))
        .await
    {
        Ok(notification) => notification,
        // Someone else's looks exactly like one that does not exist.
        Err(StoreError::NotFound) => return Err(Error::Store(StoreError::NotFound)),
        Err(other) => {
            tracing::error!(error = %other, "cannot follow a link");
            return Err(Error::Internal);
        }
    };
    // The link was checked (http(s) or a same-site path) when it was stored.
    let to = notification
        .link
        .unwrap_or_else(|| "/notifications".to_owned());
    Ok(Redirect::to(&to).into_response())
}

/// `/notifications/{id}/actions/{index}`: a link action. Clicked on
/// Herald's own pages it records the interaction (and marks read) in every
/// tab, then sends the browser on; from anywhere else it changes nothing
/// and shows the inbox, where the user can click it themselves. A webhook
/// action is never taken by a GET, wherever it came from.
pub async fn act_link(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path((id, index)): Path<(i64, usize)>,
) -> Result<Response, Error> {
    let Some(user) = auth::session_user(&session, &state.store, &state.config).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    if !auth::own_navigation(&headers, &state.config) {
        return Ok(Redirect::to("/notifications").into_response());
    }
    // A webhook action is a choice with consequences (Approve, Decline):
    // made only by a POST from Herald's page or `<herald-bell>`, never by
    // a GET, which a link in a chat or mail application can send.
    let notification = state
        .store
        .notification(user.id, id)
        .await?
        .ok_or(Error::Store(StoreError::NotFound))?;
    match notification.actions.get(index) {
        Some(action) if action.url.is_some() => {}
        Some(_) => return Ok(Redirect::to("/notifications").into_response()),
        None => return Err(Error::Store(StoreError::NotFound)),
    }
    let action = match state.notifier.interact(user.id, id, index).await {
        Ok((_, action)) => action,
        Err(StoreError::NotFound) => return Err(Error::Store(StoreError::NotFound)),
        Err(other) => {
            tracing::error!(error = %other, "cannot follow an action");
            return Err(Error::Internal);
        }
    };
    // Checked (http(s) or a same-site path) when it was stored.
    let to = action.url.unwrap_or_else(|| "/notifications".to_owned());
    Ok(Redirect::to(&to).into_response())
}

fn confirm_page(id: i64, title: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Open notification · Herald</title><link rel=\"stylesheet\" href=\"/pkg/herald.css\"></head>\
         <body><main><section class=\"card confirm-open\"><h1>Open this notification?</h1>\
         <p class=\"item-title\">{}</p>\
         <p class=\"muted\">You followed a link to it from another site. Opening it marks it read.</p>\
         <form method=\"post\" action=\"/notifications/{id}/open\">\
         <button type=\"submit\" class=\"primary\">Open</button> <a href=\"/notifications\">Back to your inbox</a>\
         </form></section></main></body></html>",
        escape(title)
    )
}

/// Text made safe to place in HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confirmation_page_shows_the_title_as_text() {
        let page = confirm_page(7, "<script>alert('x')</script> & co");
        assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("action=\"/notifications/7/open\""));
    }
}
