//! Who is asking: sessions, client addresses, allowed origins, the check
//! that a state-changing request comes from Herald's own pages (CSRF), and
//! the admin pages' gate.

use std::net::{IpAddr, SocketAddr};

use crate::identity::sessions::Sessions;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Extensions, HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use herald::{User, UserId};
use serde::{Deserialize, Serialize};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer, SessionStore};

use crate::config::{Config, normalise_origin};
use crate::error::Error;
use crate::http::{assets, page_locale};
use crate::realtime::hub::Grant;
use crate::state::AppState;
use crate::store::{Counts, Pass, Store, now_ms};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "herald_session";

/// The session key holding [`SessionAuth`].
const SESSION_AUTH_KEY: &str = "auth";

/// Who a session is logged in as, and since which password: a session is
/// valid only while `epoch` equals the user's (a password change bumps it).
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct SessionAuth {
    pub user: UserId,
    pub epoch: i64,
    /// When the session's expiry was last extended (Unix ms).
    pub touched: i64,
}

/// Sessions kept in the database behind an HttpOnly, SameSite=Lax cookie,
/// Secure when Herald is served over https.
pub fn session_layer(store: Sessions, config: &Config) -> SessionManagerLayer<Sessions> {
    let idle = tower_sessions::cookie::time::Duration::try_from(config.session_idle())
        .unwrap_or(tower_sessions::cookie::time::Duration::days(14));
    SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies())
        .with_expiry(Expiry::OnInactivity(idle))
}

/// Starts a logged-in session for `user` (as of password `epoch`), under a
/// new id so an id planted before the login is worthless.
pub async fn start_session(session: &Session, user: UserId, epoch: i64) -> Result<(), Error> {
    session.cycle_id().await?;
    continue_session(session, user, epoch).await
}

/// Moves a logged-in session to password `epoch` (after its own password
/// change), keeping its id, so the live connections it opened stay valid.
pub async fn continue_session(session: &Session, user: UserId, epoch: i64) -> Result<(), Error> {
    let auth = SessionAuth {
        user,
        epoch,
        touched: now_ms(),
    };
    session.insert(SESSION_AUTH_KEY, auth).await?;
    Ok(())
}

/// Who the session is logged in as and since which password, if anyone,
/// as it says (not yet checked against the user).
pub async fn session_auth(session: &Session) -> Result<Option<SessionAuth>, Error> {
    Ok(session.get::<SessionAuth>(SESSION_AUTH_KEY).await?)
}

/// The user the session is logged in as, if it is still valid for them:
/// they exist, are active, and have not changed their password since
/// (and [`keep_alive`]).
pub async fn session_user(
    session: &Session,
    store: &Store,
    config: &Config,
) -> Result<Option<User>, Error> {
    let Some(auth) = session_auth(session).await? else {
        return Ok(None);
    };
    let Some(user) = store
        .user_let_in(auth.user, Pass::Session { epoch: auth.epoch })
        .await?
    else {
        return Ok(None);
    };
    keep_alive(session, auth, config).await?;
    Ok(Some(user))
}

/// Saves a session let in again now and then (a fourteenth of the idle
/// timeout, at most hourly), which moves its inactivity expiry forward.
pub async fn keep_alive(
    session: &Session,
    mut auth: SessionAuth,
    config: &Config,
) -> Result<(), Error> {
    let every = (config.session_idle() / 14).min(std::time::Duration::from_secs(3600));
    let now = now_ms();
    if now - auth.touched >= every.as_millis() as i64 {
        auth.touched = now;
        session.insert(SESSION_AUTH_KEY, auth).await?;
    }
    Ok(())
}

/// Whether a live connection's grant still lets `user` in: they are active
/// and, for a session, it still exists and is theirs in their current
/// epoch; for a token, it has not expired and its key is not revoked. If
/// so, their unread count and latest sequence number, read with the check.
pub async fn still_granted(
    store: &Store,
    sessions: &Sessions,
    user: UserId,
    grant: &Grant,
) -> Result<Option<Counts>, Error> {
    match grant {
        Grant::Session { id, .. } => {
            let Some(record) = sessions
                .load(id)
                .await
                .map_err(|e| Error::Session(e.into()))?
            else {
                return Ok(None);
            };
            let auth = record
                .data
                .get(SESSION_AUTH_KEY)
                .and_then(|v| serde_json::from_value::<SessionAuth>(v.clone()).ok());
            Ok(match auth {
                Some(auth) if auth.user == user => {
                    store
                        .counts_let_in(user, Pass::Session { epoch: auth.epoch }, None)
                        .await?
                }
                _ => None,
            })
        }
        Grant::Token { key, expires_at } if *expires_at > now_ms() => Ok(store
            .counts_let_in(user, Pass::Token { key: *key }, None)
            .await?),
        Grant::Token { .. } => Ok(None),
    }
}

