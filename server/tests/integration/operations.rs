//! What operators and load balancers see: liveness, readiness, metrics,
//! and a drain that moves live clients elsewhere before the process goes.

use serde_json::Value;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serving_instance_is_alive_and_ready() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    let live = http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(live.status(), 200);
    let ready = http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let ready: Value = ready.json().await.unwrap();
    assert_eq!(
        (&ready["database"], &ready["listener"], &ready["draining"]),
        (&Value::Bool(true), &Value::Bool(true), &Value::Bool(false)),
        "{ready}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draining_turns_unready_moves_live_clients_and_refuses_new_ones() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    let mut socket = app.socket(&alice).await;
    hello(&mut socket).await;

    app.state.draining.cancel();
    // Going away (1001): the client reconnects, through the load balancer,
    // to another instance.
    assert_eq!(close_code(&mut socket).await, 1001);
    let ready = reqwest::get(app.url("/readyz")).await.unwrap();
    assert_eq!(ready.status(), 503);
    let ready: Value = ready.json().await.unwrap();
    assert_eq!(ready["draining"], true);
    let refused = app.try_socket(&alice, Some(&app.origin())).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => assert_eq!(res.status(), 503),
        other => panic!("expected a 503, got {:?}", other.map(|_| ())),
    }
    let events = alice.get_page("/events").await;
    assert_eq!(events.status(), 503);
    // Pages and server functions still answer while the balancer catches up.
    let me = alice.post_form("/api/me", &[]).await;
    assert_eq!(me.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_connections_notifications_batches_and_delivery_lag() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    let mut socket = app.socket(&alice).await;
    hello(&mut socket).await;
    app.notify("alice", "Measured", "").await;
    assert_eq!(next_created(&mut socket).await.0, "Measured");

    let text = reqwest::get(app.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The recorder is shared by every test app in this process: check the
    // series exist and moved, not exact values.
    let value = |name: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in:\n{text}"))
    };
    assert!(value("herald_connections{transport=\"websocket\"}") >= 1.0);
    assert!(value("herald_notifications_created_total") >= 1.0);
    assert!(value("herald_events_delivered_total") >= 1.0);
    assert!(value("herald_delivery_lag_seconds_count") >= 1.0);
    // The writer's batches: how many sends each held, how long each took.
    assert!(value("herald_write_batch_sends_count") >= 1.0);
    assert!(value("herald_write_batch_seconds_sum") > 0.0);
    assert!(text.contains("herald_delivery_lag_seconds_bucket{le=\"0.001\"}"));
    assert!(value("herald_listener_reconnects_total") >= 0.0);
    assert_eq!(value("herald_listener_up"), 1.0);
    assert!(value("herald_database_connections_in_use") >= 0.0);
}

/// Past the ceiling on requests at once, a request is refused at once with
/// 503, Retry-After and a problem document, not queued; live connections and health checks are
/// not counted; when the load passes, requests are served again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_concurrency_ceiling_requests_are_shed_with_retry_after() {
    let app = TestApp::spawn_with(|c| c.max_concurrent_requests = 1).await;
    let alice = app.login("alice").await;
    let api = Api::new(&app).await;

    // One request holds the only place: its body never finishes until we say.
    let mut held = hold(&app, &api).await;
    let http = reqwest::Client::new();
    eventually("a second request is shed", async || {
        if held.1.is_finished() {
            // A probe took the only place first and shed the holder: hold again.
            held = hold(&app, &api).await;
            return false;
        }
        let res = http.get(app.url("/login")).send().await.unwrap();
        let shed = res.status() == 503
            && res.headers().get("retry-after").is_some_and(|v| v == "1")
            && res.headers()["content-type"] == "application/problem+json";
        // A problem document, as every API error is.
        shed && res.json::<serde_json::Value>().await.unwrap()["status"] == 503
    })
    .await;
    let (tx, held) = held;
    // Live connections and health checks do not count.
    let ready = http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let mut socket = app.socket(&alice).await;
    hello(&mut socket).await;

    tx.send(Ok(b"\"title\":\"held\"}".to_vec())).await.unwrap();
    drop(tx);
    let held = held.await.unwrap().unwrap();
    assert_eq!(held.status(), 201);
    eventually("requests are served again", async || {
        http.get(app.url("/login")).send().await.unwrap().status() == 200
    })
    .await;
}

/// A create request whose body stays unfinished until the returned sender
/// sends the rest (and is dropped).
async fn hold(
    app: &TestApp,
    api: &Api<'_>,
) -> (
    tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
    tokio::task::JoinHandle<reqwest::Result<reqwest::Response>>,
) {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    tx.send(Ok(b"{\"recipients\":[{\"external_id\":\"x\"}],".to_vec()))
        .await
        .unwrap();
    let body = reqwest::Body::wrap_stream(tokio_stream_of(rx));
    let held = tokio::spawn(
        api.http
            .post(app.url("/api/v1/notifications"))
            .bearer_auth(&api.key)
            .header("content-type", "application/json")
            .body(body)
            .send(),
    );
    (tx, held)
}

/// A stream of the chunks sent on `rx`.
fn tokio_stream_of(
    rx: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
) -> impl futures::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}
