//! Static files and compression: precompressed copies are served to clients
//! that accept them, hashed names are cached for good, pages and JSON are
//! compressed on the fly, event streams and WASM are not.

use axum::Router;
use reqwest::header::{ACCEPT, ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING};
use server::http::assets;

use crate::common::*;

/// A site folder holding `pkg/app.js` and its precompressed copies, whose
/// bodies say which one was served.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    std::fs::write(pkg.join("app.js"), "plain ".repeat(100)).unwrap();
    std::fs::write(pkg.join("app.js.br"), "brotli bytes").unwrap();
    std::fs::write(pkg.join("app.js.gz"), "gzip bytes").unwrap();
    dir
}

/// Serves only the site's files, as Herald mounts them.
async fn serve_files(app: &TestApp, root: &std::path::Path, hashed: bool) -> String {
    let router: Router = assets::files(Router::new(), root.to_str().unwrap(), "pkg", hashed)
        .with_state(app.state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn precompressed_files_are_served_to_clients_that_accept_them() {
    let app = TestApp::spawn().await;
    let dir = site();
    let base = serve_files(&app, dir.path(), true).await;
    let http = reqwest::Client::new();
    let get = |encoding: &'static str| {
        http.get(format!("{base}/pkg/app.js"))
            .header(ACCEPT_ENCODING, encoding)
            .send()
    };

    let br = get("gzip, br").await.unwrap();
    assert_eq!(br.status(), 200);
    assert_eq!(br.headers()[CONTENT_ENCODING], "br");
    assert_eq!(
        br.headers()[CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(br.text().await.unwrap(), "brotli bytes");

    let gzip = get("gzip").await.unwrap();
    assert_eq!(gzip.headers()[CONTENT_ENCODING], "gzip");
    assert_eq!(gzip.text().await.unwrap(), "gzip bytes");

    let plain = get("identity").await.unwrap();
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    assert!(plain.text().await.unwrap().starts_with("plain "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_without_hashed_names_must_be_revalidated() {
    let app = TestApp::spawn().await;
    let dir = site();
    let base = serve_files(&app, dir.path(), false).await;
    let res = reqwest::get(format!("{base}/pkg/app.js")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[CACHE_CONTROL], "no-cache");
    let missing = reqwest::get(format!("{base}/pkg/nope.js")).await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_and_json_are_compressed_event_streams_are_not() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();

    let get = |path: &str, encoding: &'static str| {
        http.get(app.url(path))
            .header(ACCEPT_ENCODING, encoding)
            .send()
    };

    let page = get("/login", "br").await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()[CONTENT_ENCODING], "br");
    let compressed = page.bytes().await.unwrap();
    let mut html = Vec::new();
    brotli_decompress(&compressed, &mut html);
    assert!(String::from_utf8(html).unwrap().contains("<html"));

    let openapi = get("/api/v1/openapi.json", "gzip").await.unwrap();
    assert_eq!(openapi.headers()[CONTENT_ENCODING], "gzip");

    // Compressing a stream would hold its messages back in the encoder.
    let alice = app.login("alice").await;
    let events = alice
        .http
        .get(app.url("/events?after=0"))
        .header(ACCEPT, "text/event-stream")
        .header(ACCEPT_ENCODING, "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    assert!(events.headers().get(CONTENT_ENCODING).is_none());
}

fn brotli_decompress(input: &[u8], output: &mut Vec<u8>) {
    use std::io::Read;
    brotli::Decompressor::new(input, 4096)
        .read_to_end(output)
        .expect("valid brotli");
}
