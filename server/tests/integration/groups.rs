//! Grouping: sends with one `group_key` show to each recipient as one row
//! while it is unread, counted once, read, archived and snoozed as one, live
//! in every tab; once read, the next send of the key starts a new row. The
//! stored count is checked against a recount of rows after every step.

use herald::{Notification, ServerMessage};
use serde_json::{Value, json};

use crate::common::*;

/// The user's stored count and a recount of the rows that count (each
/// group once, every other copy on its own), over a connection of its own.
async fn stored_and_recounted(db: &Db, external_id: &str) -> (i64, i64) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    sqlx::query_as(
        "SELECT u.unread, (SELECT COUNT(DISTINCT CASE WHEN n.group_seq IS NULL THEN -n.id \
                                             ELSE n.group_seq END) \
                           FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL \
                           AND n.archived_at IS NULL AND n.retracted_at IS NULL \
                           AND n.snoozed_until IS NULL AND n.muted = 0) \
         FROM users u WHERE u.external_id = $1",
    )
    .bind(external_id)
    .fetch_one(&mut conn)
    .await
    .unwrap()
}

/// Herald's id for the user the application calls `external_id`.
async fn user_of(app: &TestApp, external_id: &str) -> herald::UserId {
    let user = app.state.store.user_by_external_id(external_id).await;
    user.unwrap().expect("a user by that external id").id
}

/// Asserts the stored count is `expected` and agrees with a recount.
async fn assert_count(app: &TestApp, external_id: &str, expected: i64) {
    let (stored, recounted) = stored_and_recounted(&app.db, external_id).await;
    assert_eq!(
        (stored, recounted),
        (expected, expected),
        "stored, recounted"
    );
}

/// The next `Created` on `socket`: the notification and the count with it.
async fn created(socket: &mut Socket) -> (Notification, i64) {
    match next_event(socket).await {
        ServerMessage::Created {
            notification,
            unread,
        } => (notification, unread),
        other => panic!("expected Created, got {other:?}"),
    }
}

/// The next `n` `Updated` on `socket`, in order, with their counts.
async fn updated(socket: &mut Socket, n: usize) -> Vec<(Notification, i64)> {
    let mut changes = Vec::new();
    while changes.len() < n {
        match next_event(socket).await {
            ServerMessage::Updated {
                notification,
                unread,
            } => changes.push((notification, unread)),
            other => panic!("expected Updated, got {other:?}"),
        }
    }
    changes
}

fn comment(by: &str, key: &str) -> Value {
    json!({
        "recipients": [{ "external_id": "author" }],
        "title": format!("{by} commented on your post"),
        "actor": by,
        "group_key": key,
    })
}

