//! The real-time hub: fans each user's events out to all of that user's open
//! connections, through bounded queues so a slow client can never make the
//! server's memory grow.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::ws::Utf8Bytes;
use herald::{ServerMessage, UserId};
use tokio::sync::watch;
use tower_sessions::session::Id as SessionId;

/// Open connections by user.
pub struct Hub {
    connections: Mutex<HashMap<UserId, Vec<Outlet>>>,
    next_id: AtomicU64,
    queue: usize,
    /// The most connections one user may hold open.
    per_user: usize,
    /// How many connections are open, for whoever waits on it (shutdown, tests).
    open: watch::Sender<usize>,
    /// Keys [`SessionTag`]s: the same on every instance of one database.
    session_key: [u8; 32],
    /// Woken when connections come or go, for whoever records presence.
    presence: tokio::sync::Notify,
}

/// A sign-in as other instances are told about it: a keyed hash of its
/// id. The id itself is the session cookie's value, a live credential, and
/// never leaves the process.
pub type SessionTag = [u8; 16];

/// What let a connection in: checked again while it stays open, and how
/// it is found when that permission ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    /// A logged-in browser session, and its tag.
    Session { id: SessionId, tag: SessionTag },
    /// A connection token minted with API key `key`, valid until `expires_at`
    /// (Unix ms).
    Token { key: i64, expires_at: i64 },
}

struct Outlet {
    id: u64,
    grant: Grant,
    tx: flume::Sender<Outbound>,
}

/// The user already holds as many connections as allowed.
#[derive(Debug, PartialEq, Eq)]
pub struct TooManyConnections;

/// One event for one user, serialised once for all of their connections.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// The sequence number the event is about, so a connection can skip
    /// what its replay already covered.
    pub seq: i64,
    pub json: Utf8Bytes,
    /// When it was handed to the hub, for the delivery-lag metric.
    pub at: std::time::Instant,
}

impl Event {
    pub fn new(seq: i64, json: impl Into<Utf8Bytes>) -> Event {
        Event {
            seq,
            json: json.into(),
            at: std::time::Instant::now(),
        }
    }
}

/// What a connection's subscription yields next.
#[derive(Debug, PartialEq)]
pub enum Next {
    /// An event to pass on.
    Event(Event),
    /// Events may have been missed (the broker lost its feed for a while):
    /// catch up from the database.
    CatchUp,
}

/// One connection's place in the hub; leaving the hub is dropping it.
pub struct Subscription {
    hub: Arc<Hub>,
    user: UserId,
    id: u64,
    rx: flume::Receiver<Outbound>,
}

/// Kept small: an event is shared, not copied, among a user's connections.
enum Outbound {
    Event(Arc<Event>),
    CatchUp,
    SignedOut,
}

/// Why a connection's events ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// Its queue overflowed: the client was too slow and must catch up.
    TooSlow,
    /// The user was deactivated or signed out everywhere.
    SignedOut,
}

impl Subscription {
    /// The next event for this connection, or why there will be no more.
    pub async fn recv(&mut self) -> Result<Next, Ended> {
        match self.rx.recv_async().await {
            Ok(Outbound::Event(event)) => Ok(Next::Event(Arc::unwrap_or_clone(event))),
            Ok(Outbound::CatchUp) => Ok(Next::CatchUp),
            Ok(Outbound::SignedOut) => Err(Ended::SignedOut),
            // The hub let go of this connection: its queue overflowed.
            Err(flume::RecvError::Disconnected) => Err(Ended::TooSlow),
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut connections = self.hub.lock();
        if let Some(outlets) = connections.get_mut(&self.user) {
            outlets.retain(|o| o.id != self.id);
            if outlets.is_empty() {
                connections.remove(&self.user);
            }
        }
        self.hub.open.send_modify(|n| *n = n.saturating_sub(1));
        self.hub.presence.notify_one();
    }
}

impl Hub {
    /// A hub whose connections each buffer at most `queue` messages, at
    /// most `per_user` of them per user; sessions are tagged with
    /// `session_key`.
    pub fn new(queue: usize, per_user: usize, session_key: [u8; 32]) -> Arc<Hub> {
        Arc::new(Hub {
            connections: Mutex::default(),
            next_id: AtomicU64::new(1),
            queue: queue.max(1),
            per_user: per_user.max(1),
            open: watch::Sender::new(0),
            presence: tokio::sync::Notify::new(),
            session_key,
        })
    }

