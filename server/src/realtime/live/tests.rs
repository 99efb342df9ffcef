//! A connection with a token costs one database read: the check that its
//! user is active and its key not revoked, which also gives the greeting's
//! count. Every statement sqlx runs is recorded (`crate::testing`); the
//! reads of the `users` table while one socket connects are counted (the
//! server's background jobs read other tables, if any).

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use herald::ServerMessage;
use herald::wire::ClientMessage;
use tokio_tungstenite::tungstenite::Message;

use crate::config::Config;
use crate::identity::tokens::Claims;
use crate::start::Herald;
use crate::testing::{counting_statements, fresh_url, statements_run, statements_since};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_connection_costs_one_database_read() {
    let _alone = counting_statements().await;
    let dir = tempfile::tempdir().unwrap();
    let config = Config::for_database(&fresh_url(&dir, "connect").await);
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

    let user = state.store.external_user("ann").await.unwrap().unwrap().id;
    let key = state.store.create_api_key("k", "test").await.unwrap().0.id;
    let token = state.tokens.sign(&Claims {
        user,
        key,
        expires_at: crate::store::now_ms() + 60_000,
    });

    let before = statements_run();
    let url = format!("ws://{addr}/ws?token={token}");
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let resume = serde_json::to_string(&ClientMessage::Resume { after: 0 }).unwrap();
    socket.send(Message::text(resume)).await.unwrap();
    let greeting = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("a greeting in time")
        .unwrap()
        .unwrap();
    let greeting: ServerMessage = serde_json::from_str(greeting.to_text().unwrap()).unwrap();
    assert!(matches!(greeting, ServerMessage::Hello { seq: 0, .. }));

    let reads: Vec<String> = statements_since(before)
        .into_iter()
        .filter(|sql| {
            let sql = sql.to_lowercase();
            sql.starts_with("select") && sql.contains("users")
        })
        .collect();
    assert_eq!(reads.len(), 1, "one read to connect, not: {reads:#?}");
}
