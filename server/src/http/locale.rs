//! Which language a page is rendered in: the user's choice (Settings), else
//! their browser's (`Accept-Language`), else English. Decided once per page
//! request and handed to the app in the request's extensions
//! (`app::i18n::page_locale`).

use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use herald::i18n::Locale;
use tower_sessions::Session;

use crate::http::auth::session_auth;
use crate::http::page_locale;
use crate::state::AppState;

pub async fn choose(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    if is_page(&request) {
        let locale = match chosen(&state, &session).await {
            Some(locale) => locale,
            None => page_locale::browsers(request.headers()),
        };
        request.extensions_mut().insert(locale);
    }
    next.run(request).await
}

/// A browser asking for a page (not a script, style or API call, which
/// would otherwise load the session for nothing).
fn is_page(request: &Request) -> bool {
    request.method() == Method::GET
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
}

/// The signed-in user's own choice. A failed read falls back to the
/// browser's language rather than failing the page.
async fn chosen(state: &AppState, session: &Session) -> Option<Locale> {
    let auth = session_auth(session).await.ok()??;
    match state.store.locale(auth.user).await {
        Ok(locale) => locale,
        Err(error) => {
            tracing::warn!(%error, "could not read a user's language");
            None
        }
    }
}
