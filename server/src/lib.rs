#![recursion_limit = "256"]
//! Herald's server: the axum app serving the Leptos pages, their server
//! functions and the live socket. `main.rs` only wires these together.

pub mod api;
pub mod arguments;
pub mod assets;
pub mod auth;
pub mod broker;
pub mod config;
pub mod embed;
pub mod error;
pub mod fanout;
pub mod follow;
pub mod headers;
pub mod housekeeping;
pub mod hub;
pub mod live;
pub mod notifier;
pub mod operations;
pub mod outbound;
pub mod overload;
pub mod passwords;
pub mod push;
pub mod seed;
pub mod services;
pub mod sessions;
pub mod store;
pub mod telemetry;
pub mod throttle;
pub mod tokens;
pub mod webhooks;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::sessions::Sessions;
use app::backend::SharedBackend;
use app::{App, shell};
use axum::Router;
use axum::extract::{ConnectInfo, FromRef};
use axum::http::StatusCode;
use axum::routing::get;
use hyper_util::rt::{TokioIo, TokioTimer};
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use thiserror::Error;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::broker::Broker;
use crate::config::{Config, ConfigError};
use crate::housekeeping::Housekeeping;
use crate::hub::Hub;
use crate::notifier::Notifier;
use crate::passwords::Passwords;
use crate::services::Services;
use crate::store::{Store, StoreError};

/// A request's tracing span: method and path only, since a query string
/// may carry a connection token (`/ws?token=…`).
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::debug_span!("request", method = %request.method(), path = %request.uri().path())
}

/// Everything a request handler may need; cloned into each one.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    pub store: Store,
    pub hub: Arc<Hub>,
    /// How committed changes reach the hub (of every instance).
    pub broker: Arc<Broker>,
    /// Every change to notifications goes through it.
    pub notifier: Arc<Notifier>,
    pub services: Arc<Services>,
    /// Sessions, also read by live connections to re-check theirs.
    pub sessions: Sessions,
    /// Cancelled when the server stops accepting connections.
    pub shutdown: CancellationToken,
    /// Cancelled on SIGTERM (and with `shutdown`): `/readyz` turns 503, live
    /// connections close with 1001 and new ones are refused.
    #[from_ref(skip)]
    pub draining: CancellationToken,
    /// This instance's name among several.
    #[from_ref(skip)]
    pub instance: Arc<str>,
    /// Requests per API key.
    pub api_limiter: api::Limiter,
    /// Requests per user with a connection token (`/api/v1/me`).
    #[from_ref(skip)]
    pub viewer_limiter: api::Limiter,
    /// Signs connection tokens for other sites.
    pub tokens: tokens::Signer,
    /// The purge job's record, for operators and tests.
    pub housekeeping: Arc<Housekeeping>,
}

