//! Email digests through a real SMTP conversation with a local sink: what
//! stays unread and unseen is emailed once, with everything else unseen
//! since the last digest; what was seen or read in time is not; the
//! unsubscribe link works without a session; a mail server that is down
//! gets the digest later, once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::common::*;

/// A mail server that takes every message and keeps it.
struct SmtpSink {
    addr: std::net::SocketAddr,
    messages: Arc<Mutex<Vec<String>>>,
    arrived: Arc<Notify>,
    server: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    async fn start_on(listener: TcpListener) -> SmtpSink {
        let addr = listener.local_addr().unwrap();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let arrived = Arc::new(Notify::new());
        let (kept, told) = (Arc::clone(&messages), Arc::clone(&arrived));
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (kept, told) = (Arc::clone(&kept), Arc::clone(&told));
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                    while let Ok(Some(line)) = lines.next_line().await {
                        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                        let answer: &[u8] = match verb.as_str() {
                            "EHLO" | "HELO" => b"250-sink\r\n250 OK\r\n",
                            "DATA" => {
                                let _ = write.write_all(b"354 go on\r\n").await;
                                let mut message = String::new();
                                while let Ok(Some(line)) = lines.next_line().await {
                                    if line == "." {
                                        break;
                                    }
                                    message.push_str(&line);
                                    message.push_str("\r\n");
                                }
                                kept.lock().unwrap().push(message);
                                told.notify_waiters();
                                b"250 kept\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                return;
                            }
                            _ => b"250 OK\r\n",
                        };
                        let _ = write.write_all(answer).await;
                    }
                });
            }
        });
        SmtpSink {
            addr,
            messages,
            arrived,
            server,
        }
    }

    fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    fn count(&self) -> usize {
        self.messages.lock().unwrap().len()
    }

    /// Message number `n` (from 0), waiting for it.
    async fn message(&self, n: usize) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let arrived = self.arrived.notified();
            if let Some(message) = self.messages.lock().unwrap().get(n) {
                return message.clone();
            }
            tokio::time::timeout_at(deadline, arrived)
                .await
                .unwrap_or_else(|_| panic!("email {n} did not arrive"));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Herald sending digests through `smtp` after `after_ms` unseen, at
/// most one per `interval_ms`.
async fn herald(smtp: std::net::SocketAddr, after_ms: f64, interval_ms: f64) -> TestApp {
    TestApp::spawn_with(|c| {
        c.smtp_url = Some(format!("smtp://{smtp}"));
        c.public_url = Some("http://herald.test/".parse().unwrap());
        c.email_from = "Herald <herald@herald.test>".into();
        c.email_after_minutes = after_ms / 60_000.0;
        c.email_interval_minutes = interval_ms / 60_000.0;
        c.email_retry_ms = 100;
    })
    .await
}

