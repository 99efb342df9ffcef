use herald::Role;
use serde_json::Value;
use server::config::{Config, Environment};

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_with_the_right_password_starts_a_hardened_session() {
    let app = TestApp::spawn().await;
    let client = app.anonymous();
    let res = client.login("alice", PASSWORD).await;
    assert_eq!(res.status(), 200);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("herald_session="))
        .expect("session cookie set");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http must not get a Secure cookie: {cookie}"
    );

    let me: Value = client.post_form("/api/me", &[]).await.json().await.unwrap();
    assert_eq!(me["user"]["username"], "alice");
    assert_eq!(me["user"]["role"], "member");
    assert_eq!(me["unread"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_with_a_wrong_password_or_unknown_user_fails() {
    let app = TestApp::spawn().await;
    let client = app.anonymous();
    for (username, password) in [
        ("alice", "wrong password"),
        ("mallory", PASSWORD),
        ("alice", ""),
    ] {
        let res = client.login(username, password).await;
        assert_eq!(res.status(), 401, "{username}/{password}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body, serde_json::json!("BadCredentials"));
    }
    let me: Value = client.post_form("/api/me", &[]).await.json().await.unwrap();
    assert_eq!(me, Value::Null, "a failed login starts no session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_ends_the_session() {
    let app = TestApp::spawn().await;
    let client = app.login("bob").await;
    let res = client.post_form("/api/logout", &[]).await;
    assert_eq!(res.status(), 200);
    let me: Value = client.post_form("/api/me", &[]).await.json().await.unwrap();
    assert_eq!(me, Value::Null);
    let refused = app.try_socket(&client, Some(&app.origin())).await;
    assert!(refused.is_err(), "a logged-out session opens no socket");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secure_public_url_makes_the_session_cookie_secure() {
    let db = Db::fresh().await;
    let mut config = test_config(&db);
    config.public_url = Some("https://herald.example".parse().unwrap());
    let app = TestApp::spawn_on(&db, config).await;
    // The page is served at the public URL, so that is where the form is.
    let res = app
        .anonymous()
        .post_form_from(
            "https://herald.example",
            "/api/login",
            &[("username", "alice"), ("password", PASSWORD)],
        )
        .await;
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_development_database_is_seeded_once_with_argon2_hashes() {
    let app = TestApp::spawn().await;
    let names: Vec<_> = app.seeded.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["admin", "alice", "bob"]);
    let users = app.state.store.users().await.unwrap();
    let roles: Vec<_> = users
        .iter()
        .map(|u| (u.username.as_str(), u.role))
        .collect();
    assert_eq!(
        roles,
        [
            ("admin", Role::Admin),
            ("alice", Role::Member),
            ("bob", Role::Member)
        ]
    );
    let mut hashes = Vec::new();
    for user in &users {
        let found = app.state.store.credentials(&user.username).await.unwrap();
        hashes.push(found.unwrap().password_hash);
    }
    assert!(
        hashes
            .iter()
            .all(|h| h.starts_with("$argon2id$") && !h.contains(PASSWORD))
    );

    // Restarting on the same database seeds nothing and prints nothing.
    let db = app.db.clone();
    let dir = app.shut_down().await;
    let again = TestApp::spawn_on(&db, test_config(&db)).await;
    assert!(again.seeded.is_empty());
    assert_eq!(again.state.store.count_users().await.unwrap(), 3);
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_and_disabled_seeding_create_no_users() {
    for (env, seed) in [
        (Environment::Production, true),
        (Environment::Development, false),
    ] {
        let db = Db::fresh().await;
        let mut config: Config = test_config(&db);
        config.env = env;
        config.seed = seed;
        let app = TestApp::spawn_on(&db, config).await;
        assert!(app.seeded.is_empty());
        assert_eq!(app.state.store.count_users().await.unwrap(), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_seed_passwords_are_distinct_and_work() {
    let db = Db::fresh().await;
    let mut config = test_config(&db);
    config.seed_password = None;
    let app = TestApp::spawn_on(&db, config).await;
    let (_, alice_pw) = app.seeded.iter().find(|(n, _)| n == "alice").unwrap();
    let (_, bob_pw) = app.seeded.iter().find(|(n, _)| n == "bob").unwrap();
    assert_ne!(alice_pw, bob_pw);
    assert_eq!(app.anonymous().login("alice", alice_pw).await.status(), 200);
    assert_eq!(app.anonymous().login("alice", bob_pw).await.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_gets_its_first_admin_from_settings_and_only_once() {
    let db = Db::fresh().await;
    let mut config = test_config(&db);
    config.env = Environment::Production;
    config.admin_username = "ops".into();
    config.admin_password = Some("a long admin password".into());
    let app = TestApp::spawn_on(&db, config.clone()).await;
    assert!(app.seeded.is_empty(), "no demo users in production");
    let users = app.state.store.users().await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(
        (users[0].username.as_str(), users[0].role),
        ("ops", Role::Admin)
    );
    assert_eq!(
        app.anonymous()
            .login("ops", "a long admin password")
            .await
            .status(),
        200
    );
    drop(app.shut_down().await);

    // Later starts leave existing users alone, whatever the setting says.
    config.admin_password = Some("another long password".into());
    let again = TestApp::spawn_on(&db, config).await;
    assert_eq!(
        again
            .anonymous()
            .login("ops", "a long admin password")
            .await
            .status(),
        200
    );
    assert_eq!(again.state.store.count_users().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_first_admin_password_stops_startup() {
    let db = Db::fresh().await;
    let mut config = test_config(&db);
    config.env = Environment::Production;
    config.admin_password = Some("short".into());
    let error = server::Herald::prepare(config, leptos_options())
        .await
        .err()
        .expect("refused");
    assert!(
        error.to_string().contains("HERALD_ADMIN_PASSWORD"),
        "{error}"
    );
}
