//! The edges: requests from other sites, security headers, clients that
//! stall, and data that must not grow without bound.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changes_sent_from_another_site_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let send = [
        ("title", "Forged"),
        ("recipient", "everyone"),
        ("confirm", "on"),
    ];
    let forged = admin
        .post_form_from("https://evil.example", "/api/admin/send", &send)
        .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(app.unread("alice").await, 0, "nothing was sent");
    // A sibling subdomain is same-site, not same-origin: refused too.
    let sibling = admin
        .http
        .post(app.url("/api/admin/send"))
        .header("sec-fetch-site", "same-site")
        .form(&send)
        .send()
        .await
        .unwrap();
    assert_eq!(sibling.status(), 403);
    // Login CSRF: another site cannot log a browser in as its own account.
    let planted = app
        .anonymous()
        .post_form_from(
            "https://evil.example",
            "/api/login",
            &[("username", "bob"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(planted.status(), 403);
    // From Herald's own page, all of it works.
    assert_eq!(
        admin.post_form("/api/admin/send", &send).await.status(),
        200
    );
    eventually("alice's copy", async || app.unread("alice").await == 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notification_link_from_another_site_asks_before_marking_read() {
    let app = TestApp::spawn().await;
    app.notify("alice", "<b>Report</b> ready", "").await;
    let alice = app.login("alice").await;
    let id = app
        .state
        .store
        .page(app.user_id("alice").await, herald::InboxView::All, None, 1)
        .await
        .unwrap()[0]
        .id;
    let path = format!("/notifications/{id}/open");
    for site in [Some("cross-site"), Some("same-site"), None] {
        let mut request = alice.http.get(app.url(&path));
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        let res = request.send().await.unwrap();
        assert_eq!(res.status(), 200, "{site:?}");
        let page = res.text().await.unwrap();
        assert!(page.contains("Open this notification?"));
        assert!(
            page.contains("&lt;b&gt;Report&lt;/b&gt; ready"),
            "the title as text"
        );
        assert_eq!(app.unread("alice").await, 1, "not marked read by {site:?}");
    }
    // The page's button is a POST, checked like any other.
    let forged = alice
        .post_form_from("https://evil.example", &path, &[])
        .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(app.unread("alice").await, 1);
    let confirmed = alice.post_form(&path, &[]).await;
    assert!(confirmed.status().is_redirection());
    assert_eq!(app.unread("alice").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_security_headers_and_pages_a_nonce_policy() {
    let app = TestApp::spawn().await;
    let page = app.anonymous().page("/login").await;
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    for header in [
        "x-frame-options",
        "x-content-type-options",
        "referrer-policy",
    ] {
        assert!(page.headers().contains_key(header), "{header}");
    }
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert!(
        !page.headers().contains_key("strict-transport-security"),
        "not over http"
    );
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"));
    let html = page.text().await.unwrap();
    // Every inline script carries this response's nonce.
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "{html}"
    );

    let json = app.anonymous().get_page("/api/v1/openapi.json").await;
    let csp = json.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");

    let secure =
        TestApp::spawn_with(|c| c.public_url = Some("https://herald.example".parse().unwrap()))
            .await;
    let res = secure.anonymous().get_page("/healthz").await;
    assert!(
        res.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_trickles_its_headers_is_cut_off() {
    let app = TestApp::spawn_with(|c| c.header_timeout_secs = 1).await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // ...and nothing more. The server closes the connection (an HTTP 408
    // first, or just the close) instead of waiting forever.
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection was not closed");
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_sends_a_few_bytes_and_stops_is_cut_off() {
    // Fewer bytes than any protocol detection needs: the deadline must
    // run from the first byte, not from a complete request line.
    let app = TestApp::spawn_with(|c| c.header_timeout_secs = 1).await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    stream.write_all(b"GET /healt").await.unwrap();
    let mut silent = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    for (what, stream) in [("a few bytes", &mut stream), ("nothing", &mut silent)] {
        let mut answer = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer));
        assert!(
            read.await.is_ok(),
            "a client that sent {what} was not cut off"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_on_time_even_when_an_event_stream_client_stops_reading() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    // A small receive window, so what the server sends soon has nowhere to go.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(app.addr).await.unwrap();
    let cookie = alice.cookie_header().unwrap();
    let request = format!(
        "GET /events?after=0 HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\n\r\n",
        app.addr,
        cookie.to_str().unwrap()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    // Fill every buffer between the server and this client, which never reads.
    let body = "x".repeat(2000);
    for n in 0..400 {
        app.notify("alice", &format!("n{n}"), &body).await;
    }
    let started = std::time::Instant::now();
    drop(app.shut_down().await);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    drop(stream);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_for_an_unknown_external_id_are_404_and_create_nobody() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let users = app.state.store.count_users().await.unwrap();
    for path in [
        "/api/v1/unread?external_id=typo",
        "/api/v1/notifications?external_id=typo",
    ] {
        let res = api
            .http
            .get(app.url(path))
            .bearer_auth(&api.key)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{path}");
    }
    assert_eq!(app.state.store.count_users().await.unwrap(), users);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_idempotency_records_and_old_read_notifications_are_purged() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let alice = app.user_id("alice").await;
    for (title, key) in [("Read long ago", "a"), ("Still unread", "b")] {
        let body = json!({ "recipients": [{ "user_id": alice }], "title": title });
        assert_eq!(api.post(&body, Some(key)).await.status(), 201);
    }
    let page = app
        .state
        .store
        .page(alice, herald::InboxView::All, None, 10)
        .await
        .unwrap();
    let read = page.iter().find(|n| n.title == "Read long ago").unwrap().id;
    app.state
        .notifier
        .change_one(alice, read, herald::Change::Read(true))
        .await
        .unwrap();

    let day = 24 * 60 * 60 * 1000;
    let now = server::store::now_ms();
    // Within a day nothing goes; without retention no notification ever does.
    let kept = app
        .state
        .store
        .purge(now, Some(Duration::from_secs(86_400)))
        .await
        .unwrap();
    assert_eq!(kept, server::store::Purged::default());
    let later = app.state.store.purge(now + 2 * day, None).await.unwrap();
    assert_eq!((later.idempotency_keys, later.notifications), (2, 0));
    assert!(app.state.store.remembered(1, "a").await.unwrap().is_none());
    let retained = app
        .state
        .store
        .purge(now + 2 * day, Some(Duration::from_secs(86_400)))
        .await
        .unwrap();
    assert_eq!(retained.notifications, 1);
    let left: Vec<_> = app
        .state
        .store
        .page(alice, herald::InboxView::All, None, 10)
        .await
        .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].title, "Still unread");
    assert_eq!(app.unread("alice").await, 1, "the count is untouched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_purge_job_keeps_running_after_a_failed_run() {
    let app = TestApp::spawn_with(|c| c.purge_interval_secs = 0).await;
    let jobs = app.state.housekeeping.clone();
    eventually("a purge run", async || jobs.runs() > 0).await;
    // Break the next runs: the table they purge is gone for a moment.
    let store = &app.state.store;
    store
        .execute_script("ALTER TABLE idempotency_keys RENAME TO idempotency_keys_away")
        .await
        .unwrap();
    eventually("a failed run", async || jobs.failures() > 0).await;
    store
        .execute_script("ALTER TABLE idempotency_keys_away RENAME TO idempotency_keys")
        .await
        .unwrap();
    let runs = jobs.runs();
    eventually("runs to go on after the failure", async || {
        jobs.runs() > runs
    })
    .await;
}

/// Several servers in one process (as in these tests, or instances side by
/// side): starting one must not stall a page another is rendering. Listing
/// the app's routes suspends every resource load in the process
/// (leptos-rs/leptos#4773), so a page whose data started loading meanwhile
/// never answered; the CI run saw it once as "no answer in 30s".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starting_another_server_never_stalls_a_page_being_rendered() {
    let app = TestApp::spawn().await;
    app.notify("alice", "Still here", "").await;
    let alice = app.login("alice").await;
    let starting = {
        let db = app.db.clone();
        tokio::spawn(async move {
            for _ in 0..30 {
                let other = TestApp::spawn_on(&db, test_config(&db)).await;
                other.shut_down().await;
            }
        })
    };
    let mut rendered = 0;
    while !starting.is_finished() {
        let page = tokio::time::timeout(
            Duration::from_secs(10),
            alice.page("/notifications?view=unread"),
        )
        .await
        .expect("the page answers while other servers start");
        let html = page.text().await.unwrap();
        assert!(html.contains("Still here"), "{html}");
        rendered += 1;
    }
    if let Err(failed) = starting.await {
        // Said here, at the end of the log, where CI's excerpt shows it.
        let why = failed.into_panic();
        let why = why
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| why.downcast_ref::<&str>().copied())
            .unwrap_or("?");
        panic!("a server failed to start or stop: {why}");
    }
    assert!(rendered > 0);
}

/// Pages rendered at the same time on one server each get their title
/// with the count. leptos_meta reads the title after the render's arena may
/// have been swapped for another request's on that thread (its `Sandboxed`
/// sets a thread's arena and never restores it): reading the count from an
/// arena signal there panicked and cut the page off, now and then under load.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_rendered_at_once_all_answer_with_their_count() {
    let app = TestApp::spawn().await;
    app.notify("alice", "For alice", "").await;
    let mut readers = tokio::task::JoinSet::new();
    for reader in 0..16 {
        let client = app
            .login(if reader % 2 == 0 { "alice" } else { "bob" })
            .await;
        let expected = if reader % 2 == 0 {
            "<title>(1) Herald</title>"
        } else {
            "<title>Herald</title>"
        };
        readers.spawn(async move {
            for round in 0..25 {
                let path = ["/", "/notifications", "/settings"][round % 3];
                let html = client.page(path).await.text().await.unwrap();
                assert!(html.contains(expected), "{path} lacks {expected}: {html}");
            }
        });
    }
    while let Some(finished) = readers.join_next().await {
        finished.unwrap();
    }
}
