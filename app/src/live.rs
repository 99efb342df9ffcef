//! The browser's live connection: one per page. It resumes from the last
//! sequence number applied, reconnects with capped, jittered backoff (at
//! once when the network returns or the tab becomes visible), treats a
//! silent connection as dead, and falls back to server-sent events when the
//! WebSocket cannot get through. A gap in the sequence of live changes (one
//! was lost on the way) makes it resume at once, which replays it; a
//! connection closed because the session ended sends the page to log in.

use std::time::Duration;

use futures::channel::{mpsc, oneshot};
use futures::future::Fuse;
use futures::{FutureExt, SinkExt, StreamExt, select};
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::{Message, WebSocketError};
use herald::ServerMessage;
use herald::wire::{ClientMessage, Transport, close};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::state::{Link, PageState};

const BACKOFF_BASE_MS: f64 = 500.0;
const BACKOFF_CAP_MS: f64 = 30_000.0;
/// Silence allowed before the server has said how often it will speak.
const FIRST_WORD_MS: u64 = 15_000;
/// WebSocket attempts that get nothing through before trying SSE instead.
const WS_TRIES_BEFORE_SSE: u32 = 2;

/// A running connection; `close` ends it for good.
pub struct Connection {
    stop: oneshot::Sender<()>,
}

impl Connection {
    pub fn close(self) {
        let _ = self.stop.send(());
    }
}

pub fn connect(live: PageState, transport: Transport) -> Connection {
    let (stop, stopped) = oneshot::channel();
    leptos::task::spawn_local(run(live, transport, stopped));
    Connection { stop }
}

/// How one connection attempt ended.
enum Outcome {
    Stopped,
    /// The server ended the session: reconnecting cannot help.
    SignedOut,
    /// Lost; `heard` says whether the server got a word through first.
    Lost {
        heard: bool,
    },
}

type Stop = Fuse<oneshot::Receiver<()>>;

async fn run(live: PageState, transport: Transport, stopped: oneshot::Receiver<()>) {
    let mut stopped = stopped.fuse();
    let mut wake = wake_events();
    let mut use_sse = transport == Transport::Sse;
    let mut failures: u32 = 0;
    let mut silent_ws: u32 = 0;
    loop {
        let outcome = if use_sse {
            sse_session(live, &mut stopped).await
        } else {
            ws_session(live, &mut stopped).await
        };
        match outcome {
            Outcome::Stopped => return,
            Outcome::SignedOut => {
                let _ = window().location().set_href("/login");
                return;
            }
            Outcome::Lost { heard: true } => {
                failures = 0;
                silent_ws = 0;
            }
            Outcome::Lost { heard: false } if !use_sse => {
                silent_ws += 1;
                use_sse = silent_ws >= WS_TRIES_BEFORE_SSE;
            }
            Outcome::Lost { heard: false } => {}
        }
        live.link.set(Link::Reconnecting);
        select! {
            _ = stopped => return,
            _ = sleep(backoff(failures)).fuse() => {}
            _ = wake.next() => {}
        }
        failures = failures.saturating_add(1);
    }
}

async fn ws_session(live: PageState, stopped: &mut Stop) -> Outcome {
    let Ok(socket) = WebSocket::open(&socket_url()) else {
        return Outcome::Lost { heard: false };
    };
    let (mut sink, mut frames) = socket.split();
    let resume = ClientMessage::Resume {
        after: live.seq.get_untracked(),
    };
    let resume = serde_json::to_string(&resume).unwrap_or_default();
    // The send waits for the socket to open; a socket closed before it
    // opened ends the stream instead, and a hanging one times out.
    select! {
        _ = &mut *stopped => return Outcome::Stopped,
        sent = sink.send(Message::Text(resume)).fuse() => if sent.is_err() {
            return Outcome::Lost { heard: false };
        },
        _ = frames.next().fuse() => return Outcome::Lost { heard: false },
        _ = sleep(Duration::from_millis(FIRST_WORD_MS)).fuse() => return Outcome::Lost { heard: false },
    }
    let texts = (&mut frames).filter_map(|frame| async move {
        match frame {
            Ok(Message::Text(text)) => Some(Ok(text)),
            Ok(Message::Bytes(_)) => None,
            Err(WebSocketError::ConnectionClose(event)) if event.code == close::SIGNED_OUT => {
                Some(Err(Ended::SignedOut))
            }
            Err(_) => Some(Err(Ended::Lost)),
        }
    });
    let outcome = listen(live, texts, stopped).await;
    if let (Ok(socket), Outcome::Stopped) = (sink.reunite(frames), &outcome) {
        let _ = socket.close(Some(1000), Some("page closed"));
    }
    outcome
}

