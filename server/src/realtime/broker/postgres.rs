//! The PostgreSQL broker: one `LISTEN` connection per instance, and this
//! instance's presence rows, so every instance can tell who is online.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use herald::UserId;
use sqlx::postgres::{PgConnectOptions, PgListener, PgNotification, PgPoolOptions};
use tokio_util::sync::CancellationToken;

use super::Control;
use crate::realtime::hub::{Event, Hub};
use crate::store::{CONTROL_CHANNEL, EVENTS_CHANNEL, Store, now_ms, parse_payload};

/// The longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How often the instance's heartbeat is written (presence is written as
/// connections come and go).
const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);
/// The most notices handled together (their batches read in one query).
const MAX_DRAIN: usize = 256;
/// Outbox rows older than this are deleted (listeners read them at once).
const OUTBOX_KEEP_MS: i64 = 60_000;

pub struct Postgres {
    store: Store,
    hub: Arc<Hub>,
    url: String,
    instance: String,
    /// The first wait before reconnecting; it doubles up to [`MAX_BACKOFF`].
    retry: Duration,
    /// How often this instance pings itself through the listener; three
    /// pings unheard and the listener is taken for lost.
    ping: Duration,
    /// Whether the listener is connected now.
    listening: tokio::sync::watch::Sender<bool>,
    /// Pings sent so far: silence only counts once pings went out (a
    /// database too busy to take them is not a lost listener).
    pings_sent: std::sync::atomic::AtomicU64,
}

impl Postgres {
    /// Starts the listener and the presence keeper; both stop with `shutdown`.
    pub fn start(
        store: Store,
        url: &str,
        hub: Arc<Hub>,
        instance: &str,
        retry: Duration,
        ping: Duration,
        shutdown: CancellationToken,
    ) -> Arc<Postgres> {
        let pg = Arc::new(Postgres {
            store,
            hub,
            url: url.to_owned(),
            instance: instance.to_owned(),
            retry,
            ping,
            listening: tokio::sync::watch::Sender::new(false),
            pings_sent: std::sync::atomic::AtomicU64::new(0),
        });
        tokio::spawn(Arc::clone(&pg).listen(shutdown.clone()));
        tokio::spawn(Arc::clone(&pg).keep_pinging(shutdown.clone()));
        tokio::spawn(Arc::clone(&pg).keep_presence(shutdown));
        pg
    }

    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    pub fn is_listening(&self) -> bool {
        *self.listening.borrow()
    }

    /// Waits (at most `limit`) until the listener is connected.
    pub async fn until_listening(&self, limit: Duration) {
        let mut listening = self.listening.subscribe();
        let _ = tokio::time::timeout(limit, listening.wait_for(|up| *up)).await;
    }

    /// The listener's connection, named so an operator can find it in
    /// `pg_stat_activity` (`herald-listener-<instance>`). The server sends
    /// it TCP keepalives, so a NAT or load balancer on the way does not
    /// take it for idle (the pings below find one that went silent anyway).
    async fn connect(&self) -> Result<PgListener, sqlx::Error> {
        let options = PgConnectOptions::from_str(&self.url)?
            .application_name(&format!("herald-listener-{}", self.instance))
            .options([
                ("tcp_keepalives_idle", "30"),
                ("tcp_keepalives_interval", "10"),
                ("tcp_keepalives_count", "3"),
            ]);
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        let mut listener = PgListener::connect_with(&pool).await?;
        listener
            .listen_all([EVENTS_CHANNEL, CONTROL_CHANNEL])
            .await?;
        Ok(listener)
    }

