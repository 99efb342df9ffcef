//! The test harness: a real Herald on a random port over a fresh database
//! (a SQLite file, or with `HERALD_TEST_DATABASE=postgres` a new PostgreSQL
//! database), driven by real HTTP and WebSocket clients.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use herald::wire::ClientMessage;
use herald::{Audience, NewNotification, ServerMessage};
use leptos::prelude::get_configuration;
use reqwest::cookie::{CookieStore, Jar};
use serde_json::Value;
use server::config::Config;
use server::{AppState, Herald};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const PASSWORD: &str = "correct horse battery";
/// How long a test waits for an event before failing.
pub const WAIT: Duration = Duration::from_secs(5);

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// One test's own empty database, on the engine the suite runs on.
pub struct Db {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// Where the PostgreSQL half of the suite creates its databases.
fn postgres_server() -> String {
    std::env::var("HERALD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// Whether this run of the suite is on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("HERALD_TEST_DATABASE").is_ok_and(|engine| engine == "postgres")
}

impl Db {
    /// How many connections PostgreSQL has open to this database now.
    pub async fn connections(&self) -> i64 {
        use sqlx::Connection;
        let (server, name) = self.url.rsplit_once('/').expect("a PostgreSQL URL");
        let mut watcher = sqlx::PgConnection::connect(&format!("{server}/postgres"))
            .await
            .unwrap();
        sqlx::query_scalar("SELECT COUNT(pid) FROM pg_stat_activity WHERE datname = $1")
            .bind(name)
            .fetch_one(&mut watcher)
            .await
            .unwrap()
    }

    /// A new, empty database for one test.
    pub async fn fresh() -> Arc<Db> {
        if !on_postgres() {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("herald.db").display());
            return Arc::new(Db {
                url,
                _dir: Some(dir),
            });
        }
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "herald_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let server = postgres_server();
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "the PostgreSQL half of the tests needs a server at {server} \
                     (set HERALD_TEST_POSTGRES): {e}"
                )
            });
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        Arc::new(Db {
            url: format!("{server}/{name}"),
            _dir: None,
        })
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub seeded: Vec<(String, String)>,
    pub db: Arc<Db>,
    server: JoinHandle<std::io::Result<()>>,
}

impl TestApp {
    /// Herald on a fresh database seeded with admin, alice and bob.
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// Like [`TestApp::spawn`], with settings changed by `configure`.
    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> TestApp {
        let db = Db::fresh().await;
        let mut config = test_config(&db);
        configure(&mut config);
        TestApp::spawn_on(&db, config).await
    }

