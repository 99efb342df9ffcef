//! The notification center: pages, read state, archive, isolation, and
//! every change reaching every tab.

use herald::{InboxView, ServerMessage};
use serde_json::Value;

use crate::common::*;

async fn page(
    app: &TestApp,
    user: &str,
    view: InboxView,
    before: Option<i64>,
    limit: i64,
) -> Vec<i64> {
    let id = app.user_id(user).await;
    app.state
        .store
        .page(id, view, before, limit)
        .await
        .unwrap()
        .iter()
        .map(|n| n.seq)
        .collect()
}

/// The id of `user`'s notification with sequence number `seq`.
async fn id_of(app: &TestApp, user: &str, seq: i64) -> String {
    let uid = app.user_id(user).await;
    id_by_seq(app, uid, seq).await.to_string()
}

/// The id of user `uid`'s notification with sequence number `seq`, in any state.
async fn id_by_seq(app: &TestApp, uid: i64, seq: i64) -> i64 {
    let all = app
        .state
        .store
        .missed(uid, 0, i64::MAX, i64::MAX)
        .await
        .unwrap();
    all.iter()
        .find(|n| n.seq == seq)
        .unwrap_or_else(|| panic!("no notification {seq}"))
        .id
}

/// The unread counter agrees with a count of the rows themselves.
async fn assert_counter_true(app: &TestApp, user: &str) {
    let uid = app.user_id(user).await;
    let counted = app
        .state
        .store
        .page(uid, herald::InboxView::Unread, None, i64::MAX)
        .await
        .unwrap()
        .len() as i64;
    assert_eq!(app.unread(user).await, counted, "unread counter drifted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pagination_never_skips_or_repeats_while_new_ones_arrive() {
    let app = TestApp::spawn().await;
    for i in 1..=50 {
        app.notify("alice", &format!("n{i}"), "").await;
    }
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let batch = page(&app, "alice", InboxView::All, before, 7).await;
        // Newcomers arrive between every page.
        app.notify("alice", "newcomer", "").await;
        let Some(&last) = batch.last() else { break };
        seen.extend(batch);
        before = Some(last);
    }
    assert_eq!(seen, (1..=50).rev().collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mark_all_read_leaves_what_arrived_during_the_request_unread() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    for i in 1..=3 {
        app.notify("alice", &format!("seen {i}"), "").await;
    }
    // The page showed up to seq 3; this one lands while the request is in flight.
    app.notify("alice", "arrived meanwhile", "").await;
    let res = alice
        .post_form("/api/inbox/read-all", &[("up_to", "3")])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), 1);
    assert_eq!(page(&app, "alice", InboxView::Unread, None, 10).await, [4]);
    assert_counter_true(&app, "alice").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_can_read_change_or_archive_another_users_notification() {
    let app = TestApp::spawn().await;
    app.notify("alice", "private", "").await;
    let alice_note = id_of(&app, "alice", 1).await;
    let bob = app.login("bob").await;
    let mut bodies = Vec::new();
    for (path, form) in [
        (
            "/api/inbox/read",
            vec![("id", alice_note.as_str()), ("read", "true")],
        ),
        (
            "/api/inbox/archive",
            vec![("id", alice_note.as_str()), ("archived", "true")],
        ),
        ("/api/inbox/read", vec![("id", "987654"), ("read", "true")]),
    ] {
        let res = bob.post_form(path, &form).await;
        assert_eq!(res.status(), 404, "{path} {form:?}");
        bodies.push(res.text().await.unwrap());
    }
    assert!(
        bodies.iter().all(|b| b == &bodies[2]),
        "someone else's looks like nothing: {bodies:?}"
    );
    let res = bob
        .follow(&format!("/notifications/{alice_note}/open"))
        .await;
    assert_eq!(res.status(), 404);
    // Bob's view of his own inbox holds nothing of alice's.
    assert!(page(&app, "bob", InboxView::All, None, 10).await.is_empty());
    let untouched = app
        .state
        .store
        .page(app.user_id("alice").await, InboxView::Unread, None, 10)
        .await
        .unwrap();
    assert_eq!(untouched.len(), 1);
    assert!(untouched[0].read_at.is_none() && untouched[0].archived_at.is_none());
    // Bob's "mark all read" is his own.
    bob.post_form("/api/inbox/read-all", &[("up_to", "99")])
        .await;
    assert_eq!(app.unread("alice").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_unread_archive_keep_the_count_and_reach_every_tab() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    for i in 1..=3 {
        app.notify("alice", &format!("n{i}"), "").await;
    }
    let mut other_tab = app.socket_after(&alice, 3).await;
    assert_eq!(hello(&mut other_tab).await, 3);
    let first = id_of(&app, "alice", 1).await;
    let second = id_of(&app, "alice", 2).await;

    let steps: [(&str, &str, &str, i64); 5] = [
        ("/api/inbox/read", "read", "true", 2),
        ("/api/inbox/read", "read", "false", 3),
        ("/api/inbox/archive", "archived", "true", 2),
        ("/api/inbox/read", "read", "true", 2), // archived: no change to the count
        ("/api/inbox/archive", "archived", "false", 2),
    ];
    for (i, (path, field, value, unread)) in steps.into_iter().enumerate() {
        let res = alice
            .post_form(path, &[("id", &first), (field, value)])
            .await;
        assert_eq!(res.status(), 200, "step {i}");
        match next_event(&mut other_tab).await {
            ServerMessage::Updated {
                notification,
                unread: pushed,
            } => {
                assert_eq!(notification.seq, 1);
                assert_eq!(pushed, unread, "step {i}");
            }
            other => panic!("step {i}: expected an update, got {other:?}"),
        }
        assert_eq!(app.unread("alice").await, unread, "step {i}");
        assert_counter_true(&app, "alice").await;
    }
    // Asking for the state it already has changes and announces nothing.
    alice
        .post_form("/api/inbox/read", &[("id", &first), ("read", "true")])
        .await;
    alice
        .post_form("/api/inbox/read", &[("id", &second), ("read", "true")])
        .await;
    match next_event(&mut other_tab).await {
        ServerMessage::Updated {
            notification,
            unread,
        } => assert_eq!((notification.seq, unread), (2, 1)),
        other => panic!("expected the second one's update, got {other:?}"),
    }
    alice
        .post_form("/api/inbox/read-all", &[("up_to", "3")])
        .await;
    match next_event(&mut other_tab).await {
        ServerMessage::AllRead { up_to, unread, .. } => assert_eq!((up_to, unread), (3, 0)),
        other => panic!("expected all-read, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_replays_state_changes_not_only_creations() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    app.notify("alice", "one", "").await;
    app.notify("alice", "two", "").await;
    let first = id_of(&app, "alice", 1).await;
    alice
        .post_form("/api/inbox/read", &[("id", &first), ("read", "true")])
        .await;
    // A tab that had seen both creations (cursor 2) missed only the read.
    let mut socket = app.socket_after(&alice, 2).await;
    match next_event(&mut socket).await {
        ServerMessage::Missed { notification } => {
            assert_eq!((notification.seq, notification.version), (1, 3));
            assert!(notification.read_at.is_some());
        }
        other => panic!("expected the replayed read, got {other:?}"),
    }
    match next_event(&mut socket).await {
        ServerMessage::Hello { unread, seq, .. } => assert_eq!((unread, seq), (1, 3)),
        other => panic!("expected hello, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_a_link_marks_it_read_and_goes_there() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let alice_id = app.user_id("alice").await.to_string();
    admin
        .post_form(
            "/api/admin/send",
            &[
                ("title", "Report"),
                ("body", ""),
                ("link", "/reports/7"),
                ("recipient", &alice_id),
            ],
        )
        .await;
    admin.send(&alice_id, "No link").await;
    let with_link = id_of(&app, "alice", 1).await;
    let without = id_of(&app, "alice", 2).await;
    let alice = app.login("alice").await;

    let res = alice
        .follow(&format!("/notifications/{with_link}/open"))
        .await;
    assert!(res.status().is_redirection());
    assert_eq!(res.headers()["location"], "/reports/7");
    let res = alice
        .follow(&format!("/notifications/{without}/open"))
        .await;
    assert_eq!(res.headers()["location"], "/notifications");
    assert_eq!(app.unread("alice").await, 0);

    let res = app
        .anonymous()
        .follow(&format!("/notifications/{with_link}/open"))
        .await;
    assert_eq!(res.headers()["location"], "/login");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_work_as_plain_form_posts_without_wasm() {
    let app = TestApp::spawn().await;
    app.notify("alice", "one", "").await;
    let id = id_of(&app, "alice", 1).await;
    let alice = app.login("alice").await;
    let res = alice
        .http
        .post(app.url("/api/inbox/archive"))
        .header("accept", "text/html")
        .header("referer", app.url("/notifications?view=all"))
        .form(&[("id", id.as_str()), ("archived", "true")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(
        res.headers()["location"],
        app.url("/notifications?view=all").as_str()
    );
    assert_eq!(
        page(&app, "alice", InboxView::Archived, None, 10).await,
        [1]
    );

    // The pages render the state on the server, for a browser without WASM.
    let res = alice.page("/notifications?view=archived").await;
    let status = res.status();
    let html = res.text().await.unwrap();
    assert!(
        status == 200 && html.contains(">one<"),
        "archived view lists it: {status} {html}"
    );
    assert!(html.contains("Unarchive"));
    let html = alice
        .page("/notifications?view=unread")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("nothing unread"), "the empty state");
    assert_eq!(alice.page("/notifications").await.status(), 200);
    let res = app.anonymous().page("/notifications").await;
    assert_eq!(res.headers()["location"], "/login");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn titles_and_bodies_are_rendered_as_text() {
    let app = TestApp::spawn().await;
    let payload = r#"<img src=x onerror="alert(1)"><script>alert(2)</script>"#;
    app.notify("alice", payload, payload).await;
    let html = app
        .login("alice")
        .await
        .page("/notifications?view=all")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("<img src=x"),
        "no live markup from user text"
    );
    assert!(!html.contains("<script>alert(2)"));
    assert!(
        html.contains("&lt;img src=x onerror=\"alert(1)\"&gt;")
            || html.contains("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counter_matches_the_rows_after_any_mix_of_changes() {
    let app = TestApp::spawn().await;
    let uid = app.user_id("alice").await;
    for i in 0..12 {
        app.notify("alice", &format!("n{i}"), "").await;
    }
    // A fixed pseudo-random walk over read, unread, archive, unarchive and mark-all.
    let mut x: u64 = 0x9e3779b97f4a7c15;
    for _ in 0..200 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let id = id_by_seq(&app, uid, (x % 12 + 1) as i64).await;
        match (x >> 8) % 5 {
            0 => drop(
                app.state
                    .notifier
                    .change_one(uid, id, herald::Change::Read(true))
                    .await
                    .unwrap(),
            ),
            1 => drop(
                app.state
                    .notifier
                    .change_one(uid, id, herald::Change::Read(false))
                    .await
                    .unwrap(),
            ),
            2 => drop(
                app.state
                    .notifier
                    .change_one(uid, id, herald::Change::Archived(true))
                    .await
                    .unwrap(),
            ),
            3 => drop(
                app.state
                    .notifier
                    .change_one(uid, id, herald::Change::Archived(false))
                    .await
                    .unwrap(),
            ),
            _ => drop(
                app.state
                    .notifier
                    .mark_all_read(uid, (x % 12) as i64)
                    .await
                    .unwrap(),
            ),
        }
        assert_counter_true(&app, "alice").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_inbox_view_reads_an_index_range_never_the_table() {
    let app = TestApp::spawn().await;
    for view in InboxView::ALL {
        let plan = app.state.store.page_plan(view).await.unwrap().join(" | ");
        if on_postgres() {
            // PostgreSQL plans by statistics; what must never happen is a
            // scan of the table or a sort.
            assert!(
                plan.contains("Index Scan Backward using notifications_"),
                "{view:?}: {plan}"
            );
            assert!(
                plan.contains("(user_id = "),
                "{view:?} reads a range: {plan}"
            );
            assert!(
                !plan.contains("Seq Scan") && !plan.contains("Sort"),
                "{view:?}: {plan}"
            );
            continue;
        }
        assert!(
            plan.starts_with("SEARCH notifications USING INDEX notifications_"),
            "{view:?}: {plan}"
        );
        assert!(
            plan.contains("(user_id=? AND seq<?)"),
            "{view:?} reads a range: {plan}"
        );
        assert!(!plan.contains("SCAN"), "{view:?}: {plan}");
        assert!(
            !plan.contains("TEMP B-TREE"),
            "{view:?} sorts instead of reading in order: {plan}"
        );
    }
}

/// A send finds its users by primary key, named or (a batch of a send to
/// everyone) as a range: scanning every user on every send once cost most
/// of a send's time with 1,000 users.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_never_scans_all_users() {
    let app = TestApp::spawn().await;
    let named = app.state.store.recipients_plan().await.unwrap().join(" | ");
    let batch = app
        .state
        .store
        .next_recipients_plan()
        .await
        .unwrap()
        .join(" | ");
    let topic = app
        .state
        .store
        .topic_recipients_plan()
        .await
        .unwrap()
        .join(" | ");
    if on_postgres() {
        // Planned by statistics (a seq scan may win on three users): only
        // that the id list and the key range drive it.
        assert!(named.contains("json_array_elements_text"), "{named}");
        assert!(batch.contains("users_pkey"), "{batch}");
        // The subscriptions are read through an index, whichever side
        // the statistics put first.
        assert!(
            topic.contains("Index Scan on topic_subscriptions")
                || topic.contains("topic_subscriptions_pkey")
                || topic.contains("topic_subscriptions_user"),
            "{topic}"
        );
        assert!(
            !topic.contains("Seq Scan on topic_subscriptions"),
            "{topic}"
        );
    } else {
        for plan in [&named, &batch, &topic] {
            assert!(
                plan.contains("SEARCH users USING INTEGER PRIMARY KEY"),
                "{plan}"
            );
            assert!(!plan.contains("SCAN users"), "{plan}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_the_panel_marks_seen_not_read() {
    let app = TestApp::spawn().await;
    app.notify("alice", "one", "").await;
    app.notify("alice", "two", "").await;
    let alice = app.login("alice").await;
    let res = alice.post_form("/api/inbox/seen", &[("up_to", "1")]).await;
    assert_eq!(res.status(), 200);
    let uid = app.user_id("alice").await;
    let all = app
        .state
        .store
        .page(uid, InboxView::All, None, 10)
        .await
        .unwrap();
    let seen: Vec<_> = all
        .iter()
        .map(|n| (n.seq, n.seen_at.is_some(), n.read_at.is_some()))
        .collect();
    assert_eq!(seen, [(2, false, false), (1, true, false)]);
    assert_eq!(
        app.state.store.unread(uid).await.unwrap(),
        herald::Counts { unread: 2, seq: 2 },
        "no count or sequence change"
    );
}
