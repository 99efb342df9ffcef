//! The browser's live connection: one WebSocket per page that keeps the
//! unread count current, reconnecting with capped, jittered backoff.

use std::time::Duration;

use futures::channel::oneshot;
use futures::{FutureExt, StreamExt, select};
use gloo_net::websocket::Message;
use gloo_net::websocket::futures::WebSocket;
use herald::ServerMessage;
use leptos::prelude::*;

use crate::bell::{Link, LiveCount};

const BACKOFF_BASE_MS: f64 = 500.0;
const BACKOFF_CAP_MS: f64 = 30_000.0;

/// A running connection; `close` ends it for good.
pub struct Connection {
    stop: oneshot::Sender<()>,
}

impl Connection {
    pub fn close(self) {
        let _ = self.stop.send(());
    }
}

pub fn connect(live: LiveCount) -> Connection {
    let (stop, stopped) = oneshot::channel();
    leptos::task::spawn_local(run(live, stopped));
    Connection { stop }
}

async fn run(live: LiveCount, stopped: oneshot::Receiver<()>) {
    let mut stopped = stopped.fuse();
    let mut failures: u32 = 0;
    loop {
        if let Ok(mut socket) = WebSocket::open(&socket_url()) {
            loop {
                select! {
                    _ = stopped => {
                        let _ = socket.close(Some(1000), Some("page closed"));
                        return;
                    }
                    frame = socket.next().fuse() => match frame {
                        Some(Ok(Message::Text(text))) => {
                            if let Ok(message) = serde_json::from_str::<ServerMessage>(&text) {
                                failures = 0;
                                live.link.set(Link::Live);
                                live.apply(&message);
                            }
                        }
                        Some(Ok(Message::Bytes(_))) => {}
                        Some(Err(_)) | None => break,
                    }
                }
            }
        }
        live.link.set(Link::Reconnecting);
        select! {
            _ = stopped => return,
            _ = sleep(backoff(failures)).fuse() => {}
        }
        failures = failures.saturating_add(1);
    }
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

fn socket_url() -> String {
    let location = window().location();
    let scheme = match location.protocol().as_deref() {
        Ok("https:") => "wss",
        _ => "ws",
    };
    let host = location.host().unwrap_or_default();
    format!("{scheme}://{host}/ws")
}
