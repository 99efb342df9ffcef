//! `GET /ws`: the live WebSocket. The client speaks first (`Resume`), then
//! mostly listens; heartbeats find dead peers, and bad frames end only the
//! connection that sent them.

use std::num::NonZeroU32;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use governor::clock::DefaultClock;
use governor::{Quota, RateLimiter};
use herald::wire::{ClientMessage, MAX_CLIENT_FRAME};
use herald::{ServerMessage, UserId};
use tower_sessions::Session;

use super::{Context, Opening, Wake};
use crate::error::Error;
use crate::state::AppState;

/// How long a new connection may take to say where to resume from.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// What each connection reserves for reading frames. A client sends only
/// small ones (a resume is under 64 bytes; at most `MAX_CLIENT_FRAME`, and
/// the buffer grows for a larger one), so tungstenite's default of 128 KiB
/// — zero-filled, so resident — was nearly all of an idle connection's
/// memory (heaptrack, docs/performance.md).
const READ_BUFFER: usize = 128;

/// How long a closed connection waits for the peer's closing reply.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// The largest frame read at all. One over `MAX_CLIENT_FRAME` but within
/// this is read whole and then refused (1009), so the connection can still
/// be read, and drained, after it; past this, reading stops at its header
/// (the stream cannot go on after an error).
const READ_LIMIT: usize = 64 * 1024;

/// One clock for every connection's limiter: making one calibrates it
/// (CPUID), which perf showed as ~5 % of a connect's CPU.
static CLOCK: LazyLock<DefaultClock> = LazyLock::new(DefaultClock::default);

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
    /// Close with this code and reason a connection that can no longer be
    /// read (its stream failed on an oversized frame).
    Broken(u16, &'static str),
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
    let authorized = super::authorize(&state, &session, &headers, query.token.as_deref()).await?;
    let live = Live {
        context: Context::of(&state),
        authorized,
    };
    Ok(ws
        .max_message_size(READ_LIMIT)
        .max_frame_size(READ_LIMIT)
        .read_buffer_size(READ_BUFFER)
        // Every frame is written (and flushed) as it is sent: nothing to
        // gather, so no write buffer to keep.
        .write_buffer_size(0)
        .on_upgrade(move |socket| async move {
            // The connection lives in a task of its own that holds only what
            // it needs. Axum's upgrade task, with its upgrade machinery, ends
            // here, before it touches the socket: a task that once waited on
            // the socket stays allocated for as long as the socket remembers
            // its waker.
            let (sink, stream) = socket.split();
            tokio::spawn(serve(sink, stream, live));
        }))
}

type Sink = SplitSink<WebSocket, Message>;
type Stream = SplitStream<WebSocket>;

/// Whose connection it is, and what to open it with.
struct Live {
    context: Context,
    authorized: super::Authorized,
}

/// The connection's task. Its size is that of its largest state, and it
/// keeps that for as long as the connection lives: the handshake and the
/// close are boxed, so it is sized for the idle loop.
async fn serve(mut sink: Sink, mut stream: Stream, live: Live) {
    let _open = crate::telemetry::OpenConnection::new("websocket");
    let user = live.authorized.user;
    let ending = match Box::pin(start(&mut sink, &mut stream, live)).await {
        Ok(mut opening) => {
            let ending = run(&mut sink, &mut stream, &mut opening).await;
            // The feed goes first: the connection no longer counts as a recipient.
            drop(opening);
            ending
        }
        Err(ending) => ending,
    };
    Box::pin(finish(&mut sink, &mut stream, user, ending)).await;
}

