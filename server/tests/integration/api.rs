//! The integration API over real HTTP: keys, recipients by id and external
//! id, broadcasts, idempotency and every error status.

use futures::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::common::*;

async fn problem(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status);
    body
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_for_users_by_id_and_reaches_their_sockets() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let alice = app.login("alice").await;
    let mut socket = app.socket(&alice).await;
    hello(&mut socket).await;
    let alice_id = app.user_id("alice").await;
    let bob_id = app.user_id("bob").await;

    let res = api
        .post(
            &json!({"recipients": [{"user_id": alice_id}, {"user_id": bob_id}],
                    "title": "Order shipped", "body": "#1234", "link": "https://shop.example/o/1234",
                    "category": "success", "actor": "Shop"}),
            None,
        )
        .await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let rows = created["notifications"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["seq"] == 1 && r["id"].is_i64()));

    match next_event(&mut socket).await {
        herald::ServerMessage::Created {
            notification,
            unread,
        } => {
            assert_eq!(notification.title, "Order shipped");
            assert_eq!(notification.category, herald::Category::Success);
            assert_eq!(notification.actor.as_deref(), Some("Shop"));
            assert_eq!(unread, 1);
        }
        other => panic!("expected created, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_ids_name_users_created_on_first_use() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let body = json!({"recipients": [{"external_id": "django:42"}], "title": "Welcome"});
    let first: Value = api.post(&body, None).await.json().await.unwrap();
    let second: Value = api.post(&body, None).await.json().await.unwrap();
    let user = first["notifications"][0]["user_id"].clone();
    assert_eq!(
        second["notifications"][0]["user_id"], user,
        "the same user both times"
    );
    assert_eq!(second["notifications"][0]["seq"], 2);
    assert_eq!(app.state.store.count_users().await.unwrap(), 4);
    // Such a user cannot log in with any password.
    let res = app.anonymous().login("ext:django:42", "!").await;
    assert_eq!(res.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_is_accepted_at_once_and_reaches_everyone() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let res = api
        .post(&json!({"broadcast": true, "title": "Maintenance"}), None)
        .await;
    assert_eq!(res.status(), 202);
    let accepted: Value = res.json().await.unwrap();
    assert_eq!(accepted["recipients"], 3);
    let send = accepted["send_id"].as_i64().unwrap();
    for user in ["admin", "alice", "bob"] {
        eventually(user, async || app.unread(user).await == 1).await;
    }
    let row = &app.state.store.sends(None, None, 1).await.unwrap()[0];
    assert_eq!((row.id, row.recipients, row.fanning_out), (send, 3, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_bad_or_revoked_keys_are_refused() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    let body = json!({"broadcast": true, "title": "x"});
    let url = app.url("/api/v1/notifications");
    problem(http.post(&url).json(&body).send().await.unwrap(), 401).await;
    problem(
        http.post(&url)
            .bearer_auth("hk_nope_nope")
            .json(&body)
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;

    let (key, secret) = app
        .state
        .store
        .create_api_key("soon revoked", "test")
        .await
        .unwrap();
    let tampered = format!("{}x", secret);
    problem(
        http.post(&url)
            .bearer_auth(&tampered)
            .json(&body)
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;
    assert_eq!(
        http.post(&url)
            .bearer_auth(&secret)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status(),
        202
    );
    app.state
        .store
        .revoke_api_key(key.id, "test")
        .await
        .unwrap();
    problem(
        http.post(&url)
            .bearer_auth(&secret)
            .json(&body)
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;
    assert_eq!(
        app.state.store.sends(None, None, 10).await.unwrap().len(),
        1,
        "only the request before revocation counted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_fields_are_named_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let alice_id = app.user_id("alice").await;
    let cases = [
        (
            json!({"recipients": [{"user_id": alice_id}], "title": ""}),
            "title",
        ),
        (
            json!({"recipients": [{"user_id": alice_id}], "title": "t", "link": "javascript:alert(1)"}),
            "link",
        ),
        (
            json!({"recipients": [{"user_id": alice_id}], "title": "t", "category": "urgent"}),
            "category",
        ),
        (json!({"title": "t"}), "recipients"),
        (
            json!({"broadcast": true, "recipients": [{"user_id": alice_id}], "title": "t"}),
            "recipients",
        ),
        (
            json!({"recipients": [{"user_id": 999999}], "title": "t"}),
            "recipients",
        ),
        (
            json!({"recipients": [{"user_id": alice_id}, {"user_id": 999999}], "title": "t"}),
            "recipients",
        ),
        (json!({"recipients": [{"user_id": alice_id}]}), "title"),
        (
            json!({"recipients": [{"user_id": alice_id}], "title": "t", "colour": "red"}),
            "colour",
        ),
        (
            // A recipient is by id or by external id: which one is meant
            // cannot be told, so the recipient is named.
            json!({"recipients": [{"user_id": "alice"}], "title": "t"}),
            "recipients[0]",
        ),
    ];
    for (body, field) in cases {
        let p = problem(api.post(&body, None).await, 422).await;
        assert!(fields(&p).iter().any(|f| f == field), "{body}: {p}");
    }
    let total = app.state.store.count_notifications().await.unwrap();
    assert_eq!(total, 0);
    assert_eq!(
        app.unread("alice").await,
        0,
        "a rolled-back send leaves no count behind"
    );

    let res = api
        .http
        .post(app.url("/api/v1/notifications"))
        .bearer_auth(&api.key)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    problem(res, 400).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_413() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let huge = "x".repeat(server::http::BODY_LIMIT + 1);
    let p = problem(
        api.post(&json!({"broadcast": true, "title": huge}), None)
            .await,
        413,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("limited"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_retries_replay_and_a_changed_body_conflicts() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let body = json!({"broadcast": true, "title": "Once"});
    let first = api.post(&body, Some("order-1234-shipped")).await;
    assert_eq!(first.status(), 202);
    let first: Value = first.json().await.unwrap();
    let again = api.post(&body, Some("order-1234-shipped")).await;
    assert_eq!(again.status(), 202);
    assert_eq!(
        again.json::<Value>().await.unwrap(),
        first,
        "the original response"
    );
    let sends = app.state.store.sends(None, None, 10).await.unwrap();
    assert_eq!(sends.len(), 1, "sent once");
    eventually("alice's copy", async || app.unread("alice").await == 1).await;

    let changed = json!({"broadcast": true, "title": "Twice?"});
    problem(api.post(&changed, Some("order-1234-shipped")).await, 409).await;
    // Another key's identical Idempotency-Key is its own.
    let other = Api::new(&app).await;
    assert_eq!(
        other.post(&body, Some("order-1234-shipped")).await.status(),
        202
    );
    eventually("the second copy", async || app.unread("alice").await == 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_requests_are_429_with_retry_after() {
    let app = TestApp::spawn_with(|c| {
        c.api_rate = 1;
        c.api_burst = 3;
    })
    .await;
    let api = Api::new(&app).await;
    let body = json!({"broadcast": true, "title": "spam"});
    for _ in 0..3 {
        assert_eq!(api.post(&body, None).await.status(), 202);
    }
    let res = api.post(&body, None).await;
    let retry_after: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    problem(res, 429).await;
    // Limits are per key: another key is unaffected.
    assert_eq!(Api::new(&app).await.post(&body, None).await.status(), 202);
}

/// The OpenAPI document `app` serves.
async fn openapi(app: &TestApp) -> Value {
    reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_describes_the_api_it_serves() {
    let app = TestApp::spawn().await;
    let doc = openapi(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let create = &doc["paths"]["/api/v1/notifications"]["post"];
    for status in ["201", "400", "401", "409", "413", "415", "422", "429"] {
        assert!(
            create["responses"][status].is_object(),
            "documents {status}"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let request = &doc["components"]["schemas"]["CreateRequest"];
    assert_eq!(request["required"], json!(["title"]));
    assert_eq!(
        request["additionalProperties"],
        json!(false),
        "unknown fields are refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retracting_removes_it_from_the_inbox_and_the_live_count() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let alice = app.login("alice").await;
    let alice_id = app.user_id("alice").await;
    let created: Value = api
        .post(
            &json!({"recipients": [{"user_id": alice_id}], "title": "Oops, wrong user"}),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let id = created["notifications"][0]["id"].as_i64().unwrap();
    let mut socket = app.socket_after(&alice, 1).await;
    assert_eq!(hello(&mut socket).await, 1);

    let retract = |id: i64| {
        api.http
            .delete(app.url(&format!("/api/v1/notifications/{id}")))
            .bearer_auth(&api.key)
            .send()
    };
    assert_eq!(retract(id).await.unwrap().status(), 204);
    match next_event(&mut socket).await {
        herald::ServerMessage::Updated {
            notification,
            unread,
        } => {
            assert!(notification.retracted_at.is_some());
            assert_eq!(unread, 0, "the live count drops");
        }
        other => panic!("expected the retraction, got {other:?}"),
    }
    assert_eq!(app.unread("alice").await, 0);
    let inbox = app
        .state
        .store
        .page(alice_id, herald::InboxView::All, None, 10)
        .await
        .unwrap();
    assert!(inbox.is_empty(), "gone from the inbox");
    // It cannot be read or retracted again, and unknown ids are 404 too.
    let res = alice
        .post_form(
            "/api/inbox/read",
            &[("id", &id.to_string()), ("read", "true")],
        )
        .await;
    assert_eq!(res.status(), 404);
    problem(retract(id).await.unwrap(), 404).await;
    problem(retract(424242).await.unwrap(), 404).await;
    let unauthenticated = api
        .http
        .delete(app.url(&format!("/api/v1/notifications/{id}")))
        .send()
        .await
        .unwrap();
    problem(unauthenticated, 401).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_read_pages_counts_and_mark_read() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    for i in 1..=5 {
        api.post(
            &json!({"recipients": [{"external_id": "django:9"}], "title": format!("n{i}")}),
            None,
        )
        .await;
    }
    let get = |path: String| api.http.get(app.url(&path)).bearer_auth(&api.key).send();
    let count: Value = get("/api/v1/unread?external_id=django:9".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(count, json!({"unread": 5, "seq": 5}));

    let first: Value = get("/api/v1/notifications?external_id=django:9&limit=3".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let titles = |page: &Value| -> Vec<String> {
        page["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(titles(&first), ["n5", "n4", "n3"]);
    let next = first["next_before"].as_i64().unwrap();
    let second: Value = get(format!(
        "/api/v1/notifications?external_id=django:9&limit=3&before={next}"
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(titles(&second), ["n2", "n1"]);
    assert_eq!(second["next_before"], Value::Null);

    let id = first["notifications"][0]["id"].as_i64().unwrap();
    let res = api
        .http
        .post(app.url(&format!("/api/v1/notifications/{id}/read")))
        .bearer_auth(&api.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let count: Value = get("/api/v1/unread?external_id=django:9".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(count["unread"], 4);

    problem(
        get("/api/v1/unread?user_id=424242".into()).await.unwrap(),
        404,
    )
    .await;
    let p = problem(
        get("/api/v1/unread?user_id=1&external_id=x".into())
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(fields(&p), ["user_id"]);
    let p = problem(
        get("/api/v1/notifications?user_id=1&view=deleted".into())
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(fields(&p), ["view"]);
    problem(
        api.http
            .get(app.url("/api/v1/unread?user_id=1"))
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_tokens_open_the_socket_from_another_site_until_they_expire() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let res = api
        .http
        .post(app.url("/api/v1/connection-tokens"))
        .bearer_auth(&api.key)
        .json(&json!({"external_id": "django:77", "ttl_seconds": 60}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let token = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();

    // A page on the integrating site, with no Herald cookie at all.
    let open = |token: String, origin: &'static str| async move {
        let mut request = format!("ws://{}/ws?token={token}", app.addr)
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("origin", origin.parse().unwrap());
        tokio_tungstenite::connect_async(request)
            .await
            .map(|(s, _)| s)
    };
    let mut socket = open(token.clone(), "https://shop.example")
        .await
        .expect("token accepted");
    socket
        .send(tokio_tungstenite::tungstenite::Message::text(
            r#"{"type":"resume","after":0}"#,
        ))
        .await
        .unwrap();
    assert_eq!(hello(&mut socket).await, 0);
    api.post(
        &json!({"recipients": [{"external_id": "django:77"}], "title": "For 77"}),
        None,
    )
    .await;
    assert_eq!(next_created(&mut socket).await, ("For 77".into(), 1));

    // The event stream takes it too.
    let res = reqwest::get(app.url(&format!("/events?token={token}&after=0")))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let user = app
        .state
        .store
        .user_by_external_id("django:77")
        .await
        .unwrap()
        .unwrap()
        .id;
    let now = server::store::now_ms();
    let claims = |expires_at| server::identity::tokens::Claims {
        user,
        key: 1,
        expires_at,
    };
    let expired = app.state.tokens.sign(&claims(now - 1));
    let foreign =
        server::identity::tokens::Signer::new(Some("another server")).sign(&claims(now + 60_000));
    let tampered = format!("{}A", token);
    for bad in [expired, foreign, tampered] {
        match open(bad, "https://shop.example").await {
            Err(tokio_tungstenite::tungstenite::Error::Http(res)) => assert_eq!(res.status(), 401),
            other => panic!("expected 401, got {:?}", other.map(|_| ())),
        }
    }
    let p = problem(
        api.http
            .post(app.url("/api/v1/connection-tokens"))
            .bearer_auth(&api.key)
            .json(&json!({"user_id": 1, "ttl_seconds": 99999}))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(fields(&p), ["ttl_seconds"]);
    // A value of the wrong type is named by its field too.
    let p = problem(
        api.http
            .post(app.url("/api/v1/connection-tokens"))
            .bearer_auth(&api.key)
            .json(&json!({"user_id": "one"}))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(fields(&p), ["user_id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retracting_the_last_notification_of_a_send_marks_the_send_retracted() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let created: Value = api
        .post(
            &json!({"recipients": [{"external_id": "a"}, {"external_id": "b"}], "title": "Two"}),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<i64> = created["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect();
    let retracted = || async {
        app.state.store.sends(None, None, 10).await.unwrap()[0]
            .retracted_at
            .is_some()
    };
    app.state.notifier.retract(ids[0], "test").await.unwrap();
    assert!(!retracted().await, "one of two is left");
    app.state.notifier.retract(ids[1], "test").await.unwrap();
    assert!(retracted().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_json_body_is_refused_alike_and_documented_so() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let token = api.token("ext:body", 60).await;
    let doc = openapi(&app).await;
    let bodies = [
        (
            "post",
            "/api/v1/notifications",
            "/api/v1/notifications",
            &api.key,
        ),
        (
            "post",
            "/api/v1/connection-tokens",
            "/api/v1/connection-tokens",
            &api.key,
        ),
        (
            "put",
            "/api/v1/users/ext:body/preferences",
            "/api/v1/users/{external_id}/preferences",
            &api.key,
        ),
        (
            "put",
            "/api/v1/me/preferences",
            "/api/v1/me/preferences",
            &token,
        ),
    ];
    for (method, path, documented, bearer) in bodies {
        let request = |content_type: &str, body: String| {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            api.http
                .request(method, app.url(path))
                .bearer_auth(bearer)
                .header("content-type", content_type)
                .body(body)
                .send()
        };
        let refused = request("text/plain", "{}".into()).await.unwrap();
        assert_eq!(refused.status(), 415, "{method} {path}: not JSON");
        assert_eq!(
            refused.headers()["content-type"],
            "application/problem+json",
            "{method} {path}"
        );
        let malformed = request("application/json", "{".into()).await.unwrap();
        assert_eq!(malformed.status(), 400, "{method} {path}: malformed");
        let large = request("application/json", " ".repeat(70 * 1024))
            .await
            .unwrap();
        assert_eq!(large.status(), 413, "{method} {path}: too large");
        let wrong = request("application/json", r#"{"nonsense": 1}"#.into())
            .await
            .unwrap();
        assert_eq!(wrong.status(), 422, "{method} {path}: an unknown field");
        let problem: Value = wrong.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "nonsense", "{method} {path}");
        let responses = &doc["paths"][documented][method]["responses"];
        for status in ["400", "401", "413", "415", "422", "429"] {
            assert!(
                responses[status].is_object(),
                "{method} {documented} documents {status}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_query_parameter_is_named_by_its_field() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app).await;
    let token = api.token("ext:query", 60).await;
    for (url, bearer) in [
        (
            "/api/v1/notifications?external_id=ext:query&limit=many",
            &api.key,
        ),
        ("/api/v1/me/notifications?limit=many", &token),
    ] {
        let p = problem(
            api.http
                .get(app.url(url))
                .bearer_auth(bearer)
                .send()
                .await
                .unwrap(),
            422,
        )
        .await;
        assert_eq!(fields(&p), ["limit"], "{url}");
    }
}
