//! The load's clients: the integration API (as an integrating application
//! uses it) and authenticated WebSocket connections that record what they
//! receive.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
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
    /// Every instance; sends go to each in turn.
    bases: Vec<String>,
    key: String,
}

impl Api {
    /// Logs in to the first of `bases` and makes a key (one database: it
    /// works on every instance).
    pub async fn new(bases: &[String]) -> Api {
        let base = &bases[0];
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
            bases: bases.to_vec(),
            key,
        }
    }

    /// A connection token for the user known as `user`.
    pub async fn token(&self, user: &str) -> String {
        let answer: Value = self
            .http
            .post(format!("{}/api/v1/connection-tokens", self.bases[0]))
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
            .post(format!(
                "{}/api/v1/notifications",
                self.bases[index as usize % self.bases.len()]
            ))
            .bearer_auth(&self.key)
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        // 201 for named recipients; 202 for a broadcast, written out in
        // the background.
        if !res.status().is_success() {
            return Err(format!(
                "{}: {}",
                res.status(),
                res.text().await.unwrap_or_default()
            ));
        }
        Ok(started.elapsed())
    }
}

/// What every socket reports back, live.
#[derive(Default)]
pub struct Totals {
    pub received: AtomicU64,
    pub duplicates: AtomicU64,
    /// (notification index, create → receive µs) of every first receipt.
    pub samples: Mutex<Vec<(u64, u64)>>,
}

impl Totals {
    /// Create → receive latencies (µs) of notifications `from..to`.
    pub fn latencies(&self, from: u64, to: u64) -> Vec<u64> {
        let samples = self.samples.lock().expect("samples");
        samples
            .iter()
            .filter(|(i, _)| (from..to).contains(i))
            .map(|(_, us)| *us)
            .collect()
    }
}

/// One socket's record: which notifications it got, and how far its
/// user's sequence it has applied (where it would resume from).
pub struct Received {
    pub user: usize,
    pub seen: HashSet<u64>,
    pub duplicates: u64,
    pub seq: i64,
}

impl Received {
    pub fn new(user: usize) -> Received {
        Received {
            user,
            seen: HashSet::new(),
            duplicates: 0,
            seq: 0,
        }
    }

    /// Records one server message: a notification (live or replayed) counts
    /// once, and every message moves the resume point.
    fn record(&mut self, message: &ServerMessage, totals: &Totals) {
        if let Some(seq) = message.seq() {
            self.seq = self.seq.max(seq);
        }
        let (ServerMessage::Created { notification, .. } | ServerMessage::Missed { notification }) =
            message
        else {
            return;
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
        if self.seen.insert(index) {
            totals.received.fetch_add(1, Ordering::Relaxed);
            totals
                .samples
                .lock()
                .expect("samples")
                .push((index, now.saturating_sub(sent)));
        } else {
            self.duplicates += 1;
            totals.duplicates.fetch_add(1, Ordering::Relaxed);
        }
    }
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

pub type Socket = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// Opens connection `n` with `token`, resuming after `record.seq`, and
/// waits for its greeting; what it replays first is recorded. A refused or
/// failed attempt is retried (as a real client does) for up to 60 s.
pub async fn open(
    base: &str,
    n: usize,
    token: &str,
    record: &mut Received,
    totals: &Totals,
) -> Socket {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut wait = Duration::from_millis(20);
    loop {
        match try_open(base, n, token, record, totals).await {
            Ok(ws) => return ws,
            Err(error) if Instant::now() < deadline => {
                if wait == Duration::from_millis(20) {
                    eprintln!("connection {n}: {error}; retrying");
                }
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(1));
            }
            Err(error) => panic!("connection {n} never opened: {error}"),
        }
    }
}

async fn try_open(
    base: &str,
    n: usize,
    token: &str,
    record: &mut Received,
    totals: &Totals,
) -> Result<Socket, String> {
    let addr: SocketAddr = base
        .trim_start_matches("http://")
        .parse()
        .expect("an address");
    let socket = tokio::net::TcpSocket::new_v4().map_err(|e| e.to_string())?;
    socket.bind(source(n)).map_err(|e| e.to_string())?;
    let stream = socket.connect(addr).await.map_err(|e| e.to_string())?;
    let url = format!("ws://{addr}/ws?token={token}");
    let (mut ws, _) = tokio_tungstenite::client_async(url, stream)
        .await
        .map_err(|e| e.to_string())?;
    let resume = serde_json::to_string(&ClientMessage::Resume { after: record.seq }).unwrap();
    ws.send(Message::text(resume))
        .await
        .map_err(|e| e.to_string())?;
    // Replayed notifications first, then the greeting.
    let mut replayed = Vec::new();
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => match serde_json::from_str(&text) {
                Ok(hello @ ServerMessage::Hello { .. }) => {
                    for message in &replayed {
                        record.record(message, totals);
                    }
                    record.record(&hello, totals);
                    return Ok(ws);
                }
                Ok(ServerMessage::Resync { .. }) => {
                    return Err("told to resync: the gap was too large to replay".into());
                }
                Ok(message) => replayed.push(message),
                Err(_) => {}
            },
            Some(Ok(_)) => {}
            other => return Err(format!("closed before its greeting: {other:?}")),
        }
    }
}

/// Reads `ws` into `record` until `stop`; then the socket is dropped, as a
/// network failure would drop it.
pub async fn receive(
    mut ws: Socket,
    mut record: Received,
    totals: Arc<Totals>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Received {
    loop {
        let frame = tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            frame = ws.next() => frame,
        };
        match frame {
            Some(Ok(Message::Text(text))) => {
                if let Ok(message) = serde_json::from_str(&text) {
                    record.record(&message, &totals);
                }
            }
            Some(Ok(_)) => {}
            _ => break,
        }
    }
    record
}