async fn sse_session(live: PageState, stopped: &mut Stop) -> Outcome {
    let after = live.seq.get_untracked();
    let Ok(source) = web_sys::EventSource::new(&format!("/events?after={after}")) else {
        return Outcome::Lost { heard: false };
    };
    let (tx, rx) = mpsc::unbounded::<Result<String, Ended>>();
    let on_message = {
        let tx = tx.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            if let Some(data) = event.data().as_string() {
                let _ = tx.unbounded_send(Ok(data));
            }
        })
    };
    // The browser would retry by itself; we retry on our own schedule instead.
    let on_error = Closure::<dyn FnMut()>::new(move || {
        let _ = tx.unbounded_send(Err(Ended::Lost));
    });
    source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let outcome = listen(live, rx, stopped).await;
    source.close();
    outcome
}

/// Why a connection's messages stopped.
enum Ended {
    Lost,
    SignedOut,
}

/// Applies messages until the connection fails, falls silent for longer
/// than the server's heartbeat promises, skips a change, or the page stops it.
async fn listen(
    live: PageState,
    messages: impl futures::Stream<Item = Result<String, Ended>>,
    stopped: &mut Stop,
) -> Outcome {
    let mut messages = std::pin::pin!(messages.fuse());
    let mut heard = false;
    let mut greeted = false;
    let mut silence_ms = FIRST_WORD_MS;
    loop {
        select! {
            _ = &mut *stopped => return Outcome::Stopped,
            _ = sleep(Duration::from_millis(silence_ms)).fuse() => return Outcome::Lost { heard },
            message = messages.next() => match message {
                Some(Ok(text)) => {
                    let Ok(message) = serde_json::from_str::<ServerMessage>(&text) else {
                        continue;
                    };
                    heard = true;
                    if let ServerMessage::Hello { heartbeat_ms, .. } | ServerMessage::Resync { heartbeat_ms, .. } = &message {
                        silence_ms = heartbeat_ms.saturating_mul(2).saturating_add(5_000);
                        live.link.set(Link::Live);
                        greeted = true;
                    }
                    // Once live, each change takes exactly the next number:
                    // a jump means one never arrived, and resuming replays it.
                    let skipped = greeted
                        && message.is_live_change()
                        && message.seq().is_some_and(|seq| seq > live.seq.get_untracked() + 1);
                    if skipped {
                        return Outcome::Lost { heard };
                    }
                    live.apply(message);
                }
                Some(Err(Ended::SignedOut)) => return Outcome::SignedOut,
                Some(Err(Ended::Lost)) | None => return Outcome::Lost { heard },
            }
        }
    }
}

/// Fires when a reconnect should not wait: the network came back, or the
/// tab became visible again.
fn wake_events() -> mpsc::UnboundedReceiver<()> {
    let (tx, rx) = mpsc::unbounded();
    let online = tx.clone();
    // Both listeners live as long as the page, like the connection itself.
    let _ = window_event_listener(leptos::ev::online, move |_| {
        let _ = online.unbounded_send(());
    });
    // `visibilitychange` bubbles from the document to the window.
    let _ = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if document().visibility_state() == web_sys::VisibilityState::Visible {
            let _ = tx.unbounded_send(());
        }
    });
    rx
}

/// "Full jitter": a random wait up to an exponentially growing, capped bound,
/// so a restarted server is not hit by every client at the same instant.
fn backoff(failures: u32) -> Duration {
    let bound = (BACKOFF_BASE_MS * 2f64.powi(failures.min(16) as i32)).min(BACKOFF_CAP_MS);
    Duration::from_millis((js_sys::Math::random() * bound) as u64)
}

async fn sleep(duration: Duration) {
    let (done, wait) = oneshot::channel::<()>();
    set_timeout(
        move || {
            let _ = done.send(());
        },
        duration,
    );
    let _ = wait.await;
}

/// The socket's URL on this page's host: `wss` under https, else `ws`.
fn socket_url() -> String {
    let location = window().location();
    let scheme = match location.protocol().as_deref() {
        Ok("https:") => "wss",
        _ => "ws",
    };
    let host = location.host().unwrap_or_default();
    format!("{scheme}://{host}/ws")
}
