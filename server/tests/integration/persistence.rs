use serde_json::Value;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_survive_a_restart() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let alice_id = app.user_id("alice").await.to_string();
    admin.send(&alice_id, "one").await;
    admin.send(&alice_id, "two").await;
    let db = app.db.clone();
    let dir = app.shut_down().await;

    let app = TestApp::spawn_on(&db, test_config(&db)).await;
    let alice = app.login("alice").await;
    let me: Value = alice.post_form("/api/me", &[]).await.json().await.unwrap();
    assert_eq!(
        (me["unread"].as_i64(), me["seq"].as_i64()),
        (Some(2), Some(2))
    );
    let mut socket = app.socket_after(&alice, 2).await;
    assert_eq!(hello(&mut socket).await, 2);
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_count_is_rendered_on_the_server() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let alice = app.login("alice").await;
    let html = alice.page("/").await.text().await.unwrap();
    assert_eq!(bubble_in(&html), None, "no bubble at zero");

    let alice_id = app.user_id("alice").await.to_string();
    admin.send(&alice_id, "one").await;
    admin.send(&alice_id, "two").await;
    let html = alice.page("/").await.text().await.unwrap();
    assert_eq!(bubble_in(&html).as_deref(), Some("2"));
    let bob_html = app.login("bob").await.page("/").await.text().await.unwrap();
    assert_eq!(bubble_in(&bob_html), None);

    for i in 0..98 {
        admin.send(&alice_id, &format!("n{i}")).await;
    }
    let html = alice.page("/").await.text().await.unwrap();
    assert_eq!(
        bubble_in(&html).as_deref(),
        Some("99+"),
        "100 unread shows 99+"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_migration_stops_startup_with_a_clear_message() {
    let db = Db::fresh().await;
    let store = server::store::Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    // Simulate a database changed by hand: the applied migration no longer matches.
    let zero = if on_postgres() { "'\\x00'" } else { "x'00'" };
    store
        .execute_script(&format!("UPDATE _sqlx_migrations SET checksum = {zero}"))
        .await
        .unwrap();
    drop(store);
    let error = server::Herald::prepare(test_config(&db), leptos_options())
        .await
        .err()
        .expect("startup fails");
    let message = error.to_string();
    assert!(message.contains("database migration failed"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_page_is_a_404_with_the_header_rendered() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    let res = alice.page("/no/such/page").await;
    assert_eq!(res.status(), 404);
    let html = res.text().await.unwrap();
    assert!(html.contains("There is nothing at this address."));
    assert!(
        html.contains(">alice<"),
        "the header knows who is logged in"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_write_ahead_log_is_checkpointed_in_the_background() {
    let app = TestApp::spawn().await;
    app.notify("alice", "first", "").await;
    if on_postgres() {
        assert_eq!(app.state.store.checkpoint().await.unwrap(), None);
        return;
    }
    // No commit checkpoints any more (they held up whichever send passed
    // 1,000 pages): a job does, and then the log starts over — new salts in
    // its header — instead of growing for as long as Herald runs.
    let wal = format!("{}-wal", app.db.url.trim_start_matches("sqlite://"));
    let salts = || std::fs::read(&wal).unwrap()[16..24].to_vec();
    let before = salts();
    eventually_within(WAIT, "the log to start over", async || {
        app.notify("alice", "again", "").await;
        salts() != before
    })
    .await;
    let (log, copied) = app.state.store.checkpoint().await.unwrap().unwrap();
    assert!(copied <= log, "{copied} of {log}");
}