    /// Herald on an existing database (another instance, or a restart).
    pub async fn spawn_on(db: &Arc<Db>, config: Config) -> TestApp {
        log_to_test_output();
        let herald = Herald::prepare(config, leptos_options())
            .await
            .expect("Herald starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = herald.state.clone();
        let seeded = herald.seeded.clone();
        let server = tokio::spawn(herald.serve(listener, Duration::from_secs(5)));
        TestApp {
            addr,
            state,
            seeded,
            db: Arc::clone(db),
            server,
        }
    }

    /// Stops the server the way SIGTERM does and waits until it has.
    pub async fn shut_down(self) -> Arc<Db> {
        self.state.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(10), self.server)
            .await
            .expect("server stops in time")
            .unwrap()
            .unwrap();
        self.db
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The id of the user named `username`, active or not.
    pub async fn user_id(&self, username: &str) -> i64 {
        let found = self
            .state
            .store
            .user_list(username, None, 100)
            .await
            .unwrap();
        found
            .into_iter()
            .find(|(user, _, _)| user.username == username)
            .unwrap_or_else(|| panic!("no user {username}"))
            .0
            .id
    }

    /// `username`'s unread count, straight from the database.
    pub async fn unread(&self, username: &str) -> i64 {
        let id = self.user_id(username).await;
        self.state.store.unread(id).await.unwrap().unread
    }

    /// A browser-like client with a cookie jar, not logged in.
    pub fn anonymous(&self) -> Client {
        Client::new(&self.url(""))
    }

    /// A client logged in as `username` (password [`PASSWORD`]).
    pub async fn login(&self, username: &str) -> Client {
        let client = self.anonymous();
        let res = client.login(username, PASSWORD).await;
        assert_eq!(res.status(), 200, "login as {username}");
        client
    }

    /// `client`'s live socket, opened from this app's own origin, resuming
    /// after sequence number 0 (a client that has seen nothing).
    pub async fn socket(&self, client: &Client) -> Socket {
        self.socket_after(client, 0).await
    }

    /// `client`'s live socket, resuming after sequence number `after`.
    pub async fn socket_after(&self, client: &Client, after: i64) -> Socket {
        let mut socket = self
            .try_socket(client, Some(&self.origin()))
            .await
            .expect("socket opens");
        let resume = serde_json::to_string(&ClientMessage::Resume { after }).unwrap();
        socket.send(Message::text(resume)).await.unwrap();
        socket
    }

    /// Creates a notification for `username` without going through HTTP.
    pub async fn notify(&self, username: &str, title: &str, body: &str) {
        let id = self.user_id(username).await;
        let content = NewNotification {
            title: title.to_owned(),
            body: body.to_owned(),
            link: None,
            category: Default::default(),
            expires_at: None,
            actions: Vec::new(),
            group_key: None,
        };
        self.state
            .notifier
            .deliver(&Audience::User { id }, &content, None, "test")
            .await
            .unwrap();
    }

    pub async fn try_socket(
        &self,
        client: &Client,
        origin: Option<&str>,
    ) -> Result<Socket, tungstenite::Error> {
        let mut request = format!("ws://{}/ws", self.addr)
            .into_client_request()
            .unwrap();
        if let Some(cookie) = client.cookie_header() {
            request.headers_mut().insert("cookie", cookie);
        }
        if let Some(origin) = origin {
            request
                .headers_mut()
                .insert("origin", HeaderValue::from_str(origin).unwrap());
        }
        tokio_tungstenite::connect_async(request)
            .await
            .map(|(socket, _)| socket)
    }
}

pub struct Client {
    pub http: reqwest::Client,
    jar: Arc<Jar>,
    base: String,
}

impl Client {
    /// A browser-like client of the Herald at `base`, not logged in.
    pub fn new(base: &str) -> Client {
        Client::with_jar(base, Arc::new(Jar::default()))
    }

    fn with_jar(base: &str, jar: Arc<Jar>) -> Client {
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Client {
            http,
            jar,
            base: base.to_owned(),
        }
    }

    /// The same browser (its cookies) talking to another instance at `base`.
    pub fn at(&self, base: &str) -> Client {
        let jar = Arc::new(Jar::default());
        if let Some(cookie) = self.cookie_header() {
            let url: reqwest::Url = base.parse().unwrap();
            for pair in cookie.to_str().unwrap().split("; ") {
                jar.add_cookie_str(pair, &url);
            }
        }
        Client::with_jar(base, jar)
    }

    /// This client's live socket on its Herald, from that Herald's own
    /// origin, resuming after sequence number `after`.
    pub async fn socket_after(&self, after: i64) -> Socket {
        let origin = self.base.trim_end_matches('/');
        let mut request = format!("{}/ws", origin.replacen("http", "ws", 1))
            .into_client_request()
            .unwrap();
        if let Some(cookie) = self.cookie_header() {
            request.headers_mut().insert("cookie", cookie);
        }
        request
            .headers_mut()
            .insert("origin", HeaderValue::from_str(origin).unwrap());
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("socket opens");
        let resume = serde_json::to_string(&ClientMessage::Resume { after }).unwrap();
        socket.send(Message::text(resume)).await.unwrap();
        socket
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/api/login",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// Calls a server function the way the hydrated app does, from one of
    /// Herald's own pages (as a browser says in `Origin`).
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.post_form_from(self.base.trim_end_matches('/'), path, form)
            .await
    }

    /// Like [`Client::post_form`], from a page at `origin`.
    pub async fn post_form_from(
        &self,
        origin: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("accept", "application/json")
            .header("origin", origin)
            .form(form)
            .send();
        answer(path, request).await
    }

