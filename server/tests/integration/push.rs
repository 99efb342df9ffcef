//! Web push: a device subscribed on the settings page gets what arrives
//! while its user has no live connection, encrypted for it (RFC 8291) and
//! signed with Herald's VAPID key (RFC 8292); a local push service here
//! decrypts and checks it, as a browser's would. A device the service
//! reports gone (410) is forgotten.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::SecretKey;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use serde_json::Value;
use tokio::sync::mpsc;
use web_push_native::{Auth, decrypt};

use crate::common::*;

/// A device as a browser holds it: its private key and auth secret.
struct Device {
    endpoint: String,
    secret: SecretKey,
    auth: [u8; 16],
}

impl Device {
    fn new(service: &str, name: &str) -> Device {
        Device {
            endpoint: format!("{service}/push/{name}"),
            secret: SecretKey::from_slice(&rand::random::<[u8; 32]>()).unwrap(),
            auth: rand::random(),
        }
    }

    /// Hands the subscription to Herald as the settings page does.
    async fn subscribe(&self, client: &Client) {
        assert_eq!(self.offer(client).await.status(), 200);
    }

    /// Offers the subscription to Herald: its answer.
    async fn offer(&self, client: &Client) -> reqwest::Response {
        let p256dh = URL_SAFE_NO_PAD.encode(
            self.secret
                .public_key()
                .as_affine()
                .to_encoded_point(false)
                .as_bytes(),
        );
        let auth = URL_SAFE_NO_PAD.encode(self.auth);
        client
            .post_form(
                "/api/settings/push/subscribe",
                &[
                    ("endpoint", self.endpoint.as_str()),
                    ("p256dh", &p256dh),
                    ("auth", &auth),
                ],
            )
            .await
    }

    /// Decrypts a push for this device.
    fn open(&self, push: &Push) -> Value {
        let plain = decrypt(
            push.body.clone(),
            &self.secret,
            &Auth::clone_from_slice(&self.auth),
        )
        .expect("encrypted for this device");
        serde_json::from_slice(&plain).unwrap()
    }
}

