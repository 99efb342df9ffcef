use futures::StreamExt;
use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::common::*;

fn refused_status(result: Result<Socket, WsError>) -> u16 {
    match result {
        Err(WsError::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("expected an HTTP refusal, got {other}"),
        Ok(_) => panic!("the upgrade was accepted"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socket_refuses_anonymous_upgrades_with_401() {
    let app = TestApp::spawn().await;
    let anonymous = app.anonymous();
    let status = refused_status(app.try_socket(&anonymous, Some(&app.origin())).await);
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socket_refuses_a_foreign_origin_with_403() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    for origin in ["http://evil.example", "null", "http://127.0.0.1:1"] {
        let status = refused_status(app.try_socket(&alice, Some(origin)).await);
        assert_eq!(status, 403, "{origin}");
    }
    // The page's own origin is fine.
    let mut socket = app.socket(&alice).await;
    assert_eq!(hello(&mut socket).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notification_for_alice_reaches_alice_and_never_bob() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let alice = app.login("alice").await;
    let bob = app.login("bob").await;
    let mut alice_socket = app.socket(&alice).await;
    let mut bob_socket = app.socket(&bob).await;
    assert_eq!(hello(&mut alice_socket).await, 0);
    assert_eq!(hello(&mut bob_socket).await, 0);

    let alice_id = app.user_id("alice").await.to_string();
    assert_eq!(admin.send(&alice_id, "For alice").await.status(), 200);
    assert_eq!(
        next_created(&mut alice_socket).await,
        ("For alice".into(), 1)
    );
    assert_eq!(admin.send(&alice_id, "Again alice").await.status(), 200);
    assert_eq!(
        next_created(&mut alice_socket).await,
        ("Again alice".into(), 2)
    );

    // Bob's next message is the broadcast, so alice's two never reached him.
    assert_eq!(admin.send("everyone", "For all").await.status(), 200);
    assert_eq!(next_created(&mut bob_socket).await, ("For all".into(), 1));
    assert_eq!(next_created(&mut alice_socket).await, ("For all".into(), 3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_reaches_every_user_and_every_tab() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let alice = app.login("alice").await;
    let bob = app.login("bob").await;
    let mut sockets = vec![
        app.socket(&alice).await,
        app.socket(&alice).await,
        app.socket(&bob).await,
        app.socket(&admin).await,
    ];
    for socket in &mut sockets {
        assert_eq!(hello(socket).await, 0);
    }
    let res = admin.send("everyone", "Maintenance tonight").await;
    assert_eq!(res.status(), 200);
    let report: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        report,
        serde_json::json!({"title": "Maintenance tonight", "recipients": 3, "online": 0, "queued": true})
    );
    for socket in &mut sockets {
        assert_eq!(
            next_created(socket).await,
            ("Maintenance tonight".into(), 1)
        );
    }
    // Announced as its batch committed, with who was online counted.
    let sent = &app.state.store.sends(None, None, 1).await.unwrap()[0];
    assert_eq!((sent.recipients, sent.delivered), (3, 3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_user_gets_their_own_increasing_sequence() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let alice_id = app.user_id("alice").await;
    admin.send(&alice_id.to_string(), "one").await;
    admin.send("everyone", "two").await;
    let bob_id = app.user_id("bob").await;
    eventually("the send to everyone", async || {
        app.state.store.unread(bob_id).await.unwrap().unread == 1
    })
    .await;
    let alice = app.state.store.unread(alice_id).await.unwrap();
    let bob = app
        .state
        .store
        .unread(app.user_id("bob").await)
        .await
        .unwrap();
    assert_eq!(
        alice,
        herald::Counts { unread: 2, seq: 2 },
        "alice: two unread, at seq 2"
    );
    assert_eq!(
        bob,
        herald::Counts { unread: 1, seq: 1 },
        "bob: one unread, at seq 1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_every_socket_with_going_away() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    let mut socket = app.socket(&alice).await;
    hello(&mut socket).await;
    app.state.shutdown.cancel();
    let frame = tokio::time::timeout(WAIT, socket.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    match frame {
        Message::Close(Some(close)) => assert_eq!(close.code, CloseCode::Away),
        other => panic!("expected a close frame, got {other:?}"),
    }
}
