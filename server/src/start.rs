//! Starting Herald: settings checked, database migrated and seeded, the
//! real-time core and background jobs started, the router built.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use leptos::prelude::LeptosOptions;
use thiserror::Error;
use tokio_util::sync::CancellationToken;

use crate::api;
use crate::backend::PageBackend;
use crate::config::{Config, ConfigError};
use crate::http::{assets, router::router};
use crate::identity::passwords::Passwords;
use crate::identity::sessions::Sessions;
use crate::identity::throttle::LoginThrottle;
use crate::identity::throttle::PushLimiter;
use crate::identity::{seed, tokens};
use crate::jobs::{broadcast, email, housekeeping, push, webhooks};
use crate::realtime::broker::Broker;
use crate::realtime::hub::Hub;
use crate::realtime::notifier::Notifier;
use crate::state::{AppState, Parts};
use crate::store::{Store, StoreError};
use crate::telemetry;

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
        telemetry::init_metrics();
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
        let fanout = broadcast::spawn(
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
        let throttle = Arc::new(LoginThrottle::default());
        let backend = Arc::new(PageBackend {
            store: store.clone(),
            broker: broker.clone(),
            notifier: notifier.clone(),
            config: config.clone(),
            passwords,
            throttle: throttle.clone(),
            push_limiter: PushLimiter::default(),
        });
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
        if let Err(error) = email::spawn(store.clone(), config.clone(), shutdown.clone()).await {
            tracing::error!(%error, "email digests are off");
        }
        let housekeeping = housekeeping::spawn(
            store.clone(),
            sessions.clone(),
            throttle,
            config.clone(),
            shutdown.clone(),
        );
        let state = AppState::new(Parts {
            leptos_options,
            backend,
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
        });
        let router = router(state.clone(), sessions);
        Ok(Herald {
            state,
            router,
            seeded,
        })
    }
}