/// Why Herald could not start.
#[derive(Debug, Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot set up the session store: {0}")]
    Sessions(#[from] sqlx::Error),
    #[error("cannot seed demo users: {0}")]
    Seed(String),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

/// A prepared Herald: database migrated, demo users seeded, router built.
pub struct Herald {
    pub state: AppState,
    pub router: Router,
    /// Credentials of users seeded just now (empty unless the database was new).
    pub seeded: Vec<(String, String)>,
}

impl Herald {
    /// Checks the settings, opens and migrates the database, seeds it if
    /// new, starts the purge job and builds the app.
    pub async fn prepare(
        config: Config,
        mut leptos_options: LeptosOptions,
    ) -> Result<Herald, StartError> {
        config.validate()?;
        leptos_options.hash_files = assets::built_with_hashes(&leptos_options);
        operations::init_metrics();
        let store = Store::connect_sized(&config.database_url, config.database_pool).await?;
        store.migrate().await?;
        let passwords = Passwords::per_core();
        let seeded =
            seed::demo_users(&store, &config, &passwords, leptos_options.site_addr).await?;
        if let Some(admin) = seed::first_admin(&store, &config, &passwords).await? {
            tracing::info!(admin, "created the first admin");
        }
        if config.token_secret.is_none() {
            tracing::warn!(
                "HERALD_TOKEN_SECRET is not set: connection tokens are signed with a random key \
                 and end when this process does (set it, the same on every instance)"
            );
        }

        let sessions = Sessions::connect(&config.database_url).await?;

        let config = Arc::new(config);
        let instance: Arc<str> = match &config.instance_id {
            Some(id) => id.as_str().into(),
            None => format!("{:016x}", rand::random::<u64>()).into(),
        };
        let session_key = store.shared_secret("session_tags").await?;
        let hub = Hub::new(
            config.connection_queue,
            config.max_connections_per_user,
            session_key,
        );
        let shutdown = CancellationToken::new();
        let broker = Arc::new(Broker::start(
            &store,
            &config,
            hub.clone(),
            &instance,
            shutdown.clone(),
        ));
        broker.until_listening(Duration::from_secs(5)).await;
        let pusher = push::Pusher::load(
            store.clone(),
            config.push_contact.clone(),
            config.push_allow_local,
            sessions.table(),
        )
        .await?;
        let fanout = fanout::spawn(
            store.clone(),
            broker.clone(),
            pusher.clone(),
            config.fanout_batch,
            shutdown.clone(),
        );
        let notifier = Arc::new(Notifier::new(
            store.clone(),
            broker.clone(),
            fanout,
            pusher.clone(),
        ));
        let services = Arc::new(Services::new(
            store.clone(),
            broker.clone(),
            notifier.clone(),
            config.clone(),
            passwords,
        ));
        housekeeping::spawn_checkpoints(store.clone(), shutdown.clone());
        housekeeping::spawn_due_changes(notifier.clone(), shutdown.clone());
        if let Some(secret) = &config.webhook_secret {
            webhooks::spawn(
                store.clone(),
                secret.clone(),
                config.webhook_reach()?,
                config.webhook_retry_ms,
                notifier.webhook_wake(),
                shutdown.clone(),
            );
        }
        let housekeeping = housekeeping::spawn(
            store.clone(),
            sessions.clone(),
            services.clone(),
            config.clone(),
            shutdown.clone(),
        );
        let state = AppState {
            leptos_options,
            services,
            api_limiter: api::limiter(config.api_rate, config.api_burst),
            viewer_limiter: api::limiter(config.api_rate, config.api_burst),
            tokens: tokens::Signer::new(config.token_secret.as_deref()),
            config,
            store,
            hub,
            broker,
            notifier,
            sessions: sessions.clone(),
            draining: shutdown.child_token(),
            shutdown,
            instance,
            housekeeping,
        };
        let router = router(state.clone(), sessions);
        Ok(Herald {
            state,
            router,
            seeded,
        })
    }

    /// Serves until `state.shutdown` is cancelled, then closes every live
    /// connection (1001) and returns once every connection is gone or
    /// `grace` is up, whichever is first: a client that stops reading
    /// cannot hold shutdown up.
    ///
    /// hyper's HTTP/1 server is driven directly (as axum's `serve` does)
    /// for the one setting `serve` lacks: a deadline for a request's
    /// headers, from the connection's first byte, against clients that open
    /// connections and trickle bytes to hold them (slowloris). (hyper-util's
    /// HTTP/1-or-2 detection reads its first bytes without any deadline;
    /// browsers speak HTTP/2 only over TLS, which a proxy terminates.)
    pub async fn serve(self, listener: TcpListener, grace: Duration) -> std::io::Result<()> {
        let shutdown = self.state.shutdown.clone();
        let header_timeout = Duration::from_secs(self.state.config.header_timeout_secs.max(1));
        let connections = tokio_util::task::TaskTracker::new();
        loop {
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors, say: wait, then carry on.
                        tracing::warn!(%error, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                _ = shutdown.cancelled() => break,
            };
            let _ = stream.set_nodelay(true);
            let router = self.router.clone();
            let service = hyper::service::service_fn(
                move |mut request: hyper::Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    router.clone().oneshot(request)
                },
            );
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let connection = builder
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            let shutdown = shutdown.clone();
            connections.spawn(async move {
                let mut connection = std::pin::pin!(connection);
                let ended = tokio::select! {
                    ended = connection.as_mut() => ended,
                    _ = shutdown.cancelled() => {
                        // Finish the request in flight, then close.
                        connection.as_mut().graceful_shutdown();
                        connection.await
                    }
                };
                if let Err(error) = ended {
                    tracing::debug!(%error, %peer, "connection ended with an error");
                }
            });
        }
        drop(listener);
        connections.close();
        let hub = self.state.hub.clone();
        let drained = async {
            connections.wait().await;
            hub.until_at_most(0).await;
        };
        if tokio::time::timeout(grace, drained).await.is_err() {
            tracing::warn!(
                open = hub.connection_count(),
                "shutting down with connections still open"
            );
        }
        Ok(())
    }
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
    let backend: SharedBackend = state.services.clone();
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
            get(follow::open).post(follow::open_confirmed),
        )
        .route("/notifications/{id}/actions/{index}", get(follow::act_link))
        .route("/embed/herald-bell.js", get(embed::script))
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
        .route("/healthz", get(operations::healthz))
        .route("/readyz", get(operations::readyz))
        .route("/metrics", get(operations::metrics))
        .merge(overload::limit(
            limited,
            state.config.max_concurrent_requests,
        ))
        .layer(axum::middleware::from_fn(
            arguments::check_server_fn_arguments,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::guard_pages,
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
