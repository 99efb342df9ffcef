//! A sender's `expires_at`: at that time the notification leaves each
//! recipient's inbox and count, live, also across a restart.

use std::time::Duration;

use herald::{Audience, NewNotification, ServerMessage};
use serde_json::{Value, json};

use crate::common::*;

fn now_ms() -> i64 {
    server::store::now_ms()
}

/// Waits for the `Updated` that withdraws notification `id` and returns
/// the count it carries.
async fn withdrawn(socket: &mut Socket, id: i64) -> i64 {
    loop {
        match next_event(socket).await {
            ServerMessage::Updated {
                notification,
                unread,
            } if notification.id == id => {
                assert!(notification.retracted_at.is_some(), "{notification:?}");
                return unread;
            }
            ServerMessage::Updated { .. } | ServerMessage::Created { .. } => continue,
            other => panic!("expected the expiry, got {other:?}"),
        }
    }
}

/// The admin's Sent list, newest first: each send's title and expiry.
async fn sent_expiries(app: &TestApp) -> Vec<(String, Option<i64>)> {
    let admin = app.login("admin").await;
    let res = admin.post_form("/api/admin/sent", &[("search", "")]).await;
    let rows: Vec<Value> = res.json().await.unwrap();
    rows.iter()
        .map(|row| {
            let title = row["title"].as_str().unwrap().to_owned();
            (title, row["expires_at"].as_i64())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_notification_leaves_the_inbox_and_the_count_live() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let token = api.token("shopper", 300).await;
    let mut socket = app.token_socket(&token).await.unwrap();
    hello(&mut socket).await;

    api.send_to("shopper", "Stays").await;
    let flash = api
        .send_json(&json!({ "recipients": [{ "external_id": "shopper" }],
                            "title": "Flash sale, 1 second", "expires_at": now_ms() + 1000 }))
        .await;
    assert_eq!(next_created(&mut socket).await.1, 1);
    assert_eq!(next_created(&mut socket).await.1, 2);

    assert_eq!(withdrawn(&mut socket, flash).await, 1);
    assert_eq!(app.my_titles(&token, "all").await, ["Stays"]);
    // The Sent list tells the admin when (and that) it expired.
    let sends = sent_expiries(&app).await;
    assert_eq!(sends[0].0, "Flash sale, 1 second");
    assert!(sends[0].1.is_some_and(|at| at <= now_ms()), "{sends:?}");
    assert_eq!(sends[1], ("Stays".to_owned(), None));
    assert_eq!(
        app.state
            .store
            .unread(app.user_id("ext:shopper").await)
            .await
            .unwrap()
            .unread,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expiry_that_falls_while_herald_is_down_is_applied_when_it_starts() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let expires_at = now_ms() + 1500;
    api.send_json(
        &json!({ "recipients": [{ "external_id": "shopper" }], "title": "Soon gone",
                           "expires_at": expires_at }),
    )
    .await;
    let db = app.shut_down().await;
    // Stopped before its expiry (else this would test nothing), and down
    // until past it.
    let store = server::store::Store::connect(&db.url).await.unwrap();
    assert_eq!(
        store
            .due(server::store::Due::Expiry, expires_at, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    while now_ms() <= expires_at {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let app = TestApp::spawn_on(&db, test_config(&db)).await;
    // Tokens are signed with a per-process key in tests: a fresh one.
    let token = Api::new(&app).await.token("shopper", 300).await;
    let mut socket = app.token_socket(&token).await.unwrap();
    // Resumed from 0: the copy is replayed in its latest state, then the
    // count; the job withdraws it within a tick of starting.
    let mut saw_withdrawal = false;
    loop {
        match next_event(&mut socket).await {
            ServerMessage::Missed { notification } => {
                saw_withdrawal |= notification.retracted_at.is_some();
            }
            ServerMessage::Hello { unread: 0, .. } => break,
            ServerMessage::Hello { .. } => {}
            ServerMessage::Updated {
                notification,
                unread,
            } => {
                assert!(notification.retracted_at.is_some());
                assert_eq!(unread, 0);
                saw_withdrawal = true;
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(saw_withdrawal);
    assert!(app.my_titles(&token, "all").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_to_everyone_carries_its_expiry_to_every_copy() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    let mut socket = app.socket(&alice).await;
    hello(&mut socket).await;
    let content = NewNotification {
        title: "Maintenance window".into(),
        expires_at: Some(now_ms() + 1000),
        ..Default::default()
    };
    app.state
        .notifier
        .send(&Audience::Everyone, &content, None, "test", None)
        .await
        .unwrap();
    let (_, unread) = next_created(&mut socket).await;
    assert_eq!(unread, 1);
    match next_event(&mut socket).await {
        ServerMessage::Updated {
            notification,
            unread,
        } => {
            assert_eq!(notification.title, "Maintenance window");
            assert!(notification.retracted_at.is_some());
            assert_eq!(unread, 0);
        }
        other => panic!("expected the expiry, got {other:?}"),
    }
    // The others' copies go in the same pass, one transaction each.
    for user in ["admin", "bob"] {
        let id = app.user_id(user).await;
        eventually(&format!("{user}'s copy to expire"), async || {
            app.state.store.unread(id).await.unwrap().unread == 0
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expiry_in_the_past_or_over_a_year_ahead_is_refused_by_name() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    for expires_at in [now_ms() - 1, now_ms() + 400 * 24 * 3600 * 1000] {
        let res = api
            .post(
                &json!({ "recipients": [{ "external_id": "shopper" }], "title": "Nope",
                         "expires_at": expires_at }),
                None,
            )
            .await;
        assert_eq!(res.status(), 422);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["errors"][0]["field"], "expires_at", "{body}");
    }
    assert_eq!(app.state.store.count_notifications().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_console_can_set_an_expiry_and_names_a_bad_one() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let alice_id = app.user_id("alice").await.to_string();
    let send = |title: &'static str, expires_in: &'static str| {
        let admin = &admin;
        let alice_id = alice_id.clone();
        async move {
            admin
                .post_form(
                    "/api/admin/send",
                    &[
                        ("title", title),
                        ("body", ""),
                        ("link", ""),
                        ("recipient", alice_id.as_str()),
                        ("expires_in", expires_in),
                    ],
                )
                .await
        }
    };
    let before = now_ms();
    assert_eq!(send("Lunch is served", "hour").await.status(), 200);
    assert_eq!(send("Kept", "never").await.status(), 200);
    let store = &app.state.store;
    assert!(
        store
            .due(server::store::Due::Expiry, before + 3_500_000, 10)
            .await
            .unwrap()
            .is_empty(),
        "not before the hour"
    );
    assert_eq!(
        store
            .due(server::store::Due::Expiry, before + 3_700_000, 10)
            .await
            .unwrap()
            .len(),
        1,
        "the hour's send, and only it, expires"
    );
    let sends = sent_expiries(&app).await;
    assert_eq!(sends[0], ("Kept".to_owned(), None));
    let at = sends[1].1.expect("the hour's send shows its expiry");
    assert!((before + 3_600_000..=now_ms() + 3_600_000).contains(&at));
    let res = send("Bad", "fortnight").await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert!(body.to_string().contains("expires_in"), "{body}");
}
