//! Live connections: the WebSocket (`socket`) and its server-sent-events
//! fallback (`stream`) share one way of starting: subscribe, replay what the
//! client missed from the database, then pass on live events exactly once.

pub mod socket;
pub mod stream;

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;
use herald::wire::{REPLAY_LIMIT, close};
use herald::{ServerMessage, UserId};
use tokio::time::{Instant, Sleep};
use tokio_util::sync::CancellationToken;
use tower_sessions::Session;

use crate::config::Config;
use crate::error::Error;
use crate::http::auth;
use crate::identity::sessions::Sessions;
use crate::realtime::hub::{Ended, Event, Grant, Hub, Next, Subscription};
use crate::state::AppState;
use crate::store::{Counts, Pass, Store, now_ms};

/// Why a live connection stops (or never starts), as a close code the
/// client acts on and a reason a person can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub code: u16,
    pub reason: &'static str,
}

impl Refusal {
    pub const SIGNED_OUT: Refusal = Refusal {
        code: close::SIGNED_OUT,
        reason: "signed out",
    };
    pub const TOKEN_EXPIRED: Refusal = Refusal {
        code: close::TOKEN_EXPIRED,
        reason: "token expired; fetch a new one and resume",
    };
    pub const TOO_MANY: Refusal = Refusal {
        code: close::TOO_MANY_CONNECTIONS,
        reason: "too many open connections for this user",
    };
    pub const TOO_SLOW: Refusal = Refusal {
        code: 1008,
        reason: "too slow; reconnect to catch up",
    };
    pub const INTERNAL: Refusal = Refusal {
        code: 1011,
        reason: "internal error",
    };
}

/// What opening and keeping a live connection needs: a few handles, not
/// the whole `AppState`, which every open connection would otherwise keep.
#[derive(Clone)]
pub struct Context {
    pub store: Store,
    pub hub: Arc<Hub>,
    pub sessions: Sessions,
    pub config: Arc<Config>,
    /// Cancelled when the server restarts: live connections close with 1001.
    pub draining: CancellationToken,
}

impl Context {
    pub fn of(state: &AppState) -> Context {
        Context {
            store: state.store.clone(),
            hub: Arc::clone(&state.hub),
            sessions: state.sessions.clone(),
            config: Arc::clone(&state.config),
            draining: state.draining.clone(),
        }
    }
}

/// A connection that has caught up: what to send first, then live events.
pub struct Opening {
    /// The replay (or a resync) followed by the greeting.
    pub first: Vec<ServerMessage>,
    events: Subscription,
    /// The sequence number this connection is up to: live events at or
    /// below it were covered by the replay (or a catch-up) and are skipped.
    seq: i64,
    /// A catch-up's messages not yet passed on.
    pending: std::collections::VecDeque<Event>,
    /// A catch-up was asked for and has not finished: kept here, not in
    /// the signal, because `next_event` may be dropped mid-catch-up when
    /// the socket's other work wins its race (a client frame arrives).
    catching_up: bool,
    /// What catching up and re-checking need.
    pub context: Context,
    user: UserId,
    grant: Grant,
    /// The connection's one timer: the next heartbeat, or the token's
    /// expiry if that comes first. (One, not one per duty: an idle
    /// connection's memory is mostly what it keeps, docs/performance.md.)
    timer: Pin<Box<Sleep>>,
    /// When a token's permission runs out.
    expires: Option<Instant>,
}

/// What a live connection is woken for.
#[derive(Debug)]
pub enum Wake {
    /// An event to pass on.
    Event(Event),
    /// A heartbeat is due (the grant behind the connection was just
    /// checked again and still holds).
    Heartbeat,
}

impl Opening {
    /// The next live event not already replayed, the next heartbeat, or why
    /// this connection must end: the hub cut it off, its token expired, or
    /// the session, user or key behind it is no longer valid (checked every
    /// heartbeat).
    pub async fn next_event(&mut self) -> Result<Wake, Refusal> {
        let Opening {
            events,
            seq,
            pending,
            catching_up,
            context,
            user,
            grant,
            timer,
            expires,
            ..
        } = self;
        loop {
            if let Some(event) = pending.pop_front() {
                return Ok(Wake::Event(event));
            }
            if *catching_up {
                // Boxed, here and below: these rare paths' database
                // futures would otherwise sit inline in every idle
                // connection's task (its size is its largest state).
                // `seq` moves and the messages are kept in one step after
                // the last await, so a drop before then repeats it whole.
                let missed = Box::pin(catch_up(context, *user, seq)).await?;
                pending.extend(missed);
                *catching_up = false;
                continue;
            }
            tokio::select! {
                event = events.recv() => match event {
                    Ok(Next::Event(event)) if event.seq > *seq => {
                        *seq = event.seq;
                        return Ok(Wake::Event(event));
                    }
                    Ok(Next::Event(_)) => {}
                    Ok(Next::CatchUp) => *catching_up = true,
                    Err(Ended::TooSlow) => return Err(Refusal::TOO_SLOW),
                    Err(Ended::SignedOut) => return Err(Refusal::SIGNED_OUT),
                },
                () = timer.as_mut() => {
                    let now = Instant::now();
                    if expires.is_some_and(|at| at <= now) {
                        return Err(Refusal::TOKEN_EXPIRED);
                    }
                    Box::pin(check_grant(context, *user, grant)).await?;
                    let next = now + context.config.heartbeat();
                    timer.as_mut().reset(expires.map_or(next, |at| at.min(next)));
                    return Ok(Wake::Heartbeat);
                }
            }
        }
    }
}

