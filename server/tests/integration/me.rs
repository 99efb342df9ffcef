//! `/api/v1/me`: a user's own notifications with their connection token,
//! as a bell on the integrator's site uses them.

use herald::ServerMessage;
use serde_json::Value;

use crate::common::*;

const SHOP: &str = "https://shop.example";

async fn unread(app: &TestApp, token: &str) -> i64 {
    let res = app
        .me(reqwest::Method::GET, "/unread", token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["unread"]
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_lists_and_changes_its_own_users_notifications_live() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let token = api.token("shopper", 300).await;
    let mut socket = app.token_socket(&token).await.unwrap();
    hello(&mut socket).await;
    let first = api.send_to("shopper", "Order shipped").await;
    api.send_to("shopper", "Order delivered").await;
    next_created(&mut socket).await;
    next_created(&mut socket).await;

    assert_eq!(
        app.my_titles(&token, "all").await,
        ["Order delivered", "Order shipped"]
    );
    assert_eq!(unread(&app, &token).await, 2);

    let read = app
        .me(
            reqwest::Method::POST,
            &format!("/notifications/{first}/read"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 204);
    match next_event(&mut socket).await {
        ServerMessage::Updated {
            notification,
            unread,
        } => {
            assert_eq!(notification.id, first);
            assert!(notification.read_at.is_some());
            assert_eq!(unread, 1);
        }
        other => panic!("expected Updated, got {other:?}"),
    }
    assert_eq!(app.my_titles(&token, "unread").await, ["Order delivered"]);

    let archive = app
        .me(
            reqwest::Method::POST,
            &format!("/notifications/{first}/archive"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(archive.status(), 204);
    assert!(matches!(
        next_event(&mut socket).await,
        ServerMessage::Updated { .. }
    ));
    assert_eq!(app.my_titles(&token, "all").await, ["Order delivered"]);
    assert_eq!(app.my_titles(&token, "archived").await, ["Order shipped"]);

    let all = app
        .me(reqwest::Method::POST, "/notifications/read-all", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(all.status(), 204);
    assert!(matches!(
        next_event(&mut socket).await,
        ServerMessage::AllRead { unread: 0, .. }
    ));
    assert_eq!(unread(&app, &token).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_never_reaches_another_users_notifications() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let mine = api.token("shopper", 300).await;
    let theirs = api.send_to("someone-else", "Their secret").await;
    api.send_to("shopper", "Mine").await;

    assert_eq!(app.my_titles(&mine, "all").await, ["Mine"]);
    for action in ["read", "unread", "archive", "unarchive"] {
        let res = app
            .me(
                reqwest::Method::POST,
                &format!("/notifications/{theirs}/{action}"),
                &mine,
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{action}");
    }
    let someone = api.token("someone-else", 300).await;
    assert_eq!(unread(&app, &someone).await, 1);
    let mark_all = app
        .me(reqwest::Method::POST, "/notifications/read-all", &mine)
        .send()
        .await
        .unwrap();
    assert_eq!(mark_all.status(), 204);
    assert_eq!(
        unread(&app, &someone).await,
        1,
        "read-all is the token's user's only"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_expired_or_revoked_token_and_an_api_key_are_refused() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let token = api.token("shopper", 300).await;
    let expect_401 = |res: reqwest::Response| async move {
        assert_eq!(res.status(), 401);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let body: Value = res.json().await.unwrap();
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("connection token")
        );
    };
    let unread_with = |credential: &str| app.me(reqwest::Method::GET, "/unread", credential).send();

    // Forged: another signature on the same claims.
    let (claims, _) = token.split_once('.').unwrap();
    expect_401(unread_with(&format!("{claims}.AAAA")).await.unwrap()).await;
    expect_401(unread_with(&api.key).await.unwrap()).await;
    expect_401(
        reqwest::Client::new()
            .get(app.url("/api/v1/me/unread"))
            .send()
            .await
            .unwrap(),
    )
    .await;

    let short = api.token("shopper", 1).await;
    assert_eq!(unread_with(&short).await.unwrap().status(), 200);
    eventually("the short token to expire", async || {
        unread_with(&short).await.unwrap().status() == 401
    })
    .await;

    let keys = app.state.store.api_keys().await.unwrap();
    let key = keys
        .iter()
        .find(|k| api.key.starts_with(&k.prefix))
        .unwrap();
    app.state
        .store
        .revoke_api_key(key.id, "test")
        .await
        .unwrap();
    expect_401(unread_with(&token).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_may_call_it_from_the_allowed_origins_only() {
    let app = TestApp::spawn_with(|c| c.allowed_origins = vec![SHOP.into()]).await;
    let api = Api::new(&app).await;
    let token = api.token("shopper", 300).await;
    let preflight = |origin: &'static str| {
        reqwest::Client::new()
            .request(
                reqwest::Method::OPTIONS,
                app.url("/api/v1/me/notifications/1/read"),
            )
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization")
            .send()
    };

    let allowed = preflight(SHOP).await.unwrap();
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(allowed.headers()["access-control-allow-origin"], SHOP);
    let methods = allowed.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap();
    assert!(methods.contains("POST"), "{methods}");
    let headers = allowed.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap();
    assert!(headers.contains("authorization"), "{headers}");

    let refused = preflight("https://evil.example").await.unwrap();
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    let get = |origin: &'static str| {
        app.me(reqwest::Method::GET, "/unread", &token)
            .header("origin", origin)
            .send()
    };
    let res = get(SHOP).await.unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], SHOP);
    let res = get("https://evil.example").await.unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_allowed_origins_no_other_site_may_call_it() {
    let app = TestApp::spawn().await;
    let res = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/me/unread"))
        .header("origin", SHOP)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}
