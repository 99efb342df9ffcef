use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
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

    let total: i64 = sqlx::query_scalar("SELECT COUNT(id) FROM notifications")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(total, 0, "nothing stored");
    assert_eq!(
        app.state
            .store
            .unread(app.user_id("alice").await)
            .await
            .unwrap(),
        (0, 0)
    );
    // Nothing was published either: the next event alice sees is the valid one.
    admin.send(&alice_id, "Valid").await;
    assert_eq!(next_created(&mut socket).await, ("Valid".into(), 1));
}

#[tokio::test]
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
        json!({"title": "Report ready", "recipients": 1, "online": 0})
    );
    let row: (String, String, Option<String>, i64) =
        sqlx::query_as("SELECT title, body, link, seq FROM notifications")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
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

#[tokio::test]
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

#[tokio::test]
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
