//! A batch of named sends stored together (on SQLite, a fixed number of
//! statements for the whole batch) stores exactly what the same sends
//! stored one by one would: each recipient's copies under consecutive
//! sequence numbers in the batch's order, muted copies uncounted,
//! deactivated recipients skipped, each send's record and audit entry, its
//! Idempotency-Key — and a failing send fails alone. On PostgreSQL the
//! batch is announced with one NOTIFY.

use std::collections::{BTreeMap, HashSet};

use herald::{Category, NewNotification, PreferenceChange, UserId};
use server::store::{Named, Remember, Store, Stored};

use crate::common::*;

fn named(ids: &[UserId], title: &str, category: Category, online: &[UserId]) -> Named {
    Named {
        ids: ids.to_vec(),
        content: NewNotification {
            title: title.to_owned(),
            body: format!("{title} body"),
            link: None,
            category,
            expires_at: None,
            actions: Vec::new(),
            group_key: None,
        },
        actor: Some("batcher".to_owned()),
        sender: "batch test".to_owned(),
        remember: None,
        online: online.iter().copied().collect::<HashSet<_>>(),
    }
}

/// How many batches PostgreSQL's outbox has announced (0 on SQLite).
async fn announced_batches(app: &TestApp) -> i64 {
    if !on_postgres() {
        return 0;
    }
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(&app.db.url).await.unwrap();
    sqlx::query_scalar("SELECT COUNT(DISTINCT batch) FROM outbox")
        .fetch_one(&mut db)
        .await
        .unwrap()
}

async fn user(store: &Store, name: &str) -> UserId {
    store.external_user(name).await.unwrap().unwrap().id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_stores_what_its_sends_would_store_one_by_one() {
    let app = TestApp::spawn().await;
    let store = &app.state.store;
    let (ann, ben, dee) = (
        user(store, "ann").await,
        user(store, "ben").await,
        user(store, "dee").await,
    );
    let mute = BTreeMap::from([(
        "mention".to_owned(),
        PreferenceChange {
            bell: Some(false),
            ..PreferenceChange::default()
        },
    )]);
    store.set_preferences(ann, &mute).await.unwrap().unwrap();
    store.deactivate(dee, "test").await.unwrap();
    let key = store.create_api_key("batch", "test").await.unwrap().0;

    let mut remembered = named(&[ann, ben], "fourth", Category::Info, &[]);
    remembered.remember = Some(Remember {
        api_key: key.id,
        key: "batch-key-1".to_owned(),
        request_hash: vec![1, 2, 3],
        response: |stored| match stored {
            Stored::Copies(copies) => format!("{} copies", copies.len()),
            _ => "other".to_owned(),
        },
    });
    let sends = vec![
        named(&[ben, ann, ann], "first", Category::Info, &[ann]),
        named(&[ann], "second", Category::Mention, &[]),
        named(&[ben, dee], "third", Category::Warning, &[ben]),
        remembered,
    ];
    let batches_before = announced_batches(&app).await;
    // Together, or the test fails (`create_many` would fall back quietly).
    let created = store.create_together(&sends).await.unwrap();
    if on_postgres() {
        let batches = announced_batches(&app).await - batches_before;
        assert_eq!(batches, 1, "one NOTIFY for the whole batch");
    }

    // Who each reached, and what each copy says the count is after it.
    let reached = |i: usize| -> Vec<(UserId, i64, i64)> {
        created[i]
            .copies
            .iter()
            .map(|d| (d.user_id, d.notification.seq, d.unread))
            .collect()
    };
    // Ann: first (counted), second (muted mention), fourth (counted).
    // Ben: first, third, fourth, all counted. Dee is deactivated.
    assert_eq!(reached(0), vec![(ann, 1, 1), (ben, 1, 1)]);
    assert_eq!(reached(1), vec![(ann, 2, 1)]);
    assert!(created[1].copies[0].notification.muted);
    assert_eq!(reached(2), vec![(ben, 2, 2)]);
    assert_eq!(reached(3), vec![(ann, 3, 2), (ben, 3, 3)]);
    assert_eq!(created[3].copies[0].notification.title, "fourth");
    assert_eq!(created[3].copies[0].notification.body, "fourth body");
    assert_eq!(
        created[0].copies[0].notification.actor.as_deref(),
        Some("batcher")
    );

    // The counters moved by exactly that much.
    assert_eq!(
        (
            store.unread(ann).await.unwrap().unread,
            store.unread(ann).await.unwrap().seq
        ),
        (2, 3)
    );
    assert_eq!(
        (
            store.unread(ben).await.unwrap().unread,
            store.unread(ben).await.unwrap().seq
        ),
        (3, 3)
    );

    // Each send's record: recipients reached and delivered (online) counts.
    let rows = store.sends(Some(""), None, 10).await.unwrap();
    let row = |send: i64| rows.iter().find(|r| r.id == send).unwrap();
    let ids: Vec<i64> = created.iter().map(|c| c.send).collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids rise in the batch's order"
    );
    assert_eq!(
        (
            row(ids[0]).title.as_str(),
            row(ids[0]).recipients,
            row(ids[0]).delivered
        ),
        ("first", 2, 1)
    );
    assert_eq!(
        (
            row(ids[2]).audience.as_str(),
            row(ids[2]).recipients,
            row(ids[2]).delivered
        ),
        ("1 user", 1, 1)
    );
    assert_eq!(row(ids[3]).audience, "2 users");

    // Each send's audit entry, and the Idempotency-Key with its response.
    let audit = store.audit_log("batch test", None, 10).await.unwrap();
    for (id, title) in ids.iter().zip(["first", "second", "third", "fourth"]) {
        let detail = format!("#{id} “{title}”");
        assert!(
            audit
                .iter()
                .any(|e| e.detail == detail && e.action == "send"),
            "{detail}"
        );
    }
    let kept = store
        .remembered(key.id, "batch-key-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((kept.status, kept.response.as_str()), (201, "2 copies"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_that_fails_in_a_batch_fails_alone() {
    let app = TestApp::spawn().await;
    let store = &app.state.store;
    let ann = user(store, "ann").await;
    let sends = vec![
        named(&[ann], "kept", Category::Info, &[]),
        named(&[ann, 987_654], "refused", Category::Info, &[]),
        named(&[ann], "kept too", Category::Info, &[]),
    ];
    let results = store.create_many(&sends).await;
    assert!(results[0].is_ok() && results[2].is_ok());
    assert!(matches!(
        results[1],
        Err(server::store::StoreError::UnknownUser(987_654))
    ));
    let counts = store.unread(ann).await.unwrap();
    assert_eq!(
        (counts.unread, counts.seq),
        (2, 2),
        "nothing of the refused send"
    );
}
