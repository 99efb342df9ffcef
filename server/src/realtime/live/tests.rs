//! A connection costs one read of Herald's tables: the check that its user
//! is active and its key not revoked (or its session still standing),
//! which also gives the greeting's count; a session's connection also
//! reads the session, as every request with one does. Every statement
//! sqlx runs is recorded (`crate::testing`); the reads of the `users` and
//! sessions tables while one socket connects are counted (the server's
//! background jobs read other tables, if any).

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use herald::ServerMessage;
use herald::wire::ClientMessage;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::config::Config;
use crate::identity::tokens::Claims;
use crate::start::Herald;
use crate::testing::{counting_statements, fresh_url, statements_run, statements_since};

/// A Herald serving on a free port, with its state.
async fn serve(
    name: &str,
    dir: &tempfile::TempDir,
) -> (crate::state::AppState, std::net::SocketAddr) {
    let config = Config::for_database(&fresh_url(dir, name).await);
    let options = leptos::config::get_configuration(Some(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../Cargo.toml"
    )))
    .unwrap()
    .leptos_options;
    let herald = Herald::prepare(config, options).await.unwrap();
    let state = herald.state.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(herald.serve(listener, Duration::from_secs(1)));
    (state, addr)
}

/// Opens `request`'s socket, resumes after 0 and waits for the greeting;
/// returns the reads of users and sessions made meanwhile.
async fn connect_reads<R>(request: R) -> Vec<String>
where
    R: tokio_tungstenite::tungstenite::client::IntoClientRequest + Unpin,
{
    let before = statements_run();
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let resume = serde_json::to_string(&ClientMessage::Resume { after: 0 }).unwrap();
    socket.send(Message::text(resume)).await.unwrap();
    let greeting = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("a greeting in time")
        .unwrap()
        .unwrap();
    let greeting: ServerMessage = serde_json::from_str(greeting.to_text().unwrap()).unwrap();
    assert!(matches!(greeting, ServerMessage::Hello { seq: 0, .. }));
    statements_since(before)
        .into_iter()
        .filter(|sql| {
            let sql = sql.to_lowercase();
            sql.starts_with("select") && (sql.contains("users") || sql.contains("session"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_connection_costs_one_database_read() {
    let _alone = counting_statements().await;
    let dir = tempfile::tempdir().unwrap();
    let (state, addr) = serve("connect", &dir).await;
    let user = state.store.external_user("ann").await.unwrap().unwrap().id;
    let key = state.store.create_api_key("k", "test").await.unwrap().0.id;
    let token = state.tokens.sign(&Claims {
        user,
        key,
        expires_at: crate::store::now_ms() + 60_000,
    });

    let reads = connect_reads(format!("ws://{addr}/ws?token={token}")).await;
    assert_eq!(reads.len(), 1, "one read to connect, not: {reads:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_connection_reads_its_session_and_once_more() {
    let _alone = counting_statements().await;
    let dir = tempfile::tempdir().unwrap();
    let (state, addr) = serve("session_connect", &dir).await;
    let hash = crate::identity::passwords::hash_password("a long enough password").unwrap();
    state
        .store
        .create_user("bea", &hash, herald::Role::Member, "test")
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let login = http
        .post(format!("http://{addr}/api/login"))
        .header("origin", format!("http://{addr}"))
        .header("accept", "application/json")
        .form(&[("username", "bea"), ("password", "a long enough password")])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ");

    let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
    let headers = request.headers_mut();
    headers.insert("cookie", cookie.parse().unwrap());
    headers.insert("origin", format!("http://{addr}").parse().unwrap());
    let reads = connect_reads(request).await;
    assert_eq!(
        reads.len(),
        2,
        "the session, then one read that checks it still stands: {reads:#?}"
    );
}
