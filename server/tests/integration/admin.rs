use serde_json::{Value, json};

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_input_names_each_field_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let alice = app.login("alice").await;
    let mut socket = app.socket(&alice).await;
    hello(&mut socket).await;
    let alice_id = app.user_id("alice").await.to_string();
    let long_body = "b".repeat(2001);
    let long_title = "t".repeat(201);

    let cases: [(&[(&str, &str)], &str); 6] = [
        (
            &[
                ("title", "  "),
                ("body", ""),
                ("link", ""),
                ("recipient", &alice_id),
            ],
            "title",
        ),
        (
            &[
                ("title", &long_title),
                ("body", ""),
                ("link", ""),
                ("recipient", &alice_id),
            ],
            "title",
        ),
        (
            &[
                ("title", "ok"),
                ("body", &long_body),
                ("link", ""),
                ("recipient", &alice_id),
            ],
            "body",
        ),
        (
            &[
                ("title", "ok"),
                ("body", ""),
                ("link", "javascript:alert(1)"),
                ("recipient", &alice_id),
            ],
            "link",
        ),
        (
            &[
                ("title", "ok"),
                ("body", ""),
                ("link", ""),
                ("recipient", "someone"),
            ],
            "recipient",
        ),
        (
            &[
                ("title", "ok"),
                ("body", ""),
                ("link", ""),
                ("recipient", "999999"),
            ],
            "recipient",
        ),
    ];
    for (form, field) in cases {
        let res = admin.post_form("/api/admin/send", form).await;
        assert_eq!(res.status(), 422, "{field}");
        let body: Value = res.json().await.unwrap();
        let errors = body["Invalid"].as_array().expect("field errors");
        assert!(
            errors.iter().any(|e| e["field"] == field),
            "{field}: {body}"
        );
    }
    // Missing fields are reported by name too.
    let missing = admin
        .post_form("/api/admin/send", &[("title", "no other fields")])
        .await;
    assert_eq!(missing.status(), 422);
    assert_eq!(
        missing.json::<Value>().await.unwrap()["Invalid"][0]["field"],
        "recipient"
    );

    let total = app.state.store.count_notifications().await.unwrap();
    assert_eq!(total, 0, "nothing stored");
    assert_eq!(
        app.state
            .store
            .unread(app.user_id("alice").await)
            .await
            .unwrap(),
        herald::Counts { unread: 0, seq: 0 }
    );
    // Nothing was published either: the next event alice sees is the valid one.
    admin.send(&alice_id, "Valid").await;
    assert_eq!(next_created(&mut socket).await, ("Valid".into(), 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_notification_is_stored_trimmed_with_its_link() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let alice_id = app.user_id("alice").await.to_string();
    let res = admin
        .post_form(
            "/api/admin/send",
            &[
                ("title", "  Report ready "),
                ("body", "Q3"),
                ("link", "/reports/3"),
                ("recipient", &alice_id),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"title": "Report ready", "recipients": 1, "online": 0, "queued": false})
    );
    assert_eq!(app.state.store.count_notifications().await.unwrap(), 1);
    let alice = app.user_id("alice").await;
    let stored = app
        .state
        .store
        .missed(alice, 0, i64::MAX, i64::MAX)
        .await
        .unwrap();
    let n = &stored[0];
    let row = (n.title.clone(), n.body.clone(), n.link.clone(), n.seq);
    assert_eq!(
        row,
        (
            "Report ready".into(),
            "Q3".into(),
            Some("/reports/3".into()),
            1
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_and_anonymous_users_cannot_send() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    assert_eq!(alice.send("everyone", "spoof").await.status(), 403);
    assert_eq!(
        alice.post_form("/api/admin/recipients", &[]).await.status(),
        403
    );
    let anonymous = app.anonymous();
    assert_eq!(anonymous.send("everyone", "spoof").await.status(), 401);
    assert_eq!(app.unread("alice").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_page_is_for_admins_only() {
    let app = TestApp::spawn().await;
    let res = app.anonymous().page("/admin").await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()["location"], "/login");

    let res = app.login("alice").await.page("/admin").await;
    assert_eq!(res.status(), 403);
    assert!(!res.text().await.unwrap().contains("Send a notification"));

    let res = app.login("admin").await.page("/admin").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Send a notification"));
    assert!(
        html.contains(">alice<") && html.contains(">bob<"),
        "recipients listed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sent_list_counts_delivered_seen_and_read_and_retract_undoes_a_send() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let alice = app.login("alice").await;
    let mut socket = app.socket(&alice).await;
    hello(&mut socket).await;
    admin.send("everyone", "Quarterly report").await;
    admin.send("everyone", "Unrelated").await;
    next_created(&mut socket).await;
    next_created(&mut socket).await;

    let list = |search: &'static str| {
        let admin = &admin;
        async move {
            let rows: Value = admin
                .post_form("/api/admin/sent", &[("search", search)])
                .await
                .json()
                .await
                .unwrap();
            rows
        }
    };
    let rows = list("quarterly").await;
    assert_eq!(
        rows.as_array().unwrap().len(),
        1,
        "search by title, any case"
    );
    let row = &rows[0];
    assert_eq!(row["audience"], "Everyone");
    assert_eq!(row["sender"], "admin");
    assert_eq!(
        (row["recipients"].as_i64(), row["delivered"].as_i64()),
        (Some(3), Some(1)),
        "alice was online"
    );
    assert_eq!(
        (row["seen"].as_i64(), row["read"].as_i64()),
        (Some(0), Some(0))
    );

    // Alice opens her panel (seen) and reads it.
    let alice_id = app.user_id("alice").await;
    let note = app
        .state
        .store
        .page(alice_id, herald::InboxView::All, None, 10)
        .await
        .unwrap();
    let report = note.iter().find(|n| n.title == "Quarterly report").unwrap();
    alice
        .post_form("/api/inbox/seen", &[("up_to", &report.seq.to_string())])
        .await;
    alice
        .post_form(
            "/api/inbox/read",
            &[("id", &report.id.to_string()), ("read", "true")],
        )
        .await;
    next_event(&mut socket).await; // her own read, echoed to her tabs
    let row = &list("quarterly").await[0];
    assert_eq!(
        (row["seen"].as_i64(), row["read"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(list("").await.as_array().unwrap().len(), 2);
    assert_eq!(
        list("50%_off").await.as_array().unwrap().len(),
        0,
        "wildcards are literal"
    );

    // Retract: gone from every inbox and count, live.
    let id = row["id"].to_string();
    let res = admin.post_form("/api/admin/retract", &[("id", &id)]).await;
    assert_eq!(res.json::<Value>().await.unwrap(), 3);
    match next_event(&mut socket).await {
        herald::ServerMessage::Updated {
            notification,
            unread,
        } => {
            assert_eq!(notification.title, "Quarterly report");
            assert!(notification.retracted_at.is_some());
            assert_eq!(unread, 1, "only 'Unrelated' is left unread");
        }
        other => panic!("expected the retraction, got {other:?}"),
    }
    for user in ["admin", "alice", "bob"] {
        let uid = app.user_id(user).await;
        let titles: Vec<_> = app
            .state
            .store
            .page(uid, herald::InboxView::All, None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|n| n.title)
            .collect();
        assert_eq!(titles, ["Unrelated"], "{user}");
    }
    assert_eq!(list("quarterly").await[0]["retracted"], true);
    // Retrying is safe: nothing is left to retract.
    let again = admin.post_form("/api/admin/retract", &[("id", &id)]).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.text().await.unwrap(), "0");
    assert_eq!(
        admin
            .post_form("/api/admin/retract", &[("id", "987654")])
            .await
            .status(),
        404
    );
    assert_eq!(
        alice
            .post_form("/api/admin/sent", &[("search", "")])
            .await
            .status(),
        403
    );
    assert_eq!(
        alice
            .post_form("/api/admin/retract", &[("id", &id)])
            .await
            .status(),
        403
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_create_users_and_deactivation_ends_sessions_and_sockets_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let res = admin
        .post_form(
            "/api/admin/users/create",
            &[
                ("username", "carol"),
                ("password", "short"),
                ("role", "member"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        res.json::<Value>().await.unwrap()["Invalid"][0]["field"],
        "password"
    );
    let res = admin
        .post_form(
            "/api/admin/users/create",
            &[
                ("username", "alice"),
                ("password", PASSWORD),
                ("role", "member"),
            ],
        )
        .await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["Invalid"][0]["field"],
        "username",
        "taken"
    );
    let res = admin
        .post_form(
            "/api/admin/users/create",
            &[
                ("username", "carol"),
                ("password", PASSWORD),
                ("role", "member"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let carol = app.login("carol").await;
    let mut socket = app.socket(&carol).await;
    hello(&mut socket).await;

    let users: Value = admin
        .post_form("/api/admin/users", &[("search", "car")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(users.as_array().unwrap().len(), 1);
    assert_eq!(
        (users[0]["online"].as_bool(), users[0]["active"].as_bool()),
        (Some(true), Some(true))
    );

    let id = users[0]["id"].to_string();
    assert_eq!(
        admin
            .post_form("/api/admin/users/deactivate", &[("id", &id)])
            .await
            .status(),
        200
    );
    assert_eq!(
        close_code(&mut socket).await,
        herald::wire::close::SIGNED_OUT,
        "her socket ends at once"
    );
    let me: Value = carol.post_form("/api/me", &[]).await.json().await.unwrap();
    assert_eq!(me, Value::Null, "her session ends at once");
    assert_eq!(app.anonymous().login("carol", PASSWORD).await.status(), 401);
    assert!(app.try_socket(&carol, Some(&app.origin())).await.is_err());
    let users: Value = admin
        .post_form("/api/admin/users", &[("search", "carol")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(users[0]["active"], false);

    // Members cannot manage users, and an admin cannot lock themselves out.
    let alice = app.login("alice").await;
    assert_eq!(
        alice
            .post_form("/api/admin/users", &[("search", "")])
            .await
            .status(),
        403
    );
    assert_eq!(
        alice
            .post_form("/api/admin/users/deactivate", &[("id", "1")])
            .await
            .status(),
        403
    );
    let me = app.user_id("admin").await.to_string();
    assert_eq!(
        admin
            .post_form("/api/admin/users/deactivate", &[("id", &me)])
            .await
            .status(),
        409
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compose_reaches_a_list_of_users_or_a_role_and_everyone_needs_confirming() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let post = |fields: Vec<(&'static str, &'static str)>| {
        let admin = &admin;
        async move {
            let mut form = vec![("title", "Hello"), ("body", ""), ("link", "")];
            form.extend(fields);
            admin.post_form("/api/admin/send", &form).await
        }
    };
    let res = post(vec![("recipient", "everyone")]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        res.json::<Value>().await.unwrap()["Invalid"][0]["field"],
        "confirm"
    );
    let res = post(vec![("recipient", "role:member")]).await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["Invalid"][0]["field"],
        "confirm"
    );
    assert_eq!(app.unread("alice").await, 0, "nothing sent unconfirmed");

    let res = post(vec![("recipient", "role:member"), ("confirm", "on")]).await;
    let report = res.json::<Value>().await.unwrap();
    assert_eq!(
        (&report["recipients"], &report["queued"]),
        (&json!(2), &json!(true))
    );
    eventually("the members' copies", async || {
        app.unread("alice").await == 1 && app.unread("bob").await == 1
    })
    .await;
    assert_eq!(
        (
            app.unread("alice").await,
            app.unread("bob").await,
            app.unread("admin").await
        ),
        (1, 1, 0)
    );

    let res = post(vec![
        ("recipient", "several"),
        ("usernames", "alice, admin"),
    ])
    .await;
    assert_eq!(res.json::<Value>().await.unwrap()["recipients"], 2);
    assert_eq!(
        (
            app.unread("alice").await,
            app.unread("bob").await,
            app.unread("admin").await
        ),
        (2, 1, 1)
    );

    let res = post(vec![
        ("recipient", "several"),
        ("usernames", "alice, mallory"),
    ])
    .await;
    let body = res.json::<Value>().await.unwrap();
    assert_eq!(body["Invalid"][0]["field"], "usernames");
    assert!(
        body["Invalid"][0]["message"]
            .as_str()
            .unwrap()
            .contains("mallory")
    );
    assert_eq!(
        app.unread("alice").await,
        2,
        "nothing sent with an unknown name"
    );

    // Names are looked up as logins are: in any case, each person once.
    let res = post(vec![
        ("recipient", "several"),
        ("usernames", "ALICE\nalice"),
    ])
    .await;
    assert_eq!(res.json::<Value>().await.unwrap()["recipients"], 1);
    assert_eq!(app.unread("alice").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_reaches_no_admin_server_function() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    let anonymous = app.anonymous();
    // Every admin server function there is, with plausible arguments.
    let calls: [(&str, &[(&str, &str)]); 10] = [
        ("/api/admin/recipients", &[]),
        (
            "/api/admin/send",
            &[("title", "x"), ("recipient", "everyone"), ("confirm", "on")],
        ),
        ("/api/admin/sent", &[("search", "")]),
        ("/api/admin/retract", &[("id", "1")]),
        ("/api/admin/users", &[("search", "")]),
        (
            "/api/admin/users/create",
            &[
                ("username", "eve"),
                ("password", "long enough password"),
                ("role", "admin"),
            ],
        ),
        ("/api/admin/users/deactivate", &[("id", "1")]),
        ("/api/admin/api-keys", &[]),
        ("/api/admin/api-keys/create", &[("name", "stolen")]),
        ("/api/admin/api-keys/revoke", &[("id", "1")]),
    ];
    for (path, form) in calls {
        assert_eq!(
            alice.post_form(path, form).await.status(),
            403,
            "member: {path}"
        );
        assert_eq!(
            anonymous.post_form(path, form).await.status(),
            401,
            "anonymous: {path}"
        );
    }
    assert_eq!(
        app.state.store.count_users().await.unwrap(),
        3,
        "no user was created"
    );
    assert!(
        app.state.store.api_keys().await.unwrap().is_empty(),
        "no key was created"
    );
    assert_eq!(app.unread("bob").await, 0, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_user_list_pages_newest_first_without_skipping_or_repeating() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    for i in 0..55 {
        let made = app
            .state
            .store
            .external_user(&format!("pager-{i:02}"))
            .await;
        assert!(made.unwrap().is_some());
    }
    let page = |before: Option<i64>| {
        let before = before.map(|b| b.to_string());
        let admin = &admin;
        async move {
            let mut form = vec![("search", "pager")];
            if let Some(before) = &before {
                form.push(("before", before.as_str()));
            }
            let rows: Value = admin
                .post_form("/api/admin/users", &form)
                .await
                .json()
                .await
                .unwrap();
            rows.as_array()
                .unwrap()
                .iter()
                .map(|u| {
                    (
                        u["id"].as_i64().unwrap(),
                        u["username"].as_str().unwrap().to_owned(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let first = page(None).await;
    assert_eq!(first.len(), 50, "a full page");
    assert_eq!(first[0].1, "ext:pager-54", "the newest first");
    let rest = page(first.last().map(|(id, _)| *id)).await;
    assert_eq!(rest.len(), 5);
    assert_eq!(rest.last().unwrap().1, "ext:pager-00");
    let mut all: Vec<i64> = first.iter().chain(&rest).map(|(id, _)| *id).collect();
    assert!(
        all.windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeats"
    );
    all.dedup();
    assert_eq!(all.len(), 55, "nobody skipped");
}
