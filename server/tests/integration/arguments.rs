//! Every server function, fed arguments it cannot decode — missing,
//! wrongly typed, malformed, oversized, JSON where a form is expected — by
//! an anonymous visitor, a member and an admin: a 4xx naming the field,
//! never a 5xx, never an ERROR in the log, nothing stored. The functions
//! are enumerated from the registered ones, so a new one is covered too.

use serde_json::Value;

use crate::common::Client;
use crate::process::Process;

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undecodable_arguments_are_a_4xx_naming_the_field_for_every_server_function() {
    let password = "arguments-password-1";
    let mut herald = Process::start(&[("HERALD_SEED_PASSWORD", password)]);
    herald.ready().await;
    let anonymous = Client::new(&herald.url);
    let member = Client::new(&herald.url);
    assert_eq!(member.login("alice", password).await.status(), 200);
    let admin = Client::new(&herald.url);
    assert_eq!(admin.login("admin", password).await.status(), 200);

    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    assert!(paths.len() >= 20, "{paths:?}");
    // Logging out works whatever the body: last, so the sessions last.
    paths.sort_by_key(|p| p.ends_with("/logout"));
    for path in &paths {
        assert!(
            app::server_fn_checks::check_for(path).is_some(),
            "{path} has no argument check in app::server_fn_checks"
        );
    }

    let fresh = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let oversized = format!("title={}", "x".repeat(200_000));
    let bodies: [(&str, &str, &str); 5] = [
        ("missing", FORM, ""),
        (
            "wrongly typed",
            FORM,
            "id=abc&before=x&limit=x&up_to=x&view=nonsense&read=maybe&archived=maybe",
        ),
        ("malformed", FORM, "%%%&&&==&[]=x&a[b][c][d][e][f][g]=1"),
        (
            "JSON",
            "application/json",
            r#"{"id": {"nested": true}, "limit": "x"}"#,
        ),
        ("oversized", FORM, &oversized),
    ];
    for (who, client) in [
        ("anonymous", &anonymous),
        ("member", &member),
        ("admin", &admin),
    ] {
        for path in &paths {
            for (what, content_type, body) in &bodies {
                // A connection of its own for each request: a refused
                // oversized body may leave the server closing the last one.
                let mut request = fresh
                    .post(format!("{}{path}", herald.url))
                    .header("accept", "application/json")
                    .header("origin", &herald.url)
                    .header("content-type", *content_type)
                    .body(body.to_string());
                if let Some(cookie) = client.cookie_header() {
                    request = request.header("cookie", cookie);
                }
                let res = request.send().await.unwrap();
                let status = res.status();
                let text = res.text().await.unwrap();
                assert!(
                    !status.is_server_error(),
                    "{who}, {what} body to {path}: {status} {text}"
                );
                if status == 400 || status == 422 {
                    // Either the decoder or the function's own validation:
                    // both name the field.
                    let error: Value = serde_json::from_str(&text).unwrap();
                    let named = error
                        .as_object()
                        .and_then(|o| o.values().next())
                        .and_then(|v| v[0]["field"].as_str())
                        .is_some_and(|f| !f.is_empty());
                    assert!(named, "{who}, {what} body to {path}: {text}");
                }
            }
        }
    }

    let output = herald.output();
    assert!(!output.contains("ERROR"), "{output}");
    let store = server::store::Store::connect(&herald.database_url)
        .await
        .unwrap();
    assert_eq!(store.count_notifications().await.unwrap(), 0);
    assert_eq!(store.count_users().await.unwrap(), 3);
    assert!(store.api_keys().await.unwrap().is_empty());
    assert!(store.sends(None, None, 10).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_form_with_a_bad_argument_is_sent_back_and_shown_the_error() {
    let password = "arguments-password-2";
    let mut herald = Process::start(&[("HERALD_SEED_PASSWORD", password)]);
    herald.ready().await;
    let alice = Client::new(&herald.url);
    assert_eq!(alice.login("alice", password).await.status(), 200);
    let page = format!("{}/notifications", herald.url);
    let res = alice
        .http
        .post(format!("{}/api/inbox/read", herald.url))
        .header("accept", "text/html")
        .header("origin", &herald.url)
        .header("referer", &page)
        .form(&[("id", "abc"), ("read", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let back = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with(&page) && back.contains("__err="), "{back}");
    let html = alice
        .http
        .get(&back)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("id: Must be a whole number."),
        "the page shows it"
    );
}
