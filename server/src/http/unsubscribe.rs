//! `/email/unsubscribe`: the link at the foot of every email digest. A GET
//! (a person, or a mail scanner following links) only shows what it would
//! do, with a button; a POST (that button, or a mail client's one-click
//! unsubscribe, RFC 8058) turns email off for the link's categories. The
//! signature is the permission: no session needed, no other user reachable.

use std::collections::BTreeMap;

use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use herald::PreferenceChange;
use serde::Deserialize;

use herald::i18n::{Args, Locale};

use crate::html::{self, escape};
use crate::http::assets;
use crate::http::page_locale::PageLocale;
use crate::identity::unsubscribe::{SECRET_NAME, Unsubscribe};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct Link {
    #[serde(default)]
    u: String,
    #[serde(default)]
    c: String,
    #[serde(default)]
    s: String,
}

/// The confirmation page.
pub async fn confirm(page: Page, Query(link): Query<Link>) -> Response {
    match verified(&page, &link).await {
        Ok(Some(unsubscribe)) => page.show(
            StatusCode::OK,
            &format!(
                "<p>{ask}</p><form method=\"post\"><button type=\"submit\">{button}</button></form>\
                 <p>{stays}</p>",
                ask = page.say_about("unsubscribe-ask", &unsubscribe),
                button = page.say("unsubscribe-button"),
                stays = page.say("unsubscribe-bell-stays"),
            ),
        ),
        Ok(None) => page.invalid(),
        Err(response) => response,
    }
}

/// Turns email off for the link's categories.
pub async fn unsubscribe(page: Page, Query(link): Query<Link>) -> Response {
    let unsubscribe = match verified(&page, &link).await {
        Ok(Some(unsubscribe)) => unsubscribe,
        Ok(None) => return page.invalid(),
        Err(response) => return response,
    };
    let off = PreferenceChange {
        email: Some(false),
        ..PreferenceChange::default()
    };
    let changes: BTreeMap<String, PreferenceChange> = unsubscribe
        .categories
        .iter()
        .map(|c| (c.as_str().to_owned(), off))
        .collect();
    match page
        .state
        .store
        .set_preferences(unsubscribe.user, &changes)
        .await
    {
        Ok(_) => page.show(
            StatusCode::OK,
            &format!(
                "<p>{done}</p><p>{back_on}</p>",
                done = page.say_about("unsubscribe-done", &unsubscribe),
                back_on = page
                    .with_settings_link("unsubscribe-turn-back-on", "unsubscribe-turn-back-on-end"),
            ),
        ),
        Err(error) => {
            tracing::error!(%error, "cannot unsubscribe");
            let failed = format!("<p>{}</p>", page.say("unsubscribe-failed"));
            page.show(StatusCode::INTERNAL_SERVER_ERROR, &failed)
        }
    }
}

async fn verified(page: &Page, link: &Link) -> Result<Option<Unsubscribe>, Response> {
    let secret = page
        .state
        .store
        .shared_secret(SECRET_NAME)
        .await
        .map_err(|error| {
            tracing::error!(%error, "cannot read the unsubscribe secret");
            let later = format!("<p>{}</p>", page.say("unsubscribe-later"));
            page.show(StatusCode::INTERNAL_SERVER_ERROR, &later)
        })?;
    Ok(Unsubscribe::verify(&secret, &link.u, &link.c, &link.s))
}

/// A small page of Herald's own, in the reader's language (only constant
/// text and category names).
pub struct Page {
    state: AppState,
    locale: Locale,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let PageLocale(locale) = PageLocale::from_request_parts(parts, state).await?;
        Ok(Page {
            state: state.clone(),
            locale,
        })
    }
}

impl Page {
    fn say(&self, id: &str) -> String {
        escape(&self.locale.text(id, None))
    }

    /// Message `id` about the link's categories (`$categories`).
    fn say_about(&self, id: &str, unsubscribe: &Unsubscribe) -> String {
        let names: Vec<String> = unsubscribe
            .categories
            .iter()
            .map(|c| c.label(self.locale))
            .collect();
        let mut args = Args::new();
        args.set("categories", names.join(", "));
        escape(&self.locale.text(id, Some(&args)))
    }

    /// `before`, a link to Settings, then `after`: one sentence.
    fn with_settings_link(&self, before: &str, after: &str) -> String {
        format!(
            "{}<a href=\"/settings\">{}</a>{}",
            self.say(before),
            self.say("unsubscribe-settings-link"),
            self.say(after)
        )
    }

    fn invalid(&self) -> Response {
        let text = self.with_settings_link("unsubscribe-invalid", "unsubscribe-invalid-end");
        self.show(StatusCode::BAD_REQUEST, &format!("<p>{text}</p>"))
    }

    fn show(&self, status: StatusCode, body: &str) -> Response {
        let stylesheet = assets::stylesheet(&self.state.leptos_options);
        let title = self.locale.text("unsubscribe-title", None);
        let body = format!("<h1>{}</h1>{body}", self.say("unsubscribe-heading"));
        (
            status,
            Html(html::page(self.locale, &stylesheet, &title, &body)),
        )
            .into_response()
    }
}
