//! Logging in safely: guessing is throttled per username and per address,
//! every failure costs the same, and changing a password ends every other
//! session and its sockets.

use std::net::IpAddr;
use std::sync::Arc;

use reqwest::cookie::Jar;
use serde_json::Value;
use server::identity::throttle::{FREE_PER_ADDRESS, FREE_PER_USERNAME};

use crate::common::*;

async fn me(client: &Client) -> Value {
    client.post_form("/api/me", &[]).await.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_for_one_username_are_answered_429_with_retry_after() {
    let app = TestApp::spawn().await;
    let client = app.anonymous();
    for _ in 0..FREE_PER_USERNAME {
        assert_eq!(client.login("alice", "a wrong guess").await.status(), 401);
    }
    // Even the right password waits now: otherwise guessing just goes on.
    let res = client.login("ALICE", PASSWORD).await;
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        serde_json::json!({"RateLimited": wait})
    );
    assert_eq!(me(&client).await, Value::Null);
    assert_eq!(
        app.anonymous().login("bob", PASSWORD).await.status(),
        200,
        "others unaffected"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guesses_sent_at_once_get_no_more_tries_than_guesses_in_turn() {
    let app = TestApp::spawn().await;
    let guesses = (0..30).map(|_| {
        let client = app.anonymous();
        async move { client.login("bob", "a wrong guess").await.status().as_u16() }
    });
    let answers = futures::future::join_all(guesses).await;
    let judged = answers.iter().filter(|&&s| s == 401).count();
    let refused = answers.iter().filter(|&&s| s == 429).count();
    assert_eq!(judged + refused, 30, "{answers:?}");
    assert!(
        judged <= FREE_PER_USERNAME as usize,
        "{judged} guesses were judged: {answers:?}"
    );
    // Once the wait is over, the right password works.
    let client = app.anonymous();
    eventually("the right password is taken after the wait", async || {
        client.login("bob", PASSWORD).await.status() == 200
    })
    .await;
}

/// A client whose connections come from `ip` (any address in 127.0.0.0/8).
fn client_from(app: &TestApp, ip: &str) -> reqwest::Client {
    let _ = app;
    reqwest::Client::builder()
        .cookie_provider(Arc::new(Jar::default()))
        .local_address(ip.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

async fn login_from(app: &TestApp, http: &reqwest::Client, username: &str, password: &str) -> u16 {
    http.post(app.url("/api/login"))
        .header("accept", "application/json")
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_spraying_many_usernames_is_throttled_and_others_are_not() {
    let app = TestApp::spawn().await;
    let sprayer = client_from(&app, "127.0.0.7");
    for n in 0..FREE_PER_ADDRESS {
        assert_eq!(
            login_from(&app, &sprayer, &format!("user{n}"), "guess").await,
            401
        );
    }
    assert_eq!(login_from(&app, &sprayer, "alice", PASSWORD).await, 429);
    let neighbour = client_from(&app, "127.0.0.8");
    assert_eq!(login_from(&app, &neighbour, "alice", PASSWORD).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usernames_are_matched_in_any_case_and_external_users_cannot_log_in() {
    let app = TestApp::spawn().await;
    assert_eq!(app.anonymous().login("Alice", PASSWORD).await.status(), 200);
    app.state.store.external_user("42").await.unwrap().unwrap();
    let res = app.anonymous().login("ext:42", "!").await;
    assert_eq!(res.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_password_ends_every_other_session_and_its_sockets() {
    let app = TestApp::spawn().await;
    let here = app.login("alice").await;
    let elsewhere = app.login("alice").await;
    let mut my_socket = app.socket(&here).await;
    let mut other_socket = app.socket(&elsewhere).await;
    hello(&mut my_socket).await;
    hello(&mut other_socket).await;

    let change = |current: &'static str, new: &'static str, again: &'static str| {
        let here = &here;
        async move {
            here.post_form(
                "/api/account/password",
                &[
                    ("current_password", current),
                    ("new_password", new),
                    ("confirm_password", again),
                ],
            )
            .await
        }
    };
    let new = "a brand new passphrase";
    for (current, new_pw, again, field) in [
        ("not my password", new, new, "current_password"),
        (PASSWORD, "too short", "too short", "new_password"),
        (PASSWORD, new, "something else", "confirm_password"),
    ] {
        let res = change(current, new_pw, again).await;
        assert_eq!(res.status(), 422, "{field}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["Invalid"][0]["field"], field);
    }
    let long = "x".repeat(257);
    let long: &'static str = Box::leak(long.into_boxed_str());
    assert_eq!(change(PASSWORD, long, long).await.status(), 422);
    assert_eq!(change(PASSWORD, new, new).await.status(), 200);

    assert_eq!(
        me(&here).await["user"]["username"],
        "alice",
        "this session stays"
    );
    assert_eq!(me(&elsewhere).await, Value::Null, "every other one ends");
    assert_eq!(
        close_code(&mut other_socket).await,
        herald::wire::close::SIGNED_OUT
    );
    app.notify("alice", "Still here", "").await;
    assert_eq!(next_created(&mut my_socket).await.0, "Still here");

    assert_eq!(app.anonymous().login("alice", PASSWORD).await.status(), 401);
    assert_eq!(app.anonymous().login("alice", new).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_page_is_for_logged_in_users() {
    let app = TestApp::spawn().await;
    let res = app.anonymous().page("/account").await;
    assert_eq!(res.headers()["location"], "/login");
    let page = app
        .login("bob")
        .await
        .page("/account")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Change your password"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_expire_after_inactivity_and_each_use_extends_them() {
    let app = TestApp::spawn_with(|c| c.session_idle_secs = 2).await;
    let client = app.login("alice").await;
    // Used every 0.7 s for 3.5 s, longer than the 2 s idle timeout: still in.
    for _ in 0..5 {
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        assert_eq!(me(&client).await["user"]["username"], "alice");
    }
    // Left alone past the timeout: gone.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(me(&client).await, Value::Null);
}