    /// Session `id`'s tag: HMAC-SHA256 under the shared key, cut to 128 bits.
    pub fn session_tag(&self, id: &SessionId) -> SessionTag {
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&self.session_key)
            .expect("HMAC takes any key length");
        mac.update(id.to_string().as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut tag = [0; 16];
        tag.copy_from_slice(&digest[..16]);
        tag
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<UserId, Vec<Outlet>>> {
        // A panic elsewhere while holding the lock leaves the map consistent
        // (each operation is a single insert or retain), so poison is ignored.
        self.connections.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a new connection of `user`, let in by `grant`, unless
    /// they already hold as many as allowed: then the newest is refused, so
    /// the tabs already open keep working.
    pub fn subscribe(
        self: &Arc<Self>,
        user: UserId,
        grant: Grant,
    ) -> Result<Subscription, TooManyConnections> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        // flume, not tokio's mpsc: an idle tokio channel preallocates a
        // block of 32 slots and cache-padded state, about 1 KiB per
        // connection (heaptrack, docs/performance.md).
        let (tx, rx) = flume::bounded(self.queue);
        {
            let mut connections = self.lock();
            // Most users hold one connection: room for one, not Vec's four.
            let outlets = connections
                .entry(user)
                .or_insert_with(|| Vec::with_capacity(1));
            if outlets.len() >= self.per_user {
                return Err(TooManyConnections);
            }
            outlets.push(Outlet { id, grant, tx });
        }
        self.open.send_modify(|n| *n += 1);
        self.presence.notify_one();
        Ok(Subscription {
            hub: Arc::clone(self),
            user,
            id,
            rx,
        })
    }

    /// Queues `message` for every connection of `user` and returns how many
    /// took it. A connection whose queue is full is dropped from the hub: it
    /// closes, and its client catches up from the database on reconnect.
    pub fn publish(&self, user: UserId, message: &ServerMessage) -> usize {
        let Ok(json) = serde_json::to_string(message) else {
            return 0;
        };
        self.publish_event(user, Event::new(message.seq().unwrap_or_default(), json))
    }

    /// Like [`Hub::publish`], for an event already serialised.
    pub fn publish_event(&self, user: UserId, event: Event) -> usize {
        let mut connections = self.lock();
        let Some(outlets) = connections.get_mut(&user) else {
            return 0;
        };
        let event = Arc::new(event);
        outlets.retain(|o| match o.tx.try_send(Outbound::Event(event.clone())) {
            Ok(()) => true,
            Err(flume::TrySendError::Full(_)) => {
                tracing::warn!(user, connection = o.id, "connection too slow; closing it");
                false
            }
            Err(flume::TrySendError::Disconnected(_)) => false,
        });
        let taken = outlets.len();
        if outlets.is_empty() {
            connections.remove(&user);
        }
        taken
    }

    /// Ends every connection of `user` (deactivated, or signed out
    /// everywhere); returns how many there were.
    pub fn disconnect(&self, user: UserId) -> usize {
        self.disconnect_where(Some(user), |_| true)
    }

    /// Ends the connections whose grant matches `ends`, of `user` only or
    /// (with `None`) of every user; returns how many there were.
    pub fn disconnect_where(&self, user: Option<UserId>, ends: impl Fn(&Grant) -> bool) -> usize {
        let mut connections = self.lock();
        let mut ended = 0;
        let mut end = |outlets: &mut Vec<Outlet>| {
            outlets.retain(|outlet| {
                if !ends(&outlet.grant) {
                    return true;
                }
                // A full queue drops the outlet anyway, which ends it too.
                let _ = outlet.tx.try_send(Outbound::SignedOut);
                ended += 1;
                false
            });
        };
        match user {
            Some(user) => {
                if let Some(outlets) = connections.get_mut(&user) {
                    end(outlets);
                }
            }
            None => connections.values_mut().for_each(&mut end),
        }
        connections.retain(|_, outlets| !outlets.is_empty());
        ended
    }

    /// Tells every connection to catch up from the database: events may
    /// have been committed that never reached the hub. A connection whose
    /// queue is full is cut off instead, and catches up when it reconnects.
    pub fn catch_up_all(&self) {
        let mut connections = self.lock();
        for outlets in connections.values_mut() {
            outlets.retain(|o| o.tx.try_send(Outbound::CatchUp).is_ok());
        }
        connections.retain(|_, outlets| !outlets.is_empty());
    }

    /// Waits until connections have come or gone since the last call.
    pub async fn presence_changed(&self) {
        self.presence.notified().await;
    }

    /// The users with a connection here now.
    pub fn online_users(&self) -> Vec<UserId> {
        self.lock().keys().copied().collect()
    }

    /// Whether `user` has a live connection now.
    pub fn is_online(&self, user: UserId) -> bool {
        self.lock().get(&user).is_some_and(|o| !o.is_empty())
    }

    /// How many connections are open, across all users.
    pub fn connection_count(&self) -> usize {
        *self.open.borrow()
    }

    /// Waits until at most `n` connections are open.
    pub async fn until_at_most(&self, n: usize) {
        let mut open = self.open.subscribe();
        // The sender lives as long as the hub, so this cannot fail.
        let _ = open.wait_for(|&count| count <= n).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello(seq: i64) -> ServerMessage {
        ServerMessage::Hello {
            unread: seq,
            seq,
            heartbeat_ms: 1,
        }
    }

    fn token(key: i64) -> Grant {
        Grant::Token {
            key,
            expires_at: i64::MAX,
        }
    }

    fn event(next: Result<Next, Ended>) -> Event {
        match next {
            Ok(Next::Event(event)) => event,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn catching_up_reaches_every_connection() {
        let hub = Hub::new(4, 8, [0; 32]);
        let mut a = subscribe(&hub, 1);
        let mut b = subscribe(&hub, 2);
        hub.catch_up_all();
        assert_eq!(a.recv().await, Ok(Next::CatchUp));
        assert_eq!(b.recv().await, Ok(Next::CatchUp));
    }

    fn subscribe(hub: &Arc<Hub>, user: UserId) -> Subscription {
        hub.subscribe(user, token(1)).unwrap()
    }

    #[tokio::test]
    async fn publish_reaches_every_connection_of_that_user_only() {
        let hub = Hub::new(8, 8, [0; 32]);
        let mut a1 = subscribe(&hub, 1);
        let mut a2 = subscribe(&hub, 1);
        let b = subscribe(&hub, 2);
        assert_eq!(hub.publish(1, &hello(1)), 2);
        let (first, second) = (event(a1.recv().await), event(a2.recv().await));
        assert_eq!(first.seq, 1);
        assert!(second.json.contains("\"seq\":1"));
        // Serialised once: both connections write the very same bytes.
        assert_eq!(first.json.as_str().as_ptr(), second.json.as_str().as_ptr());
        assert!(b.rx.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_full_queue_cuts_that_connection_off_and_keeps_memory_bounded() {
        let hub = Hub::new(2, 8, [0; 32]);
        let mut slow = subscribe(&hub, 1);
        let mut fast = subscribe(&hub, 1);
        for seq in 1..=2 {
            assert_eq!(hub.publish(1, &hello(seq)), 2);
            fast.recv().await.unwrap();
        }
        // The third message overflows only the slow connection's queue.
        assert_eq!(hub.publish(1, &hello(3)), 1);
        assert_eq!(event(fast.recv().await).seq, 3);
        assert!(slow.recv().await.is_ok());
        assert!(slow.recv().await.is_ok());
        assert_eq!(
            slow.recv().await,
            Err(Ended::TooSlow),
            "slow connection must be closed"
        );
        // Cut off from the hub, but still counted until its handler ends.
        assert_eq!(hub.connection_count(), 2);
        drop(slow);
        assert_eq!(hub.connection_count(), 1);
    }

    #[tokio::test]
    async fn dropping_a_subscription_leaves_the_hub() {
        let hub = Hub::new(4, 8, [0; 32]);
        let sub = subscribe(&hub, 7);
        assert_eq!(hub.connection_count(), 1);
        drop(sub);
        assert_eq!(hub.connection_count(), 0);
        assert_eq!(hub.publish(7, &hello(1)), 0);
    }

    #[tokio::test]
    async fn disconnecting_a_user_ends_all_their_connections_only() {
        let hub = Hub::new(4, 8, [0; 32]);
        let mut a = subscribe(&hub, 1);
        let mut b = subscribe(&hub, 1);
        let mut other = subscribe(&hub, 2);
        assert!(hub.is_online(1));
        assert_eq!(hub.disconnect(1), 2);
        assert_eq!(a.recv().await, Err(Ended::SignedOut));
        assert_eq!(b.recv().await, Err(Ended::SignedOut));
        assert!(!hub.is_online(1));
        assert_eq!(hub.publish(2, &hello(1)), 1);
        assert!(other.recv().await.is_ok());
    }

    #[tokio::test]
    async fn a_user_over_the_cap_is_refused_a_new_connection() {
        let hub = Hub::new(4, 2, [0; 32]);
        let first = subscribe(&hub, 1);
        let _second = subscribe(&hub, 1);
        assert!(hub.subscribe(1, token(1)).is_err());
        assert!(hub.subscribe(2, token(1)).is_ok(), "other users unaffected");
        drop(first);
        assert!(
            hub.subscribe(1, token(1)).is_ok(),
            "a closed one frees its place"
        );
    }

    #[tokio::test]
    async fn disconnecting_by_grant_ends_only_the_matching_connections() {
        let hub = Hub::new(4, 8, [0; 32]);
        let mut by_key_1 = hub.subscribe(1, token(1)).unwrap();
        let mut by_key_2 = hub.subscribe(1, token(2)).unwrap();
        let mut other_user = hub.subscribe(2, token(1)).unwrap();
        let ended = hub.disconnect_where(None, |g| matches!(g, Grant::Token { key: 1, .. }));
        assert_eq!(ended, 2);
        assert_eq!(by_key_1.recv().await, Err(Ended::SignedOut));
        assert_eq!(other_user.recv().await, Err(Ended::SignedOut));
        assert_eq!(hub.publish(1, &hello(1)), 1);
        assert!(by_key_2.recv().await.is_ok());
    }
}
