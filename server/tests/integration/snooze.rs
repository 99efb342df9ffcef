//! Snoozing: a notification leaves the inbox and the count until its time,
//! then comes back live, in every tab, across a resume and a restart.

use std::time::Duration;

use herald::ServerMessage;
use serde_json::Value;

use crate::common::*;

fn now_ms() -> i64 {
    server::store::now_ms()
}

/// A POST to `/api/v1/me/notifications{path}` with `token`.
async fn post(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.me(
        reqwest::Method::POST,
        &format!("/notifications{path}"),
        token,
    )
    .send()
    .await
    .unwrap()
}

/// The next `Updated` for notification `id`: whether it is snoozed, and
/// the count it carries.
async fn next_update(socket: &mut Socket, id: i64) -> (bool, i64) {
    loop {
        match next_event(socket).await {
            ServerMessage::Updated {
                notification,
                unread,
            } if notification.id == id => return (notification.snoozed_until.is_some(), unread),
            ServerMessage::Updated { .. } => continue,
            other => panic!("expected an update of #{id}, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snoozed_notification_leaves_the_count_and_comes_back_live_at_its_time() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let token = api.token("shopper", 300).await;
    let mut socket = app.token_socket(&token).await.unwrap();
    hello(&mut socket).await;
    let later = api.send_to("shopper", "Reply later").await;
    api.send_to("shopper", "Now").await;
    next_created(&mut socket).await;
    next_created(&mut socket).await;

    let until = now_ms() + 1000;
    let res = post(&app, &format!("/{later}/snooze?until={until}"), &token).await;
    assert_eq!(res.status(), 204);
    assert_eq!(next_update(&mut socket, later).await, (true, 1));
    assert_eq!(app.my_titles(&token, "all").await, ["Now"]);

    // The job brings it back at its time, to every connection.
    assert_eq!(next_update(&mut socket, later).await, (false, 2));
    assert!(now_ms() >= until);
    assert_eq!(app.my_titles(&token, "all").await, ["Now", "Reply later"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_or_archived_while_snoozed_it_comes_back_uncounted() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let token = api.token("shopper", 300).await;
    let mut socket = app.token_socket(&token).await.unwrap();
    hello(&mut socket).await;
    let id = api.send_to("shopper", "Read it elsewhere").await;
    next_created(&mut socket).await;

    let until = now_ms() + 800;
    assert_eq!(
        post(&app, &format!("/{id}/snooze?until={until}"), &token)
            .await
            .status(),
        204
    );
    assert_eq!(next_update(&mut socket, id).await, (true, 0));
    assert_eq!(
        post(&app, &format!("/{id}/read"), &token).await.status(),
        204
    );
    assert_eq!(next_update(&mut socket, id).await, (true, 0));
    assert_eq!(next_update(&mut socket, id).await, (false, 0));
    let owner = app.user_id("ext:shopper").await;
    assert_eq!(app.state.store.unread(owner).await.unwrap().unread, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsnoozing_brings_it_back_now_and_bad_requests_change_nothing() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let token = api.token("shopper", 300).await;
    let theirs = api.send_to("someone-else", "Not yours").await;
    let id = api.send_to("shopper", "Mine").await;

    let past = now_ms() - 1;
    let res = post(&app, &format!("/{id}/snooze?until={past}"), &token).await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "until", "{body}");
    let far = now_ms() + 3_600_000;
    let res = post(&app, &format!("/{theirs}/snooze?until={far}"), &token).await;
    assert_eq!(res.status(), 404);
    let someone = api.token("someone-else", 300).await;
    assert_eq!(app.my_titles(&someone, "all").await, ["Not yours"]);

    let res = post(&app, &format!("/{id}/snooze?until={far}"), &token).await;
    assert_eq!(res.status(), 204);
    assert!(app.my_titles(&token, "all").await.is_empty());
    let res = post(&app, &format!("/{id}/unsnooze"), &token).await;
    assert_eq!(res.status(), 204);
    assert_eq!(app.my_titles(&token, "all").await, ["Mine"]);
    let owner = app.user_id("ext:shopper").await;
    assert_eq!(app.state.store.unread(owner).await.unwrap().unread, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snooze_that_ends_while_herald_is_down_ends_when_it_starts() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let token = api.token("shopper", 300).await;
    let id = api.send_to("shopper", "Back after the restart").await;
    let until = now_ms() + 1500;
    let res = post(&app, &format!("/{id}/snooze?until={until}"), &token).await;
    assert_eq!(res.status(), 204);
    let db = app.shut_down().await;
    // Stopped while still snoozed (else this would test nothing), and down
    // until past its time.
    let store = server::store::Store::connect(&db.url).await.unwrap();
    assert_eq!(
        store
            .due(server::store::Due::Wake, until, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .due(server::store::Due::Wake, until - 1, 10)
            .await
            .unwrap()
            .len(),
        0
    );
    while now_ms() <= until {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let app = TestApp::spawn_on(&db, test_config(&db)).await;
    // Tokens are signed with a per-process key in tests: a fresh one.
    let token = Api::new(&app).await.token("shopper", 300).await;
    let mut socket = app.token_socket(&token).await.unwrap();
    // Resumed from 0: replayed in its latest state, then the count; the job
    // ends the snooze within a tick of starting, before or after.
    loop {
        match next_event(&mut socket).await {
            ServerMessage::Hello { unread: 1, .. } => break,
            ServerMessage::Updated {
                notification,
                unread,
            } if notification.snoozed_until.is_none() => {
                assert_eq!(unread, 1);
                break;
            }
            ServerMessage::Missed { .. } | ServerMessage::Hello { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(
        app.my_titles(&token, "all").await,
        ["Back after the restart"]
    );
}
