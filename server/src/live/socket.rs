//! `GET /ws`: the live WebSocket. The client speaks first (`Resume`), then
//! mostly listens; heartbeats find dead peers, and bad frames end only the
//! connection that sent them.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use governor::{Quota, RateLimiter};
use herald::wire::{ClientMessage, MAX_CLIENT_FRAME};
use herald::{ServerMessage, UserId};
use tower_sessions::Session;

use crate::AppState;
use crate::error::Error;
use crate::hub::Grant;

/// How long a new connection may take to say where to resume from.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// What each connection reserves for reading frames. A client sends only
/// small ones (at most `MAX_CLIENT_FRAME`; the buffer grows for a larger
/// one), so tungstenite's default of 128 KiB — zero-filled, so resident —
/// was nearly all of an idle connection's memory (heaptrack, README).
const READ_BUFFER: usize = 512;

/// How long a closed connection waits for the peer's closing reply.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Frames a client may send: a short burst, then a few per second.
fn client_quota() -> Quota {
    Quota::per_second(NonZeroU32::new(5).expect("non-zero"))
        .allow_burst(NonZeroU32::new(20).expect("non-zero"))
}

/// Why a connection ends, when the server ends it.
#[derive(Debug)]
enum Ending {
    /// Close with this code and reason.
    Close(u16, &'static str),
    /// The peer is gone or dead: just drop the connection.
    Drop,
}

/// `?token=`: a connection token, for pages on another site.
#[derive(serde::Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Query(query): Query<TokenQuery>,
) -> Result<Response, Error> {
    if state.draining.is_cancelled() {
        return Err(Error::Draining);
    }
    let (user, grant) =
        super::authorize(&state, &session, &headers, query.token.as_deref()).await?;
    Ok(ws
        .max_message_size(MAX_CLIENT_FRAME)
        .max_frame_size(MAX_CLIENT_FRAME)
        .read_buffer_size(READ_BUFFER)
        // Every frame is written (and flushed) as it is sent: nothing to
        // gather, so no write buffer to keep.
        .write_buffer_size(0)
        // Split here, not in `serve`: an async fn keeps its arguments for
        // its whole life, and the unsplit socket is large.
        .on_upgrade(move |socket| {
            let (sink, stream) = socket.split();
            serve(sink, stream, state, user.id, grant)
        }))
}

async fn serve(
    mut sink: SplitSink<WebSocket, Message>,
    mut stream: SplitStream<WebSocket>,
    state: AppState,
    user: UserId,
    grant: Grant,
) {
    let _open = crate::operations::OpenConnection::new("websocket");
    let ending = run(&mut sink, &mut stream, &state, user, grant).await;
    match ending {
        Ending::Close(code, reason) => {
            if code != close_code::AWAY && code != close_code::NORMAL {
                tracing::warn!(user, code, reason, "closing live connection");
            }
            let frame = CloseFrame {
                code,
                reason: reason.into(),
            };
            if sink.send(Message::Close(Some(frame))).await.is_ok() {
                // Let the peer read the close before the socket goes: closing
                // with its frames unread would reset the connection instead.
                let _ = tokio::time::timeout(CLOSE_GRACE, async {
                    while let Some(Ok(frame)) = stream.next().await {
                        if matches!(frame, Message::Close(_)) {
                            break;
                        }
                    }
                })
                .await;
            }
        }
        Ending::Drop => tracing::debug!(user, "live connection gone"),
    }
}

