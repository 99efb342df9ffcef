//! Actions: up to two buttons on a notification. Clicking one records
//! `interacted_at` (and reads it) live in every tab; a webhook action is
//! POSTed to the integrator, signed, and retried until it is answered 2xx.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use herald::ServerMessage;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::common::*;

const SECRET: &str = "an-integrators-webhook-secret-of-32+-bytes";

/// A webhook receiver on a port of its own: it answers the first
/// `failures` calls 500, then 204, and hands each call's signature check
/// and body to the test.
async fn receiver(failures: usize) -> (String, mpsc::UnboundedReceiver<(bool, Value, u16)>) {
    let (calls, received) = mpsc::unbounded_channel();
    let left = Arc::new(Mutex::new(failures));
    let app = axum::Router::new().route(
        "/hooks/approve",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let calls = calls.clone();
            let left = Arc::clone(&left);
            async move {
                let status = {
                    let mut left = left.lock().unwrap();
                    if *left > 0 {
                        *left -= 1;
                        StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        StatusCode::NO_CONTENT
                    }
                };
                let verified = verify(&headers, &body);
                let _ = calls.send((
                    verified,
                    serde_json::from_str(&body).unwrap_or(Value::Null),
                    status.as_u16(),
                ));
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/approve", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

/// Checks `Herald-Signature: t=…,v1=…` the way an integrator would.
fn verify(headers: &HeaderMap, body: &str) -> bool {
    let Some(header) = headers
        .get("herald-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value.to_owned()),
            Some(("v1", value)) => v1 = Some(value.to_owned()),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    expected == v1
}

async fn next_call(calls: &mut mpsc::UnboundedReceiver<(bool, Value, u16)>) -> (bool, Value, u16) {
    tokio::time::timeout(std::time::Duration::from_secs(15), calls.recv())
        .await
        .expect("a webhook call within 15 s")
        .expect("the receiver is running")
}

async fn with_webhooks() -> TestApp {
    TestApp::spawn_with(|config| {
        config.webhook_secret = Some(SECRET.to_owned());
        config.webhook_retry_ms = 200;
        // The receivers here are plain http on this machine.
        config.webhook_allow = vec!["127.0.0.1".to_owned()];
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_action_is_signed_retried_on_500_and_recorded_live() {
    let app = with_webhooks().await;
    let api = Api::new(&app).await;
    let (hook, mut calls) = receiver(2).await;
    let token = api.token("shopper", 300).await;
    let mut socket = app.token_socket(&token).await.unwrap();
    hello(&mut socket).await;
    let id = api
        .send_json(&json!({
            "recipients": [{ "external_id": "shopper" }],
            "title": "Refund requested for order 7",
            "actions": [
                { "label": "Approve", "webhook": hook },
                { "label": "View order", "url": "https://shop.example/orders/7" },
            ],
        }))
        .await;
    match next_event(&mut socket).await {
        ServerMessage::Created { notification, .. } => {
            assert_eq!(notification.actions.len(), 2);
            assert_eq!(notification.actions[0].label, "Approve");
            assert_eq!(
                notification.actions[0].url, None,
                "the webhook stays on the server"
            );
            assert_eq!(
                notification.actions[1].url.as_deref(),
                Some("https://shop.example/orders/7")
            );
        }
        other => panic!("expected Created, got {other:?}"),
    }

    let res = app
        .me(
            reqwest::Method::POST,
            &format!("/notifications/{id}/actions/0"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["url"], Value::Null);
    match next_event(&mut socket).await {
        ServerMessage::Updated {
            notification,
            unread,
        } => {
            assert!(notification.interacted_at.is_some());
            assert!(notification.read_at.is_some(), "clicking reads it");
            assert_eq!(unread, 0);
        }
        other => panic!("expected Updated, got {other:?}"),
    }

    // Two 500s, then accepted: three signed calls with the same body.
    let mut bodies = Vec::new();
    for expected in [500, 500, 204] {
        let (verified, body, status) = next_call(&mut calls).await;
        assert!(verified, "signature checks out");
        assert_eq!(status, expected);
        bodies.push(body);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(bodies[0]["notification_id"], id);
    assert_eq!(bodies[0]["action"]["label"], "Approve");
    assert_eq!(bodies[0]["user"]["external_id"], "shopper");
    eventually("the delivery is recorded as delivered", async || {
        app.state.store.webhook_log(id).await.unwrap() == [(3, Some(204), true)]
    })
    .await;

    // A second click changes nothing and POSTs nothing more.
    let res = app
        .me(
            reqwest::Method::POST,
            &format!("/notifications/{id}/actions/0"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(app.state.store.webhook_log(id).await.unwrap().len(), 1);

    // The link action answers where to go.
    let res = app
        .me(
            reqwest::Method::POST,
            &format!("/notifications/{id}/actions/1"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap()["url"],
        "https://shop.example/orders/7"
    );

    // The Sent list counts who acted.
    let sends = app.state.store.sends(None, None, 10).await.unwrap();
    assert_eq!(sends[0].interacted, 1);
}

/// Clicks action `index` of notification `id` with `token`: the answer.
async fn click(app: &TestApp, token: &str, id: i64, index: usize) -> Value {
    let path = format!("/notifications/{id}/actions/{index}");
    app.me_ok(reqwest::Method::POST, &path, token).await
}

/// Which webhook action of notification `id` the token's user chose.
async fn chosen(app: &TestApp, token: &str, id: i64) -> Value {
    let page = app.my_page(token, "all").await;
    let all = page["notifications"].as_array().unwrap();
    let found = all.iter().find(|n| n["id"] == id).expect("listed");
    found["chosen_action"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_actions_are_one_choice_that_following_a_link_never_spends() {
    let app = with_webhooks().await;
    let api = Api::new(&app).await;
    let (hook, mut calls) = receiver(0).await;
    let token = api.token("shopper", 300).await;

    // The link first: recorded, and the webhook action is still open.
    let linked = api
        .send_json(&json!({
            "recipients": [{ "external_id": "shopper" }],
            "title": "Refund requested for order 8",
            "actions": [
                { "label": "View order", "url": "https://shop.example/orders/8" },
                { "label": "Approve", "webhook": hook },
            ],
        }))
        .await;
    click(&app, &token, linked, 0).await;
    assert_eq!(chosen(&app, &token, linked).await, Value::Null);
    click(&app, &token, linked, 1).await;
    let (verified, body, _) = next_call(&mut calls).await;
    assert!(verified);
    assert_eq!(body["notification_id"], linked);
    assert_eq!(body["action"]["label"], "Approve");
    assert_eq!(chosen(&app, &token, linked).await, 1);

    // Two webhook actions: the first clicked is the choice; the other
    // then POSTs nothing.
    let choice = api
        .send_json(&json!({
            "recipients": [{ "external_id": "shopper" }],
            "title": "Refund requested for order 9",
            "actions": [
                { "label": "Approve", "webhook": hook },
                { "label": "Decline", "webhook": hook },
            ],
        }))
        .await;
    click(&app, &token, choice, 1).await;
    click(&app, &token, choice, 0).await;
    let (_, body, _) = next_call(&mut calls).await;
    assert_eq!(body["notification_id"], choice);
    assert_eq!(body["action"]["label"], "Decline");
    assert_eq!(chosen(&app, &token, choice).await, 1);
    eventually("the choice is delivered", async || {
        app.state.store.webhook_log(choice).await.unwrap() == [(1, Some(204), true)]
    })
    .await;
    assert!(calls.try_recv().is_err(), "Approve was never POSTed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_are_validated_and_each_users_own() {
    let app = with_webhooks().await;
    let api = Api::new(&app).await;
    let res = api
        .post(
            &json!({
                "recipients": [{ "external_id": "shopper" }], "title": "t",
                "actions": [
                    { "label": "", "url": "javascript:alert(1)" },
                    { "label": "Both", "url": "/a", "webhook": "https://x.example" },
                ],
            }),
            None,
        )
        .await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["actions[0].label", "actions[0].url", "actions[1]"]);
    let three = json!({ "label": "a", "url": "/a" });
    let res = api
        .post(
            &json!({
                "recipients": [{ "external_id": "shopper" }], "title": "t",
                "actions": [three, three, three],
            }),
            None,
        )
        .await;
    assert_eq!(res.status(), 422);

    let id = api
        .send_json(&json!({
            "recipients": [{ "external_id": "shopper" }], "title": "Yours",
            "actions": [{ "label": "View", "url": "/orders/7" }],
        }))
        .await;
    let theirs = api.token("someone-else", 300).await;
    for path in [
        format!("/notifications/{id}/actions/0"),
        format!("/notifications/{id}/actions/5"),
    ] {
        let res = app
            .me(reqwest::Method::POST, &path, &theirs)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{path}");
    }
    let mine = api.token("shopper", 300).await;
    let res = app
        .me(
            reqwest::Method::POST,
            &format!("/notifications/{id}/actions/5"),
            &mine,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "no such action");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_signing_secret_webhook_actions_are_refused() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let res = api
        .post(
            &json!({
                "recipients": [{ "external_id": "shopper" }], "title": "t",
                "actions": [{ "label": "Approve", "webhook": "https://shop.example/hook" }],
            }),
            None,
        )
        .await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "actions[0].webhook");
    // Link actions need no secret.
    api.send_json(&json!({
        "recipients": [{ "external_id": "shopper" }], "title": "t",
        "actions": [{ "label": "View", "url": "/x" }],
    }))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_action_on_herald_records_the_click_and_redirects() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let alice_id = app.user_id("alice").await;
    let id = api
        .send_json(&json!({
            "recipients": [{ "user_id": alice_id }], "title": "Invoice ready",
            "actions": [{ "label": "Download", "url": "/invoices/3" }],
        }))
        .await;
    let alice = app.login("alice").await;
    // From another site: nothing changes.
    let res = alice
        .get_page(&format!("/notifications/{id}/actions/0"))
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/notifications");
    assert_eq!(app.unread("alice").await, 1);
    // From Herald's own page: recorded, read, and on to the link.
    let res = alice
        .follow(&format!("/notifications/{id}/actions/0"))
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/invoices/3");
    assert_eq!(app.unread("alice").await, 0);
    let stored = app
        .state
        .store
        .notification(alice_id, id)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.interacted_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_choice_made_before_the_choice_was_recorded_is_kept() {
    let app = with_webhooks().await;
    let api = Api::new(&app).await;
    let (hook, mut calls) = receiver(0).await;
    let token = api.token("shopper", 300).await;
    let id = api
        .send_json(&json!({
            "recipients": [{ "external_id": "shopper" }],
            "title": "Refund requested for order 10",
            "actions": [
                { "label": "Approve", "webhook": hook },
                { "label": "Decline", "webhook": hook },
            ],
        }))
        .await;
    click(&app, &token, id, 1).await;
    next_call(&mut calls).await;

    // As a database from before `chosen_action` holds it, then as its
    // migration fills it in from the delivery already made.
    let store = &app.state.store;
    store
        .execute_script("UPDATE notifications SET chosen_action = NULL")
        .await
        .unwrap();
    assert_eq!(chosen(&app, &token, id).await, Value::Null);
    let migration = if on_postgres() {
        include_str!("../../../migrations/postgres/0009_chosen_action.sql")
    } else {
        include_str!("../../../migrations/sqlite/0014_chosen_action.sql")
    };
    let fill = &migration[migration.find("UPDATE").expect("the fill")..];
    store.execute_script(fill).await.unwrap();
    assert_eq!(chosen(&app, &token, id).await, 1);
    // So the other answer is never POSTed.
    click(&app, &token, id, 0).await;
    eventually("the choice is delivered", async || {
        store.webhook_log(id).await.unwrap() == [(1, Some(204), true)]
    })
    .await;
    assert!(calls.try_recv().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_get_never_makes_a_webhook_choice_wherever_it_comes_from() {
    let app = with_webhooks().await;
    let api = Api::new(&app).await;
    let (hook, _calls) = receiver(0).await;
    let alice_id = app.user_id("alice").await;
    let refund = api
        .send_json(&json!({
            "recipients": [{ "user_id": alice_id }],
            "title": "Refund requested for order 11",
            "actions": [
                { "label": "Approve", "webhook": hook },
                { "label": "Decline", "webhook": hook },
            ],
        }))
        .await;
    // A notification whose link leads to the choice: the `/open` chain.
    let pointer = api
        .send_json(&json!({
            "recipients": [{ "user_id": alice_id }],
            "title": "Have a look",
            "link": format!("/notifications/{refund}/actions/0"),
        }))
        .await;
    let alice = app.login("alice").await;
    let get = |path: String, site: &'static str| {
        let request = alice
            .http
            .get(app.url(&path))
            .header("accept", "text/html")
            .header("sec-fetch-site", site);
        async move { request.send().await.unwrap() }
    };
    for site in ["none", "same-origin", "cross-site"] {
        for index in [0, 1] {
            let res = get(format!("/notifications/{refund}/actions/{index}"), site).await;
            assert_eq!(res.status(), 303, "{site}");
            assert_eq!(res.headers()["location"], "/notifications", "{site}");
        }
        // Opening the pointer (from a chat app: `none`, confirmed from
        // Herald's own page: `same-origin`) leads to the choice's address;
        // following that redirect chooses nothing either.
        let res = get(format!("/notifications/{pointer}/open"), site).await;
        if res.status() == 303 {
            let to = res.headers()["location"].to_str().unwrap().to_owned();
            assert_eq!(to, format!("/notifications/{refund}/actions/0"));
            let res = get(to, site).await;
            assert_eq!(res.headers()["location"], "/notifications", "{site}");
        }
    }
    let stored = app
        .state
        .store
        .notification(alice_id, refund)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.chosen_action, None, "the choice is still open");
    assert_eq!(stored.interacted_at, None);
    assert_eq!(stored.read_at, None);
    assert!(
        app.state
            .store
            .webhook_log(refund)
            .await
            .unwrap()
            .is_empty(),
        "nothing is POSTed"
    );
    // The choice is still there to make, by a POST from Herald's page.
    let refund_id = refund.to_string();
    let res = alice
        .post_form("/api/inbox/act", &[("id", &refund_id), ("index", "1")])
        .await;
    assert_eq!(res.status(), 200);
    let stored = app.state.store.notification(alice_id, refund).await;
    assert_eq!(stored.unwrap().unwrap().chosen_action, Some(1));
    assert_eq!(app.state.store.webhook_log(refund).await.unwrap().len(), 1);
}

/// A port that counts the connections made to it and answers none.
async fn counting_listener() -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let contacts = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&contacts);
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(stream);
        }
    });
    (port, contacts)
}

fn webhook_send(hook: &str) -> Value {
    json!({
        "recipients": [{ "external_id": "shopper" }],
        "title": "Refund requested",
        "actions": [{ "label": "Approve", "webhook": hook }],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_addresses_inside_the_network_are_refused_unless_allowed() {
    let app = TestApp::spawn_with(|config| {
        config.webhook_secret = Some(SECRET.to_owned());
        config.webhook_retry_ms = 60_000;
    })
    .await;
    let api = Api::new(&app).await;
    for hook in [
        "https://127.0.0.1/hooks/approve",
        "https://10.0.0.5/hooks/approve",
        "https://192.168.1.20/hooks/approve",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::ffff:127.0.0.1]/hooks/approve",
        "https://[::1]/hooks/approve",
        "http://shop.example/hooks/approve",
    ] {
        let res = api.post(&webhook_send(hook), None).await;
        assert_eq!(res.status(), 422, "{hook}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(
            problem["errors"][0]["field"], "actions[0].webhook",
            "{hook}"
        );
    }

    // A name that resolves inside is taken when sent (it may point
    // anywhere later), but never connected to.
    let (port, contacts) = counting_listener().await;
    let token = api.token("shopper", 300).await;
    let hook = format!("https://localhost:{port}/hooks/approve");
    let id = api.send_json(&webhook_send(&hook)).await;
    click(&app, &token, id, 0).await;
    eventually("the attempt is recorded as unanswered", async || {
        app.state.store.webhook_log(id).await.unwrap() == [(1, Some(0), false)]
    })
    .await;
    assert_eq!(contacts.load(std::sync::atomic::Ordering::SeqCst), 0);

    // Allowed by name, the same name is delivered to (over plain http too).
    let allowed = TestApp::spawn_with(|config| {
        config.webhook_secret = Some(SECRET.to_owned());
        config.webhook_allow = vec!["localhost".to_owned()];
    })
    .await;
    let api = Api::new(&allowed).await;
    let (hook, mut calls) = receiver(0).await;
    let hook = hook.replace("127.0.0.1", "localhost");
    let token = api.token("shopper", 300).await;
    let id = api.send_json(&webhook_send(&hook)).await;
    click(&allowed, &token, id, 0).await;
    let (verified, body, _) = next_call(&mut calls).await;
    assert!(verified);
    assert_eq!(body["notification_id"], id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_never_answers_delays_nobody_elses_webhooks() {
    let app = TestApp::spawn_with(|config| {
        config.webhook_secret = Some(SECRET.to_owned());
        config.webhook_allow = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    })
    .await;
    let api = Api::new(&app).await;
    let token = api.token("shopper", 300).await;
    // Ten clicks for a receiver that takes connections and never answers
    // (each attempt waits out its ten-second timeout)...
    let (port, contacts) = counting_listener().await;
    let hole = format!("http://localhost:{port}/hooks/approve");
    for _ in 0..10 {
        let id = api.send_json(&webhook_send(&hole)).await;
        click(&app, &token, id, 0).await;
    }
    eventually("the black hole is being tried", async || {
        contacts.load(std::sync::atomic::Ordering::SeqCst) > 0
    })
    .await;
    // ...then one for a receiver that answers: it is called at once.
    let (hook, mut calls) = receiver(0).await;
    let id = api.send_json(&webhook_send(&hook)).await;
    click(&app, &token, id, 0).await;
    let call = tokio::time::timeout(WAIT, calls.recv())
        .await
        .expect("the answering receiver is called within its own timeout")
        .unwrap();
    assert_eq!(call.1["notification_id"], id);
    assert!(
        contacts.load(std::sync::atomic::Ordering::SeqCst) <= server::jobs::webhooks::PER_HOST,
        "at most {} attempts at once to one host",
        server::jobs::webhooks::PER_HOST
    );
}

/// Runs the documented verification snippet `script` (with `program`)
/// over one delivery: whether it calls the delivery genuine.
fn documented_check(program: &str, script: &str, delivery: &Value) -> bool {
    use std::io::Write;
    let path = format!("{}/../docs/webhooks/{script}", env!("CARGO_MANIFEST_DIR"));
    let mut child = std::process::Command::new(program)
        .arg(&path)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(delivery.to_string().as_bytes()).unwrap();
    drop(stdin);
    child.wait().unwrap().success()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_is_signed_whole_and_the_documented_checks_refuse_a_replay() {
    let (calls, mut received) = mpsc::unbounded_channel();
    let receiver = axum::Router::new().route(
        "/hooks/approve",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let calls = calls.clone();
            async move {
                let header = |name: &str| headers[name].to_str().unwrap().to_owned();
                let _ = calls.send((header("herald-signature"), header("herald-delivery"), body));
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hooks/approve", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    let app = with_webhooks().await;
    let api = Api::new(&app).await;
    let token = api.token("shopper", 300).await;
    let id = api.send_json(&webhook_send(&hook)).await;
    click(&app, &token, id, 0).await;
    let (signature, delivery, body) = tokio::time::timeout(WAIT, received.recv())
        .await
        .expect("the webhook is delivered")
        .unwrap();
    let payload: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        payload["delivery_id"].to_string(),
        delivery,
        "the id is in the signed body"
    );
    let t: i64 = signature[2..signature.find(',').unwrap()].parse().unwrap();

    let genuine =
        json!({ "secret": SECRET, "signature": signature, "delivery": delivery, "body": body });
    let other_id = (payload["delivery_id"].as_i64().unwrap() + 1).to_string();
    let mut new_id = genuine.clone();
    new_id["body"] = body
        .replace(
            &format!("\"delivery_id\":{delivery}"),
            &format!("\"delivery_id\":{other_id}"),
        )
        .into();
    new_id["delivery"] = other_id.clone().into();
    let mut new_header = genuine.clone();
    new_header["delivery"] = other_id.into();
    let mut later = genuine.clone();
    later["now"] = (t + 301).into();
    let mut wrong_key = genuine.clone();
    wrong_key["secret"] = "another secret of at least thirty-two bytes".into();
    for (program, script) in [("python3", "verify.py"), ("node", "verify.mjs")] {
        assert!(
            documented_check(program, script, &genuine),
            "{script}: genuine"
        );
        for (case, forged) in [
            ("a replayed body with another delivery id", &new_id),
            ("another delivery id in the header", &new_header),
            ("a replay after the window", &later),
            ("another key", &wrong_key),
        ] {
            assert!(
                !documented_check(program, script, forged),
                "{script}: {case}"
            );
        }
    }
}