    /// Follows a link on one of Herald's own pages, as a browser does.
    pub async fn follow(&self, path: &str) -> reqwest::Response {
        let request = self
            .http
            .get(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .header("sec-fetch-site", "same-origin")
            .send();
        answer(path, request).await
    }

    /// Sends a notification through the admin server function.
    pub async fn send(&self, recipient: &str, title: &str) -> reqwest::Response {
        self.post_form(
            "/api/admin/send",
            &[
                ("title", title),
                ("body", ""),
                ("link", ""),
                ("recipient", recipient),
                ("confirm", "on"),
            ],
        )
        .await
    }

    /// A plain GET, without following redirects.
    pub async fn get_page(&self, path: &str) -> reqwest::Response {
        answer(path, self.http.get(format!("{}{path}", self.base)).send()).await
    }

    /// A page as a browser navigation fetches it.
    pub async fn page(&self, path: &str) -> reqwest::Response {
        let request = self
            .http
            .get(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .send();
        answer(path, request).await
    }

    pub fn cookie_header(&self) -> Option<HeaderValue> {
        let url = self.base.parse().unwrap();
        self.jar
            .cookies(&url)
            .map(|v| HeaderValue::from_bytes(v.as_bytes()).unwrap())
    }
}

/// How long a test waits for the server to answer a request.
const ANSWER: Duration = Duration::from_secs(30);

/// The response to `request`, failing the test (instead of hanging it) if
/// none comes in time.
async fn answer(
    path: &str,
    request: impl std::future::Future<Output = reqwest::Result<reqwest::Response>>,
) -> reqwest::Response {
    tokio::time::timeout(ANSWER, request)
        .await
        .unwrap_or_else(|_| panic!("no answer to {path} in {ANSWER:?}"))
        .unwrap()
}

/// The servers' warnings (or what `RUST_LOG` asks for) go to the running
/// test's captured output: a failing test shows what its server said.
fn log_to_test_output() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    });
}

pub fn test_config(db: &Db) -> Config {
    let mut config = Config::for_database(&db.url);
    config.seed_password = Some(PASSWORD.to_owned());
    // Two tests at a time, some with three instances, share the machine's
    // PostgreSQL (100 connections, with whatever else runs there).
    config.database_pool = 2;
    config
}