/// A user of the app with an address, emailed about `info`.
async fn reader(api: &Api<'_>, external_id: &str) -> i64 {
    let put = |path: String, body: Value| {
        api.http
            .put(api.app.url(&path))
            .bearer_auth(&api.key)
            .json(&body)
            .send()
    };
    let res = put(
        format!("/api/v1/users/{external_id}"),
        json!({"email": format!("{external_id}@example.com"), "display_name": "Rea Der"}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    let user = res.json::<Value>().await.unwrap()["user_id"]
        .as_i64()
        .unwrap();
    let res = put(
        format!("/api/v1/users/{external_id}/preferences"),
        json!({"categories": {"info": {"email": true}}}),
    )
    .await
    .unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap()["categories"]["info"]["email"],
        true
    );
    user
}

/// A header's value, unfolded.
fn header(message: &str, name: &str) -> String {
    let unfolded = message.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name} in {message}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unseen_notification_is_emailed_once_with_the_rest_and_never_twice() {
    let sink = SmtpSink::start_on(TcpListener::bind("127.0.0.1:0").await.unwrap()).await;
    let smtp = sink.addr();
    let app = herald(smtp, 300.0, 1_000.0).await;
    let api = Api::new(&app).await;
    // What was there before the address is not emailed.
    api.send_to("rea", "Before the address").await;
    reader(&api, "rea").await;
    api.send_to("rea", "Invoice 1 is due").await;
    api.send_to("rea", "Invoice 2 is due").await;
    let first = sink.message(0).await;
    assert!(header(&first, "To").contains("rea@example.com"));
    assert!(header(&first, "Subject").contains("2 unread notifications"));
    assert!(first.contains("Invoice 1 is due") && first.contains("Invoice 2 is due"));
    assert!(!first.contains("Before the address"));
    assert!(first.contains("Content-Type: multipart/alternative"));
    assert!(first.contains("Content-Type: text/html"));
    assert!(
        header(&first, "List-Unsubscribe").starts_with("<http://herald.test/email/unsubscribe?")
    );
    assert_eq!(
        header(&first, "List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click"
    );

    // The next digest waits for the interval and holds only what is new.
    api.send_to("rea", "Invoice 3 is due").await;
    let second = sink.message(1).await;
    assert!(second.contains("Invoice 3 is due"));
    assert!(!second.contains("Invoice 1 is due") && !second.contains("Invoice 2 is due"));
    let user = app
        .state
        .store
        .user_by_external_id("rea")
        .await
        .unwrap()
        .unwrap()
        .id;
    eventually(
        "both recorded as sent, each on its first attempt",
        async || app.state.store.email_log(user).await.unwrap() == [(1, true), (1, true)],
    )
    .await;
    assert_eq!(sink.count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_was_seen_or_read_in_time_or_is_not_emailed_is_left_out() {
    let sink = SmtpSink::start_on(TcpListener::bind("127.0.0.1:0").await.unwrap()).await;
    let app = herald(sink.addr(), 1_500.0, 60_000.0).await;
    let api = Api::new(&app).await;
    let user = reader(&api, "sam").await;
    api.send_to("sam", "Seen in the bell").await;
    let read = api.send_to("sam", "Read at once").await;
    api.send_json(&json!({"recipients": [{"external_id": "sam"}], "title": "A warning", "category": "warning"}))
        .await;
    api.send_to("sam", "Not seen").await;
    // Seen (the bell's panel showed sam's first, seq 1) and read, well
    // within the time.
    app.state.store.mark_seen(user, 1).await.unwrap();
    let res = api
        .http
        .post(app.url(&format!("/api/v1/notifications/{read}/read")))
        .bearer_auth(&api.key)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());

    let digest = sink.message(0).await;
    assert!(digest.contains("Not seen"));
    assert!(!digest.contains("Seen in the bell"), "seen in time");
    assert!(!digest.contains("Read at once"), "read in time");
    assert!(
        !digest.contains("A warning"),
        "warnings are not emailed to sam"
    );
    assert!(header(&digest, "Subject").contains("Not seen"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unsubscribe_link_works_without_a_session_and_only_as_signed() {
    let sink = SmtpSink::start_on(TcpListener::bind("127.0.0.1:0").await.unwrap()).await;
    let app = herald(sink.addr(), 100.0, 60_000.0).await;
    let api = Api::new(&app).await;
    let una = reader(&api, "una").await;
    // She chose German for Herald: her digest is in it.
    app.state
        .store
        .set_locale(una, Some(herald::i18n::Locale::De))
        .await
        .unwrap();
    api.send_to("una", "Weekly report").await;
    let digest = sink.message(0).await;
    assert!(
        header(&digest, "Subject")
            .contains("Sie haben eine ungelesene Benachrichtigung: Weekly report"),
        "{digest}"
    );
    let link = header(&digest, "List-Unsubscribe");
    let link = link
        .trim_start_matches("<http://herald.test")
        .trim_end_matches('>');
    let anonymous = reqwest::Client::new();

    // Following the link (or a mail scanner doing so) changes nothing.
    let page = anonymous.get(app.url(link)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Stop emails about Info?")
    );
    // A German reader gets German, the form and the link's meaning intact.
    let german = anonymous
        .get(app.url(link))
        .header("accept", "text/html")
        .header("accept-language", "de-DE,de;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(german.contains("<html lang=\"de\">"), "{german}");
    assert!(german.contains("Keine E-Mails mehr zu Info?"), "{german}");
    assert!(german.contains(">Abbestellen</button>"));
    let email_on = async || {
        let res = api
            .http
            .get(app.url("/api/v1/users/una/preferences"))
            .bearer_auth(&api.key)
            .send()
            .await
            .unwrap();
        res.json::<Value>().await.unwrap()["categories"]["info"]["email"] == true
    };
    assert!(email_on().await);

    let forged = link.replace("c=info", "c=mention");
    let res = anonymous
        .post(app.url(&forged))
        .header("accept-language", "de")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Dieser Abmeldelink ist ungültig")
    );
    assert!(email_on().await);

    // One click, as a mail client makes it (RFC 8058), with no session.
    let res = anonymous
        .post(app.url(link))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(!email_on().await);
    // An unsubscribe is the user's own choice: an admin's default later
    // does not turn it back on.
    app.state
        .store
        .set_emailed(herald::Category::Info, true, "admin")
        .await
        .unwrap();
    assert!(!email_on().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_digest_the_mail_server_could_not_take_is_sent_later_once() {
    // A port with nobody listening: the mail server is down.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let smtp = listener.local_addr().unwrap();
    drop(listener);
    let app = herald(smtp, 100.0, 60_000.0).await;
    let api = Api::new(&app).await;
    let user = reader(&api, "dot").await;
    api.send_to("dot", "Server was down").await;
    eventually("an attempt that failed", async || {
        app.state
            .store
            .email_log(user)
            .await
            .unwrap()
            .first()
            .is_some_and(|(attempts, sent)| *attempts >= 1 && !sent)
    })
    .await;

    let sink = SmtpSink::start_on(TcpListener::bind(smtp).await.unwrap()).await;
    assert!(sink.message(0).await.contains("Server was down"));
    eventually("the attempt recorded", async || {
        app.state
            .store
            .email_log(user)
            .await
            .unwrap()
            .iter()
            .all(|(_, sent)| *sent)
    })
    .await;
    let log = app.state.store.email_log(user).await.unwrap();
    assert_eq!(log.len(), 1, "one digest");
    assert!(log[0].0 >= 2, "sent on a later attempt: {log:?}");
    assert_eq!(sink.count(), 1, "sent once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admins_default_emails_users_who_did_not_choose() {
    let sink = SmtpSink::start_on(TcpListener::bind("127.0.0.1:0").await.unwrap()).await;
    let app = herald(sink.addr(), 100.0, 60_000.0).await;
    let store = &app.state.store;
    store
        .set_emailed(herald::Category::Mention, true, "admin")
        .await
        .unwrap();
    let api = Api::new(&app).await;
    let res = api
        .http
        .put(app.url("/api/v1/users/dee"))
        .bearer_auth(&api.key)
        .json(&json!({"email": "dee@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let prefs: Value = api
        .http
        .get(app.url("/api/v1/users/dee/preferences"))
        .bearer_auth(&api.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(prefs["categories"]["mention"]["email"], true, "the default");
    assert_eq!(
        prefs["categories"]["info"]["email"], false,
        "off unless chosen"
    );
    api.send_to("dee", "An info nobody emails").await;
    api.send_json(&json!({"recipients": [{"external_id": "dee"}], "title": "You were mentioned", "category": "mention"}))
        .await;
    let digest = sink.message(0).await;
    assert!(digest.contains("You were mentioned"));
    assert!(!digest.contains("An info nobody emails"));

    let bad = api
        .http
        .put(app.url("/api/v1/users/dee"))
        .bearer_auth(&api.key)
        .json(&json!({"email": "not an address"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert_eq!(
        bad.json::<Value>().await.unwrap()["errors"][0]["field"],
        "email"
    );
}
