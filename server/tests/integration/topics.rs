//! Topics: an application subscribes its users and sends to the topic; the
//! send answers at once and fans out durably to whoever is subscribed,
//! each once, without the excluded actor; a user can leave on Settings.

use serde_json::{Value, json};
use server::store::Store;

use crate::common::*;

/// One number the test asks the database for, over its own connection.
async fn count(db: &Db, sql: &str) -> i64 {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
}

async fn subscribers(
    api: &Api<'_>,
    topic: &str,
    method: reqwest::Method,
    body: Value,
) -> reqwest::Response {
    api.http
        .request(
            method,
            api.app.url(&format!("/api/v1/topics/{topic}/subscribers")),
        )
        .bearer_auth(&api.key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Waits until send `id` is written out; its recipients.
async fn written_out(store: &Store, id: i64) -> i64 {
    let mut recipients = 0;
    eventually("the topic send written out", async || {
        let rows = store.sends(None, None, 20).await.unwrap();
        let row = rows.iter().find(|s| s.id == id).unwrap();
        recipients = row.recipients;
        row.fanning_out == 0
    })
    .await;
    recipients
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_are_added_once_paged_in_order_and_removed() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let put = reqwest::Method::PUT;
    let res = subscribers(
        &api,
        "project:42",
        put.clone(),
        json!({"external_ids": ["a", "b", "c"]}),
    )
    .await;
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"changed": 3}));
    let res = subscribers(
        &api,
        "project:42",
        put.clone(),
        json!({"external_ids": ["a", "d"]}),
    )
    .await;
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"changed": 1}),
        "a stays subscribed once"
    );

    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let page: Value = api
            .http
            .get(app.url(&format!(
                "/api/v1/topics/project:42/subscribers?limit=2{after}"
            )))
            .bearer_auth(&api.key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let items = page["subscribers"].as_array().unwrap();
        seen.extend(
            items
                .iter()
                .map(|s| s["external_id"].as_str().unwrap().to_owned()),
        );
        match page["next_after"].as_i64() {
            Some(next) => after = format!("&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen, ["a", "b", "c", "d"]);

    let res = subscribers(
        &api,
        "project:42",
        reqwest::Method::DELETE,
        json!({"external_ids": ["b", "nobody"]}),
    )
    .await;
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"changed": 1}));
    assert_eq!(
        count(&app.db, "SELECT COUNT(user_id) FROM topic_subscriptions").await,
        3
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(id) FROM users WHERE external_id = 'nobody'"
        )
        .await,
        0,
        "unsubscribing creates nobody"
    );

    for (topic, body, field) in [
        ("no%20spaces", json!({"external_ids": ["a"]}), "key"),
        ("project:42", json!({"external_ids": []}), "external_ids"),
    ] {
        let res = subscribers(&api, topic, put.clone(), body).await;
        assert_eq!(res.status(), 422);
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topic_send_reaches_each_subscriber_once_with_named_users_and_without_the_excluded() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let (alice, bob) = (app.user_id("alice").await, app.user_id("bob").await);
    let mut socket = app.socket(&app.login("alice").await).await;
    hello(&mut socket).await;
    subscribers(
        &api,
        "post:1:comments",
        reqwest::Method::PUT,
        json!({"user_ids": [alice, bob], "external_ids": ["carol"]}),
    )
    .await;

    let res = api
        .post(
            &json!({
                "recipients": [{"topic": "post:1:comments"}, {"user_id": alice}, {"external_id": "dave"}],
                "exclude": [{"external_id": "carol"}],
                "title": "Carol commented on your post",
                "actor": "Carol",
            }),
            None,
        )
        .await;
    assert_eq!(res.status(), 202);
    let accepted: Value = res.json().await.unwrap();
    assert_eq!(
        accepted["recipients"], 3,
        "alice once, bob, dave; not carol"
    );
    assert_eq!(
        next_created(&mut socket).await.0,
        "Carol commented on your post"
    );
    let send = accepted["send_id"].as_i64().unwrap();
    assert_eq!(written_out(&app.state.store, send).await, 3);
    let carol = app
        .state
        .store
        .user_by_external_id("carol")
        .await
        .unwrap()
        .unwrap()
        .id;
    let of_send = |what: &str| format!("SELECT {what} FROM notifications WHERE send_id = {send}");
    assert_eq!(
        count(&app.db, &of_send("COUNT(id)")).await,
        3,
        "one copy each"
    );
    assert_eq!(count(&app.db, &of_send("COUNT(DISTINCT user_id)")).await, 3);
    let carols = of_send("COUNT(id)") + &format!(" AND user_id = {carol}");
    assert_eq!(
        count(&app.db, &carols).await,
        0,
        "the excluded actor is not told"
    );
    let row = &app.state.store.sends(None, None, 1).await.unwrap()[0];
    assert_eq!(row.audience, "Topic post:1:comments");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_who_leaves_a_topic_on_settings_gets_nothing_sent_to_it_after() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let (alice, bob) = (app.user_id("alice").await, app.user_id("bob").await);
    subscribers(
        &api,
        "team:eu",
        reqwest::Method::PUT,
        json!({"user_ids": [alice, bob]}),
    )
    .await;
    let alice_client = app.login("alice").await;
    let listed: Value = alice_client
        .post_form("/api/settings/topics", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["topic"], "team:eu");
    let left = alice_client
        .post_form("/api/settings/topics/leave", &[("topic", "team:eu")])
        .await;
    assert_eq!(left.status(), 200);
    let listed: Value = alice_client
        .post_form("/api/settings/topics", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed, json!([]));

    let mut bob_socket = app.socket(&app.login("bob").await).await;
    hello(&mut bob_socket).await;
    let res = api
        .post(
            &json!({"recipients": [{"topic": "team:eu"}], "title": "Deploy frozen"}),
            None,
        )
        .await;
    assert_eq!(res.status(), 202);
    let send = res.json::<Value>().await.unwrap()["send_id"]
        .as_i64()
        .unwrap();
    assert_eq!(next_created(&mut bob_socket).await.0, "Deploy frozen");
    assert_eq!(written_out(&app.state.store, send).await, 1, "bob only");
    assert_eq!(app.unread("alice").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_subscribers_each_get_one_copy_through_a_crash_mid_fan_out() {
    const SUBSCRIBED: i64 = 10_000;
    const OTHERS: i64 = 500;
    let db = Db::fresh().await;
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    store
        .execute_script(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {total}) \
             INSERT INTO users (username, password_hash, role, created_at, external_id) \
             SELECT 'ext:fan:' || i, '!', 'member', 0, 'fan-' || i FROM n; \
             INSERT INTO topic_subscriptions (topic, user_id, created_at) \
             SELECT 'band:1', id, 0 FROM users WHERE id % 21 <> 0 ORDER BY id LIMIT {SUBSCRIBED}",
            total = SUBSCRIBED + OTHERS
        ))
        .await
        .unwrap();
    let body = json!({"recipients": [{"topic": "band:1"}], "title": "New tour dates"});
    let send = crate::fanout::through_a_crash(&db, &store, body, SUBSCRIBED).await;
    let copies = format!("SELECT COUNT(id) FROM notifications WHERE send_id = {send}");
    assert_eq!(count(&db, &copies).await, SUBSCRIBED);
    let holders =
        format!("SELECT COUNT(DISTINCT user_id) FROM notifications WHERE send_id = {send}");
    assert_eq!(count(&db, &holders).await, SUBSCRIBED, "nobody twice");
    let outsiders = format!(
        "SELECT COUNT(n.id) FROM notifications n WHERE n.send_id = {send} AND n.user_id NOT IN \
         (SELECT user_id FROM topic_subscriptions WHERE topic = 'band:1')"
    );
    assert_eq!(count(&db, &outsiders).await, 0, "only subscribers");
    assert_eq!(
        store.sends(None, None, 1).await.unwrap()[0].recipients,
        SUBSCRIBED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sends_to_a_topics_subscribers_from_the_console() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let bob = app.user_id("bob").await;
    subscribers(
        &api,
        "ops:oncall",
        reqwest::Method::PUT,
        json!({"user_ids": [bob]}),
    )
    .await;
    let mut socket = app.socket(&app.login("bob").await).await;
    hello(&mut socket).await;
    let admin = app.login("admin").await;
    let form = [
        ("recipient", "topic"),
        ("topic", "ops:oncall"),
        ("title", "Pager rotation changed"),
    ];
    let res = admin.post_form("/api/admin/send", &form).await;
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(
        (report["recipients"].as_i64(), report["queued"].as_bool()),
        (Some(1), Some(true))
    );
    assert_eq!(next_created(&mut socket).await.0, "Pager rotation changed");
    assert_eq!(app.unread("alice").await, 0, "not subscribed");

    let bad = [
        ("recipient", "topic"),
        ("topic", "two words"),
        ("title", "x"),
    ];
    let res = admin.post_form("/api/admin/send", &bad).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("topic"));
}
