//! The whole HTTP surface in one place: which path goes where, and the
//! layers every request passes through.

use std::sync::OnceLock;
use std::time::Duration;

use app::backend::SharedBackend;
use app::{App, shell};
use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::api;
use crate::http::{
    assets, auth, embed, headers, health, locale, open_link, overload, server_fn_guard, unsubscribe,
};
use crate::identity::sessions::Sessions;
use crate::realtime::live;
use crate::state::AppState;

/// A request's tracing span: method and path only, since a query string
/// may carry a connection token (`/ws?token=…`).
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::debug_span!("request", method = %request.method(), path = %request.uri().path())
}

/// The app's routes, listed once per process. Listing them renders the app
/// with every resource load in the process suspended (a global flag in
/// leptos_server, leptos-rs/leptos#4773): a page another server in this
/// process was rendering then would never answer.
fn app_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole HTTP surface: pages, server functions, the socket, static files.
pub fn router(state: AppState, sessions: Sessions) -> Router {
    let backend: SharedBackend = state.backend.clone();
    let options = state.leptos_options.clone();
    let routes = app_routes();
    let (site_root, pkg_dir) = (options.site_root.clone(), options.site_pkg_dir.clone());
    let hashed = options.hash_files;
    let page_context = {
        let backend = backend.clone();
        let reload_port = options.reload_port;
        move || {
            provide_context(backend.clone());
            headers::page_policy(reload_port);
        }
    };
    // Everything but live connections and health checks counts against
    // the ceiling on requests at once.
    let limited = Router::new()
        .route(
            "/notifications/{id}/open",
            get(open_link::open).post(open_link::open_confirmed),
        )
        .route(
            "/notifications/{id}/actions/{index}",
            get(open_link::act_link),
        )
        .route("/embed/herald-bell.js", get(embed::script))
        .route("/embed/herald-bell.d.ts", get(embed::types))
        .route(
            "/email/unsubscribe",
            get(unsubscribe::confirm).post(unsubscribe::unsubscribe),
        )
        .merge(api::router(&state.config));
    let limited = assets::files(limited, &site_root, &pkg_dir, hashed)
        .leptos_routes_with_context(&state, routes, page_context.clone(), move || {
            shell(options.clone())
        })
        // The not-found page renders the app too, header and all.
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(page_context, shell));
    let router = Router::new()
        .route("/ws", get(live::socket::upgrade))
        // A page on an allowed origin may use the stream with a token.
        .route(
            "/events",
            get(live::stream::events).layer(api::cors(&state.config)),
        )
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .merge(overload::limit(
            limited,
            state.config.max_concurrent_requests,
        ))
        .layer(axum::middleware::from_fn(
            server_fn_guard::check_server_fn_arguments,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::guard_pages,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            locale::choose,
        ))
        .layer(auth::session_layer(sessions, &state.config))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::refuse_cross_site,
        ))
        // Until the response starts: live streams start theirs at once.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(state.config.request_timeout_secs.max(1)),
        ));
    headers::secure(router, &state.config)
        .layer(assets::compression())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}