async fn run(
    sink: &mut SplitSink<WebSocket, Message>,
    stream: &mut SplitStream<WebSocket>,
    state: &AppState,
    user: UserId,
    grant: Grant,
) -> Ending {
    let after = match tokio::time::timeout(HANDSHAKE, stream.next()).await {
        Ok(Some(Ok(Message::Text(text)))) => match serde_json::from_str(&text) {
            Ok(ClientMessage::Resume { after }) => after,
            Err(_) => return Ending::Close(close_code::POLICY, "expected a resume message"),
        },
        Ok(Some(Ok(Message::Close(_)))) | Ok(None) => return Ending::Drop,
        Ok(Some(Ok(_))) => return Ending::Close(close_code::POLICY, "expected a resume message"),
        Ok(Some(Err(error))) => return frame_error(&error),
        Err(_) => return Ending::Close(close_code::POLICY, "no resume message in time"),
    };

    // Boxed: opening reads the database, and that future would otherwise
    // stay part of the connection's task for as long as it lives.
    let mut opening = match Box::pin(super::open(state, user, grant, Some(after))).await {
        Ok(opening) => opening,
        Err(refusal) => return Ending::Close(refusal.code, refusal.reason),
    };
    // A peer that takes longer than this to accept a frame is as good as
    // dead; waiting on it would hold its connection open forever.
    let patience = state.config.heartbeat_timeout();
    for message in std::mem::take(&mut opening.first) {
        if send(sink, text(&message), patience).await.is_err() {
            return Ending::Drop;
        }
    }

    let limiter = RateLimiter::direct(client_quota());
    let heartbeat = state.config.heartbeat();
    let deadline = heartbeat + patience;
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + heartbeat, heartbeat);
    let mut last_heard = Instant::now();
    loop {
        tokio::select! {
            _ = state.draining.cancelled() => return Ending::Close(close_code::AWAY, "server restarting"),
            _ = ticks.tick() => {
                if last_heard.elapsed() > deadline {
                    return Ending::Drop;
                }
                // A ping for the peer's socket to answer (browsers do so on
                // their own), and a message the page's script can see.
                if send(sink, Message::Ping(Default::default()), patience).await.is_err()
                    || send(sink, text(&ServerMessage::Heartbeat), patience).await.is_err()
                {
                    return Ending::Drop;
                }
            }
            event = opening.next_event() => match event {
                Ok(event) => {
                    let lag = event.at.elapsed();
                    if send(sink, Message::Text(event.json), patience).await.is_err() {
                        return Ending::Drop;
                    }
                    crate::operations::delivered(lag);
                }
                Err(refusal) => return Ending::Close(refusal.code, refusal.reason),
            },
            frame = stream.next() => {
                last_heard = Instant::now();
                match frame {
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Ok(Message::Text(text))) => {
                        if limiter.check().is_err() {
                            return Ending::Close(close_code::POLICY, "too many messages");
                        }
                        // A repeated resume is harmless; anything else is a broken client.
                        if serde_json::from_str::<ClientMessage>(&text).is_err() {
                            return Ending::Close(close_code::POLICY, "malformed message");
                        }
                    }
                    Some(Ok(Message::Binary(_))) => return Ending::Close(close_code::POLICY, "binary frames are not accepted"),
                    Some(Ok(Message::Close(_))) | None => return Ending::Drop,
                    Some(Err(error)) => return frame_error(&error),
                }
            }
        }
    }
}

fn text(message: &ServerMessage) -> Message {
    Message::Text(serde_json::to_string(message).unwrap_or_default().into())
}

/// Sends one frame, giving up after `patience`.
async fn send(
    sink: &mut SplitSink<WebSocket, Message>,
    frame: Message,
    patience: Duration,
) -> Result<(), ()> {
    match tokio::time::timeout(patience, sink.send(frame)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) | Err(_) => Err(()),
    }
}

/// An oversized frame is 1009; any other protocol error means the peer is
/// broken or gone.
fn frame_error(error: &axum::Error) -> Ending {
    use std::error::Error as _;
    let oversized = error
        .source()
        .and_then(|e| e.downcast_ref::<tungstenite::Error>())
        .is_some_and(|e| matches!(e, tungstenite::Error::Capacity(_)));
    if oversized {
        Ending::Close(close_code::SIZE, "frame too large")
    } else {
        tracing::debug!(%error, "live connection protocol error");
        Ending::Drop
    }
}
