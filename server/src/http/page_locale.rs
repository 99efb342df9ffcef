//! The language of a page Herald writes outside Leptos (the link
//! confirmation, unsubscribing, 403): the one `locale::choose` decided for
//! the request, else the browser's, else English.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, header};
use herald::i18n::Locale;

/// The language of a page Herald writes outside Leptos: the one `locale::choose`
/// decided for this request, else (a POST, which it leaves alone) the
/// browser's, else English.
pub fn of(extensions: &Extensions, headers: &HeaderMap) -> Locale {
    extensions
        .get::<Locale>()
        .copied()
        .unwrap_or_else(|| browsers(headers))
}

/// [`of`] as a handler's argument.
pub struct PageLocale(pub Locale);

impl<S: Send + Sync> FromRequestParts<S> for PageLocale {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PageLocale(of(&parts.extensions, &parts.headers)))
    }
}

/// The browser's choice by its `Accept-Language` weights, else English.
pub fn browsers(headers: &HeaderMap) -> Locale {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Locale::negotiate)
        .unwrap_or_default()
}