    /// Listens until `shutdown`, reconnecting with backoff whenever the
    /// connection drops. Each time it (re)connects, every connection here
    /// catches up from the database: whatever was committed while nobody
    /// listened is replayed from its cursor, and what arrives from now on
    /// comes through the listener; the overlap is skipped by sequence number.
    async fn listen(self: Arc<Self>, shutdown: CancellationToken) {
        let mut backoff = self.retry;
        let mut connected_before = false;
        loop {
            let attempt = tokio::select! {
                _ = shutdown.cancelled() => return,
                attempt = self.connect() => attempt,
            };
            match attempt {
                Ok(mut listener) => {
                    backoff = self.retry;
                    self.listening.send_replace(true);
                    if connected_before {
                        metrics::counter!("herald_listener_reconnects_total").increment(1);
                        tracing::info!("PostgreSQL listener back; catching connections up");
                    }
                    connected_before = true;
                    self.hub.catch_up_all();
                    // Anything heard shows the connection delivers; the
                    // pings make sure something is heard.
                    let silent_after = self.ping * 3;
                    let mut heard = tokio::time::Instant::now();
                    let mut sent_when_heard = self.pings_sent();
                    let lost = loop {
                        let next = tokio::select! {
                            _ = shutdown.cancelled() => return,
                            _ = tokio::time::sleep_until(heard + silent_after) => {
                                if self.pings_sent() - sent_when_heard < 2 {
                                    // Pings did not go out: look again after the next.
                                    heard += self.ping;
                                    continue;
                                }
                                metrics::counter!("herald_listener_silences_total").increment(1);
                                break format!("nothing heard for {silent_after:?}");
                            }
                            next = listener.try_recv() => next,
                        };
                        match next {
                            Ok(Some(notice)) => {
                                heard = tokio::time::Instant::now();
                                sent_when_heard = self.pings_sent();
                                // Whatever else has arrived goes with it:
                                // their batches are read in one query.
                                let mut notices = vec![notice];
                                while notices.len() < MAX_DRAIN
                                    && let Some(more) = listener.next_buffered()
                                {
                                    notices.push(more);
                                }
                                self.handle(&notices).await
                            }
                            Ok(None) => break "connection lost".to_owned(),
                            Err(error) => break error.to_string(),
                        }
                    };
                    self.listening.send_replace(false);
                    tracing::warn!(%lost, "PostgreSQL listener lost; reconnecting");
                }
                Err(error) => {
                    tracing::warn!(%error, ?backoff, "cannot connect the PostgreSQL listener");
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// Passes notices on to this instance's hub, in the order they
    /// arrived (commit order), reading every batch they announce that has
    /// a recipient here in one query.
    async fn handle(&self, notices: &[PgNotification]) {
        let mut batches = Vec::new();
        for notice in notices {
            let payload = notice.payload();
            if notice.channel() == CONTROL_CHANNEL {
                self.control(payload);
                continue;
            }
            let Some((batch, users)) = parse_payload(payload) else {
                tracing::warn!(payload, "unreadable announcement");
                continue;
            };
            // Nobody here to tell: no need to read the batch.
            if users.is_some_and(|users| !users.iter().any(|u| self.hub.is_online(*u))) {
                continue;
            }
            batches.push(batch);
        }
        if batches.is_empty() {
            return;
        }
        match self.store.outboxes(&batches).await {
            Ok(messages) => {
                // Announced batches are never empty: one that reads empty
                // was purged before this instance read it (it fell behind,
                // or the writer's clock runs ahead). Everyone catches up
                // from the notifications themselves instead.
                let read: HashSet<i64> = messages.iter().map(|m| m.0).collect();
                if read.len() < batches.len() {
                    tracing::warn!("an announced batch was purged before it was read");
                    self.hub.catch_up_all();
                    return;
                }
                for (_, user, seq, json) in messages {
                    self.hub.publish_event(user, Event::new(seq, json));
                }
            }
            Err(error) => {
                // Their events may be lost here: everyone catches up instead.
                tracing::error!(%error, batches = batches.len(), "cannot read announced batches");
                self.hub.catch_up_all();
            }
        }
    }

    /// Acts on a control notice.
    fn control(&self, payload: &str) {
        match serde_json::from_str::<Control>(payload) {
            Ok(Control::End(ending)) => {
                ending.apply(&self.hub);
            }
            Ok(Control::Ping { .. }) => {}
            // Not the payload: it may name a session.
            Err(error) => tracing::warn!(%error, "unreadable control notice"),
        }
    }

    fn pings_sent(&self) -> u64 {
        self.pings_sent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Pings this instance's listener through the database every
    /// [`Postgres::ping`] (while it is connected), so a silent one is noticed.
    async fn keep_pinging(self: Arc<Self>, shutdown: CancellationToken) {
        let ping = serde_json::to_string(&Control::Ping {
            ping: self.instance.clone(),
        })
        .unwrap_or_default();
        let mut every = tokio::time::interval(self.ping);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = every.tick() => {}
            }
            if !self.is_listening() {
                continue;
            }
            match self.store.notify_control(&ping).await {
                Ok(()) => {
                    self.pings_sent
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                Err(error) => tracing::warn!(%error, "cannot ping this instance's listener"),
            }
        }
    }

    /// Keeps this instance's presence rows in step with its hub, its
    /// heartbeat fresh, and the outbox short; removes the instance at shutdown.
    async fn keep_presence(self: Arc<Self>, shutdown: CancellationToken) {
        let mut written: HashSet<UserId> = HashSet::new();
        // The instance first: presence rows refer to it.
        if let Err(error) = self.store.instance_alive(&self.instance, now_ms()).await {
            tracing::warn!(%error, "cannot record this instance");
        }
        let mut every = tokio::time::interval(HEARTBEAT_EVERY);
        let mut listening = self.listening.subscribe();
        let mut withdrawn = false;
        let mut ticks: u64 = 0;
        loop {
            let beat = tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = every.tick() => true,
                _ = self.hub.presence_changed() => false,
                _ = listening.changed() => false,
            };
            // An instance that cannot hear changes cannot deliver them: its
            // users count as offline elsewhere (web push reaches them)
            // until its listener is back.
            if !self.is_listening() {
                if !withdrawn {
                    match self.store.leave(&self.instance).await {
                        Ok(()) => {
                            withdrawn = true;
                            written.clear();
                        }
                        Err(error) => {
                            tracing::warn!(%error, "cannot withdraw this instance's presence")
                        }
                    }
                }
                continue;
            }
            let now = now_ms();
            if beat || std::mem::take(&mut withdrawn) {
                if let Err(error) = self.store.instance_alive(&self.instance, now).await {
                    tracing::warn!(%error, "cannot record this instance's heartbeat");
                    // Its rows may be gone: write them all again.
                    written.clear();
                }
                if ticks % 12 == 11
                    && let Err(error) = self.store.purge_outbox(now - OUTBOX_KEEP_MS).await
                {
                    tracing::warn!(%error, "cannot purge the outbox");
                }
                ticks += 1;
            }
            let online: HashSet<UserId> = self.hub.online_users().into_iter().collect();
            let joined: Vec<UserId> = online.difference(&written).copied().collect();
            let left: Vec<UserId> = written.difference(&online).copied().collect();
            if joined.is_empty() && left.is_empty() {
                continue;
            }
            match self
                .store
                .set_presence(&self.instance, &joined, &left)
                .await
            {
                Ok(()) => written = online,
                Err(error) => tracing::warn!(%error, "cannot record presence"),
            }
        }
        if let Err(error) = self.store.leave(&self.instance).await {
            tracing::warn!(%error, "cannot remove this instance's presence");
        }
    }
}
