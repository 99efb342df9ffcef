//! Everything around a request: the router and its layers, headers,
//! overload limits, static assets, sign-in checks, the link redirect and
//! health checks.

pub mod assets;
pub mod auth;
pub mod embed;
pub mod headers;
pub mod health;
pub mod locale;
pub mod open_link;
pub mod overload;
pub mod page_locale;
pub mod router;
pub mod serve;
pub mod server_fn_guard;
pub mod unsubscribe;

/// The largest request body Herald reads: API calls and server functions.
pub const BODY_LIMIT: usize = 64 * 1024;