/// The client's address: the connection's peer, or with `trust_proxy` the
/// last hop in `X-Forwarded-For` (the one the proxy itself appended).
pub fn client_ip(headers: &HeaderMap, extensions: &Extensions, config: &Config) -> Option<IpAddr> {
    let forwarded = config
        .trust_proxy
        .then(|| headers.get("x-forwarded-for")?.to_str().ok())
        .flatten()
        .and_then(|list| list.rsplit(',').next())
        .and_then(|ip| ip.trim().parse().ok());
    forwarded.or_else(|| {
        extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
    })
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

/// Whether a request comes from one of Herald's own pages. Browsers say
/// so in `Sec-Fetch-Site` (where a sibling subdomain is "same-site", not
/// "same-origin"), or else in `Origin`. A request with neither comes from
/// a program, not a page another site could make a browser send.
fn from_own_page(headers: &HeaderMap, config: &Config) -> bool {
    match headers.get("sec-fetch-site").map(|v| v.as_bytes()) {
        Some(site) => site == b"same-origin",
        None => check_origin(headers, config).is_ok(),
    }
}

/// Whether a navigation was started on Herald's own pages or by the user
/// (typed, bookmarked), not by another site: `Sec-Fetch-Site`, else the
/// `Referer`'s origin. A navigation that says neither is not trusted.
pub fn own_navigation(headers: &HeaderMap, config: &Config) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    let Some(referer) = headers.get(header::REFERER).and_then(|r| r.to_str().ok()) else {
        return false;
    };
    let mut as_origin = headers.clone();
    match normalise_origin(referer).and_then(|o| o.parse().ok()) {
        Some(origin) => {
            as_origin.insert(header::ORIGIN, origin);
            check_origin(&as_origin, config).is_ok()
        }
        None => false,
    }
}

/// Refuses a state-changing request (anything but GET, HEAD, OPTIONS) that
/// another site's page made the browser send with our cookie: login
/// included, so nobody can be logged in as someone else either. The
/// integration API is exempt: it takes a bearer key, never a cookie.
pub async fn refuse_cross_site(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe
        || request.uri().path().starts_with("/api/v1/")
        || from_own_page(request.headers(), &state.config)
    {
        return next.run(request).await;
    }
    tracing::warn!(
        path = request.uri().path(),
        origin = ?request.headers().get(header::ORIGIN),
        "refused a cross-site request"
    );
    (StatusCode::FORBIDDEN, "cross-site request refused").into_response()
}

fn under(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Guards pages before they render: anonymous visitors to `/admin`,
/// `/notifications` or `/account` go to the login page, members get 403 on `/admin`.
/// Server functions check again themselves.
pub async fn guard_pages(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let admin_only = under(path, "/admin");
    if !admin_only && !under(path, "/notifications") && !under(path, "/account") {
        return next.run(request).await;
    }
    match session_user(&session, &state.store, &state.config).await {
        Ok(Some(user)) if user.is_admin() || !admin_only => next.run(request).await,
        Ok(Some(_)) => {
            let locale = page_locale::of(request.extensions(), request.headers());
            let say = |id| crate::html::escape(&locale.text(id, None));
            let body = format!(
                "<section class=\"card\"><h1>{}</h1><p>{} <a href=\"/\">{}</a></p></section>",
                say("forbidden-heading"),
                say("forbidden-text"),
                say("forbidden-back"),
            );
            let stylesheet = assets::stylesheet(&state.leptos_options);
            let title = locale.text("forbidden-title", None);
            let page = crate::html::page(locale, &stylesheet, &title, &body);
            (StatusCode::FORBIDDEN, Html(page)).into_response()
        }
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

    #[test]
    fn state_changes_must_come_from_our_own_pages() {
        let config = Config::for_database("sqlite://x.db");
        let own = "127.0.0.1:3000";
        let mut h = headers(Some("http://127.0.0.1:3000"), own);
        assert!(from_own_page(&h, &config));
        h.insert("sec-fetch-site", HeaderValue::from_static("same-site"));
        assert!(!from_own_page(&h, &config), "a sibling subdomain is not us");
        h.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(from_own_page(&h, &config));
        assert!(!from_own_page(
            &headers(Some("http://evil.example"), own),
            &config
        ));
        assert!(
            from_own_page(&headers(None, own), &config),
            "a program, not a page"
        );
    }

    #[test]
    fn only_our_own_or_the_users_navigations_count() {
        let config = Config::for_database("sqlite://x.db");
        let own = "127.0.0.1:3000";
        let mut h = headers(None, own);
        assert!(!own_navigation(&h, &config), "no evidence either way");
        h.insert(
            header::REFERER,
            HeaderValue::from_static("http://127.0.0.1:3000/notifications"),
        );
        assert!(own_navigation(&h, &config));
        h.insert(
            header::REFERER,
            HeaderValue::from_static("https://evil.example/x"),
        );
        assert!(!own_navigation(&h, &config));
        for (site, ok) in [
            ("same-origin", true),
            ("none", true),
            ("same-site", false),
            ("cross-site", false),
        ] {
            h.insert("sec-fetch-site", HeaderValue::from_static(site));
            assert_eq!(own_navigation(&h, &config), ok, "{site}");
        }
    }
}