async fn post(app: &TestApp, path: &str, token: &str) -> u16 {
    let res = app
        .me(
            reqwest::Method::POST,
            &format!("/notifications{path}"),
            token,
        )
        .send()
        .await
        .unwrap();
    res.status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_sends_of_one_key_are_one_row_in_every_tab_read_as_one_and_the_next_starts_anew() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let token = api.token("author", 300).await;
    let mut tabs = [
        app.token_socket(&token).await.unwrap(),
        app.token_socket(&token).await.unwrap(),
    ];
    for tab in &mut tabs {
        assert_eq!(hello(tab).await, 0);
    }

    // Five at once (they may share a batch) and an ungrouped one.
    let sends = ["Ana", "Bo", "Cy", "Di", "Ed"].map(|by| comment(by, "post:42:comments"));
    let answers = futures::future::join_all(sends.iter().map(|body| api.post(body, None))).await;
    assert!(answers.iter().all(|r| r.status() == 201));
    for tab in &mut tabs {
        let mut rows = Vec::new();
        for _ in 0..5 {
            let (n, unread) = created(tab).await;
            assert_eq!(unread, 1, "every copy of the row keeps the count at one");
            assert_eq!(n.group_key.as_deref(), Some("post:42:comments"));
            rows.push(n.group.expect("a row"));
        }
        rows.dedup();
        assert_eq!(rows.len(), 1, "one row: {rows:?}");
    }
    assert_count(&app, "author", 1).await;
    api.send_to("author", "Your export is ready").await;
    for tab in &mut tabs {
        assert_eq!(created(tab).await.1, 2);
    }
    assert_count(&app, "author", 2).await;

    // Reading one of the row reads the row: five changes, the count down by one.
    let page = app.my_page(&token, "unread").await;
    let grouped: Vec<&Value> = page["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| !n["group"].is_null())
        .collect();
    assert_eq!(grouped.len(), 5);
    let newest = grouped[0]["id"].as_i64().unwrap();
    assert_eq!(post(&app, &format!("/{newest}/read"), &token).await, 204);
    for tab in &mut tabs {
        let changes = updated(tab, 5).await;
        let counts: Vec<i64> = changes.iter().map(|(_, unread)| *unread).collect();
        assert_eq!(counts, [2, 2, 2, 2, 1], "the row leaves the count once");
        assert!(changes.iter().all(|(n, _)| n.read_at.is_some()));
        assert_eq!(changes[4].0.id, newest, "the one asked for last");
    }
    assert_count(&app, "author", 1).await;
    assert_eq!(
        app.my_titles(&token, "unread").await,
        ["Your export is ready"]
    );

    // A sixth after reading starts a new unread row.
    let first_row = grouped[0]["group"].as_i64().unwrap();
    api.post(&comment("Fy", "post:42:comments"), None).await;
    for tab in &mut tabs {
        let (n, unread) = created(tab).await;
        assert_eq!(unread, 2);
        assert_ne!(n.group, Some(first_row), "a new row");
        assert_eq!(n.group, Some(n.seq), "started by itself");
    }
    assert_count(&app, "author", 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_snoozes_and_wakes_as_one_and_loses_a_copy_without_losing_its_count() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let token = api.token("author", 300).await;
    let mut socket = app.token_socket(&token).await.unwrap();
    hello(&mut socket).await;
    let mut ids = Vec::new();
    for by in ["Ana", "Bo", "Cy"] {
        let res = api.post(&comment(by, "post:7"), None).await;
        let body: Value = res.json().await.unwrap();
        ids.push(body["notifications"][0]["id"].as_i64().unwrap());
        created(&mut socket).await;
    }
    assert_count(&app, "author", 1).await;

    // Withdrawing one copy leaves the row counted; so does withdrawing the
    // whole send of another.
    let retract = api
        .http
        .delete(app.url(&format!("/api/v1/notifications/{}", ids[0])))
        .bearer_auth(&api.key)
        .send()
        .await
        .unwrap();
    assert_eq!(retract.status(), 204);
    assert_eq!(updated(&mut socket, 1).await[0].1, 1);
    assert_count(&app, "author", 1).await;

    // Snoozed as a row, woken as a row: out of the count once, back once.
    let until = server::store::now_ms() + 800;
    assert_eq!(
        post(&app, &format!("/{}/snooze?until={until}", ids[2]), &token).await,
        204
    );
    let snoozed = updated(&mut socket, 2).await;
    assert_eq!(snoozed.iter().map(|c| c.1).collect::<Vec<_>>(), [1, 0]);
    assert_count(&app, "author", 0).await;
    let woken = updated(&mut socket, 2).await;
    assert!(woken.iter().all(|(n, _)| n.snoozed_until.is_none()));
    assert_eq!(woken.iter().map(|c| c.1).collect::<Vec<_>>(), [1, 1]);
    assert_eq!(woken[0].0.group, woken[1].0.group, "still one row");
    assert_count(&app, "author", 1).await;

    // "Mark all read" up to what was seen: a copy of the row arriving after
    // keeps the row counted (as one).
    api.post(&comment("Di", "post:7"), None).await;
    let (late, unread) = created(&mut socket).await;
    assert_eq!(unread, 1, "joined the counted row");
    let user = user_of(&app, "author").await;
    let all = app
        .state
        .notifier
        .mark_all_read(user, late.seq - 1)
        .await
        .unwrap();
    assert_eq!(all.unread, 1, "the row still has an unread copy");
    assert_count(&app, "author", 1).await;

    // Archiving the row empties the count.
    assert_eq!(
        post(&app, &format!("/{}/archive", late.id), &token).await,
        204
    );
    assert_count(&app, "author", 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grouped_topic_send_joins_each_subscribers_row_once() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let res = api
        .http
        .put(app.url("/api/v1/topics/post:9/subscribers"))
        .bearer_auth(&api.key)
        .json(&json!({ "external_ids": ["author", "reader"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // A named send starts each row; the topic's fan-out joins them.
    for who in ["author", "reader"] {
        let mut body = comment("Ana", "post:9");
        body["recipients"] = json!([{ "external_id": who }]);
        assert_eq!(api.post(&body, None).await.status(), 201);
    }
    let mut body = comment("Bo", "post:9");
    body["recipients"] = json!([{ "topic": "post:9" }]);
    assert_eq!(api.post(&body, None).await.status(), 202);
    eventually("the topic send written out", async || {
        stored_and_recounted(&app.db, "reader").await == (1, 1)
            && app
                .my_titles(&api.token("reader", 60).await, "unread")
                .await
                .len()
                == 2
    })
    .await;
    for who in ["author", "reader"] {
        assert_count(&app, who, 1).await;
        let page = app.my_page(&api.token(who, 60).await, "unread").await;
        let rows: Vec<i64> = page["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["group"].as_i64().unwrap())
            .collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0], rows[1], "{who}: one row");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_group_key_is_refused_by_name() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let res = api.post(&comment("Ana", "no spaces please"), None).await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "group_key", "{problem}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_is_one_on_every_instance() {
    if !on_postgres() {
        eprintln!("several instances need PostgreSQL: this test runs in the PostgreSQL half");
        return;
    }
    let db = Db::fresh().await;
    let mut config = test_config(&db);
    config.token_secret = Some("a shared token secret of at least thirty-two bytes".to_owned());
    let a = TestApp::spawn_on(&db, config.clone()).await;
    let b = TestApp::spawn_on(&db, config).await;
    let api = Api::new(&a).await;
    let token = api.token("author", 300).await;
    let mut tabs = [
        a.token_socket(&token).await.unwrap(),
        b.token_socket(&token).await.unwrap(),
    ];
    for tab in &mut tabs {
        hello(tab).await;
    }
    for by in ["Ana", "Bo", "Cy"] {
        assert_eq!(api.post(&comment(by, "post:1"), None).await.status(), 201);
    }
    let mut newest = 0;
    for tab in &mut tabs {
        for _ in 0..3 {
            let (n, unread) = created(tab).await;
            assert_eq!(unread, 1);
            newest = n.id;
        }
    }
    // Read on the other instance: the row leaves both tabs' count once.
    assert_eq!(post(&b, &format!("/{newest}/read"), &token).await, 204);
    for tab in &mut tabs {
        let counts: Vec<i64> = updated(tab, 3).await.iter().map(|c| c.1).collect();
        assert_eq!(counts, [1, 1, 0]);
    }
    assert_count(&a, "author", 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_a_row_whose_asked_copy_is_read_already_reads_the_rest_and_answers_that_copy() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let token = api.token("author", 300).await;
    let mut socket = app.token_socket(&token).await.unwrap();
    hello(&mut socket).await;
    let mut ids = Vec::new();
    for by in ["Ana", "Bo"] {
        let mut body = comment(by, "post:3");
        body["actions"] = json!([{ "label": "Reply", "url": "/posts/3#reply" }]);
        let res: Value = api.post(&body, None).await.json().await.unwrap();
        ids.push(res["notifications"][0]["id"].as_i64().unwrap());
        created(&mut socket).await;
    }
    // Acting on the newest reads that copy only: the row still counts.
    assert_eq!(
        post(&app, &format!("/{}/actions/0", ids[1]), &token).await,
        200
    );
    assert_eq!(updated(&mut socket, 1).await[0].1, 1);
    assert_count(&app, "author", 1).await;

    let user = user_of(&app, "author").await;
    let changed = app
        .state
        .notifier
        .change_one(user, ids[1], herald::Change::Read(true))
        .await
        .unwrap();
    assert_eq!(changed.id, ids[1], "the copy asked about, as it stands");
    let rest = updated(&mut socket, 1).await;
    assert_eq!(
        (rest[0].0.id, rest[0].1),
        (ids[0], 0),
        "only the rest announced"
    );
    assert_count(&app, "author", 0).await;
}
