//! Sends to everyone or a role answer at once and are written out in the
//! background, batch by batch: every active user gets exactly one copy,
//! live, even across a crash; users who join later, or are outside the
//! role, get none; a retraction stops it.

use std::collections::HashSet;

use std::time::{Duration, Instant};

use herald::{Audience, NewNotification, Role};
use serde_json::{Value, json};
use server::store::{Batch, Store};

use crate::common::*;
use crate::process::Process;

fn content(title: &str) -> NewNotification {
    NewNotification {
        title: title.into(),
        ..Default::default()
    }
}

/// A store on a fresh database with no server, so no worker: the test
/// drives each batch itself.
async fn bare_store() -> (std::sync::Arc<Db>, Store) {
    let db = Db::fresh().await;
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    (db, store)
}

/// `count` new users named by external ids `{prefix}0`, `{prefix}1`, …
async fn external_users(store: &Store, prefix: &str, count: usize) -> Vec<herald::User> {
    let mut users = Vec::new();
    for n in 0..count {
        let user = store.external_user(&format!("{prefix}{n}")).await.unwrap();
        users.push(user.expect("a new external user is active"));
    }
    users
}

/// One number the test asks the database for, over its own connection.
async fn count(db: &Db, sql: &str) -> i64 {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
}

/// That each active user holds exactly one copy of `send` and took exactly
/// one sequence number for it (their only notification); how many users.
async fn one_copy_each(db: &Db, send: i64) -> i64 {
    let copies = count(
        db,
        &format!("SELECT COUNT(id) FROM notifications WHERE send_id = {send}"),
    )
    .await;
    let holders = count(
        db,
        &format!("SELECT COUNT(DISTINCT user_id) FROM notifications WHERE send_id = {send}"),
    )
    .await;
    assert_eq!(copies, holders, "someone holds two copies");
    let off = count(
        db,
        "SELECT COUNT(id) FROM users WHERE deactivated_at IS NULL AND (last_seq <> 1 OR unread <> 1)",
    )
    .await;
    assert_eq!(
        off, 0,
        "users without exactly one sequence number and one unread"
    );
    let active = count(
        db,
        "SELECT COUNT(id) FROM users WHERE deactivated_at IS NULL",
    )
    .await;
    assert_eq!(copies, active, "every active user holds one");
    copies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_is_written_out_in_batches_live_and_once_to_each_user() {
    let app = TestApp::spawn_with(|c| c.fanout_batch = 2).await;
    for n in 0..7 {
        app.state
            .store
            .external_user(&format!("crowd-{n}"))
            .await
            .unwrap();
    }
    let mut sockets = Vec::new();
    for name in ["alice", "bob"] {
        let client = app.login(name).await;
        let mut socket = app.socket(&client).await;
        hello(&mut socket).await;
        sockets.push(socket);
    }
    let api = Api::new(&app).await;
    let res = api
        .post(&json!({"broadcast": true, "title": "To all ten"}), None)
        .await;
    assert_eq!(res.status(), 202);
    let accepted: Value = res.json().await.unwrap();
    assert_eq!(accepted["recipients"], 10);
    for socket in &mut sockets {
        assert_eq!(next_created(socket).await.0, "To all ten");
    }
    eventually("the send written out", async || {
        let row = &app.state.store.sends(None, None, 1).await.unwrap()[0];
        row.fanning_out == 0 && row.recipients == 10
    })
    .await;
    let send = accepted["send_id"].as_i64().unwrap();
    assert_eq!(one_copy_each(&app.db, send).await, 10);
    let row = &app.state.store.sends(None, None, 1).await.unwrap()[0];
    assert_eq!(row.delivered, 2, "alice and bob were online");
    // Nothing else came for alice: her next event is the next send.
    app.notify("alice", "Afterwards", "").await;
    assert_eq!(next_created(&mut sockets[0]).await.0, "Afterwards");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_reaches_the_users_of_its_moment_and_role_only() {
    let (_db, store) = bare_store().await;
    let admin = store
        .create_user("root", "!", Role::Admin, "test")
        .await
        .unwrap();
    let members = external_users(&store, "m", 5).await;
    store.deactivate(members[4].id, "test").await.unwrap();
    let to_members = store
        .queue_send(
            &Audience::Role { role: Role::Member },
            &content("Members"),
            None,
            "test",
            None,
            None,
        )
        .await
        .unwrap();
    let to_all = store
        .queue_send(
            &Audience::Everyone,
            &content("All"),
            None,
            "test",
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!((to_members.recipients, to_all.recipients), (4, 5));
    // Joins after both were sent.
    let late = store.external_user("late").await.unwrap().unwrap();

    for mut fanout in store
        .pending_broadcasts(server::store::now_ms())
        .await
        .unwrap()
    {
        loop {
            let users = store.next_recipients(&fanout, 3).await.unwrap();
            let last = users.len() < 3;
            match store
                .write_batch(&fanout, &users, last, &HashSet::new())
                .await
                .unwrap()
            {
                Batch::Stored { finished: true, .. } => break,
                Batch::Stored { .. } => fanout.after_user = *users.last().unwrap(),
                Batch::Skipped => panic!("nobody else writes it"),
            }
        }
    }
    assert!(
        store
            .pending_broadcasts(server::store::now_ms())
            .await
            .unwrap()
            .is_empty()
    );
    let titles = async |id| -> Vec<String> {
        store
            .page(id, herald::InboxView::All, None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|n| n.title)
            .collect()
    };
    assert_eq!(titles(admin.id).await, ["All"]);
    for member in &members[..4] {
        assert_eq!(titles(member.id).await, ["All", "Members"]);
        assert_eq!(
            store.unread(member.id).await.unwrap(),
            herald::Counts { unread: 2, seq: 2 }
        );
    }
    assert!(titles(members[4].id).await.is_empty(), "deactivated");
    assert!(titles(late.id).await.is_empty(), "joined later");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retracting_a_send_stops_its_fan_out() {
    let (_db, store) = bare_store().await;
    let users = external_users(&store, "u", 4).await;
    let queued = store
        .queue_send(
            &Audience::Everyone,
            &content("Oops"),
            None,
            "test",
            None,
            None,
        )
        .await
        .unwrap();
    let fanout = store
        .pending_broadcasts(server::store::now_ms())
        .await
        .unwrap()
        .remove(0);
    let first = store.next_recipients(&fanout, 1).await.unwrap();
    let batch = store
        .write_batch(&fanout, &first, false, &HashSet::new())
        .await
        .unwrap();
    assert!(matches!(
        batch,
        Batch::Stored {
            finished: false,
            ..
        }
    ));
    let retracted = store.retract_send(queued.send, "test").await.unwrap();
    assert_eq!(retracted.len(), 1, "the one copy written so far");
    assert!(
        store
            .pending_broadcasts(server::store::now_ms())
            .await
            .unwrap()
            .is_empty()
    );
    // A worker that read the next batch before the retraction stores nothing.
    let mut stale = fanout.clone();
    stale.after_user = first[0];
    let next = store.next_recipients(&stale, 1).await.unwrap();
    let batch = store
        .write_batch(&stale, &next, false, &HashSet::new())
        .await
        .unwrap();
    assert!(matches!(batch, Batch::Skipped), "{batch:?}");
    for user in &users {
        assert_eq!(store.unread(user.id).await.unwrap().unread, 0);
    }
}

/// Kill -9 in the middle of a fan-out to 20,000 users; after a restart
/// it carries on from its last commit: every user ends with exactly one
/// copy and one sequence number for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_mid_fan_out_resumes_after_restart_with_nobody_skipped_or_reached_twice() {
    const CROWD: i64 = 20_000;
    let db = Db::fresh().await;
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    store
        .execute_script(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {CROWD}) \
             INSERT INTO users (username, password_hash, role, created_at, external_id) \
             SELECT 'ext:crowd:' || i, '!', 'member', 0, 'crowd-' || i FROM n"
        ))
        .await
        .unwrap();
    let send = through_a_crash(
        &db,
        &store,
        json!({"broadcast": true, "title": "Through a crash"}),
        CROWD,
    )
    .await;
    let row = &store.sends(None, None, 1).await.unwrap()[0];
    assert_eq!((row.id, row.recipients), (send, CROWD));
    assert_eq!(one_copy_each(&db, send).await, CROWD);
}

/// Sends `body` from a `herald` process with 100 users per batch, kills it
/// once some batches are in (the send must then be under way with fewer
/// than `total` written), starts another on the same database and waits
/// until the fan-out is done. The send's id.
pub async fn through_a_crash(db: &Db, store: &Store, body: Value, total: i64) -> i64 {
    let (_, secret) = store.create_api_key("crash test", "test").await.unwrap();
    let env = [("HERALD_SEED", "false"), ("HERALD_FANOUT_BATCH", "100")];
    let mut herald = Process::start_on(&db.url, &env);
    herald.ready().await;
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/notifications", herald.url))
        .bearer_auth(&secret)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let send = res.json::<Value>().await.unwrap()["send_id"]
        .as_i64()
        .unwrap();

    // Crash once some batches are in.
    let deadline = Instant::now() + Duration::from_secs(30);
    while store.sends(None, None, 1).await.unwrap()[0].recipients == 0 {
        assert!(Instant::now() < deadline, "no batch was written");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    herald.kill();
    let row = &store.sends(None, None, 1).await.unwrap()[0];
    assert!(
        row.fanning_out == 1 && row.recipients < total,
        "the fan-out finished before the crash ({} written): nothing was tested",
        row.recipients
    );

    let mut herald = Process::start_on(&db.url, &env);
    herald.ready().await;
    let deadline = Instant::now() + Duration::from_secs(120);
    while !store
        .pending_broadcasts(server::store::now_ms())
        .await
        .unwrap()
        .is_empty()
    {
        assert!(Instant::now() < deadline, "the fan-out did not resume");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    send
}