/// What `user`'s connection, up to sequence number `seq`, missed: the
/// changes since, then a greeting with the count (or a resync when the gap
/// is too large), as in a resume. Moves `seq` to the latest.
async fn catch_up(context: &Context, user: UserId, seq: &mut i64) -> Result<Vec<Event>, Refusal> {
    let internal = |error: crate::store::StoreError| {
        tracing::error!(%error, user, "cannot catch a live connection up");
        Refusal::INTERNAL
    };
    let Counts {
        unread,
        seq: latest,
    } = context.store.unread(user).await.map_err(internal)?;
    if latest <= *seq {
        return Ok(Vec::new());
    }
    let messages = replay(context, user, Some(*seq), unread, latest)
        .await
        .map_err(internal)?;
    *seq = latest;
    Ok(messages
        .iter()
        .filter_map(|m| {
            let json = serde_json::to_string(m).ok()?;
            Some(Event::new(m.seq().unwrap_or_default(), json))
        })
        .collect())
}

/// What a connection that applied everything up to `after` (`None`:
/// nothing to replay) is sent to reach `seq`, whose count is `unread`: the
/// changes it missed, in order, then the greeting; or a resync when the gap
/// is too large to replay or makes no sense.
async fn replay(
    context: &Context,
    user: UserId,
    after: Option<i64>,
    unread: i64,
    seq: i64,
) -> Result<Vec<ServerMessage>, crate::store::StoreError> {
    let heartbeat_ms = context.config.heartbeat_ms;
    let mut messages = Vec::new();
    match after {
        // `after < 0` first: `seq - after` would overflow for the lowest.
        Some(after) if after < 0 || after > seq || seq - after > REPLAY_LIMIT => {
            return Ok(vec![resync(unread, seq, heartbeat_ms)]);
        }
        // Nothing missed: nothing to read.
        Some(after) if after == seq => {}
        Some(after) => {
            // A few changes may touch many rows (mark all read gives each
            // the same version): past the limit in rows too, a resync.
            let missed = context
                .store
                .missed(user, after, seq, REPLAY_LIMIT + 1)
                .await?;
            if missed.len() as i64 > REPLAY_LIMIT {
                return Ok(vec![resync(unread, seq, heartbeat_ms)]);
            }
            messages.extend(
                missed
                    .into_iter()
                    .map(|notification| ServerMessage::Missed { notification }),
            );
        }
        None => {}
    }
    messages.push(ServerMessage::Hello {
        unread,
        seq,
        heartbeat_ms,
    });
    Ok(messages)
}

/// Start over: the client reloads its list and counts from `unread`/`seq`.
fn resync(unread: i64, seq: i64, heartbeat_ms: u64) -> ServerMessage {
    ServerMessage::Resync {
        unread,
        seq,
        heartbeat_ms,
    }
}

/// `user`'s unread count and latest sequence number while `grant` still
/// lets them in.
async fn check_grant(context: &Context, user: UserId, grant: &Grant) -> Result<Counts, Refusal> {
    match auth::still_granted(&context.store, &context.sessions, user, grant).await {
        Ok(Some(counts)) => Ok(counts),
        Ok(None) => Err(match grant {
            Grant::Token { expires_at, .. } if *expires_at <= now_ms() => Refusal::TOKEN_EXPIRED,
            _ => Refusal::SIGNED_OUT,
        }),
        Err(error) => {
            tracing::error!(%error, user, "cannot re-check a live connection");
            Err(Refusal::INTERNAL)
        }
    }
}

