//! Preferences: a muted category is stored and listed but never counted;
//! an admin's required category cannot be muted; the API reads and sets a
//! user's preferences (by external id with a key, or their own with a
//! token); Herald's settings page sets them for its own users.

use herald::ServerMessage;
use serde_json::{Value, json};

use crate::common::*;

/// `PUT /api/v1/users/{external}/preferences` with `body`.
async fn put(api: &Api<'_>, external: &str, body: &Value) -> reqwest::Response {
    api.http
        .put(
            api.app
                .url(&format!("/api/v1/users/{external}/preferences")),
        )
        .bearer_auth(&api.key)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn get(api: &Api<'_>, external: &str) -> reqwest::Response {
    api.http
        .get(
            api.app
                .url(&format!("/api/v1/users/{external}/preferences")),
        )
        .bearer_auth(&api.key)
        .send()
        .await
        .unwrap()
}

/// Sends `title` in `category` to `external`.
async fn send(api: &Api<'_>, external: &str, title: &str, category: &str) -> i64 {
    api.send_json(&json!({
        "recipients": [{ "external_id": external }], "title": title, "category": category,
    }))
    .await
}

/// The next `Created`: whether it arrived muted, and the count it carries.
async fn next_arrival(socket: &mut Socket) -> (String, bool, i64) {
    match next_event(socket).await {
        ServerMessage::Created {
            notification,
            unread,
        } => (notification.title, notification.muted, unread),
        other => panic!("expected Created, got {other:?}"),
    }
}

async fn my_unread(app: &TestApp, token: &str) -> i64 {
    let res = app
        .me(reqwest::Method::GET, "/unread", token)
        .send()
        .await
        .unwrap();
    res.json::<Value>().await.unwrap()["unread"]
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_muted_category_is_stored_and_listed_but_never_counted() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let token = api.token("shopper", 300).await;
    let mut socket = app.token_socket(&token).await.unwrap();
    hello(&mut socket).await;

    let res = put(
        &api,
        "shopper",
        &json!({"categories": {"mention": {"bell": false}}}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let shown: Value = res.json().await.unwrap();
    assert_eq!(shown["categories"]["mention"]["bell"], false);
    assert_eq!(
        shown["categories"]["mention"]["desktop"], true,
        "left as it was"
    );
    assert_eq!(shown["categories"]["info"]["bell"], true);

    let mention = send(&api, "shopper", "You were mentioned", "mention").await;
    assert_eq!(
        next_arrival(&mut socket).await,
        ("You were mentioned".into(), true, 0)
    );
    send(&api, "shopper", "Order shipped", "info").await;
    assert_eq!(
        next_arrival(&mut socket).await,
        ("Order shipped".into(), false, 1)
    );
    // A broadcast (written out in the background) follows the same rule.
    let res = api
        .post(
            &json!({"broadcast": true, "title": "Team mention", "category": "mention"}),
            None,
        )
        .await;
    assert_eq!(res.status(), 202);
    assert_eq!(
        next_arrival(&mut socket).await,
        ("Team mention".into(), true, 1)
    );

    // Never lost: listed, in the unread view too, marked muted.
    assert_eq!(
        app.my_titles(&token, "unread").await,
        ["Team mention", "Order shipped", "You were mentioned"]
    );
    let page: Value = app
        .me(reqwest::Method::GET, "/notifications", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["notifications"][2]["muted"], true);
    assert_eq!(page["notifications"][1]["muted"], false);
    assert_eq!(my_unread(&app, &token).await, 1);

    // Reading, unreading and archiving a muted one never moves the count.
    for action in ["read", "unread", "archive", "unarchive"] {
        let res = app
            .me(
                reqwest::Method::POST,
                &format!("/notifications/{mention}/{action}"),
                &token,
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204, "{action}");
        match next_event(&mut socket).await {
            ServerMessage::Updated { unread, .. } => assert_eq!(unread, 1, "{action}"),
            other => panic!("expected Updated, got {other:?}"),
        }
    }
    let res = app
        .me(reqwest::Method::POST, "/notifications/read-all", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(matches!(
        next_event(&mut socket).await,
        ServerMessage::AllRead { unread: 0, .. }
    ));

    // Unmuting counts what comes next; what arrived muted stays so.
    let res = put(
        &api,
        "shopper",
        &json!({"categories": {"mention": {"bell": true}}}),
    )
    .await;
    assert_eq!(res.status(), 200);
    send(&api, "shopper", "Mentioned again", "mention").await;
    assert_eq!(
        next_arrival(&mut socket).await,
        ("Mentioned again".into(), false, 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_category_cannot_be_muted_and_overrides_an_earlier_mute() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let admin = app.login("admin").await;
    let token = api.token("shopper", 300).await;
    let mut socket = app.token_socket(&token).await.unwrap();
    hello(&mut socket).await;
    let res = put(
        &api,
        "shopper",
        &json!({"categories": {"warning": {"bell": false}}}),
    )
    .await;
    assert_eq!(res.status(), 200);

    let res = admin
        .post_form(
            "/api/admin/categories/required",
            &[("category", "warning"), ("required", "true")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let shown: Value = get(&api, "shopper").await.json().await.unwrap();
    assert_eq!(shown["categories"]["warning"]["required"], true);

    let res = put(
        &api,
        "shopper",
        &json!({"categories": {"warning": {"bell": false}}}),
    )
    .await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "categories.warning.bell");
    // Other choices of a required category are still the user's.
    let res = put(
        &api,
        "shopper",
        &json!({"categories": {"warning": {"push": false}}}),
    )
    .await;
    assert_eq!(res.status(), 200);

    send(&api, "shopper", "Password changed", "warning").await;
    assert_eq!(
        next_arrival(&mut socket).await,
        ("Password changed".into(), false, 1),
        "required overrides the mute set before"
    );

    // A member cannot change which categories are required.
    let alice = app.login("alice").await;
    let res = alice
        .post_form(
            "/api/admin/categories/required",
            &[("category", "warning"), ("required", "false")],
        )
        .await;
    assert_eq!(res.status(), 403);

    let res = admin
        .post_form(
            "/api/admin/categories/required",
            &[("category", "warning"), ("required", "false")],
        )
        .await;
    assert_eq!(res.status(), 200);
    send(&api, "shopper", "Disk almost full", "warning").await;
    assert_eq!(
        next_arrival(&mut socket).await,
        ("Disk almost full".into(), true, 1),
        "optional again: the user's mute applies"
    );
    let audit = app
        .state
        .store
        .audit_log("category", None, 10)
        .await
        .unwrap();
    assert_eq!(audit.len(), 2, "made required, then optional: {audit:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preferences_are_validated_and_each_users_own() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;

    let res = put(
        &api,
        "shopper",
        &json!({"categories": {"nonsense": {"bell": false}}}),
    )
    .await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "categories.nonsense");
    let res = put(
        &api,
        "shopper",
        &json!({"categories": {"info": {"bell": "no"}}}),
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = put(
        &api,
        "shopper",
        &json!({"categories": {"info": {"sound": true}}}),
    )
    .await;
    assert_eq!(res.status(), 422, "unknown fields are refused, not ignored");
    let res = api
        .http
        .put(app.url("/api/v1/users/shopper/preferences"))
        .bearer_auth(&api.key)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = api
        .http
        .put(app.url("/api/v1/users/shopper/preferences"))
        .bearer_auth(&api.key)
        .body(r#"{"categories":{}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    let res = reqwest::Client::new()
        .get(app.url("/api/v1/users/shopper/preferences"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(get(&api, "nobody-yet").await.status(), 404);

    // A refused change for somebody unknown so far does not make them.
    let res = put(
        &api,
        "nobody-yet",
        &json!({"categories": {"nonsense": {"bell": false}}}),
    )
    .await;
    assert_eq!(res.status(), 422);
    assert_eq!(get(&api, "nobody-yet").await.status(), 404);

    // A refused change stores nothing of itself.
    let res = put(&api, "shopper", &json!({"categories": {}})).await;
    assert_eq!(res.status(), 200, "an empty change makes the user");
    let res = put(
        &api,
        "shopper",
        &json!({"categories": {"info": {"bell": false}, "nonsense": {}}}),
    )
    .await;
    assert_eq!(res.status(), 422);
    let shown: Value = get(&api, "shopper").await.json().await.unwrap();
    assert_eq!(shown["categories"]["info"]["bell"], true);

    // A token reads and sets its own user's preferences, and nobody else's.
    let mine = api.token("shopper", 300).await;
    let res = app
        .me(reqwest::Method::PUT, "/preferences", &mine)
        .json(&json!({"categories": {"success": {"bell": false, "desktop": false}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let theirs = api.token("someone-else", 300).await;
    let shown: Value = app
        .me(reqwest::Method::GET, "/preferences", &theirs)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["categories"]["success"]["bell"], true);
    let shown: Value = get(&api, "shopper").await.json().await.unwrap();
    assert_eq!(shown["categories"]["success"]["bell"], false);
    assert_eq!(shown["categories"]["success"]["desktop"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_settings_page_mutes_a_category_for_the_signed_in_user() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    let admin = app.login("admin").await;
    // A plain form: the unticked "in the bell" box is simply absent.
    let res = alice
        .post_form(
            "/api/settings/preference",
            &[("category", "info"), ("desktop", "true"), ("push", "true")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let html = alice.page("/settings").await.text().await.unwrap();
    assert!(html.contains(r#"aria-label="Info in the bell""#), "{html}");
    let info_row = html
        .split(r#"data-category="info""#)
        .nth(1)
        .and_then(|rest| rest.split("</form>").next())
        .unwrap();
    assert!(
        !info_row.contains(r#"name="bell" value="true" checked"#),
        "{info_row}"
    );

    let alice_id = app.user_id("alice").await.to_string();
    let bob_id = app.user_id("bob").await.to_string();
    assert_eq!(admin.send(&alice_id, "Muted news").await.status(), 200);
    assert_eq!(app.unread("alice").await, 0, "muted: not counted");
    let listed = alice
        .post_form("/api/inbox/page", &[("view", "unread"), ("limit", "10")])
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(listed[0]["title"], "Muted news");
    assert_eq!(listed[0]["muted"], true);
    assert_eq!(app.unread("bob").await, 0);
    assert_eq!(admin.send(&bob_id, "Bob's news").await.status(), 200);
    assert_eq!(app.unread("bob").await, 1, "alice's choice is hers only");

    let anonymous = app.anonymous();
    let res = anonymous
        .post_form("/api/settings/preference", &[("category", "info")])
        .await;
    assert_eq!(res.status(), 401);
}
