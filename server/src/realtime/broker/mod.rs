//! Between the notifier and the hub: how a committed change reaches the
//! connections of its user on every instance, in commit order, exactly once.
//!
//! - [`InProcess`] (SQLite, one instance): each change and its publication
//!   to this process's hub run under one lock, so the hub sees every user's
//!   events in sequence order.
//! - [`Postgres`] (any number of instances): the change's own transaction
//!   writes its messages to the outbox and issues NOTIFY (`store/outbox.rs`);
//!   each instance's listener reads them back and publishes to its hub, this
//!   instance's own writes included, so there is one path and no double
//!   delivery. Connection endings travel the same way.

mod postgres;

use std::future::Future;
use std::sync::Arc;

use herald::UserId;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

pub use postgres::Postgres;

use crate::config::Config;
use crate::realtime::hub::{Grant, Hub, SessionTag};
use crate::store::{Announcement, Engine, Store, StoreError};

/// The broker of the configured engine.
pub enum Broker {
    InProcess(InProcess),
    Postgres(Arc<Postgres>),
}

/// One process, one hub: publication right after the commit.
#[derive(Clone)]
pub struct InProcess {
    hub: Arc<Hub>,
    /// Held from each change to its publication.
    in_order: Arc<tokio::sync::Mutex<()>>,
}

/// Live connections to end, on every instance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "end", rename_all = "snake_case")]
pub enum Ending {
    /// Every connection of a user (deactivated).
    User { user: UserId },
    /// The connections a session opened (it logged out), by its tag.
    Session { session: SessionTag },
    /// The connections of a user's other sessions (their password changed).
    OtherSessions {
        user: UserId,
        keep: Option<SessionTag>,
    },
    /// The connections opened with tokens of an API key (revoked).
    Key { key: i64 },
}

/// What instances tell each other on the control channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Control {
    /// Live connections to end.
    End(Ending),
    /// A listener's sign of life: each instance pings every few seconds,
    /// and a listener that hears nothing for a while has lost its
    /// connection, even if nothing reset it.
    Ping { ping: String },
}

impl Ending {
    /// Ends the matching connections of `hub`; returns how many.
    pub fn apply(&self, hub: &Hub) -> usize {
        match self {
            Ending::User { user } => hub.disconnect(*user),
            Ending::Session { session } => hub.disconnect_where(
                None,
                |g| matches!(g, Grant::Session { tag, .. } if tag == session),
            ),
            Ending::OtherSessions { user, keep } => hub.disconnect_where(
                Some(*user),
                |g| matches!(g, Grant::Session { tag, .. } if Some(*tag) != *keep),
            ),
            Ending::Key { key } => hub.disconnect_where(
                None,
                |g| matches!(g, Grant::Token { key: k, .. } if k == key),
            ),
        }
    }
}

impl InProcess {
    /// `change`, then its announcement, with no other change in between.
    async fn run<T, F, Fut>(&self, store: Store, change: F) -> Result<T, StoreError>
    where
        F: FnOnce(Store) -> Fut,
        Fut: Future<Output = Result<(T, Vec<Announcement>), StoreError>>,
    {
        let _in_order = self.in_order.lock().await;
        let (value, announcements) = change(store).await?;
        for a in &announcements {
            self.hub.publish(a.user, &a.message);
        }
        Ok(value)
    }
}

impl Broker {
    /// The broker for `store`'s engine; on PostgreSQL its listener starts
    /// now and stops with `shutdown`.
    pub fn start(
        store: &Store,
        config: &Config,
        hub: Arc<Hub>,
        instance: &str,
        shutdown: CancellationToken,
    ) -> Broker {
        match store.engine() {
            Engine::Sqlite => Broker::InProcess(InProcess {
                hub,
                in_order: Arc::default(),
            }),
            Engine::Postgres => Broker::Postgres(Postgres::start(
                store.clone(),
                &config.database_url,
                hub,
                instance,
                std::time::Duration::from_millis(config.listener_retry_ms.max(1)),
                std::time::Duration::from_millis(config.listener_ping_ms),
                shutdown,
            )),
        }
    }

