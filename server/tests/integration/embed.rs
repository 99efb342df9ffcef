//! `/embed/herald-bell.js`, the bell other sites include, and what it
//! needs from other origins.

use crate::common::*;

/// The budget for the script as sent.
const MAX_GZIP_BYTES: usize = 20_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bell_script_is_served_small_to_any_site() {
    let app = TestApp::spawn().await;
    // reqwest here does not decompress: the body is what goes over the wire.
    let res = reqwest::Client::new()
        .get(app.url("/embed/herald-bell.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert_eq!(
        res.headers()["cross-origin-resource-policy"],
        "cross-origin"
    );
    let sent = res.bytes().await.unwrap().len();
    eprintln!("herald-bell.js: {sent} bytes gzip");
    assert!(sent <= MAX_GZIP_BYTES, "{sent} bytes gzip");

    let plain = reqwest::get(app.url("/embed/herald-bell.js"))
        .await
        .unwrap();
    let text = plain.text().await.unwrap();
    assert!(text.contains("customElements.define('herald-bell'"));
}

/// TypeScript pages get the element's types from beside the script.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bell_types_are_served_beside_the_script() {
    let app = TestApp::spawn().await;
    let res = reqwest::get(app.url("/embed/herald-bell.d.ts"))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/typescript")
    );
    assert_eq!(
        res.headers()["cross-origin-resource-policy"],
        "cross-origin"
    );
    let text = res.text().await.unwrap();
    assert!(text.contains("'herald-bell': HeraldBellElement"));
    assert!(text.contains("'herald-unread': CustomEvent<{ unread: number }>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allowed_site_may_read_the_event_stream_with_a_token_and_no_other() {
    let shop = "https://shop.example";
    let app = TestApp::spawn_with(|c| c.allowed_origins = vec![shop.into()]).await;
    let api = Api::new(&app).await;
    let token = api.token("shopper", 300).await;
    let open = |origin: &'static str| {
        reqwest::Client::new()
            .get(app.url(&format!("/events?token={token}&after=0")))
            .header("origin", origin)
            .send()
    };
    let res = open(shop).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], shop);
    let res = open("https://evil.example").await.unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}
