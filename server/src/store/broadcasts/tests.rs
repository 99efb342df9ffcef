//! A fan-out batch costs the same statements however many users it holds.

use std::collections::HashSet;

use crate::store::{Batch, now_ms};
use crate::testing::{counting_statements, fresh_url, named, statements_run, store_with_users};

#[tokio::test]
async fn a_fanout_batch_costs_the_same_statements_however_many_users_it_holds() {
    let _alone = counting_statements().await;
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..50).map(|n| format!("user{n}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let (store, _) = store_with_users(&fresh_url(&dir, "fanout").await, &names).await;
    let content = named("To everyone".to_owned(), Vec::new()).content;
    store
        .queue_send(
            &herald::Audience::Everyone,
            &content,
            None,
            "test",
            None,
            None,
        )
        .await
        .unwrap();

    let mut cost = Vec::new();
    for size in [3, 40] {
        let pending = store
            .pending_broadcasts(crate::store::now_ms())
            .await
            .unwrap()
            .remove(0);
        let users = store.next_recipients(&pending, size).await.unwrap();
        assert_eq!(users.len() as i64, size);
        let before = statements_run();
        let batch = store
            .write_batch(&pending, &users, false, &HashSet::new())
            .await
            .unwrap();
        cost.push(statements_run() - before);
        let Batch::Stored { delivered, .. } = batch else {
            panic!("the batch was skipped");
        };
        assert_eq!(delivered.len() as i64, size);
        assert!(
            delivered
                .iter()
                .all(|d| d.notification.created_at <= now_ms())
        );
    }
    eprintln!("statements for a fan-out batch of 3 and of 40: {cost:?}");
    assert!(cost[0] > 0, "statements are counted");
    assert_eq!(cost[0], cost[1], "3 users and 40: the same statements");
}
