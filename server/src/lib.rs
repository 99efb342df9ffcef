#![recursion_limit = "256"]
//! Herald's server: the axum app serving the Leptos pages, their server
//! functions and the live socket. `main.rs` only wires these together.

pub mod api;
pub mod auth;
pub mod config;
pub mod error;
pub mod follow;
pub mod hub;
pub mod live;
pub mod seed;
pub mod services;
pub mod store;
pub mod telemetry;
pub mod tokens;

use std::sync::Arc;
use std::time::Duration;

use app::backend::SharedBackend;
use app::{App, shell};
use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use thiserror::Error;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::trace::TraceLayer;
use tower_sessions::ExpiredDeletion;
use tower_sessions_sqlx_store::SqliteStore;

use crate::config::Config;
use crate::hub::Hub;
use crate::services::Services;
use crate::store::{Store, StoreError};

/// Everything a request handler may need; cloned into each one.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    pub store: Store,
    pub hub: Arc<Hub>,
    pub services: Arc<Services>,
    /// Cancelled when the server begins shutting down.
    pub shutdown: CancellationToken,
    /// Requests per API key.
    pub api_limiter: api::Limiter,
    /// Serialises idempotent API requests (see `api::notifications`).
    pub api_idempotency: Arc<tokio::sync::Mutex<()>>,
    /// Signs connection tokens for other sites.
    pub tokens: tokens::Signer,
}

/// Why Herald could not start.
#[derive(Debug, Error)]
pub enum StartError {
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
    /// Opens and migrates the database, seeds it if new, and builds the app.
    pub async fn prepare(
        config: Config,
        leptos_options: LeptosOptions,
    ) -> Result<Herald, StartError> {
        let store = Store::connect(&config.database_url).await?;
        store.migrate().await?;
        let seeded = seed::demo_users(&store, &config).await?;
        if let Some(admin) = seed::first_admin(&store, &config).await? {
            tracing::info!(admin, "created the first admin");
        }

        let sessions = SqliteStore::new(store.pool().clone());
        sessions.migrate().await?;
        tokio::spawn(
            sessions
                .clone()
                .continuously_delete_expired(Duration::from_secs(60 * 60)),
        );

        let hub = Hub::new(config.connection_queue);
        let state = AppState {
            leptos_options,
            services: Arc::new(Services::new(
                store.clone(),
                hub.clone(),
                config.transport(),
            )),
            api_limiter: api::limiter(config.api_rate, config.api_burst),
            tokens: tokens::Signer::new(config.token_secret.as_deref()),
            config: Arc::new(config),
            store,
            hub,
            shutdown: CancellationToken::new(),
            api_idempotency: Arc::default(),
        };
        let router = router(state.clone(), sessions);
        Ok(Herald {
            state,
            router,
            seeded,
        })
    }

    /// Serves until `state.shutdown` is cancelled, then closes every live
    /// connection (1001) and returns once they are gone or `grace` is up.
    pub async fn serve(self, listener: TcpListener, grace: Duration) -> std::io::Result<()> {
        let shutdown = self.state.shutdown.clone();
        axum::serve(listener, self.router)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await?;
        let hub = self.state.hub;
        if tokio::time::timeout(grace, hub.until_at_most(0))
            .await
            .is_err()
        {
            tracing::warn!(
                open = hub.connection_count(),
                "shutting down with connections still open"
            );
        }
        Ok(())
    }
}

/// The whole HTTP surface: pages, server functions, the socket, static files.
pub fn router(state: AppState, sessions: SqliteStore) -> Router {
    let backend: SharedBackend = state.services.clone();
    let options = state.leptos_options.clone();
    let routes = generate_route_list(App);
    Router::new()
        .route("/ws", get(live::socket::upgrade))
        .route("/events", get(live::stream::events))
        .route("/notifications/{id}/open", get(follow::open))
        .route("/healthz", get(|| async { "ok" }))
        .merge(api::router())
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let backend = backend.clone();
                move || provide_context(backend.clone())
            },
            move || shell(options.clone()),
        )
        // The not-found page renders the app too, header and all.
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(move || provide_context(backend.clone()), shell))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::guard_pages,
        ))
        .layer(auth::session_layer(sessions, &state.config))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
