//! Live connections stay authorised: what let a connection in is checked
//! again after it subscribes and at every heartbeat, and ending it (logout,
//! deactivation, an expired token, a revoked key) closes the connection.

use futures::SinkExt;
use herald::ServerMessage;
use herald::wire::{ClientMessage, close};
use tokio_tungstenite::tungstenite::Message;
use tower_sessions::SessionStore;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_deactivated_during_the_handshake_gets_no_feed() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    let admin = app.login("admin").await;
    // The socket is open and authorised (registered with the hub, its one
    // read done), but has not resumed yet...
    let mut socket = app.try_socket(&alice, Some(&app.origin())).await.unwrap();
    // ...when an admin deactivates alice: that reaches the connection.
    let id = app.user_id("alice").await.to_string();
    let res = admin
        .post_form("/api/admin/users/deactivate", &[("id", &id)])
        .await;
    assert_eq!(res.status(), 200);
    let resume = serde_json::to_string(&ClientMessage::Resume { after: 0 }).unwrap();
    socket.send(Message::text(resume)).await.unwrap();
    assert_eq!(close_code(&mut socket).await, close::SIGNED_OUT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_deactivated_behind_the_hubs_back_loses_the_feed_at_the_next_heartbeat() {
    let app = TestApp::spawn_with(|c| c.heartbeat_ms = 200).await;
    let alice = app.login("alice").await;
    let mut socket = app.try_socket(&alice, Some(&app.origin())).await.unwrap();
    // Straight in the store, as another instance whose notice was lost
    // would: nothing tells this instance's hub.
    let id = app.user_id("alice").await;
    app.state.store.deactivate(id, "test").await.unwrap();
    let resume = serde_json::to_string(&ClientMessage::Resume { after: 0 }).unwrap();
    socket.send(Message::text(resume)).await.unwrap();
    assert_eq!(close_code(&mut socket).await, close::SIGNED_OUT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_out_closes_that_sessions_sockets_only() {
    let app = TestApp::spawn().await;
    let leaving = app.login("alice").await;
    let staying = app.login("alice").await;
    let mut gone = app.socket(&leaving).await;
    let mut kept = app.socket(&staying).await;
    hello(&mut gone).await;
    hello(&mut kept).await;
    assert_eq!(leaving.post_form("/api/logout", &[]).await.status(), 200);
    assert_eq!(close_code(&mut gone).await, close::SIGNED_OUT);
    app.notify("alice", "For the other tab", "").await;
    assert_eq!(next_created(&mut kept).await.0, "For the other tab");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ended_behind_the_hubs_back_closes_its_socket_at_the_next_heartbeat() {
    let app = TestApp::spawn_with(|c| c.heartbeat_ms = 200).await;
    let alice = app.login("alice").await;
    let mut socket = app.socket(&alice).await;
    hello(&mut socket).await;
    // Deleted from the session table directly, as another instance or an
    // operator would: nothing tells this instance's hub.
    app.state
        .sessions
        .delete(&alice.session_id())
        .await
        .unwrap();
    assert_eq!(close_code(&mut socket).await, close::SIGNED_OUT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_connection_closes_when_its_token_expires() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let token = api.token("shopper", 1).await;
    let mut socket = app.token_socket(&token).await.unwrap();
    hello(&mut socket).await;
    assert_eq!(close_code(&mut socket).await, close::TOKEN_EXPIRED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_do_not_put_off_a_tokens_expiry() {
    // One timer serves both: each heartbeat must set it to whichever of
    // the next heartbeat and the expiry comes first.
    let app = TestApp::spawn_with(|c| c.heartbeat_ms = 100).await;
    let api = Api::new(&app).await;
    let token = api.token("shopper", 1).await;
    let mut socket = app.token_socket(&token).await.unwrap();
    hello(&mut socket).await;
    assert_eq!(next_message(&mut socket).await, ServerMessage::Heartbeat);
    assert_eq!(next_message(&mut socket).await, ServerMessage::Heartbeat);
    assert_eq!(close_code(&mut socket).await, close::TOKEN_EXPIRED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_a_key_refuses_its_tokens_and_closes_their_connections() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let other = Api::new(&app).await;
    let token = api.token("shopper", 300).await;
    let other_token = other.token("shopper", 300).await;
    let mut socket = app.token_socket(&token).await.unwrap();
    let mut other_socket = app.token_socket(&other_token).await.unwrap();
    hello(&mut socket).await;
    hello(&mut other_socket).await;

    let admin = app.login("admin").await;
    let keys = app.state.store.api_keys().await.unwrap();
    let revoked = keys
        .iter()
        .find(|k| api.key.starts_with(&k.prefix))
        .unwrap();
    let res = admin
        .post_form(
            "/api/admin/api-keys/revoke",
            &[("id", &revoked.id.to_string())],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(close_code(&mut socket).await, close::SIGNED_OUT);
    match app.token_socket(&token).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => assert_eq!(res.status(), 401),
        other => panic!("expected 401, got {:?}", other.map(|_| ())),
    }
    // The other key's connection is untouched.
    let shopper = app
        .state
        .store
        .user_by_external_id("shopper")
        .await
        .unwrap()
        .unwrap();
    app.notify(&shopper.username, "Still yours", "").await;
    assert_eq!(next_created(&mut other_socket).await.0, "Still yours");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_per_user_cap_are_refused_with_4029() {
    let app = TestApp::spawn_with(|c| c.max_connections_per_user = 2).await;
    let alice = app.login("alice").await;
    let mut first = app.socket(&alice).await;
    let mut second = app.socket(&alice).await;
    hello(&mut first).await;
    hello(&mut second).await;
    let mut third = app.socket(&alice).await;
    assert_eq!(close_code(&mut third).await, close::TOO_MANY_CONNECTIONS);
    let sse = alice
        .http
        .get(app.url("/events?after=0"))
        .send()
        .await
        .unwrap();
    assert_eq!(sse.status(), 429);
    // Bob has places of his own.
    let bob = app.login("bob").await;
    let mut his = app.socket(&bob).await;
    hello(&mut his).await;
    // Closing one frees its place.
    drop(first);
    eventually("the closed socket to leave the hub", async || {
        app.state.hub.connection_count() == 2
    })
    .await;
    let mut again = app.socket(&alice).await;
    hello(&mut again).await;
}
