//! Security headers on every response. Pages get a Content-Security-Policy
//! naming this response's nonce (the one inline script hydration needs
//! carries it); everything else gets a policy that allows nothing to run.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use leptos::prelude::use_context;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::Config;
use crate::state::AppState;

/// For responses that are not pages (JSON, files, plain errors).
const NOTHING_RUNS: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The policy of a page whose inline scripts carry `nonce`. WASM needs
/// 'wasm-unsafe-eval'; under `cargo leptos watch` the reload socket on
/// `reload_port` must connect too.
pub fn page_csp(nonce: &str, reload_port: Option<u32>) -> String {
    let reload = reload_port
        .map(|port| format!(" ws://*:{port} wss://*:{port}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'{reload}; \
         frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
}

/// Sets the page policy on the response being rendered (called from the
/// server-side rendering context, where Leptos has made this response's nonce).
pub fn page_policy(reload_port: u32) {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let watching = std::env::var_os("LEPTOS_WATCH").is_some();
    let policy = page_csp(&nonce, watching.then_some(reload_port));
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Adds the headers every response carries, unless the handler set its own.
pub fn secure(router: Router<AppState>, config: &Config) -> Router<AppState> {
    let hsts = config
        .secure_cookies()
        .then(|| HeaderValue::from_static("max-age=63072000; includeSubDomains"));
    let fixed = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    router
        .layer(fixed(header::CONTENT_SECURITY_POLICY, NOTHING_RUNS))
        .layer(fixed(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(fixed(header::X_FRAME_OPTIONS, "DENY"))
        .layer(fixed(header::REFERRER_POLICY, "same-origin"))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            hsts,
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_policy_allows_only_its_nonce_and_our_own_files() {
        let csp = page_csp("abc123", None);
        assert!(csp.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(!csp.contains("unsafe-inline"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("ws://"));
        assert!(page_csp("n", Some(3001)).contains("ws://*:3001"));
    }
}