/// The handshake: the client says where to resume from, and is sent what
/// it missed and the greeting.
async fn start(sink: &mut Sink, stream: &mut Stream, live: Live) -> Result<Opening, Ending> {
    let after = match tokio::time::timeout(HANDSHAKE, stream.next()).await {
        Ok(Some(Ok(Message::Text(text)))) if text.len() > MAX_CLIENT_FRAME => {
            return Err(Ending::Close(close_code::SIZE, "frame too large"));
        }
        Ok(Some(Ok(Message::Text(text)))) => match serde_json::from_str(&text) {
            Ok(ClientMessage::Resume { after }) => after,
            Err(_) => {
                return Err(Ending::Close(
                    close_code::POLICY,
                    "expected a resume message",
                ));
            }
        },
        Ok(Some(Ok(Message::Close(_)))) | Ok(None) => return Err(Ending::Drop),
        Ok(Some(Ok(_))) => {
            return Err(Ending::Close(
                close_code::POLICY,
                "expected a resume message",
            ));
        }
        Ok(Some(Err(error))) => return Err(frame_error(&error)),
        Err(_) => {
            return Err(Ending::Close(
                close_code::POLICY,
                "no resume message in time",
            ));
        }
    };
    let mut opening = super::open(&live.context, live.authorized, Some(after))
        .await
        .map_err(|refusal| Ending::Close(refusal.code, refusal.reason))?;
    let patience = live.context.config.heartbeat_timeout();
    for message in std::mem::take(&mut opening.first) {
        send(sink, text(&message), patience)
            .await
            .map_err(|()| Ending::Drop)?;
    }
    Ok(opening)
}

/// Ends the connection: a close frame, and a short wait for the peer's
/// reply, or just dropping it.
async fn finish(sink: &mut Sink, stream: &mut Stream, user: UserId, ending: Ending) {
    let (code, reason, readable) = match ending {
        Ending::Close(code, reason) => (code, reason, true),
        Ending::Broken(code, reason) => (code, reason, false),
        Ending::Drop => {
            tracing::debug!(user, "live connection gone");
            return;
        }
    };
    if code != close_code::AWAY && code != close_code::NORMAL {
        tracing::warn!(user, code, reason, "closing live connection");
    }
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    if sink.send(Message::Close(Some(frame))).await.is_err() {
        return;
    }
    // Let the peer read the close before the socket goes: closing with its
    // frames unread resets the connection, and a client whose next write
    // then fails loses the close frame, and its code, unread.
    if readable {
        let _ = tokio::time::timeout(CLOSE_GRACE, drain(stream)).await;
    } else {
        tokio::time::sleep(CLOSE_GRACE).await;
    }
}

/// Reads and drops what the peer still sends after our close, until its
/// own close or the stream's end.
async fn drain(stream: &mut Stream) {
    while let Some(Ok(frame)) = stream.next().await {
        if matches!(frame, Message::Close(_)) {
            return;
        }
    }
}

/// Passes events on and answers the client until the connection ends.
async fn run(sink: &mut Sink, stream: &mut Stream, opening: &mut Opening) -> Ending {
    let limiter = RateLimiter::direct_with_clock(client_quota(), CLOCK.clone());
    let patience = opening.context.config.heartbeat_timeout();
    let deadline = opening.context.config.heartbeat() + patience;
    let draining = opening.context.draining.clone();
    let mut last_heard = Instant::now();
    loop {
        tokio::select! {
            _ = draining.cancelled() => return Ending::Close(close_code::AWAY, "server restarting"),
            wake = opening.next_event() => match wake {
                Ok(Wake::Event(event)) => {
                    let lag = event.at.elapsed();
                    if send(sink, Message::Text(event.json), patience).await.is_err() {
                        return Ending::Drop;
                    }
                    crate::telemetry::delivered(lag);
                }
                Ok(Wake::Heartbeat) => {
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
                Err(refusal) => return Ending::Close(refusal.code, refusal.reason),
            },
            frame = stream.next() => {
                last_heard = Instant::now();
                match frame {
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Ok(Message::Text(text))) => {
                        if text.len() > MAX_CLIENT_FRAME {
                            return Ending::Close(close_code::SIZE, "frame too large");
                        }
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
async fn send(sink: &mut Sink, frame: Message, patience: Duration) -> Result<(), ()> {
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
        Ending::Broken(close_code::SIZE, "frame too large")
    } else {
        tracing::debug!(%error, "live connection protocol error");
        Ending::Drop
    }
}