    /// Runs `change` (which commits and returns what to announce) and the
    /// announcement, to the end even if the request that asked for it is
    /// dropped meanwhile: a change is never committed and left unannounced.
    pub async fn run<T, F, Fut>(&self, store: &Store, change: F) -> Result<T, StoreError>
    where
        F: FnOnce(Store) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(T, Vec<Announcement>), StoreError>> + Send + 'static,
        T: Send + 'static,
    {
        match self {
            Broker::InProcess(local) => {
                let (local, store) = (local.clone(), store.clone());
                tokio::spawn(async move { local.run(store, change).await })
                    .await
                    .map_err(|e| StoreError::Corrupt(format!("change task failed: {e}")))?
            }
            // The transaction announces it as it commits (a dropped request
            // rolls back, announcing nothing); every listener publishes it.
            Broker::Postgres(_) => change(store.clone()).await.map(|(value, _)| value),
        }
    }

    /// [`Broker::run`] for a caller that is itself never dropped midway (a
    /// task of its own): no task of its own to hand over to and wake.
    pub async fn run_in_place<T, F, Fut>(&self, store: &Store, change: F) -> Result<T, StoreError>
    where
        F: FnOnce(Store) -> Fut,
        Fut: Future<Output = Result<(T, Vec<Announcement>), StoreError>>,
    {
        match self {
            Broker::InProcess(local) => local.run(store.clone(), change).await,
            Broker::Postgres(_) => change(store.clone()).await.map(|(value, _)| value),
        }
    }

    /// Ends the matching live connections on every instance; returns how
    /// many were open on this one. The change behind it is already
    /// committed, so a notice that cannot be sent fails nothing: the other
    /// instances' heartbeat re-check closes those connections instead.
    pub async fn end(&self, store: &Store, ending: Ending) -> usize {
        match self {
            Broker::InProcess(local) => ending.apply(&local.hub),
            Broker::Postgres(pg) => {
                // Here at once; the other instances when the notice arrives
                // (and here again, harmlessly: nothing matches any more).
                let here = ending.apply(pg.hub());
                let payload = serde_json::to_string(&ending).unwrap_or_default();
                if let Err(error) = store.notify_control(&payload).await {
                    // Not the ending itself: logs are read more widely.
                    tracing::warn!(%error, "cannot tell the other instances to end connections");
                }
                here
            }
        }
    }

    /// This instance's hub.
    pub fn hub(&self) -> &Arc<Hub> {
        match self {
            Broker::InProcess(local) => &local.hub,
            Broker::Postgres(pg) => pg.hub(),
        }
    }

    /// Which of `users` have a live connection on any instance.
    pub async fn online(&self, store: &Store, users: &[UserId]) -> Result<Vec<UserId>, StoreError> {
        match self {
            Broker::InProcess(local) => Ok(users
                .iter()
                .copied()
                .filter(|u| local.hub.is_online(*u))
                .collect()),
            // Here exactly and at once; elsewhere as recorded.
            Broker::Postgres(pg) => {
                let mut online = store.online(users).await?;
                online.extend(users.iter().copied().filter(|u| pg.hub().is_online(*u)));
                online.sort_unstable();
                online.dedup();
                Ok(online)
            }
        }
    }

    /// Waits (at most `limit`) until announcements flow.
    pub async fn until_listening(&self, limit: std::time::Duration) {
        if let Broker::Postgres(pg) = self {
            pg.until_listening(limit).await;
        }
    }

    /// Whether announcements are flowing: always in process; on
    /// PostgreSQL while the listener is connected.
    pub fn is_listening(&self) -> bool {
        match self {
            Broker::InProcess(_) => true,
            Broker::Postgres(pg) => pg.is_listening(),
        }
    }
}
