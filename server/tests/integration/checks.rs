//! A key or a pass checked a moment ago is reused for at most
//! `server::store::RECHECK` instead of costing a database round trip per
//! request. The instance that makes a change refuses at once; another
//! instance on the same database refuses within that bound. On both engines.

use std::time::{Duration, Instant};

use server::store::RECHECK;

use crate::common::*;

/// How late past `RECHECK` a refusal may come: a request's own time.
const SLACK: Duration = Duration::from_millis(400);

/// Two instances on one fresh database.
async fn two_instances() -> (TestApp, TestApp) {
    let db = Db::fresh().await;
    let mut config = test_config(&db);
    config.token_secret = Some("a shared token secret of at least thirty-two bytes".into());
    let a = TestApp::spawn_on(&db, config.clone()).await;
    let b = TestApp::spawn_on(&db, config).await;
    (a, b)
}

/// The status `GET {path}` on `app` gets with `bearer`.
async fn status(app: &TestApp, path: &str, bearer: &str) -> u16 {
    reqwest::Client::new()
        .get(app.url(path))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Waits until `app` refuses `bearer` on `path`; how long that took from `since`.
async fn refused_after(app: &TestApp, path: &str, bearer: &str, since: Instant) -> Duration {
    eventually_within(RECHECK + Duration::from_secs(5), "a refusal", async || {
        status(app, path, bearer).await == 401
    })
    .await;
    since.elapsed()
}

/// `bearer` works on `path` on both instances (so both hold it in
/// memory); after `change` on `a`, `a` refuses it at once and `b` within
/// the bound.
async fn refused_once_changed(
    (a, b): (&TestApp, &TestApp),
    path: &str,
    bearer: &str,
    change: impl AsyncFnOnce(),
) {
    assert_eq!(status(a, path, bearer).await, 200);
    assert_eq!(status(b, path, bearer).await, 200);
    let changed = Instant::now();
    change().await;
    assert_eq!(status(a, path, bearer).await, 401, "at once where changed");
    let late = refused_after(b, path, bearer, changed).await;
    assert!(late <= RECHECK + SLACK, "refused {late:?} after the change");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_key_is_refused_here_at_once_and_on_another_instance_within_the_bound() {
    let (a, b) = two_instances().await;
    let store = &a.state.store;
    let (key, secret) = store.create_api_key("soon revoked", "test").await.unwrap();
    let revoke = async || store.revoke_api_key(key.id, "test").await.unwrap();
    refused_once_changed((&a, &b), "/api/v1/unread?user_id=1", &secret, revoke).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_users_token_is_refused_here_at_once_and_elsewhere_within_the_bound() {
    let (a, b) = two_instances().await;
    let token = Api::new(&a).await.token("leaving", 600).await;
    let user = a.user_id("ext:leaving").await;
    let deactivate = async || a.state.store.deactivate(user, "test").await.unwrap();
    refused_once_changed((&a, &b), "/api/v1/me/unread", &token, deactivate).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_in_use_is_read_from_the_database_once_a_recheck() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let path = "/api/v1/unread?user_id=1";
    assert_eq!(status(&app, path, &api.key).await, 200);
    // Remove the key behind the store's back: only a fresh read would see it.
    app.state
        .store
        .execute_script("DELETE FROM api_keys")
        .await
        .unwrap();
    let start = Instant::now();
    let reused = status(&app, path, &api.key).await == 200;
    if start.elapsed() < RECHECK / 2 {
        assert!(reused, "a key checked a moment ago is not read again");
    }
    let late = refused_after(&app, path, &api.key, start).await;
    assert!(
        late <= RECHECK + SLACK,
        "read afresh within the bound ({late:?})"
    );
}
