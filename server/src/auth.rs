//! Who is asking: passwords, sessions, allowed origins and the admin pages'
//! gate.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use herald::User;
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration;
use tower_sessions::{Expiry, Session, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

use crate::AppState;
use crate::config::{Config, normalise_origin};
use crate::error::Error;
use crate::store::Store;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "herald_session";

/// Hashes a password with argon2id and a random salt (CPU-heavy: call from
/// a blocking task).
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Checks `password` against a stored hash; `None` checks against a dummy so
/// an unknown username takes as long as a wrong password.
pub fn verify_password(hash: Option<&str>, password: &str) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not a real password").unwrap_or_default());
    let found = hash.is_some();
    let Ok(parsed) = PasswordHash::new(hash.unwrap_or(dummy)) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && found
}

/// Sessions kept in the database behind an HttpOnly, SameSite=Lax cookie,
/// Secure when Herald is served over https.
pub fn session_layer(store: SqliteStore, config: &Config) -> SessionManagerLayer<SqliteStore> {
    SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies())
        .with_expiry(Expiry::OnInactivity(Duration::days(14)))
}

/// The user the session belongs to, if it names one that still exists.
pub async fn session_user(session: &Session, store: &Store) -> Result<Option<User>, Error> {
    match session.get(app::backend::SESSION_USER_KEY).await? {
        Some(id) => Ok(store.user(id).await?),
        None => Ok(None),
    }
}

/// Refuses a browser page from a foreign site opening a socket with our
/// user's cookie. Requests without `Origin` come from non-browser clients,
/// which cannot be driven by another site, so they pass.
pub fn check_origin(headers: &HeaderMap, config: &Config) -> Result<(), Error> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin
        .to_str()
        .ok()
        .and_then(normalise_origin)
        .ok_or(Error::ForbiddenOrigin)?;
    if config.allowed_origins().contains(&origin) {
        return Ok(());
    }
    // Without a configured public URL, the page's own host is the one origin.
    let same_host = config.public_url.is_none()
        && headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|host| {
                let host = host.to_ascii_lowercase();
                origin == format!("http://{host}") || origin == format!("https://{host}")
            });
    if same_host {
        Ok(())
    } else {
        Err(Error::ForbiddenOrigin)
    }
}

fn under(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Guards pages before they render: anonymous visitors to `/admin` or
/// `/notifications` go to the login page, members get 403 on `/admin`.
/// Server functions check again themselves.
pub async fn guard_pages(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let admin_only = under(path, "/admin");
    if !admin_only && !under(path, "/notifications") {
        return next.run(request).await;
    }
    match session_user(&session, &state.store).await {
        Ok(Some(user)) if user.is_admin() || !admin_only => next.run(request).await,
        Ok(Some(_)) => (
            StatusCode::FORBIDDEN,
            Html("<!DOCTYPE html><title>Forbidden</title><h1>403 Forbidden</h1><p>Only admins may open this page. <a href=\"/\">Back to Herald</a></p>"),
        )
            .into_response(),
        Ok(None) => Redirect::to("/login").into_response(),
        Err(error) => error.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        h
    }

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(Some(&hash), "correct horse"));
        assert!(!verify_password(Some(&hash), "wrong"));
        assert!(!verify_password(None, "not a real password"));
    }

    #[test]
    fn origin_must_match_host_or_the_allowed_list() {
        let mut config = Config::for_database("sqlite://x.db");
        assert!(
            check_origin(
                &headers(Some("http://127.0.0.1:3000"), "127.0.0.1:3000"),
                &config
            )
            .is_ok()
        );
        assert!(check_origin(&headers(None, "127.0.0.1:3000"), &config).is_ok());
        assert!(
            check_origin(
                &headers(Some("http://evil.example"), "127.0.0.1:3000"),
                &config
            )
            .is_err()
        );
        assert!(check_origin(&headers(Some("null"), "127.0.0.1:3000"), &config).is_err());

        config.public_url = Some("https://herald.example".parse().unwrap());
        assert!(
            check_origin(
                &headers(Some("https://herald.example"), "internal:3000"),
                &config
            )
            .is_ok()
        );
        // With a public URL set, the Host header is no longer trusted.
        assert!(
            check_origin(
                &headers(Some("http://internal:3000"), "internal:3000"),
                &config
            )
            .is_err()
        );
    }
}
