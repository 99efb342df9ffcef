//! `/email/unsubscribe`: the link at the foot of every email digest. A GET
//! (a person, or a mail scanner following links) only shows what it would
//! do, with a button; a POST (that button, or a mail client's one-click
//! unsubscribe, RFC 8058) turns email off for the link's categories. The
//! signature is the permission: no session needed, no other user reachable.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use herald::PreferenceChange;
use serde::Deserialize;

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
pub async fn confirm(State(state): State<AppState>, Query(link): Query<Link>) -> Response {
    match verified(&state, &link).await {
        Ok(Some(unsubscribe)) => page(
            StatusCode::OK,
            &format!(
                "<p>Stop emails about {}?</p>\
                 <form method=\"post\"><button type=\"submit\">Unsubscribe</button></form>\
                 <p>The bell and your inbox keep showing them.</p>",
                names(&unsubscribe)
            ),
        ),
        Ok(None) => invalid(),
        Err(response) => response,
    }
}

/// Turns email off for the link's categories.
pub async fn unsubscribe(State(state): State<AppState>, Query(link): Query<Link>) -> Response {
    let unsubscribe = match verified(&state, &link).await {
        Ok(Some(unsubscribe)) => unsubscribe,
        Ok(None) => return invalid(),
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
    match state
        .store
        .set_preferences(unsubscribe.user, &changes)
        .await
    {
        Ok(_) => page(
            StatusCode::OK,
            &format!(
                "<p>Unsubscribed: no more emails about {}.</p>\
                 <p>Turn them back on in <a href=\"/settings\">Settings</a>.</p>",
                names(&unsubscribe)
            ),
        ),
        Err(error) => {
            tracing::error!(%error, "cannot unsubscribe");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "<p>That did not work. Try the link again later.</p>",
            )
        }
    }
}

async fn verified(state: &AppState, link: &Link) -> Result<Option<Unsubscribe>, Response> {
    let secret = state
        .store
        .shared_secret(SECRET_NAME)
        .await
        .map_err(|error| {
            tracing::error!(%error, "cannot read the unsubscribe secret");
            page(StatusCode::INTERNAL_SERVER_ERROR, "<p>Try again later.</p>")
        })?;
    Ok(Unsubscribe::verify(&secret, &link.u, &link.c, &link.s))
}

fn names(unsubscribe: &Unsubscribe) -> String {
    let names: Vec<String> = unsubscribe
        .categories
        .iter()
        .map(|c| c.label(herald::i18n::Locale::En))
        .collect();
    names.join(", ")
}

fn invalid() -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "<p>This unsubscribe link is not valid. Change your email settings in \
         <a href=\"/settings\">Settings</a>.</p>",
    )
}

/// A small page of Herald's own (only constant text and category names).
fn page(status: StatusCode, body: &str) -> Response {
    (
        status,
        Html(format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width\">\
             <title>Email settings · Herald</title></head><body><main><h1>Email settings</h1>{body}</main></body></html>"
        )),
    )
        .into_response()
}