pub fn leptos_options() -> leptos::config::LeptosOptions {
    get_configuration(Some(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml")))
        .unwrap()
        .leptos_options
}

/// The next protocol message on `socket`, failing the test after [`WAIT`].
pub async fn next_message(socket: &mut Socket) -> ServerMessage {
    loop {
        let frame = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("a message arrives in time")
            .expect("socket stays open")
            .expect("frame is valid");
        match frame {
            Message::Text(text) => return serde_json::from_str(&text).expect("valid message"),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

/// The next message that is not a heartbeat.
pub async fn next_event(socket: &mut Socket) -> ServerMessage {
    loop {
        match next_message(socket).await {
            ServerMessage::Heartbeat => continue,
            other => return other,
        }
    }
}

/// Reads until the server closes the connection and returns its close code.
pub async fn close_code(socket: &mut Socket) -> u16 {
    loop {
        let frame = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("the server closes in time");
        match frame {
            Some(Ok(Message::Close(Some(close)))) => return close.code.into(),
            Some(Ok(Message::Close(None))) | None => panic!("closed without a code"),
            Some(Ok(_)) => continue,
            Some(Err(error)) => panic!("connection failed instead of closing: {error}"),
        }
    }
}

/// The next `Created` event's title and unread count.
pub async fn next_created(socket: &mut Socket) -> (String, i64) {
    match next_event(socket).await {
        ServerMessage::Created {
            notification,
            unread,
        } => (notification.title, unread),
        other => panic!("expected Created, got {other:?}"),
    }
}

/// Reads the greeting and returns its unread count.
pub async fn hello(socket: &mut Socket) -> i64 {
    match next_event(socket).await {
        ServerMessage::Hello { unread, .. } => unread,
        other => panic!("expected Hello, got {other:?}"),
    }
}

/// The text of the unread bubble in a server-rendered page, if shown.
pub fn bubble_in(html: &str) -> Option<String> {
    let start = html.find("data-testid=\"unread-bubble\"")?;
    let rest = &html[start..];
    let inner = &rest[rest.find('>')? + 1..rest.find("</span>")?];
    // Hydration markers are HTML comments; the visible text is what remains.
    let mut text = String::new();
    let mut rest = inner;
    while let Some(open) = rest.find("<!--") {
        text.push_str(&rest[..open]);
        rest = &rest[open + rest[open..].find("-->")? + 3..];
    }
    text.push_str(rest);
    Some(text.trim().to_owned())
}

/// An application calling the integration API with a key of its own.
pub struct Api<'a> {
    pub app: &'a TestApp,
    pub http: reqwest::Client,
    pub key: String,
}

impl<'a> Api<'a> {
    pub async fn new(app: &'a TestApp) -> Api<'a> {
        let (_, key) = app
            .state
            .store
            .create_api_key("django", "test")
            .await
            .unwrap();
        Api {
            app,
            http: reqwest::Client::new(),
            key,
        }
    }

    pub async fn post(&self, body: &Value, idempotency_key: Option<&str>) -> reqwest::Response {
        let mut request = self
            .http
            .post(self.app.url("/api/v1/notifications"))
            .bearer_auth(&self.key)
            .json(body);
        if let Some(k) = idempotency_key {
            request = request.header("idempotency-key", k);
        }
        request.send().await.unwrap()
    }
}

impl Api<'_> {
    /// A connection token for the user the application knows as `external_id`.
    pub async fn token(&self, external_id: &str, ttl_seconds: i64) -> String {
        let res = self
            .http
            .post(self.app.url("/api/v1/connection-tokens"))
            .bearer_auth(&self.key)
            .json(&serde_json::json!({ "external_id": external_id, "ttl_seconds": ttl_seconds }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        res.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

impl Api<'_> {
    /// Creates a notification from `body` (201 expected); its id, for the
    /// first recipient.
    pub async fn send_json(&self, body: &Value) -> i64 {
        let res = self.post(body, None).await;
        assert_eq!(res.status(), 201);
        res.json::<Value>().await.unwrap()["notifications"][0]["id"]
            .as_i64()
            .unwrap()
    }

    /// Sends `title` to the user the application knows as `external_id`.
    pub async fn send_to(&self, external_id: &str, title: &str) -> i64 {
        self.send_json(&serde_json::json!({
            "recipients": [{ "external_id": external_id }], "title": title,
        }))
        .await
    }
}

/// The titles of a page of notifications, as the API answers it.
pub fn titles_of(page: &Value) -> Vec<String> {
    page["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect()
}

impl TestApp {
    /// A request to `/api/v1/me{path}` with the connection token `token`.
    pub fn me(&self, method: reqwest::Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        reqwest::Client::new()
            .request(method, self.url(&format!("/api/v1/me{path}")))
            .bearer_auth(token)
    }

    /// The answer of `/api/v1/me{path}`, which must be a 200.
    pub async fn me_ok(&self, method: reqwest::Method, path: &str, token: &str) -> Value {
        let res = self.me(method, path, token).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        res.json().await.unwrap()
    }

    /// The first page of the token's user's `view`, as the API lists it.
    pub async fn my_page(&self, token: &str, view: &str) -> Value {
        let path = format!("/notifications?view={view}");
        self.me_ok(reqwest::Method::GET, &path, token).await
    }

    /// The titles in the token's user's `view`, newest first.
    pub async fn my_titles(&self, token: &str, view: &str) -> Vec<String> {
        titles_of(&self.my_page(token, view).await)
    }

    /// A live socket opened with a connection token from another site,
    /// resumed after 0.
    pub async fn token_socket(&self, token: &str) -> Result<Socket, tungstenite::Error> {
        let mut request = format!("ws://{}/ws?token={token}", self.addr)
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("origin", HeaderValue::from_static("https://shop.example"));
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
        let resume = serde_json::to_string(&ClientMessage::Resume { after: 0 }).unwrap();
        socket.send(Message::text(resume)).await.unwrap();
        Ok(socket)
    }
}

impl Client {
    /// The id of this client's session, as its cookie carries it.
    pub fn session_id(&self) -> tower_sessions::session::Id {
        let cookies = self.cookie_header().expect("a session cookie");
        let cookies = cookies.to_str().unwrap();
        let value = cookies
            .split("; ")
            .find_map(|c| c.strip_prefix(&format!("{}=", server::http::auth::SESSION_COOKIE)))
            .expect("the session cookie");
        value.parse().expect("a session id")
    }
}

/// Polls `check` until it holds, failing the test after [`WAIT`].
pub async fn eventually(what: &str, check: impl AsyncFnMut() -> bool) {
    eventually_within(WAIT, what, check).await
}

/// [`eventually`] for work that takes longer than one event: failing the
/// test after `limit`.
pub async fn eventually_within(limit: Duration, what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + limit;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
