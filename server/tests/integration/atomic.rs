//! Writes are atomic with what depends on them, announced exactly once
//! after they commit, and never fail because another writer is busy.

use std::time::Duration;

use herald::{Audience, ServerMessage};
use serde_json::json;
use server::realtime::notifier::Outcome;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_idempotency_key_sent_twenty_times_at_once_creates_one_notification() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let alice = app.user_id("alice").await;
    let body = json!({ "recipients": [{ "user_id": alice }], "title": "Once only" });
    let answers =
        futures::future::join_all((0..20).map(|_| api.post(&body, Some("order-7")))).await;
    let mut bodies = Vec::new();
    for res in answers {
        assert_eq!(res.status(), 201);
        bodies.push(res.text().await.unwrap());
    }
    assert!(bodies.iter().all(|b| b == &bodies[0]), "{bodies:?}");
    assert_eq!(app.unread("alice").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_send_leaves_its_idempotency_key_unused() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    // User 987654 does not exist: the whole send fails...
    let bad = json!({ "recipients": [{ "user_id": 987654 }], "title": "Nope" });
    assert_eq!(api.post(&bad, Some("k1")).await.status(), 422);
    // ...and takes its claim on the key with it, so a corrected retry is
    // not told the key belongs to another body.
    let alice = app.user_id("alice").await;
    let good = json!({ "recipients": [{ "user_id": alice }], "title": "Fixed" });
    assert_eq!(api.post(&good, Some("k1")).await.status(), 201);
    assert_eq!(app.unread("alice").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_stored_together_still_fail_alone() {
    // Sends that arrive together share a transaction; one that fails must
    // take none of the others with it, nor be half stored itself.
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let alice = app.user_id("alice").await;
    let bodies: Vec<_> = (0..45)
        .map(|i| match i % 9 {
            4 => json!({ "recipients": [{ "user_id": 987654 }], "title": format!("bad {i}") }),
            _ => json!({ "recipients": [{ "user_id": alice }], "title": format!("good {i}") }),
        })
        .collect();
    let answers = futures::future::join_all(bodies.iter().map(|b| api.post(b, None))).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    let expected: Vec<u16> = (0..45)
        .map(|i| if i % 9 == 4 { 422 } else { 201 })
        .collect();
    assert_eq!(statuses, expected);
    let page = app
        .state
        .store
        .page(alice, herald::InboxView::All, None, 100)
        .await
        .unwrap();
    let mut seqs: Vec<i64> = page.iter().map(|n| n.seq).collect();
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (1..=40).collect::<Vec<_>>(),
        "one number each, no gaps"
    );
    assert!(page.iter().all(|n| n.title.starts_with("good")));
    assert_eq!(app.unread("alice").await, 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retracting_a_send_is_announced_once_per_recipient_and_safe_to_retry() {
    let app = TestApp::spawn().await;
    let mut sockets = Vec::new();
    for name in ["alice", "bob"] {
        let client = app.login(name).await;
        let mut socket = app.socket(&client).await;
        hello(&mut socket).await;
        sockets.push((client, socket));
    }
    let content = herald::NewNotification {
        title: "Quarterly numbers".into(),
        ..Default::default()
    };
    let report = app
        .state
        .notifier
        .send(&Audience::Everyone, &content, None, "test", None)
        .await
        .unwrap();
    let send = app.state.store.sends(None, None, 1).await.unwrap()[0].id;
    for (_, socket) in &mut sockets {
        next_created(socket).await;
    }
    assert_eq!(
        app.state
            .notifier
            .retract_send(send, "admin")
            .await
            .unwrap(),
        match report {
            Outcome::Queued(queued) => queued.recipients as usize,
            Outcome::Sent(_) => panic!("a send to everyone is written out in the background"),
        }
    );
    for (_, socket) in &mut sockets {
        match next_event(socket).await {
            ServerMessage::Updated {
                notification,
                unread,
            } => {
                assert!(notification.retracted_at.is_some());
                assert_eq!(unread, 0);
            }
            other => panic!("expected Updated, got {other:?}"),
        }
    }
    assert_eq!(
        app.state
            .notifier
            .retract_send(send, "admin")
            .await
            .unwrap(),
        0
    );
    assert!(
        app.state.store.sends(None, None, 1).await.unwrap()[0]
            .retracted_at
            .is_some()
    );
    // The retry announced nothing: the next event is the next change.
    app.notify("alice", "After", "").await;
    assert_eq!(next_created(&mut sockets[0].1).await.0, "After");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_whose_requests_are_dropped_midway_are_still_announced_in_order() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let alice = app.login("alice").await;
    let mut socket = app.socket(&alice).await;
    hello(&mut socket).await;
    let alice_id = app.user_id("alice").await;
    // Each request is abandoned after a different wait, so some are
    // dropped before, some during and some after their change commits. The
    // waits reach 2 s: under a full parallel run on PostgreSQL no request
    // had committed within 190 ms.
    let impatient = reqwest::Client::new();
    let sends = (0..120u64).map(|n| {
        let request = impatient
            .post(app.url("/api/v1/notifications"))
            .bearer_auth(&api.key)
            .timeout(Duration::from_micros(500 + 100_000 * (n % 20)))
            .json(&json!({ "recipients": [{ "user_id": alice_id }], "title": format!("n{n}") }))
            .send();
        async move {
            let _ = request.await;
        }
    });
    futures::future::join_all(sends).await;
    // Whatever was stored reaches the socket, each exactly once, with no gap.
    let mut seen = 0;
    loop {
        let stored = app.state.store.unread(alice_id).await.unwrap().seq;
        if seen == stored {
            break;
        }
        match next_event(&mut socket).await {
            ServerMessage::Created { notification, .. } => {
                assert_eq!(notification.seq, seen + 1, "no gap, no repeat");
                seen = notification.seq;
            }
            other => panic!("expected Created, got {other:?}"),
        }
    }
    assert!(seen > 0, "some requests got through");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_keys_last_use_is_written_at_most_once_a_minute_and_never_when_limited() {
    let app = TestApp::spawn_with(|c| {
        c.api_rate = 1;
        c.api_burst = 3;
    })
    .await;
    let api = Api::new(&app).await;
    let alice = app.user_id("alice").await;
    let body = json!({ "recipients": [{ "user_id": alice }], "title": "Hi" });
    let last_used = async || app.state.store.api_keys().await.unwrap()[0].last_used_at;
    assert_eq!(api.post(&body, None).await.status(), 201);
    let first = last_used().await;
    assert!(first.is_some());
    for _ in 0..2 {
        assert_eq!(api.post(&body, None).await.status(), 201);
    }
    assert_eq!(api.post(&body, None).await.status(), 429);
    assert_eq!(last_used().await, first, "not rewritten within the minute");

    // A key refused by its rate limit is not recorded as used at all.
    let limited = Api::new(&app).await;
    let keys = app.state.store.api_keys().await.unwrap();
    let id = keys
        .iter()
        .find(|k| limited.key.starts_with(&k.prefix))
        .unwrap()
        .id;
    while app.state.api_limiter.check_key(&id).is_ok() {}
    assert_eq!(limited.post(&body, None).await.status(), 429);
    let keys = app.state.store.api_keys().await.unwrap();
    assert_eq!(keys.iter().find(|k| k.id == id).unwrap().last_used_at, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_writers_wait_their_turn_while_large_broadcasts_run() {
    let app = TestApp::spawn().await;
    for n in 0..3000 {
        app.state
            .store
            .external_user(&format!("crowd-{n}"))
            .await
            .unwrap();
    }
    let api = Api::new(&app).await;
    let broadcast = json!({ "broadcast": true, "title": "To the crowd" });
    let admin = app.login("admin").await;
    let alice = app.login("alice").await;
    let broadcasts = futures::future::join_all((0..6).map(|_| api.post(&broadcast, None)));
    let others = futures::future::join_all((0..30).map(|n| {
        let (admin, alice) = (&admin, &alice);
        async move {
            match n % 3 {
                0 => alice
                    .post_form("/api/inbox/seen", &[("up_to", "1000")])
                    .await
                    .status(),
                1 => admin
                    .post_form("/api/admin/api-keys/create", &[("name", &format!("k{n}"))])
                    .await
                    .status(),
                _ => admin
                    .post_form(
                        "/api/admin/send",
                        &[
                            ("title", "Hello"),
                            ("recipient", "everyone"),
                            ("confirm", "on"),
                        ],
                    )
                    .await
                    .status(),
            }
        }
    }));
    let (broadcasts, others) = tokio::join!(broadcasts, others);
    for res in broadcasts {
        assert_eq!(res.status(), 202);
    }
    for status in others {
        assert!(status.is_success(), "{status}");
    }
    // 16 sends to 3,003 users each, written out in the background.
    eventually_within(
        Duration::from_secs(60),
        "every send written out",
        async || app.unread("alice").await == 6 + 10,
    )
    .await;
}
