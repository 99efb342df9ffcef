//! Scheduled sends (`send_at`): accepted at once with the send's id,
//! delivered at their time (live, dated then), once, also across instances
//! and when Herald was down at that time; cancelled before then, nobody
//! ever gets them.

use std::time::Duration;

use serde_json::{Value, json};

use crate::common::*;

/// How far ahead the tests schedule: long enough to see that nothing goes
/// out early, short enough to wait for.
const AHEAD_MS: i64 = 1_500;

fn now_ms() -> i64 {
    server::store::now_ms()
}

/// Copies of `send` in the database.
async fn copies(app: &TestApp, send: i64) -> i64 {
    app.state
        .store
        .sends(None, None, 50)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.id == send)
        .map(|s| s.recipients)
        .expect("the send is listed")
}

/// Schedules `title` for the users `recipients` at `send_at`; the 202 body.
async fn schedule(api: &Api<'_>, recipients: Value, title: &str, send_at: i64) -> Value {
    let res = api
        .post(
            &json!({"recipients": recipients, "title": title, "send_at": send_at}),
            None,
        )
        .await;
    assert_eq!(res.status(), 202, "{:?}", res.text().await);
    res.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_send_is_accepted_now_and_delivered_live_at_its_time_once() {
    let app = TestApp::spawn().await;
    // On PostgreSQL a second instance races the first for it.
    let other = if on_postgres() {
        Some(TestApp::spawn_on(&app.db, test_config(&app.db)).await)
    } else {
        None
    };
    let alice = app.user_id("alice").await;
    let mut socket = app.socket(&app.login("alice").await).await;
    hello(&mut socket).await;
    let api = Api::new(&app).await;

    let send_at = now_ms() + AHEAD_MS;
    let body =
        json!({"recipients": [{"user_id": alice}], "title": "Standup in 5", "send_at": send_at});
    let res = api.post(&body, Some("standup-1")).await;
    assert_eq!(res.status(), 202);
    let accepted: Value = res.json().await.unwrap();
    assert_eq!(accepted["recipients"], 1);
    assert_eq!(accepted["send_at"], send_at);
    let send = accepted["send_id"].as_i64().unwrap();
    // A retry with its key is the same send, not a second one.
    let again = api.post(&body, Some("standup-1")).await;
    assert_eq!(again.status(), 202);
    assert_eq!(again.json::<Value>().await.unwrap(), accepted);
    assert_eq!(copies(&app, send).await, 0, "stored, not delivered yet");

    let (title, unread) = next_created(&mut socket).await;
    let arrived = now_ms();
    assert_eq!((title.as_str(), unread), ("Standup in 5", 1));
    assert!(arrived >= send_at, "arrived {} ms early", send_at - arrived);
    assert!(
        arrived - send_at <= 1_000,
        "arrived {} ms late",
        arrived - send_at
    );
    let page = app
        .state
        .store
        .page(alice, herald::InboxView::All, None, 10)
        .await
        .unwrap();
    assert_eq!(page.len(), 1, "once, whoever took it");
    let dated = page[0].created_at;
    assert!(
        send_at <= dated && dated <= arrived,
        "dated when it went out"
    );
    eventually("the send finished", async || {
        let row = &app.state.store.sends(None, None, 1).await.unwrap()[0];
        row.fanning_out == 0 && row.recipients == 1
    })
    .await;
    if let Some(other) = other {
        other.shut_down().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_send_cancelled_before_its_time_reaches_nobody() {
    let app = TestApp::spawn().await;
    let bob = app.user_id("bob").await;
    let mut socket = app.socket(&app.login("bob").await).await;
    hello(&mut socket).await;
    let api = Api::new(&app).await;
    let start = now_ms();
    let early = schedule(
        &api,
        json!([{"user_id": bob}]),
        "Cancelled one",
        start + AHEAD_MS,
    )
    .await;
    let later = schedule(
        &api,
        json!([{"user_id": bob}]),
        "Kept one",
        start + AHEAD_MS + 400,
    )
    .await;
    let cancelled = early["send_id"].as_i64().unwrap();

    let status = async |id: i64| -> Value {
        let res = api
            .http
            .get(app.url(&format!("/api/v1/sends/{id}")))
            .bearer_auth(&api.key)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    };
    assert_eq!(status(cancelled).await["status"], "scheduled");
    let cancel = |id: i64| {
        api.http
            .delete(app.url(&format!("/api/v1/sends/{id}")))
            .bearer_auth(&api.key)
            .send()
    };
    assert_eq!(cancel(cancelled).await.unwrap().status(), 204);
    assert_eq!(
        cancel(cancelled).await.unwrap().status(),
        204,
        "cancelling twice is fine"
    );
    assert_eq!(cancel(999_999).await.unwrap().status(), 404);

    // The later one comes; the cancelled one, due before it, never did.
    assert_eq!(next_created(&mut socket).await, ("Kept one".to_owned(), 1));
    assert_eq!(copies(&app, cancelled).await, 0);
    assert_eq!(status(cancelled).await["status"], "withdrawn");
    let kept = later["send_id"].as_i64().unwrap();
    eventually("the kept one sent", async || {
        status(kept).await["status"] == "sent"
    })
    .await;
    let kept = status(kept).await;
    assert_eq!(
        (kept["recipients"].as_i64(), kept["delivered"].as_i64()),
        (Some(1), Some(1))
    );
    let unknown = api
        .http
        .get(app.url("/api/v1/sends/999999"))
        .bearer_auth(&api.key)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let rows = app.state.store.sends(None, None, 2).await.unwrap();
    let row = rows.iter().find(|s| s.id == cancelled).unwrap();
    assert!(row.retracted_at.is_some() && row.fanning_out == 0);
    assert_eq!(later["recipients"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_due_while_herald_was_down_goes_out_once_when_it_starts() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let send_at = now_ms() + AHEAD_MS;
    let accepted = schedule(
        &api,
        json!([{"external_id": "sleeper"}]),
        "While you were out",
        send_at,
    )
    .await;
    let send = accepted["send_id"].as_i64().unwrap();
    let (key, config) = (api.key.clone(), app.state.config.as_ref().clone());
    let db = app.shut_down().await;

    // Herald is down when the time comes.
    let wait = send_at - now_ms() + 200;
    tokio::time::sleep(Duration::from_millis(wait.max(0) as u64)).await;
    let app = TestApp::spawn_on(&db, config).await;
    eventually("the send went out on start", async || {
        copies(&app, send).await == 1
    })
    .await;
    let api = Api {
        app: &app,
        http: reqwest::Client::new(),
        key,
    };
    let token = api.token("sleeper", 60).await;
    let page = app
        .me_ok(reqwest::Method::GET, "/notifications", &token)
        .await;
    assert_eq!(titles_of(&page), ["While you were out"]);
    // Dated when it went out, on start, not at the time it missed.
    assert!(page["notifications"][0]["created_at"].as_i64().unwrap() > send_at + 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_broadcast_waits_for_its_time_too() {
    let app = TestApp::spawn().await;
    let mut socket = app.socket(&app.login("alice").await).await;
    hello(&mut socket).await;
    let api = Api::new(&app).await;
    let send_at = now_ms() + AHEAD_MS;
    let res = api
        .post(
            &json!({"broadcast": true, "title": "Maintenance tonight", "send_at": send_at}),
            None,
        )
        .await;
    assert_eq!(res.status(), 202);
    let accepted: Value = res.json().await.unwrap();
    assert_eq!(accepted["recipients"], 3, "admin, alice and bob");
    let send = accepted["send_id"].as_i64().unwrap();
    assert_eq!(copies(&app, send).await, 0);
    // Whoever is a user at its time gets it, also someone who joined since.
    app.state.store.external_user("latecomer").await.unwrap();
    assert_eq!(next_created(&mut socket).await.0, "Maintenance tonight");
    assert!(now_ms() >= send_at);
    eventually("every user, the latecomer too", async || {
        copies(&app, send).await == 4
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_time_must_be_ahead_within_a_year_and_before_the_expiry() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let now = now_ms();
    for (body, field) in [
        (json!({"send_at": now - 1000}), "send_at"),
        (json!({"send_at": now + 400 * 24 * 3600 * 1000}), "send_at"),
        (
            json!({"send_at": now + 60_000, "expires_at": now + 30_000}),
            "expires_at",
        ),
        (json!({"send_at": "tomorrow"}), "send_at"),
    ] {
        let mut request = json!({"recipients": [{"external_id": "x"}], "title": "When?"});
        request
            .as_object_mut()
            .unwrap()
            .extend(body.as_object().unwrap().clone());
        let res = api.post(&request, None).await;
        assert_eq!(res.status(), 422, "{body}");
        let problem: Value = res.json().await.unwrap();
        assert!(problem.to_string().contains(field), "{body}: {problem}");
    }
    assert_eq!(app.state.store.sends(None, None, 5).await.unwrap().len(), 0);
}
