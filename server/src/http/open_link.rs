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

use herald::i18n::Locale;

use crate::error::Error;
use crate::html::{self, escape};
use crate::http::page_locale::PageLocale;
use crate::http::{assets, auth};
use crate::state::AppState;
use crate::store::StoreError;

pub async fn open(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    PageLocale(locale): PageLocale,
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
        let stylesheet = assets::stylesheet(&state.leptos_options);
        let page = confirm_page(locale, &stylesheet, id, &notification.title);
        return Ok(Html(page).into_response());
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

/// Asks before opening a link that came from another site. The title is
/// the sender's text, shown as text.
fn confirm_page(locale: Locale, stylesheet: &str, id: i64, title: &str) -> String {
    let say = |id| escape(&locale.text(id, None));
    html::page(
        locale,
        stylesheet,
        &locale.text("confirm-open-title", None),
        &format!(
            "<section class=\"card confirm-open\"><h1>{heading}</h1>\
             <p class=\"item-title\">{title}</p><p class=\"muted\">{why}</p>\
             <form method=\"post\" action=\"/notifications/{id}/open\">\
             <button type=\"submit\" class=\"primary\">{open}</button> \
             <a href=\"/notifications\">{back}</a></form></section>",
            heading = say("confirm-open-heading"),
            title = escape(title),
            why = say("confirm-open-why"),
            open = say("confirm-open-button"),
            back = say("confirm-open-back"),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confirmation_page_shows_the_title_as_text() {
        let page = confirm_page(
            Locale::En,
            "/pkg/herald.css",
            7,
            "<script>alert('x')</script> & co",
        );
        assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("action=\"/notifications/7/open\""));
        assert!(page.contains("Open this notification?"));
    }

    #[test]
    fn the_confirmation_page_speaks_german_to_a_german_reader() {
        let page = confirm_page(Locale::De, "/pkg/herald.css", 7, "Rechnung");
        assert!(page.contains("<html lang=\"de\">"));
        assert!(page.contains("Diese Benachrichtigung öffnen?"));
        assert!(page.contains(">Öffnen</button>"));
    }
}
