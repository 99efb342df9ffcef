//! The load's clients: the integration API (as an integrating application
//! uses it) and authenticated WebSocket connections that record what they
//! receive.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::{SinkExt, StreamExt};
use herald::ServerMessage;
use herald::wire::ClientMessage;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::server::ADMIN_PASSWORD;

/// Microseconds since the epoch: the send time carried in each body.
pub fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

/// The integration API with a key made the way an admin makes one.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Api {
    pub async fn new(base: &str) -> Api {
        let admin = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let login = admin
            .post(format!("{base}/api/login"))
            .header("accept", "application/json")
            .form(&[("username", "admin"), ("password", ADMIN_PASSWORD)])
            .send()
            .await
            .expect("login");
        assert!(
            login.status().is_success(),
            "admin login: {}",
            login.status()
        );
        let key: String = admin
            .post(format!("{base}/api/admin/api-keys/create"))
            .header("accept", "application/json")
            .form(&[("name", "load")])
            .send()
            .await
            .expect("an API key")
            .json()
            .await
            .expect("the key");
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(512)
            .build()
            .unwrap();
        Api {
            http,
            base: base.to_owned(),
            key,
        }
    }

    /// A connection token for the user known as `user`.
    pub async fn token(&self, user: &str) -> String {
        let answer: Value = self
            .http
            .post(format!("{}/api/v1/connection-tokens", self.base))
            .bearer_auth(&self.key)
            .json(&json!({ "external_id": user, "ttl_seconds": 3600 }))
            .send()
            .await
            .expect("a token")
            .json()
            .await
            .expect("token JSON");
        answer["token"].as_str().expect("token").to_owned()
    }

    /// Sends notification `index` to `user` (`None`: everyone), its send
    /// time in the body; returns how long the API took to answer.
    pub async fn send(&self, user: Option<&str>, index: u64) -> Result<Duration, String> {
        let recipients = match user {
            Some(user) => json!({ "recipients": [{ "external_id": user }] }),
            None => json!({ "broadcast": true }),
        };
        let mut body = recipients;
        body["title"] = json!(format!("n{index}"));
        body["body"] = json!(format!("t={}", now_micros()));
        let started = Instant::now();
        let res = self
            .http
            .post(format!("{}/api/v1/notifications", self.base))
            .bearer_auth(&self.key)
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if res.status() != 201 {
            return Err(format!(
                "{}: {}",
                res.status(),
                res.text().await.unwrap_or_default()
            ));
        }
        Ok(started.elapsed())
    }
}

/// What every socket reports back.
#[derive(Default)]
pub struct Totals {
    pub received: AtomicU64,
    pub duplicates: AtomicU64,
}

/// One socket's record: which notifications it got, and how late.
pub struct Received {
    pub user: usize,
    pub seen: HashSet<u64>,
    pub latencies_us: Vec<u64>,
    pub duplicates: u64,
}

/// A client address for connection `n`: spread over 127.0.0.0/8 so no one
/// source address runs out of ports.
fn source(n: usize) -> SocketAddr {
    let ip = Ipv4Addr::new(
        127,
        1 + (n / 60_000) as u8,
        ((n / 250) % 240) as u8,
        1 + (n % 250) as u8,
    );
    SocketAddr::new(IpAddr::V4(ip), 0)
}

/// Opens connection `n` for `user` with `token` and waits for its greeting.
pub async fn open(
    base: &str,
    n: usize,
    token: &str,
) -> tokio_tungstenite::WebSocketStream<tokio::net::TcpStream> {
    let addr: SocketAddr = base
        .trim_start_matches("http://")
        .parse()
        .expect("an address");
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket.bind(source(n)).expect("a source address");
    let stream = socket.connect(addr).await.expect("connect");
    let url = format!("ws://{addr}/ws?token={token}");
    let (mut ws, _) = tokio_tungstenite::client_async(url, stream)
        .await
        .expect("WebSocket handshake");
    let resume = serde_json::to_string(&ClientMessage::Resume { after: 0 }).unwrap();
    ws.send(Message::text(resume)).await.expect("resume");
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => {
                if let Ok(ServerMessage::Hello { .. }) = serde_json::from_str(&text) {
                    return ws;
                }
            }
            Some(Ok(_)) => {}
            other => panic!("connection {n} closed before its greeting: {other:?}"),
        }
    }
}

/// Reads `ws` until `stop`, recording every notification it is sent.
pub async fn receive(
    mut ws: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    user: usize,
    totals: Arc<Totals>,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Received {
    let mut record = Received {
        user,
        seen: HashSet::new(),
        latencies_us: Vec::new(),
        duplicates: 0,
    };
    let mut stop = stop;
    loop {
        let frame = tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            frame = ws.next() => frame,
        };
        let Some(Ok(Message::Text(text))) = frame else {
            if matches!(frame, Some(Ok(_))) {
                continue;
            }
            break;
        };
        let Ok(ServerMessage::Created { notification, .. }) = serde_json::from_str(&text) else {
            continue;
        };
        let now = now_micros();
        let index = notification
            .title
            .trim_start_matches('n')
            .parse()
            .unwrap_or(u64::MAX);
        let sent: u64 = notification
            .body
            .strip_prefix("t=")
            .and_then(|t| t.parse().ok())
            .unwrap_or(now);
        if record.seen.insert(index) {
            record.latencies_us.push(now.saturating_sub(sent));
            totals.received.fetch_add(1, Ordering::Relaxed);
        } else {
            record.duplicates += 1;
            totals.duplicates.fetch_add(1, Ordering::Relaxed);
        }
    }
    record
}