/// Opens `user`'s feed after sequence number `after` (`None`: no replay),
/// with the subscription [`authorize`] made and checked if it did.
pub async fn open(
    context: &Context,
    authorized: Authorized,
    after: Option<i64>,
) -> Result<Opening, Refusal> {
    let Authorized { user, grant, ready } = authorized;
    let (events, Counts { unread, seq }) = match ready {
        Some(ready) => *ready,
        None => {
            // Subscribe before reading: an event committed meanwhile is then
            // both in the database snapshot and queued, and the queued copy
            // is skipped by seq.
            let events = context
                .hub
                .subscribe(user, grant)
                .map_err(|_| Refusal::TOO_MANY)?;
            // Checked again now that the connection is registered: a
            // sign-out or deactivation since the request was authorised
            // (say, during the resume handshake) has either closed it
            // through the hub or shows here. The same read gives the count
            // the greeting carries.
            (events, check_grant(context, user, &grant).await?)
        }
    };
    let internal = |error: crate::store::StoreError| {
        tracing::error!(%error, user, "cannot open live feed");
        Refusal::INTERNAL
    };
    let first = replay(context, user, after, unread, seq)
        .await
        .map_err(internal)?;
    let next = Instant::now() + context.config.heartbeat();
    let expires = match grant {
        Grant::Token { expires_at, .. } => {
            let left = Duration::from_millis((expires_at - now_ms()).max(0) as u64);
            Some(Instant::now() + left)
        }
        Grant::Session { .. } => None,
    };
    Ok(Opening {
        first,
        events,
        seq,
        pending: Default::default(),
        catching_up: false,
        context: context.clone(),
        user,
        grant,
        timer: Box::pin(tokio::time::sleep_until(
            expires.map_or(next, |at| at.min(next)),
        )),
        expires,
    })
}

/// A live request let in: whose, by what, and for a connection token
/// already registered with the hub with the count its greeting carries.
pub struct Authorized {
    pub user: UserId,
    pub grant: Grant,
    /// Boxed: it is used once, and the connection's task keeps its size.
    pub ready: Option<Box<Ready>>,
}

/// A subscription made before the one read that checked it and gave its
/// counts (see [`open`]).
pub type Ready = (Subscription, Counts);

/// The user a live request is for, and what lets them in: a valid
/// connection token whose key is not revoked, or a logged-in session (else
/// 401) from an allowed origin if it comes from a browser page (else 403).
///
/// A connection costs one read of Herald's tables (a session's also reads
/// the session, as every request that uses one does): the token's signature
/// or the session says who it is, then [`let_in`] registers the connection
/// and reads once.
pub async fn authorize(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    token: Option<&str>,
) -> Result<Authorized, Error> {
    if let Some(token) = token {
        // A signed token is its own proof, not a cookie the browser sends by
        // itself, so a page on the integrating site may use it.
        let claims = state
            .tokens
            .verify(token, now_ms())
            .ok_or(Error::Unauthorized)?;
        let grant = Grant::Token {
            key: claims.key,
            expires_at: claims.expires_at,
        };
        let pass = Pass::Token { key: claims.key };
        return let_in(state, claims.user, grant, pass, None).await;
    }
    auth::check_origin(headers, &state.config)?;
    let signed_in = auth::session_auth(session)
        .await?
        .ok_or(Error::Unauthorized)?;
    let id = session.id().ok_or(Error::Unauthorized)?;
    let grant = Grant::Session {
        id,
        tag: state.hub.session_tag(&id),
    };
    let pass = Pass::Session {
        epoch: signed_in.epoch,
    };
    let standing = id.to_string();
    let authorized = let_in(state, signed_in.user, grant, pass, Some(&standing)).await?;
    auth::keep_alive(session, signed_in, &state.config).await?;
    Ok(authorized)
}

/// Registers `user`'s connection with the hub, then one read checks that
/// `pass` still lets them in (and `session`, if any, still stands: not
/// signed out meanwhile) and gives the greeting's count. Registered
/// first, as in [`open`]: an event committed meanwhile is both read and
/// queued (the copy is skipped by sequence number), and a revocation,
/// sign-out or deactivation after the read finds the connection in the hub
/// and closes it. Past the limit of connections, `open` refuses it after
/// the upgrade.
async fn let_in(
    state: &AppState,
    user: UserId,
    grant: Grant,
    pass: Pass,
    session: Option<&str>,
) -> Result<Authorized, Error> {
    let events = state.hub.subscribe(user, grant).ok();
    let counts = state
        .store
        .counts_let_in(user, pass, session)
        .await?
        .ok_or(Error::Unauthorized)?;
    Ok(Authorized {
        user,
        grant,
        ready: events.map(|events| Box::new((events, counts))),
    })
}

#[cfg(test)]
mod tests;
