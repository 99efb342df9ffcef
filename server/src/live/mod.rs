//! Live connections: the WebSocket (`socket`) and its server-sent-events
//! fallback (`stream`) share one way of starting: subscribe, replay what the
//! client missed from the database, then pass on live events exactly once.

pub mod socket;
pub mod stream;

use axum::http::HeaderMap;
use herald::wire::REPLAY_LIMIT;
use herald::{ServerMessage, User, UserId};
use tower_sessions::Session;

use crate::AppState;
use crate::auth;
use crate::error::Error;
use crate::hub::{Ended, Event, Subscription};
use crate::store::StoreError;

/// A connection that has caught up: what to send first, then live events.
pub struct Opening {
    /// The replay (or a resync) followed by the greeting.
    pub first: Vec<ServerMessage>,
    events: Subscription,
    /// The sequence number the greeting is valid at; live events at or below
    /// it were covered by the replay and are skipped.
    seq: i64,
}

impl Opening {
    /// The next live event not already replayed, or why the hub ended this
    /// connection's events.
    pub async fn next_event(&mut self) -> Result<Event, Ended> {
        loop {
            let event = self.events.recv().await?;
            if event.seq > self.seq {
                return Ok(event);
            }
        }
    }
}

/// Opens `user`'s feed after sequence number `after` (`None`: no replay).
pub async fn open(
    state: &AppState,
    user: UserId,
    after: Option<i64>,
) -> Result<Opening, StoreError> {
    // Subscribe before reading: an event committed meanwhile is then both in
    // the database snapshot and queued, and the queued copy is skipped by seq.
    let events = state.hub.subscribe(user);
    let (unread, seq) = state.store.unread(user).await?;
    let heartbeat_ms = state.config.heartbeat_ms;
    let mut first = Vec::new();
    match after {
        Some(after) if after > seq || seq - after > REPLAY_LIMIT || after < 0 => {
            first.push(ServerMessage::Resync {
                unread,
                seq,
                heartbeat_ms,
            });
        }
        Some(after) => {
            let missed = state.store.missed(user, after, seq).await?;
            first.extend(
                missed
                    .into_iter()
                    .map(|notification| ServerMessage::Missed { notification }),
            );
            first.push(ServerMessage::Hello {
                unread,
                seq,
                heartbeat_ms,
            });
        }
        None => first.push(ServerMessage::Hello {
            unread,
            seq,
            heartbeat_ms,
        }),
    }
    Ok(Opening { first, events, seq })
}

/// The user a live request is for: holding a valid connection token, or
/// logged in (else 401) and, if it comes from a browser page, from an
/// allowed origin (else 403).
pub async fn authorize(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    token: Option<&str>,
) -> Result<User, Error> {
    if let Some(token) = token {
        // A signed token is its own proof, not a cookie the browser sends by
        // itself, so a page on the integrating site may use it.
        let id = state
            .tokens
            .verify(token, crate::store::now_ms())
            .ok_or(Error::Unauthorized)?;
        return state.store.user(id).await?.ok_or(Error::Unauthorized);
    }
    let user = auth::session_user(session, &state.store)
        .await?
        .ok_or(Error::Unauthorized)?;
    auth::check_origin(headers, &state.config)?;
    Ok(user)
}
