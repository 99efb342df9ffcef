//! Who may act: deactivated users are skipped and can come back, there is
//! always an admin, usernames cannot pose as one another, and every admin
//! action is on the record.

use serde_json::{Value, json};

use crate::common::*;

async fn user_id_by_name(app: &TestApp, name: &str) -> String {
    app.user_id(name).await.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivated_users_are_skipped_as_recipients_and_can_be_reactivated() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let bob = user_id_by_name(&app, "bob").await;
    let deactivate = admin
        .post_form("/api/admin/users/deactivate", &[("id", &bob)])
        .await;
    assert_eq!(deactivate.status(), 200);
    assert_eq!(app.anonymous().login("bob", PASSWORD).await.status(), 401);

    let api = Api::new(&app).await;
    app.state
        .store
        .external_user("gone")
        .await
        .unwrap()
        .unwrap();
    let gone = app
        .state
        .store
        .user_by_external_id("gone")
        .await
        .unwrap()
        .unwrap()
        .id;
    app.state.store.deactivate(gone, "test").await.unwrap();
    let body = json!({
        "recipients": [{ "user_id": app.user_id("alice").await }, { "user_id": app.user_id("bob").await }, { "external_id": "gone" }],
        "title": "Team update",
    });
    let res = api.post(&body, None).await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(
        created["notifications"].as_array().unwrap().len(),
        1,
        "{created}"
    );
    assert_eq!(app.unread("alice").await, 1);
    assert_eq!(
        app.state
            .store
            .unread(app.user_id("bob").await)
            .await
            .unwrap()
            .unread,
        0
    );
    let token = api
        .http
        .post(app.url("/api/v1/connection-tokens"))
        .bearer_auth(&api.key)
        .json(&json!({ "external_id": "gone" }))
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 404, "no token for a deactivated user");

    let back = admin
        .post_form("/api/admin/users/reactivate", &[("id", &bob)])
        .await;
    assert_eq!(back.status(), 200);
    assert_eq!(app.anonymous().login("bob", PASSWORD).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_active_admin_can_be_neither_deactivated_nor_demoted() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let created = admin
        .post_form(
            "/api/admin/users/create",
            &[
                ("username", "second"),
                ("password", PASSWORD),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(created.status(), 200);
    let second = app.login("second").await;
    let first_id = user_id_by_name(&app, "admin").await;
    let second_id = user_id_by_name(&app, "second").await;
    // Two admins: one may go.
    let res = second
        .post_form("/api/admin/users/deactivate", &[("id", &first_id)])
        .await;
    assert_eq!(res.status(), 200);
    // The one left can neither be demoted nor deactivated (by themselves
    // or anyone).
    let res = second
        .post_form(
            "/api/admin/users/role",
            &[("id", &second_id), ("role", "member")],
        )
        .await;
    assert_eq!(res.status(), 409);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("at least one active admin")
    );
    assert!(matches!(
        app.state
            .store
            .deactivate(app.user_id("second").await, "test")
            .await,
        Err(server::store::StoreError::LastAdmin)
    ));
    let res = second
        .post_form("/api/admin/users/deactivate", &[("id", &second_id)])
        .await;
    assert_eq!(res.status(), 409);
    // Promote alice, and the demotion goes through.
    let alice = user_id_by_name(&app, "alice").await;
    let res = second
        .post_form(
            "/api/admin/users/role",
            &[("id", &alice), ("role", "admin")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = second
        .post_form(
            "/api/admin/users/role",
            &[("id", &second_id), ("role", "member")],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        second.get_page("/admin").await.status(),
        403,
        "no longer an admin"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usernames_are_unique_in_any_case_and_limited_to_ascii() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    for (name, status) in [
        ("Alice", 422),
        ("\u{430}dmin", 422),
        ("carol:x", 422),
        ("Carol", 200),
    ] {
        let res = admin
            .post_form(
                "/api/admin/users/create",
                &[
                    ("username", name),
                    ("password", PASSWORD),
                    ("role", "member"),
                ],
            )
            .await;
        assert_eq!(res.status(), status, "{name}");
        if status == 422 {
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["Invalid"][0]["field"], "username", "{name}");
        }
    }
    assert_eq!(app.anonymous().login("carol", PASSWORD).await.status(), 200);
    let long = "p".repeat(257);
    let res = admin
        .post_form(
            "/api/admin/users/create",
            &[
                ("username", "dave"),
                ("password", &long),
                ("role", "member"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_actions_and_api_sends_are_in_the_audit_log_newest_first() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    admin.send("everyone", "Maintenance tonight").await;
    let send = app.state.store.sends(None, None, 1).await.unwrap()[0]
        .id
        .to_string();
    admin
        .post_form("/api/admin/retract", &[("id", &send)])
        .await;
    admin
        .post_form(
            "/api/admin/users/create",
            &[
                ("username", "erin"),
                ("password", PASSWORD),
                ("role", "member"),
            ],
        )
        .await;
    let erin = user_id_by_name(&app, "erin").await;
    admin
        .post_form("/api/admin/users/role", &[("id", &erin), ("role", "admin")])
        .await;
    admin
        .post_form("/api/admin/users/deactivate", &[("id", &erin)])
        .await;
    admin
        .post_form("/api/admin/users/reactivate", &[("id", &erin)])
        .await;
    admin
        .post_form("/api/admin/api-keys/create", &[("name", "billing")])
        .await;
    let key = app.state.store.api_keys().await.unwrap()[0].id.to_string();
    admin
        .post_form("/api/admin/api-keys/revoke", &[("id", &key)])
        .await;
    let api = Api::new(&app).await;
    let body = json!({ "recipients": [{ "external_id": "c-1" }], "title": "Invoice paid" });
    assert_eq!(api.post(&body, None).await.status(), 201);

    let log: Value = admin
        .post_form("/api/admin/audit", &[])
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<(&str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["actor"].as_str().unwrap(), e["action"].as_str().unwrap()))
        .collect();
    let names: Vec<&str> = actions.iter().map(|(_, action)| *action).collect();
    assert_eq!(
        names[..10],
        [
            "send",
            "key.create",
            "key.revoke",
            "key.create",
            "user.reactivate",
            "user.deactivate",
            "user.role",
            "user.create",
            "retract",
            "send",
        ]
    );
    assert!(
        actions[0].0.starts_with("API key “django” (hk_"),
        "{:?}",
        actions[0]
    );
    assert_eq!(actions[2].0, "admin");
    assert_eq!(actions[9].0, "admin");
    let searched: Value = admin
        .post_form("/api/admin/audit", &[("search", "erin")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(searched.as_array().unwrap().len(), 4);
    let member = app.login("alice").await;
    assert_eq!(
        member.post_form("/api/admin/audit", &[]).await.status(),
        403
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_external_user_deactivated_between_sends_is_skipped_then_reached_again() {
    // The first send creates the user and the server remembers its id; the
    // later ones must still see the user's state as it is now.
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let api = Api::new(&app).await;
    let send = |title: &str| json!({ "recipients": [{ "external_id": "erin" }], "title": title });
    let created = |res: reqwest::Response| async move {
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.unwrap();
        body["notifications"].as_array().unwrap().len()
    };
    assert_eq!(created(api.post(&send("first"), None).await).await, 1);
    let erin = app
        .state
        .store
        .user_by_external_id("erin")
        .await
        .unwrap()
        .unwrap()
        .id;
    let id = erin.to_string();
    let off = admin
        .post_form("/api/admin/users/deactivate", &[("id", &id)])
        .await;
    assert_eq!(off.status(), 200);
    assert_eq!(created(api.post(&send("while away"), None).await).await, 0);
    let on = admin
        .post_form("/api/admin/users/reactivate", &[("id", &id)])
        .await;
    assert_eq!(on.status(), 200);
    assert_eq!(created(api.post(&send("back"), None).await).await, 1);
    let titles: Vec<String> = app
        .state
        .store
        .page(erin, herald::InboxView::All, None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.title)
        .collect();
    assert_eq!(titles, ["back", "first"]);
}
