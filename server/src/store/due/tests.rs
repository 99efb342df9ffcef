//! Timed changes cost the same statements however many come due at once,
//! and each is its owner's next sequence number with the count after it.

use std::collections::HashMap;

use herald::{Change, UserId};

use crate::store::{Due, Named, now_ms};
use crate::testing::{counting_statements, fresh_url, named, statements_run, store_with_users};

#[tokio::test]
async fn due_changes_cost_the_same_statements_however_many_come_due() {
    let _alone = counting_statements().await;
    let dir = tempfile::tempdir().unwrap();
    let (store, users) =
        store_with_users(&fresh_url(&dir, "due").await, &["ann", "ben", "cy"]).await;

    for what in [Due::Wake, Due::Expiry] {
        let mut cost = Vec::new();
        for count in [3, 40] {
            let sends: Vec<Named> = (0..count)
                .map(|n| {
                    let mut send = named(format!("{what:?} {n}"), vec![users[n % users.len()]]);
                    if what == Due::Expiry {
                        send.content.expires_at = Some(1);
                    }
                    send
                })
                .collect();
            let created = store.create_together(&sends).await.unwrap();
            // Every third is read first: it neither counts before nor after.
            let mut counted: HashMap<UserId, i64> = HashMap::new();
            for (n, made) in created.iter().enumerate() {
                let copy = &made.copies[0];
                let (user, id) = (copy.user_id, copy.notification.id);
                if n % 3 == 0 {
                    store.change(user, id, Change::Read(true)).await.unwrap();
                } else {
                    *counted.entry(user).or_default() += 1;
                }
                if what == Due::Wake {
                    store
                        .change(user, id, Change::Snoozed(Some(1)))
                        .await
                        .unwrap();
                }
            }
            let mut before = HashMap::new();
            for &user in &users {
                before.insert(user, store.unread(user).await.unwrap());
            }

            let from = statements_run();
            let changes = store.change_due(what, now_ms(), 1000).await.unwrap();
            cost.push(statements_run() - from);
            assert_eq!(changes.len(), count, "{what:?}: every due one changed");

            // Per owner: the next sequence numbers in turn, each with the
            // count right after it, ending where the stored counters are.
            let mut running = before.clone();
            for change in &changes {
                let counts = running.get_mut(&change.user).unwrap();
                counts.seq += 1;
                assert_eq!(change.notification.version, counts.seq, "{what:?}: in turn");
                let counted_now = change.notification.counts_as_unread();
                counts.unread = change.unread;
                match what {
                    Due::Wake => assert!(change.notification.snoozed_until.is_none()),
                    Due::Expiry => {
                        assert!(change.notification.retracted_at.is_some());
                        assert!(!counted_now);
                    }
                }
            }
            for &user in &users {
                let stored = store.unread(user).await.unwrap();
                assert_eq!(stored, running[&user], "{what:?}: counters as announced");
                let moved = stored.unread - before[&user].unread;
                let expected = counted.get(&user).copied().unwrap_or_default();
                match what {
                    Due::Wake => assert_eq!(moved, expected, "woken unread ones count again"),
                    Due::Expiry => assert_eq!(-moved, expected, "expired unread ones go"),
                }
            }
            let again = store.change_due(what, now_ms(), 1000).await.unwrap();
            assert!(again.is_empty(), "{what:?}: each change made once");
        }
        eprintln!("{what:?}: statements for 3 and 40 due: {cost:?}");
        assert!(cost[0] > 0, "statements are counted");
        assert_eq!(
            cost[0], cost[1],
            "{what:?}: 3 and 40 due, the same statements"
        );
        assert!(
            cost[1] <= 8,
            "{what:?}: at most 8 statements, took {}",
            cost[1]
        );
    }
}

#[tokio::test]
async fn two_instances_make_each_due_change_once() {
    let _alone = counting_statements().await;
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_url(&dir, "due_twice").await;
    let (one, users) = store_with_users(&url, &["ann", "ben", "cy", "dee"]).await;
    let other = crate::store::Store::connect(&url).await.unwrap();
    let sends: Vec<Named> = (0..200)
        .map(|n| {
            let mut send = named(format!("expiring {n}"), vec![users[n % users.len()]]);
            send.content.expires_at = Some(1);
            send
        })
        .collect();
    one.create_together(&sends).await.unwrap();
    let mut before = HashMap::new();
    for &user in &users {
        before.insert(user, one.unread(user).await.unwrap());
    }

    // Both at once, small passes, until nothing is left; a pass that lost
    // a race may fail (it is tried again next time), never double.
    let mut made: Vec<crate::store::Changed> = Vec::new();
    loop {
        let (a, b) = tokio::join!(
            one.change_due(Due::Expiry, now_ms(), 30),
            other.change_due(Due::Expiry, now_ms(), 30)
        );
        let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
        if a.is_empty()
            && b.is_empty()
            && one.due(Due::Expiry, now_ms(), 1).await.unwrap().is_empty()
        {
            break;
        }
        made.extend(a.into_iter().chain(b));
    }
    assert_eq!(made.len(), 200, "each expiry made once");
    let mut ids: Vec<i64> = made.iter().map(|c| c.notification.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 200, "no notification withdrawn twice");
    for &user in &users {
        let after = one.unread(user).await.unwrap();
        let mut versions: Vec<i64> = made
            .iter()
            .filter(|c| c.user == user)
            .map(|c| c.notification.version)
            .collect();
        versions.sort_unstable();
        let expected: Vec<i64> = (before[&user].seq + 1..=after.seq).collect();
        assert_eq!(versions, expected, "one sequence number each, no gap");
        assert_eq!(after.unread, 0);
    }
}