/// One push as the service received it.
#[derive(Debug)]
struct Push {
    device: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// A push service on a port of its own: devices named in `gone` answer
/// 410, the others 201; every push is handed to the test.
async fn push_service(gone: &[&str]) -> (String, mpsc::UnboundedReceiver<Push>) {
    let (pushes, received) = mpsc::unbounded_channel();
    let gone: Arc<Mutex<HashMap<String, ()>>> = Arc::new(Mutex::new(
        gone.iter().map(|d| (d.to_string(), ())).collect(),
    ));
    let app = axum::Router::new().route(
        "/push/{device}",
        axum::routing::post(
            move |Path(device): Path<String>, headers: HeaderMap, body: axum::body::Bytes| {
                let pushes = pushes.clone();
                let gone = Arc::clone(&gone);
                async move {
                    let status = if gone.lock().unwrap().contains_key(&device) {
                        StatusCode::GONE
                    } else {
                        StatusCode::CREATED
                    };
                    let _ = pushes.send(Push {
                        device,
                        headers,
                        body: body.to_vec(),
                    });
                    status
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

async fn next_push(pushes: &mut mpsc::UnboundedReceiver<Push>) -> Push {
    tokio::time::timeout(std::time::Duration::from_secs(15), pushes.recv())
        .await
        .expect("a push within 15 s")
        .unwrap()
}

/// Sends `title` in `category` to `username` from the admin console.
async fn send(app: &TestApp, admin: &Client, username: &str, title: &str, category: &str) {
    let id = app.user_id(username).await.to_string();
    let res = admin
        .post_form(
            "/api/admin/send",
            &[
                ("title", title),
                ("body", "details"),
                ("link", ""),
                ("recipient", &id),
                ("category", category),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
}

/// Herald with local push endpoints allowed: the local push service.
async fn with_local_push_service() -> TestApp {
    TestApp::spawn_with(|c| c.push_allow_local = true).await
}

/// Herald and a push service, the admin, and alice with her phone subscribed.
struct Phone {
    app: TestApp,
    service: String,
    pushes: mpsc::UnboundedReceiver<Push>,
    admin: Client,
    alice: Client,
    device: Device,
}

async fn alice_with_a_phone() -> Phone {
    let app = with_local_push_service().await;
    let (service, pushes) = push_service(&[]).await;
    let admin = app.login("admin").await;
    let alice = app.login("alice").await;
    let device = Device::new(&service, "alice-phone");
    device.subscribe(&alice).await;
    Phone {
        app,
        service,
        pushes,
        admin,
        alice,
        device,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_users_device_gets_an_encrypted_signed_push() {
    let Phone {
        app,
        service,
        mut pushes,
        admin,
        alice,
        device,
    } = alice_with_a_phone().await;
    let key: String = alice
        .post_form("/api/settings/push/key", &[])
        .await
        .json()
        .await
        .unwrap();

    send(&app, &admin, "alice", "Build failed on main", "warning").await;
    let push = next_push(&mut pushes).await;
    assert_eq!(push.device, "alice-phone");
    assert_eq!(push.headers["content-encoding"], "aes128gcm");
    assert!(push.headers.contains_key("ttl"));
    let shown = device.open(&push);
    assert_eq!(shown["title"], "Build failed on main");
    assert_eq!(shown["body"], "details");
    let id = shown["id"].as_i64().unwrap();
    assert_eq!(shown["url"], format!("/notifications/{id}/open"));

    // VAPID: signed by the key browsers subscribed with, for this service.
    let vapid = push.headers["authorization"].to_str().unwrap();
    let (jwt, k) = vapid
        .strip_prefix("vapid t=")
        .and_then(|rest| rest.split_once(", k="))
        .expect("vapid t=…, k=…");
    assert_eq!(k, key);
    let (signed, signature) = jwt.rsplit_once('.').unwrap();
    VerifyingKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(k).unwrap())
        .unwrap()
        .verify(
            signed.as_bytes(),
            &Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap()).unwrap(),
        )
        .expect("signed with Herald's key");
    let (header, claims) = signed.split_once('.').unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(header["alg"], "ES256");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    assert_eq!(claims["aud"], service, "the push service's origin");
    assert_eq!(claims["sub"], "mailto:herald@localhost");
    let in_hours = (claims["exp"].as_i64().unwrap() - server::store::now_ms() / 1000) / 3600;
    assert!(
        (11..=12).contains(&in_hours),
        "at most 24 h ahead (RFC 8292)"
    );

    // With a live connection, no push: the bell shows it.
    // Resumed after what it already has: the greeting comes first.
    let mut socket = app.socket_after(&alice, 1).await;
    hello(&mut socket).await;
    send(&app, &admin, "alice", "You are here", "info").await;
    next_created(&mut socket).await;
    // Bob, offline with a device, gets his; alice's device got nothing meanwhile.
    let bob = app.login("bob").await;
    let bobs = Device::new(&service, "bob-laptop");
    bobs.subscribe(&bob).await;
    send(&app, &admin, "bob", "For bob", "info").await;
    let push = next_push(&mut pushes).await;
    assert_eq!(push.device, "bob-laptop");
    assert_eq!(bobs.open(&push)["title"], "For bob");
    assert!(
        pushes.try_recv().is_err(),
        "nothing for alice while she was online"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preferences_decide_what_is_pushed_and_gone_devices_are_forgotten() {
    let app = with_local_push_service().await;
    let (service, mut pushes) = push_service(&["old-tablet"]).await;
    let admin = app.login("admin").await;
    let bob = app.login("bob").await;
    let phone = Device::new(&service, "bob-phone");
    phone.subscribe(&bob).await;
    // Warning: shown in the bell, not pushed. Mention: muted altogether.
    for form in [
        [
            ("category", "warning"),
            ("bell", "true"),
            ("desktop", "true"),
        ],
        [
            ("category", "mention"),
            ("desktop", "true"),
            ("push", "true"),
        ],
    ] {
        let res = bob.post_form("/api/settings/preference", &form).await;
        assert_eq!(res.status(), 200);
    }
    send(&app, &admin, "bob", "Disk at 91%", "warning").await;
    send(&app, &admin, "bob", "Someone mentioned you", "mention").await;
    send(&app, &admin, "bob", "Export ready", "success").await;
    let push = next_push(&mut pushes).await;
    assert_eq!(phone.open(&push)["title"], "Export ready", "the first push");

    let tablet = Device::new(&service, "old-tablet");
    tablet.subscribe(&bob).await;
    let bob_id = app.user_id("bob").await;
    assert_eq!(app.state.store.push_devices(bob_id).await.unwrap(), 2);
    send(&app, &admin, "bob", "Invoice paid", "info").await;
    let mut devices = vec![
        next_push(&mut pushes).await.device,
        next_push(&mut pushes).await.device,
    ];
    devices.sort();
    assert_eq!(devices, ["bob-phone", "old-tablet"]);
    eventually("the gone device is forgotten", async || {
        app.state.store.push_devices(bob_id).await.unwrap() == 1
    })
    .await;

    // A subscription that is not one is refused, naming the fields.
    let res = bob
        .post_form(
            "/api/settings/push/subscribe",
            &[("endpoint", "javascript:x"), ("p256dh", "x"), ("auth", "y")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    let text = body.to_string();
    for field in ["endpoint", "p256dh", "auth"] {
        assert!(text.contains(field), "{text}");
    }
    // Unsubscribing forgets the device.
    let res = bob
        .post_form(
            "/api/settings/push/unsubscribe",
            &[("endpoint", phone.endpoint.as_str())],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.state.store.push_devices(bob_id).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snooze_that_ends_while_its_user_is_away_is_pushed_again() {
    let Phone {
        app,
        service: _,
        mut pushes,
        admin,
        alice: _,
        device,
    } = alice_with_a_phone().await;
    send(&app, &admin, "alice", "Already handled", "info").await;
    let handled = device.open(&next_push(&mut pushes).await)["id"]
        .as_i64()
        .unwrap();
    send(&app, &admin, "alice", "Call the client back", "info").await;
    let reminder = device.open(&next_push(&mut pushes).await)["id"]
        .as_i64()
        .unwrap();

    // Both snoozed (the same path as the inbox's Snooze); the first is read
    // while snoozed and comes back first, read: no push for it.
    let alice_id = app.user_id("alice").await;
    let notifier = &app.state.notifier;
    let now = server::store::now_ms();
    for (id, until) in [(handled, now + 300), (reminder, now + 2_500)] {
        notifier
            .change_one(alice_id, id, herald::Change::Snoozed(Some(until)))
            .await
            .unwrap();
    }
    notifier
        .change_one(alice_id, handled, herald::Change::Read(true))
        .await
        .unwrap();

    let push = next_push(&mut pushes).await;
    assert!(server::store::now_ms() >= now + 2_500, "at its time");
    let shown = device.open(&push);
    assert_eq!(shown["id"], reminder, "only the unread one, at its time");
    assert_eq!(shown["title"], "Call the client back");
    assert_eq!(shown["unread"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_at_a_plain_http_address_is_refused_unless_allowed() {
    // A user must not be able to make Herald POST to an address of their
    // choosing inside the network: push services are https.
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    let inside = Device::new("http://127.0.0.1:9", "alice-phone");
    let res = inside.offer(&alice).await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["Invalid"][0]["field"], "endpoint", "{body}");
    let alice_id = app.user_id("alice").await;
    assert_eq!(app.state.store.push_devices(alice_id).await.unwrap(), 0);
    Device::new("https://push.example.com", "alice-phone")
        .subscribe(&alice)
        .await;
    assert_eq!(app.state.store.push_devices(alice_id).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_inside_the_network_is_refused_and_never_contacted() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    let alice_id = app.user_id("alice").await;
    // Addresses written out are refused when offered, however spelled.
    for inside in [
        "https://127.0.0.1:9",
        "https://2130706433",
        "https://10.1.2.3",
        "https://169.254.169.254",
        "https://[::1]",
        "https://[::ffff:192.168.0.1]",
    ] {
        let res = Device::new(inside, "alice-phone").offer(&alice).await;
        assert_eq!(res.status(), 422, "{inside}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["Invalid"][0]["field"], "endpoint", "{inside}: {body}");
    }
    assert_eq!(app.state.store.push_devices(alice_id).await.unwrap(), 0);

    // A name is checked each time it is resolved: one that points inside
    // is never connected to, and the device is forgotten.
    let inside = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    inside.set_nonblocking(true).unwrap();
    let port = inside.local_addr().unwrap().port();
    Device::new(&format!("https://localhost:{port}"), "alice-phone")
        .subscribe(&alice)
        .await;
    assert_eq!(app.state.store.push_devices(alice_id).await.unwrap(), 1);
    let admin = app.login("admin").await;
    send(&app, &admin, "alice", "Inside?", "info").await;
    eventually("the device pointing inside is forgotten", async || {
        app.state.store.push_devices(alice_id).await.unwrap() == 0
    })
    .await;
    let contacted = inside.accept();
    assert!(
        matches!(&contacted, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "Herald connected inside: {contacted:?}"
    );
}

/// Whether Herald pushes to `device` for `client`'s user (the settings
/// page asks this to show its switch).
async fn known(client: &Client, device: &Device) -> bool {
    let res = client
        .post_form(
            "/api/settings/push/known",
            &[("endpoint", device.endpoint.as_str())],
        )
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_is_forgotten_when_its_sign_in_ends() {
    let app = with_local_push_service().await;
    let (service, mut pushes) = push_service(&[]).await;
    let admin = app.login("admin").await;
    let shared = app.login("alice").await;
    let phone = app.login("alice").await;
    let laptop = app.login("alice").await;
    let on_shared = Device::new(&service, "shared-computer");
    let on_phone = Device::new(&service, "alice-phone");
    let on_laptop = Device::new(&service, "alice-laptop");
    on_shared.subscribe(&shared).await;
    on_phone.subscribe(&phone).await;
    on_laptop.subscribe(&laptop).await;
    assert!(known(&phone, &on_shared).await);

    // Signing out on a shared computer forgets the device turned on there,
    // and only that one: the next person there sees none of alice's.
    assert_eq!(shared.post_form("/api/logout", &[]).await.status(), 200);
    assert!(!known(&phone, &on_shared).await);
    assert!(known(&phone, &on_phone).await);
    let bob = app.login("bob").await;
    assert!(
        !known(&bob, &on_shared).await,
        "the browser's old subscription is not bob's"
    );
    // Signing in as someone else there, without signing out, ends the
    // earlier sign-in just the same.
    let kiosk = app.login("alice").await;
    let on_kiosk = Device::new(&service, "kiosk");
    on_kiosk.subscribe(&kiosk).await;
    assert!(known(&phone, &on_kiosk).await);
    assert_eq!(kiosk.login("bob", PASSWORD).await.status(), 200);
    assert!(!known(&phone, &on_kiosk).await);
    send(&app, &admin, "alice", "After the sign-out", "info").await;
    let mut got = [
        next_push(&mut pushes).await.device,
        next_push(&mut pushes).await.device,
    ];
    got.sort();
    assert_eq!(got, ["alice-laptop", "alice-phone"]);

    // A password change ends every other sign-in, and their devices.
    let res = phone
        .post_form(
            "/api/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
                ("confirm_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(known(&phone, &on_phone).await, "its own stays");
    assert!(!known(&phone, &on_laptop).await);
    send(&app, &admin, "alice", "After the new password", "info").await;
    assert_eq!(next_push(&mut pushes).await.device, "alice-phone");

    // Deactivation forgets them all.
    let alice = app.user_id("alice").await;
    let res = admin
        .post_form("/api/admin/users/deactivate", &[("id", &alice.to_string())])
        .await;
    assert_eq!(res.status(), 200);
    let store = &app.state.store;
    assert!(
        !store
            .is_push_device(alice, &on_phone.endpoint)
            .await
            .unwrap()
    );
    assert!(
        pushes.try_recv().is_err(),
        "no device of an ended sign-in was pushed to"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_is_forgotten_when_its_sign_in_expires() {
    use tower_sessions::SessionStore;
    let app = TestApp::spawn_with(|c| {
        c.push_allow_local = true;
        c.purge_interval_secs = 0;
    })
    .await;
    let (service, _pushes) = push_service(&[]).await;
    let tablet = app.login("alice").await;
    let phone = app.login("alice").await;
    let on_tablet = Device::new(&service, "old-tablet");
    let on_phone = Device::new(&service, "alice-phone");
    on_tablet.subscribe(&tablet).await;
    on_phone.subscribe(&phone).await;

    // The tablet's session expires: the session store drops it, as its
    // purge of expired sessions does; the purge job then forgets the device.
    app.state
        .sessions
        .delete(&tablet.session_id())
        .await
        .unwrap();
    let alice = app.user_id("alice").await;
    let store = &app.state.store;
    eventually("the expired sign-in's device is forgotten", async || {
        !store
            .is_push_device(alice, &on_tablet.endpoint)
            .await
            .unwrap()
    })
    .await;
    assert!(
        store
            .is_push_device(alice, &on_phone.endpoint)
            .await
            .unwrap()
    );
}

/// A push service that takes connections and never answers.
async fn black_hole() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_keeps_a_bounded_number_of_devices_and_offers_are_rate_limited() {
    let app = TestApp::spawn_with(|c| {
        c.push_allow_local = true;
        c.push_devices_per_user = 3;
    })
    .await;
    let (service, _pushes) = push_service(&[]).await;
    let alice = app.login("alice").await;
    let mut accepted = Vec::new();
    let mut limited = 0;
    for n in 0..1_000 {
        let device = Device::new(&service, &format!("browser-{n}"));
        match device.offer(&alice).await.status().as_u16() {
            200 => accepted.push(device.endpoint),
            429 => limited += 1,
            other => panic!("offer {n} answered {other}"),
        }
    }
    assert!(
        limited > 900,
        "offers past the burst are refused: {limited}"
    );
    let alice_id = app.user_id("alice").await;
    let store = &app.state.store;
    assert_eq!(store.push_devices(alice_id).await.unwrap(), 3);
    // The newest stay.
    for (n, endpoint) in accepted.iter().enumerate() {
        let kept = store.is_push_device(alice_id, endpoint).await.unwrap();
        assert_eq!(kept, n + 3 >= accepted.len(), "{endpoint}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_that_never_answer_delay_nobody_elses_push() {
    let app = with_local_push_service().await;
    let (service, mut pushes) = push_service(&[]).await;
    let hole = black_hole().await;
    let alice = app.login("alice").await;
    for n in 0..app.state.config.push_devices_per_user {
        Device::new(&hole, &format!("lost-{n}"))
            .subscribe(&alice)
            .await;
    }
    let bob = app.login("bob").await;
    Device::new(&service, "bob-phone").subscribe(&bob).await;
    // One send to both: the push to bob goes out beside alice's, not
    // after each of hers has waited out its ten-second timeout.
    let api = Api::new(&app).await;
    let ids = [app.user_id("alice").await, app.user_id("bob").await];
    api.send_json(&serde_json::json!({
        "recipients": [{ "user_id": ids[0] }, { "user_id": ids[1] }],
        "title": "Deploy finished",
    }))
    .await;
    let push = tokio::time::timeout(WAIT, pushes.recv())
        .await
        .expect("bob's push within his own timeout")
        .unwrap();
    assert_eq!(push.device, "bob-phone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_devices_whose_sign_in_stands_are_pushed_to() {
    let app = with_local_push_service().await;
    let (service, mut pushes) = push_service(&[]).await;
    let tablet = app.login("alice").await;
    let phone = app.login("alice").await;
    Device::new(&service, "old-tablet").subscribe(&tablet).await;
    Device::new(&service, "alice-phone").subscribe(&phone).await;
    // The tablet's sign-in expires; the purge job has not run yet.
    let expire = if on_postgres() {
        "UPDATE tower_sessions.session SET expiry_date = now() - interval '1 hour' WHERE id = '{id}'"
    } else {
        "UPDATE tower_sessions SET expiry_date = '2000-01-01 00:00:00.0+00:00' WHERE id = '{id}'"
    };
    let sql = expire.replace("{id}", &tablet.session_id().to_string());
    app.state.store.execute_script(&sql).await.unwrap();
    let alice = app.user_id("alice").await;
    let targets = app
        .state
        .store
        .push_targets(&[alice], herald::Category::Info, app.state.sessions.table())
        .await
        .unwrap();
    let targets: Vec<_> = targets.iter().map(|t| t.endpoint.as_str()).collect();
    assert_eq!(targets, [format!("{service}/push/alice-phone")]);
    let admin = app.login("admin").await;
    send(&app, &admin, "alice", "Only on the phone", "info").await;
    assert_eq!(next_push(&mut pushes).await.device, "alice-phone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_signed_in_by_someone_else_stops_getting_the_last_users_pushes() {
    let app = with_local_push_service().await;
    let (service, _pushes) = push_service(&[]).await;
    let alice = app.login("alice").await;
    let browser = Device::new(&service, "shared-laptop");
    browser.subscribe(&alice).await;
    let alice_id = app.user_id("alice").await;
    let store = &app.state.store;
    let held = [("endpoint", browser.endpoint.as_str())];
    let claim = async |page: &Client| {
        let res = page.post_form("/api/settings/push/held", &held).await;
        assert_eq!(res.status(), 200);
    };
    let holds = async |user| store.is_push_device(user, &browser.endpoint).await.unwrap();
    // Alice's own page says it holds the subscription: nothing changes.
    claim(&alice).await;
    assert!(holds(alice_id).await);
    // Her cookies are cleared and she signs in again there: push stays on,
    // now under her new sign-in (the old one may expire without taking it).
    let again = app.login("alice").await;
    claim(&again).await;
    assert!(holds(alice_id).await);
    assert_eq!(alice.post_form("/api/logout", &[]).await.status(), 200);
    assert!(
        holds(alice_id).await,
        "signing out the earlier sign-in leaves this one's device"
    );
    // The browser's cookies are cleared (alice never signed out) and bob
    // signs in there: his page says it holds that subscription.
    let bob = app.login("bob").await;
    claim(&bob).await;
    assert!(!holds(alice_id).await);
    let targets = store
        .push_targets(
            &[alice_id],
            herald::Category::Info,
            app.state.sessions.table(),
        )
        .await
        .unwrap();
    assert!(
        targets.is_empty(),
        "alice's notifications are never pushed there"
    );
    // And it is not bob's either until he turns push on.
    let bob_id = app.user_id("bob").await;
    assert!(!holds(bob_id).await);
}
