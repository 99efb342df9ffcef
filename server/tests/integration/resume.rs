//! Never miss a notification: resume, heartbeats, backpressure, limits and
//! the server-sent-events fallback, over real sockets.

use std::collections::HashSet;

use futures::{SinkExt, StreamExt};
use herald::ServerMessage;
use herald::wire::REPLAY_LIMIT;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::common::*;

fn seq_of(message: &ServerMessage) -> i64 {
    message.seq().expect("message with a sequence number")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_after_a_gap_returns_exactly_the_missed_events_in_order() {
    let app = TestApp::spawn().await;
    for i in 1..=5 {
        app.notify("alice", &format!("n{i}"), "").await;
    }
    let alice = app.login("alice").await;
    let mut socket = app.socket_after(&alice, 2).await;
    let mut replayed = Vec::new();
    for _ in 0..3 {
        match next_event(&mut socket).await {
            ServerMessage::Missed { notification } => {
                replayed.push((notification.seq, notification.title))
            }
            other => panic!("expected a replayed notification, got {other:?}"),
        }
    }
    assert_eq!(
        replayed,
        [(3, "n3".into()), (4, "n4".into()), (5, "n5".into())]
    );
    match next_event(&mut socket).await {
        ServerMessage::Hello { unread, seq, .. } => assert_eq!((unread, seq), (5, 5)),
        other => panic!("expected hello, got {other:?}"),
    }
    // Then live, continuing the same sequence.
    app.notify("alice", "n6", "").await;
    assert_eq!(next_created(&mut socket).await, ("n6".into(), 6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_committed_while_clients_resume_arrive_exactly_once() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    const TOTAL: i64 = 60;
    let sender = {
        let services = app.state.notifier.clone();
        let id = app.user_id("alice").await;
        tokio::spawn(async move {
            for i in 1..=TOTAL {
                let content = herald::NewNotification {
                    title: format!("n{i}"),
                    body: String::new(),
                    link: None,
                    category: Default::default(),
                    expires_at: None,
                    actions: Vec::new(),
                    group_key: None,
                };
                services
                    .deliver(&herald::Audience::User { id }, &content, None, "test")
                    .await
                    .unwrap();
                tokio::task::yield_now().await;
            }
        })
    };
    // Sockets opened at different moments of the stream of sends, each
    // resuming from zero: replay and live overlap differently for each.
    let mut sockets = Vec::new();
    for _ in 0..8 {
        sockets.push(app.socket_after(&alice, 0).await);
        tokio::task::yield_now().await;
    }
    sender.await.unwrap();
    for socket in &mut sockets {
        let mut seen = Vec::new();
        while seen.last() != Some(&TOTAL) {
            match next_event(socket).await {
                ServerMessage::Missed { notification }
                | ServerMessage::Created { notification, .. } => seen.push(notification.seq),
                ServerMessage::Hello { .. } => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(seen, (1..=TOTAL).collect::<Vec<_>>(), "each once, in order");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gap_too_large_to_replay_or_a_cursor_from_the_future_is_a_resync() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    app.notify("alice", "only one", "").await;
    let mut ahead = app.socket_after(&alice, 99).await;
    match next_event(&mut ahead).await {
        ServerMessage::Resync { unread, seq, .. } => assert_eq!((unread, seq), (1, 1)),
        other => panic!("expected resync, got {other:?}"),
    }

    for i in 0..REPLAY_LIMIT {
        app.notify("alice", &format!("bulk {i}"), "").await;
    }
    let total = REPLAY_LIMIT + 1;
    let mut behind = app.socket_after(&alice, 0).await;
    match next_event(&mut behind).await {
        ServerMessage::Resync { unread, seq, .. } => assert_eq!((unread, seq), (total, total)),
        other => panic!("expected resync, got {other:?}"),
    }
    // Exactly at the limit is still replayed.
    let mut at_limit = app.socket_after(&alice, 1).await;
    assert!(matches!(
        next_event(&mut at_limit).await,
        ServerMessage::Missed { .. }
    ));

    // One change over more rows than the limit (mark all read gives them
    // all its one sequence number) is a resync too, not a flood.
    let uid = app.user_id("alice").await;
    app.state.store.mark_all_read(uid, total).await.unwrap();
    let mut before_it = app.socket_after(&alice, total).await;
    match next_event(&mut before_it).await {
        ServerMessage::Resync { unread, seq, .. } => assert_eq!((unread, seq), (0, total + 1)),
        other => panic!("expected resync, got {other:?}"),
    }
    // The lowest cursor there is: a resync, not an overflow.
    let mut lowest = app.socket_after(&alice, i64::MIN).await;
    assert!(matches!(
        next_event(&mut lowest).await,
        ServerMessage::Resync { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_cut_off_and_others_are_not() {
    let app = TestApp::spawn_with(|c| {
        c.connection_queue = 4;
        c.heartbeat_timeout_ms = 500;
    })
    .await;
    let alice = app.login("alice").await;
    let mut stalled = app.socket(&alice).await;
    hello(&mut stalled).await;
    let mut reader = app.socket(&alice).await;
    hello(&mut reader).await;
    assert_eq!(app.state.hub.connection_count(), 2);

    // Far more than socket buffers and the 4-message queue can hold.
    let body = "x".repeat(64 * 1024);
    const SENT: i64 = 200;
    let reading = tokio::spawn(async move {
        let mut last = 0;
        while last < SENT {
            if let ServerMessage::Created { notification, .. } = next_event(&mut reader).await {
                assert_eq!(notification.seq, last + 1, "the reading tab misses nothing");
                last = notification.seq;
            }
        }
    });
    for i in 1..=SENT {
        app.notify("alice", &format!("big {i}"), &body).await;
    }
    reading.await.unwrap();
    tokio::time::timeout(WAIT, app.state.hub.until_at_most(1))
        .await
        .expect("the stalled connection is closed");
    drop(stalled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_frames_close_only_their_own_connection_with_the_right_code() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    let mut bystander = app.socket(&alice).await;
    hello(&mut bystander).await;

    let cases: [(Message, u16); 4] = [
        (Message::text("x".repeat(5 * 1024)), 1009),
        (Message::text("{\"type\":\"nonsense\"}"), 1008),
        (Message::text("not json at all"), 1008),
        (Message::binary(vec![1u8, 2, 3]), 1008),
    ];
    for (frame, code) in cases {
        let mut socket = app.socket(&alice).await;
        hello(&mut socket).await;
        socket.send(frame).await.unwrap();
        assert_eq!(close_code(&mut socket).await, code);
    }
    // Before the handshake, too: a first frame that is not a resume.
    let mut early = app.try_socket(&alice, Some(&app.origin())).await.unwrap();
    early.send(Message::text("hello?")).await.unwrap();
    assert_eq!(close_code(&mut early).await, 1008);

    app.notify("alice", "still here", "").await;
    assert_eq!(next_created(&mut bystander).await, ("still here".into(), 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_client_messages_is_rate_limited() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    let mut socket = app.socket(&alice).await;
    hello(&mut socket).await;
    let resume = r#"{"type":"resume","after":0}"#;
    for _ in 0..100 {
        if socket.send(Message::text(resume)).await.is_err() {
            break;
        }
    }
    assert_eq!(close_code(&mut socket).await, 1008);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_ping_closes_the_connection_and_a_live_one_stays() {
    let app = TestApp::spawn_with(|c| {
        c.heartbeat_ms = 100;
        c.heartbeat_timeout_ms = 200;
    })
    .await;
    let alice = app.login("alice").await;
    let mut silent = app.socket(&alice).await;
    hello(&mut silent).await;
    let mut awake = app.socket(&alice).await;
    hello(&mut awake).await;
    // The awake client keeps reading (so its socket answers pings) and sees
    // heartbeats; the silent one reads nothing, so answers nothing.
    let heartbeats = tokio::spawn(async move {
        let mut seen = 0;
        while seen < 10 {
            if next_message(&mut awake).await == ServerMessage::Heartbeat {
                seen += 1;
            }
        }
        awake
    });
    tokio::time::timeout(WAIT, app.state.hub.until_at_most(1))
        .await
        .expect("the silent connection is closed");
    let awake = heartbeats.await.unwrap();
    assert_eq!(app.state.hub.connection_count(), 1, "the awake one stays");
    drop((silent, awake));
}

/// Reads server-sent events until `count` data lines have arrived.
/// `GET /events?{query}` with `http`'s cookies.
async fn events(app: &TestApp, http: &reqwest::Client, query: &str) -> reqwest::Response {
    let url = app.url(&format!("/events?{query}"));
    http.get(url).send().await.unwrap()
}

async fn sse_messages(
    res: reqwest::Response,
    count: usize,
) -> Vec<(Option<String>, ServerMessage)> {
    let mut stream = res.bytes_stream();
    let mut buffer = String::new();
    let mut events = Vec::new();
    while events.len() < count {
        let chunk = tokio::time::timeout(WAIT, stream.next())
            .await
            .expect("an event in time")
            .expect("stream open")
            .unwrap();
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let id = block
                .lines()
                .find_map(|l| l.strip_prefix("id:"))
                .map(|v| v.trim().to_owned());
            if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data:")) {
                events.push((id, serde_json::from_str(data.trim()).unwrap()));
            }
        }
    }
    events
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sse_with_last_event_id_replays_what_the_socket_would_then_goes_live() {
    let app = TestApp::spawn().await;
    for i in 1..=5 {
        app.notify("alice", &format!("n{i}"), "").await;
    }
    let alice = app.login("alice").await;
    let mut socket = app.socket_after(&alice, 2).await;
    let mut over_socket = Vec::new();
    for _ in 0..4 {
        over_socket.push(next_event(&mut socket).await);
    }

    let res = alice
        .http
        .get(app.url("/events"))
        .header("last-event-id", "2")
        .header("origin", app.origin())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let app_ref = &app;
    let (events, ()) = tokio::join!(sse_messages(res, 5), async {
        // Sent after the replay has been read by the socket client; the SSE
        // client sees it after its own replay either way.
        app_ref.notify("alice", "n6", "").await;
    });
    let over_sse: Vec<_> = events.iter().map(|(_, m)| m.clone()).collect();
    assert_eq!(over_sse[..4], over_socket[..], "same replay as the socket");
    let ids: Vec<_> = events
        .iter()
        .map(|(id, m)| (id.clone(), seq_of(m)))
        .collect();
    for (id, seq) in &ids {
        assert_eq!(
            id.as_deref(),
            Some(seq.to_string().as_str()),
            "event id is the sequence number"
        );
    }
    match &over_sse[4] {
        ServerMessage::Created {
            notification,
            unread,
        } => assert_eq!((notification.seq, *unread), (6, 6)),
        other => panic!("expected the live event, got {other:?}"),
    }
    let distinct: HashSet<_> = ids.iter().map(|(_, s)| *s).collect();
    assert_eq!(
        distinct.len(),
        4,
        "seq 3, 4, 5 (hello at 5), 6: nothing twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sse_has_the_same_authentication_and_isolation_as_the_socket() {
    let app = TestApp::spawn().await;
    let anonymous = app.anonymous();
    let res = anonymous.http.get(app.url("/events")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let alice = app.login("alice").await;
    let res = alice
        .http
        .get(app.url("/events"))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    let bob = app.login("bob").await;
    let bob_events = events(&app, &bob.http, "after=0").await;
    app.notify("alice", "for alice", "").await;
    app.notify("bob", "for bob", "").await;
    let events = sse_messages(bob_events, 2).await;
    let titles: Vec<_> = events
        .iter()
        .filter_map(|(_, m)| match m {
            ServerMessage::Created { notification, .. }
            | ServerMessage::Missed { notification } => Some(notification.title.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(titles, ["for bob"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_streams_carry_heartbeats_and_end_when_their_token_expires() {
    let app = TestApp::spawn_with(|c| c.heartbeat_ms = 100).await;
    let alice = app.login("alice").await;
    let res = events(&app, &alice.http, "after=0").await;
    let messages: Vec<ServerMessage> = sse_messages(res, 3)
        .await
        .into_iter()
        .map(|(_, m)| m)
        .collect();
    assert!(
        matches!(messages[0], ServerMessage::Hello { .. }),
        "{messages:?}"
    );
    assert_eq!(
        messages[1..],
        [ServerMessage::Heartbeat, ServerMessage::Heartbeat]
    );

    let api = Api::new(&app).await;
    let token = api.token("shopper", 1).await;
    let res = events(
        &app,
        &app.anonymous().http,
        &format!("after=0&token={token}"),
    )
    .await;
    assert_eq!(res.status(), 200);
    // Heartbeats, then the end of the stream once the token runs out.
    let body = tokio::time::timeout(WAIT, res.text())
        .await
        .expect("the stream ends in time")
        .unwrap();
    assert!(body.contains("\"heartbeat\""), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_event_streams_too() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    let res = alice
        .http
        .get(app.url("/events?after=0"))
        .send()
        .await
        .unwrap();
    let mut stream = res.bytes_stream();
    stream.next().await.unwrap().unwrap(); // the hello
    app.state.shutdown.cancel();
    let end = tokio::time::timeout(WAIT, async {
        while let Some(Ok(_)) = stream.next().await {}
    })
    .await;
    assert!(end.is_ok(), "the stream ends on shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_transport_setting_tells_pages_to_use_server_sent_events() {
    let app = TestApp::spawn_with(|c| c.live_transport = server::config::Transport::Sse).await;
    let me: serde_json::Value = app
        .login("alice")
        .await
        .post_form("/api/me", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["transport"], "sse");
    let default = TestApp::spawn().await;
    let me: serde_json::Value = default
        .login("alice")
        .await
        .post_form("/api/me", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["transport"], "auto");
}

/// Sockets that keep sending while the server closes them still read the
/// close frame and its code, and the connection then ends cleanly: the
/// server reads (and drops) what they send until their close, instead of
/// resetting the connection under it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_that_keep_sending_still_get_their_close_code() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    let limit = app.state.config.max_connections_per_user;
    let total = limit + 30;
    let mut endings = Vec::new();
    for n in 0..total {
        let socket = app.socket(&alice).await;
        let (mut sink, mut stream) = socket.split();
        // What each one floods the server with, as fast as it can: binary
        // frames, frames over the limit, or valid messages past the rate.
        let frame = match n % 3 {
            0 => Message::binary(vec![7u8; 64]),
            1 => Message::text("x".repeat(8 * 1024)),
            _ => Message::text(r#"{"type":"resume","after":0}"#),
        };
        let writer = tokio::spawn(async move {
            for _ in 0..5_000 {
                if sink.send(frame.clone()).await.is_err() {
                    break;
                }
            }
        });
        let reader = tokio::spawn(async move {
            let mut code = None;
            loop {
                let next = tokio::time::timeout(WAIT * 2, stream.next()).await;
                match (next, code) {
                    (Ok(Some(Ok(Message::Close(Some(close))))), None) => {
                        code = Some(u16::from(close.code));
                    }
                    (Ok(Some(Ok(Message::Close(_)))), _) => {
                        return Err("closed without a code".to_owned());
                    }
                    (Ok(Some(Ok(_))), _) => {}
                    // After the close frame, the connection ends cleanly:
                    // a reset there is what loses the close frame at
                    // clients whose next write fails before they read.
                    (Ok(None), Some(code)) => return Ok(code),
                    (Ok(Some(Err(tungstenite::Error::ConnectionClosed))), Some(code)) => {
                        return Ok(code);
                    }
                    (Ok(Some(Err(error))), _) => return Err(format!("{error} (code {code:?})")),
                    (Ok(None), None) => return Err("ended without a close".to_owned()),
                    (Err(_), _) => return Err(format!("not ended in time (code {code:?})")),
                }
            }
        });
        endings.push((n, writer, reader));
    }
    for (n, writer, reader) in endings {
        let code = reader.await.unwrap();
        writer.abort();
        match code {
            Ok(1008 | 1009 | 4029) => {}
            other => panic!("socket {n} of {total} ended with {other:?}"),
        }
    }
}
