//! Several Herald instances on one PostgreSQL database: whichever instance
//! a client is connected to, it gets every change exactly once and in
//! order, across crashes of an instance and of its listener. These run in
//! the PostgreSQL half of the suite (`HERALD_TEST_DATABASE=postgres`).

use std::collections::BTreeSet;
use std::sync::Arc;

use herald::{Audience, NewNotification, ServerMessage};
use serde_json::{Value, json};

use crate::common::*;
use crate::process::Process;

const SECRET: &str = "a shared token secret of at least thirty-two bytes";

/// Whether this run is the one with PostgreSQL (the SQLite half says so).
fn on_cluster_half() -> bool {
    if !on_postgres() {
        eprintln!("several instances need PostgreSQL: this test runs in the PostgreSQL half");
    }
    on_postgres()
}

/// What one client has applied: each change's sequence number, in order.
#[derive(Default)]
struct Applied {
    seq: i64,
    titles: BTreeSet<String>,
}

impl Applied {
    /// Applies one message as the browser does, failing on a gap or a repeat.
    fn apply(&mut self, message: ServerMessage) {
        match message {
            ServerMessage::Created { notification, .. } => {
                assert_eq!(notification.seq, self.seq + 1, "no gap, no repeat");
                self.seq = notification.seq;
                assert!(self.titles.insert(notification.title), "delivered twice");
            }
            ServerMessage::Missed { notification } => {
                assert!(notification.version > self.seq, "replayed twice");
                self.seq = notification.version;
                assert!(self.titles.insert(notification.title), "delivered twice");
            }
            ServerMessage::Hello { seq, .. } => {
                assert!(seq >= self.seq, "the greeting goes back in time");
                self.seq = seq;
            }
            ServerMessage::Heartbeat => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    /// Reads from `socket` until sequence number `until` is applied.
    async fn read_until(&mut self, socket: &mut Socket, until: i64) {
        while self.seq < until {
            self.apply(next_message(socket).await);
        }
    }
}

fn content(title: String) -> NewNotification {
    NewNotification {
        title,
        body: String::new(),
        link: None,
        category: Default::default(),
        expires_at: None,
        actions: Vec::new(),
        group_key: None,
    }
}

/// Sends `user` notifications titled `n000`, `n001`, … for each of `numbers`.
async fn write(
    notifier: Arc<server::realtime::notifier::Notifier>,
    user: herald::UserId,
    numbers: impl Iterator<Item = usize>,
) {
    for n in numbers {
        notifier
            .deliver(
                &Audience::User { id: user },
                &content(format!("n{n:03}")),
                None,
                "test",
            )
            .await
            .unwrap();
    }
}

/// Two instances on one fresh database, the second started once the first
/// has seeded it.
async fn two_instances(configure: impl Fn(&mut server::config::Config)) -> (TestApp, TestApp) {
    let db = Db::fresh().await;
    let mut config = test_config(&db);
    config.token_secret = Some(SECRET.to_owned());
    configure(&mut config);
    let a = TestApp::spawn_on(&db, config.clone()).await;
    let b = TestApp::spawn_on(&db, config).await;
    (a, b)
}

/// Two `herald` processes on one database, the second started once the
/// first has seeded it.
async fn two_processes(db: &Db) -> (Process, Process) {
    let env = [
        ("HERALD_SEED_PASSWORD", PASSWORD),
        ("HERALD_TOKEN_SECRET", SECRET),
        // Writers in these tests send as fast as they can.
        ("HERALD_API_BURST", "1000"),
    ];
    let mut a = Process::start_on(&db.url, &env);
    a.ready().await;
    let mut b = Process::start_on(&db.url, &env);
    b.ready().await;
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_on_one_process_gets_what_another_created_once_and_in_order() {
    if !on_cluster_half() {
        return;
    }
    let db = Db::fresh().await;
    let (a, b) = two_processes(&db).await;

    let admin = Client::new(&a.url);
    assert_eq!(admin.login("admin", PASSWORD).await.status(), 200);
    let alice = Client::new(&b.url);
    assert_eq!(alice.login("alice", PASSWORD).await.status(), 200);
    let me: Value = alice.post_form("/api/me", &[]).await.json().await.unwrap();
    let alice_id = me["user"]["id"].as_i64().unwrap();

    // Two sent before alice connects: replayed on B.
    for title in ["one", "two"] {
        assert_eq!(admin.send(&alice_id.to_string(), title).await.status(), 200);
    }
    let mut socket = alice.socket_after(0).await;
    let mut applied = Applied::default();
    applied.read_until(&mut socket, 2).await;

    // One through A's admin page, one through A's API: live on B.
    assert_eq!(
        admin.send(&alice_id.to_string(), "three").await.status(),
        200
    );
    let key: String = admin
        .post_form("/api/admin/api-keys/create", &[("name", "django")])
        .await
        .json()
        .await
        .unwrap();
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/notifications", a.url))
        .bearer_auth(&key)
        .json(&json!({ "recipients": [{ "user_id": alice_id }], "title": "four" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    applied.read_until(&mut socket, 4).await;
    let titles: Vec<&str> = applied.titles.iter().map(String::as_str).collect();
    assert_eq!(titles, ["four", "one", "three", "two"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_writers_on_two_instances_reach_every_connection_once_in_order() {
    if !on_cluster_half() {
        return;
    }
    let (a, b) = two_instances(|_| {}).await;
    let alice_id = a.user_id("alice").await;
    let on_a = a.login("alice").await;
    let on_b = on_a.at(&b.url(""));
    let mut sockets = Vec::new();
    for client in [&on_a, &on_a, &on_b, &on_b] {
        let mut socket = client.socket_after(0).await;
        assert_eq!(hello(&mut socket).await, 0);
        sockets.push(socket);
    }
    const TOTAL: usize = 500;
    let writers = (0..8).map(|w| {
        let notifier = if w % 2 == 0 {
            a.state.notifier.clone()
        } else {
            b.state.notifier.clone()
        };
        tokio::spawn(write(notifier, alice_id, (w..TOTAL).step_by(8)))
    });
    let readers = sockets.into_iter().map(|mut socket| {
        tokio::spawn(async move {
            let mut applied = Applied::default();
            applied.read_until(&mut socket, TOTAL as i64).await;
            applied.titles.len()
        })
    });
    for writer in futures::future::join_all(writers).await {
        writer.unwrap();
    }
    for seen in futures::future::join_all(readers).await {
        assert_eq!(
            seen.unwrap(),
            TOTAL,
            "every connection saw each exactly once"
        );
    }
    assert_eq!(
        a.state.store.unread(alice_id).await.unwrap(),
        herald::Counts {
            unread: 500,
            seq: 500
        }
    );
    assert_eq!(b.state.store.count_notifications().await.unwrap(), 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_an_instance_is_killed_its_clients_resume_on_another_and_miss_nothing() {
    if !on_cluster_half() {
        return;
    }
    let db = Db::fresh().await;
    let (mut a, b) = two_processes(&db).await;
    let admin = Client::new(&b.url);
    assert_eq!(admin.login("admin", PASSWORD).await.status(), 200);
    let key: String = admin
        .post_form("/api/admin/api-keys/create", &[("name", "writer")])
        .await
        .json()
        .await
        .unwrap();
    let alice = Client::new(&a.url);
    assert_eq!(alice.login("alice", PASSWORD).await.status(), 200);
    let me: Value = alice.post_form("/api/me", &[]).await.json().await.unwrap();
    let alice_id = me["user"]["id"].as_i64().unwrap();
    let mut socket = alice.socket_after(0).await;
    assert_eq!(hello(&mut socket).await, 0);
    let mut applied = Applied::default();

    // A writer on B keeps sending while A dies under alice's connection.
    const TOTAL: i64 = 60;
    let api = format!("{}/api/v1/notifications", b.url);
    let writer = tokio::spawn(async move {
        let http = reqwest::Client::new();
        for n in 1..=TOTAL {
            let res = http
                .post(&api)
                .bearer_auth(&key)
                .json(&json!({ "recipients": [{ "user_id": alice_id }], "title": format!("n{n:02}") }))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
        }
    });
    applied.read_until(&mut socket, 10).await;
    a.kill();
    drop(socket);

    // The same browser session, now through B, resumes where it was.
    let moved = alice.at(&b.url);
    let mut socket = moved.socket_after(applied.seq).await;
    writer.await.unwrap();
    applied.read_until(&mut socket, TOTAL).await;
    assert_eq!(applied.titles.len(), TOTAL as usize);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_listener_reconnects_and_its_clients_miss_nothing() {
    if !on_cluster_half() {
        return;
    }
    // A slow first retry, so the outage is long enough to see.
    let (a, b) = two_instances(|c| c.listener_retry_ms = 1_500).await;
    let alice_id = a.user_id("alice").await;
    let on_b = b.login("alice").await;
    let mut socket = on_b.socket_after(0).await;
    assert_eq!(hello(&mut socket).await, 0);

    const TOTAL: usize = 200;
    let writer = tokio::spawn(write(a.state.notifier.clone(), alice_id, 0..TOTAL));
    let mut applied = Applied::default();
    applied.read_until(&mut socket, 20).await;

    // Cut B's listener (only B's: it is named after its instance).
    use sqlx::Connection;
    let mut pg = sqlx::PgConnection::connect(&b.db.url).await.unwrap();
    let cut: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
    )
    .bind(format!("herald-listener-{}", b.state.instance))
    .fetch_all(&mut pg)
    .await
    .unwrap();
    assert_eq!(cut, [true], "B has one listener");
    let ready = reqwest::Client::new();
    let readyz = b.url("/readyz");
    eventually("B to be unready while its listener is down", async || {
        ready.get(&readyz).send().await.unwrap().status() == 503
    })
    .await;
    assert!(a.state.broker.is_listening(), "A keeps listening");
    applied.read_until(&mut socket, 40.min(TOTAL as i64)).await;
    writer.await.unwrap();
    applied.read_until(&mut socket, TOTAL as i64).await;
    assert_eq!(applied.titles.len(), TOTAL);
    eventually("B to be ready again", async || {
        ready.get(&readyz).send().await.unwrap().status() == 200
    })
    .await;
}

/// A TCP proxy in front of PostgreSQL that can freeze the listener
/// connections passing through it: their bytes stop flowing both ways, but
/// nothing is closed or reset, as when a NAT forgets a connection.
struct Freezer {
    url: String,
    listeners: Arc<std::sync::Mutex<Vec<Arc<std::sync::atomic::AtomicBool>>>>,
}

impl Freezer {
    async fn start(database_url: &str) -> Freezer {
        let mut target = url::Url::parse(database_url).unwrap();
        let upstream = format!(
            "{}:{}",
            target.host_str().unwrap(),
            target.port().unwrap_or(5432)
        );
        let accepting = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        target
            .set_port(Some(accepting.local_addr().unwrap().port()))
            .unwrap();
        let listeners: Arc<std::sync::Mutex<Vec<_>>> = Arc::default();
        let known = Arc::clone(&listeners);
        tokio::spawn(async move {
            while let Ok((client, _)) = accepting.accept().await {
                let server = tokio::net::TcpStream::connect(&upstream).await.unwrap();
                let frozen = Arc::new(std::sync::atomic::AtomicBool::new(false));
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                // Only the way to the server shows who connects: the
                // startup message names the application.
                let to_server = Some(Arc::clone(&known));
                tokio::spawn(pipe(
                    client_read,
                    server_write,
                    Arc::clone(&frozen),
                    to_server,
                ));
                tokio::spawn(pipe(server_read, client_write, frozen, None));
            }
        });
        Freezer {
            url: target.to_string(),
            listeners,
        }
    }

    /// Freezes every listener connection seen so far; returns how many.
    fn freeze_listeners(&self) -> usize {
        let listeners = self.listeners.lock().unwrap();
        for frozen in listeners.iter() {
            frozen.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        listeners.len()
    }
}

/// Copies bytes until either side closes; once `frozen`, holds on to the
/// connection and forwards nothing. With `known`, registers the
/// connection there if its first bytes name a Herald listener.
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    frozen: Arc<std::sync::atomic::AtomicBool>,
    mut known: Option<Arc<std::sync::Mutex<Vec<Arc<std::sync::atomic::AtomicBool>>>>>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut seen = Vec::new();
    let mut buffer = vec![0; 16 * 1024];
    loop {
        let Ok(n) = from.read(&mut buffer).await else {
            return;
        };
        if n == 0 {
            return;
        }
        if frozen.load(std::sync::atomic::Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        if let Some(listeners) = &known {
            seen.extend_from_slice(&buffer[..n]);
            if seen.windows(16).any(|w| w == b"herald-listener-") {
                listeners.lock().unwrap().push(Arc::clone(&frozen));
                known = None;
            } else if seen.len() > 4096 {
                known = None;
            }
        }
        if to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_that_goes_silent_is_noticed_and_its_clients_miss_nothing() {
    if !on_cluster_half() {
        return;
    }
    const PING_MS: u64 = 300;
    let db = Db::fresh().await;
    let mut config = test_config(&db);
    config.token_secret = Some(SECRET.to_owned());
    config.listener_ping_ms = PING_MS;
    // A slow first retry, so the outage is long enough to see.
    config.listener_retry_ms = 1_500;
    let a = TestApp::spawn_on(&db, config.clone()).await;
    // B reaches PostgreSQL through the proxy.
    let freezer = Freezer::start(&db.url).await;
    config.database_url = freezer.url.clone();
    let b = TestApp::spawn_on(&db, config).await;
    let alice_id = a.user_id("alice").await;
    let on_b = b.login("alice").await;
    let mut socket = on_b.socket_after(0).await;
    assert_eq!(hello(&mut socket).await, 0);
    eventually("alice to count as online", async || {
        a.state.store.online(&[alice_id]).await.unwrap() == [alice_id]
    })
    .await;

    const TOTAL: usize = 200;
    let writer = tokio::spawn(write(a.state.notifier.clone(), alice_id, 0..TOTAL));
    let mut applied = Applied::default();
    applied.read_until(&mut socket, 20).await;

    // B's listener goes silent: no reset, no error, just nothing.
    let frozen_at = tokio::time::Instant::now();
    assert_eq!(freezer.freeze_listeners(), 1, "B has one listener");
    // Some surely committed while B hears nothing.
    write(a.state.notifier.clone(), alice_id, TOTAL..TOTAL + 20).await;
    let ready = reqwest::Client::new();
    let readyz = b.url("/readyz");
    eventually("B to be unready once its listener is silent", async || {
        ready.get(&readyz).send().await.unwrap().status() == 503
    })
    .await;
    // Silence is three pings unheard; a ping's round and the poll above
    // may add up to about one more ping, and a loaded machine a second.
    let noticed = frozen_at.elapsed();
    assert!(
        noticed < std::time::Duration::from_millis(4 * PING_MS + 1_000),
        "noticed after {noticed:?}"
    );
    eventually(
        "B's users to count as offline while it cannot hear",
        async || a.state.store.online(&[alice_id]).await.unwrap().is_empty(),
    )
    .await;

    writer.await.unwrap();
    const ALL: usize = TOTAL + 20;
    applied.read_until(&mut socket, ALL as i64).await;
    assert_eq!(applied.titles.len(), ALL);
    eventually("B to be ready again", async || {
        ready.get(&readyz).send().await.unwrap().status() == 200
    })
    .await;
    eventually("alice to count as online again", async || {
        a.state.store.online(&[alice_id]).await.unwrap() == [alice_id]
    })
    .await;
    // And what comes next arrives live through the new listener.
    write(a.state.notifier.clone(), alice_id, ALL..ALL + 1).await;
    applied.read_until(&mut socket, ALL as i64 + 1).await;
    assert_eq!(applied.titles.len(), ALL + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_idempotency_key_sent_to_two_instances_at_once_creates_one_notification() {
    if !on_cluster_half() {
        return;
    }
    let (a, b) = two_instances(|_| {}).await;
    let api = Arc::new(Api::new(&a).await.key);
    let alice = a.user_id("alice").await;
    let body = json!({ "recipients": [{ "user_id": alice }], "title": "Once only" });
    let http = reqwest::Client::new();
    let answers = futures::future::join_all((0..20).map(|n| {
        let url = if n % 2 == 0 { a.url("") } else { b.url("") };
        http.post(format!("{url}/api/v1/notifications"))
            .bearer_auth(api.as_str())
            .header("idempotency-key", "order-7")
            .json(&body)
            .send()
    }))
    .await;
    let mut bodies = Vec::new();
    for res in answers {
        let res = res.unwrap();
        assert_eq!(res.status(), 201);
        bodies.push(res.text().await.unwrap());
    }
    assert!(bodies.iter().all(|b| b == &bodies[0]), "{bodies:?}");
    assert_eq!(a.state.store.count_notifications().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_presence_retraction_and_deactivation_span_instances() {
    if !on_cluster_half() {
        return;
    }
    let (a, b) = two_instances(|_| {}).await;
    let admin = a.login("admin").await;
    // Logged in through A, connected through B: no sticky sessions.
    let alice = a.login("alice").await.at(&b.url(""));
    let mut socket = alice.socket_after(0).await;
    assert_eq!(hello(&mut socket).await, 0);
    let alice_id = a.user_id("alice").await;

    // A's Users list sees her online on B.
    eventually("alice online in A's Users list", async || {
        let users: Value = admin
            .post_form("/api/admin/users", &[("search", "alice")])
            .await
            .json()
            .await
            .unwrap();
        users[0]["online"] == json!(true)
    })
    .await;

    // Sent through A: live on B, and counted as delivered.
    assert_eq!(admin.send(&alice_id.to_string(), "Hi").await.status(), 200);
    assert_eq!(next_created(&mut socket).await.0, "Hi");
    let sent: Value = admin
        .post_form("/api/admin/sent", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sent[0]["delivered"], 1, "{sent}");

    // Retracted through A: gone live on B.
    let send = sent[0]["id"].as_i64().unwrap().to_string();
    let res = admin
        .post_form("/api/admin/retract", &[("id", &send)])
        .await;
    assert_eq!(res.status(), 200);
    match next_event(&mut socket).await {
        ServerMessage::Updated {
            notification,
            unread,
        } => {
            assert!(notification.retracted_at.is_some());
            assert_eq!(unread, 0);
        }
        other => panic!("expected Updated, got {other:?}"),
    }

    // Deactivated through A: her socket on B closes at once.
    let res = admin
        .post_form(
            "/api/admin/users/deactivate",
            &[("id", &alice_id.to_string())],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        close_code(&mut socket).await,
        herald::wire::close::SIGNED_OUT
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_token_minted_through_one_instance_works_on_another() {
    if !on_cluster_half() {
        return;
    }
    let (a, b) = two_instances(|_| {}).await;
    let api = Api::new(&a).await;
    let token = api.token("shop-user-7", 60).await;
    let mut socket = b.token_socket(&token).await.expect("B accepts A's token");
    assert_eq!(hello(&mut socket).await, 0);
    let user = a
        .state
        .store
        .user_by_external_id("shop-user-7")
        .await
        .unwrap()
        .unwrap();
    a.state
        .notifier
        .deliver(
            &Audience::User { id: user.id },
            &content("Shipped".into()),
            None,
            "test",
        )
        .await
        .unwrap();
    assert_eq!(next_created(&mut socket).await.0, "Shipped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_keeps_to_its_connection_pool_under_a_burst() {
    if !on_cluster_half() {
        return;
    }
    let app = TestApp::spawn_with(|c| c.database_pool = 3).await;
    let admin = app.login("admin").await;
    // Each admin page runs several queries at once; a burst of them must
    // queue for the pool's three connections, not open more (nor deadlock).
    let pages = (0..24).map(|_| admin.page("/admin"));
    for res in futures::future::join_all(pages).await {
        assert_eq!(res.status(), 200);
    }
    let open = app.db.connections().await;
    // The pool's 3, the session store's 4 at most, the listener's 1.
    assert!(open <= 3 + 4 + 1, "{open} connections open");
}
