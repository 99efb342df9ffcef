//! A batch costs the same statements however many sends it holds: every
//! statement sqlx runs in this process is counted (`crate::testing`), for
//! a batch of 3 sends and one of 40, on SQLite and, when this half of the suite runs
//! on it (`HERALD_TEST_DATABASE=postgres`), on PostgreSQL.

use herald::{Category, UserId};

use crate::store::{Named, Remember, Stored};
use crate::testing::{counting_statements, fresh_url, named, statements_run, store_with_users};

fn send(n: usize, users: &[UserId], key: Option<i64>) -> Named {
    // Each send reaches up to five users, overlapping its neighbours'.
    let ids = (0..=n % 5).map(|i| users[(n + i) % users.len()]).collect();
    let mut send = named(format!("send {n}"), ids);
    if n.is_multiple_of(3) {
        send.content.category = Category::Mention;
    }
    send.remember = key.map(|api_key| Remember {
        api_key,
        key: format!("key-{n}"),
        request_hash: vec![n as u8, 0xff],
        response: |_: Stored<'_>| "{}".to_owned(),
    });
    send
}

#[tokio::test]
async fn a_batch_costs_the_same_statements_however_many_sends_it_holds() {
    let _alone = counting_statements().await;
    let dir = tempfile::tempdir().unwrap();
    let names = ["ann", "ben", "cy", "dee", "eve", "fay", "gus"];
    let (store, users) = store_with_users(&fresh_url(&dir, "batch").await, &names).await;
    let key = store.create_api_key("batch", "test").await.unwrap().0.id;

    let mut cost = Vec::new();
    for (first, count) in [(0, 3), (3, 40)] {
        // Every other send carries an Idempotency-Key.
        let sends: Vec<Named> = (first..first + count)
            .map(|n| send(n, &users, n.is_multiple_of(2).then_some(key)))
            .collect();
        let before = statements_run();
        let created = store.create_together(&sends).await.unwrap();
        cost.push(statements_run() - before);
        assert_eq!(created.len(), count);
    }
    eprintln!("statements for a batch of 3 and of 40: {cost:?}");
    assert!(cost[0] > 0, "statements are counted");
    assert_eq!(
        cost[0], cost[1],
        "3 sends and 40 sends: the same statements"
    );
    assert!(
        cost[1] <= 9,
        "a batch takes at most 9 statements, took {}",
        cost[1]
    );
}
