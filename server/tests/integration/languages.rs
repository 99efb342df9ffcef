//! The pages' language: the user's own choice (Settings), else the
//! browser's `Accept-Language`, else English. `<html lang>` says which, and
//! the words on the page follow it; a sender's titles stay as they are.

use serde_json::Value;

use crate::common::*;

/// `path` as a browser whose languages are `accept_language` fetches it.
async fn page_in(app: &TestApp, client: &Client, path: &str, accept_language: &str) -> String {
    let mut request = client.http.get(app.url(path)).header("accept", "text/html");
    if !accept_language.is_empty() {
        request = request.header("accept-language", accept_language);
    }
    let res = request.send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

fn lang_of(html: &str) -> &str {
    let at = html.find("<html lang=\"").expect("<html lang=…>") + 12;
    let end = html[at..].find('"').unwrap();
    &html[at..at + end]
}

/// The language the user chose, as Settings reads it (`null`: none).
async fn chosen(client: &Client) -> Value {
    client
        .post_form("/api/settings/language", &[])
        .await
        .json()
        .await
        .unwrap()
}

async fn choose(client: &Client, locale: &str) -> reqwest::Response {
    client
        .post_form("/api/settings/language/set", &[("locale", locale)])
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_speaks_the_browsers_language_until_the_user_chooses_one() {
    let app = TestApp::spawn().await;
    app.notify("alice", "Quarterly numbers are in", "").await;
    let alice = app.login("alice").await;

    // Nobody chose: the browser's languages, by weight; English otherwise.
    let german = page_in(&app, &alice, "/notifications", "fr-FR,de;q=0.8,en;q=0.5").await;
    assert_eq!(lang_of(&german), "de");
    assert!(german.contains("Alle als gelesen markieren"), "{german}");
    assert!(german.contains("Benachrichtigungen, 1 ungelesen"));
    // The sender's words are not translated.
    assert!(german.contains("Quarterly numbers are in"));
    let english = page_in(&app, &alice, "/notifications", "en-GB").await;
    assert_eq!(lang_of(&english), "en");
    assert!(english.contains("Mark all read"));
    let unknown = page_in(&app, &alice, "/notifications", "fr, es;q=0.5").await;
    assert_eq!(lang_of(&unknown), "en");
    let unsaid = page_in(&app, &alice, "/notifications", "").await;
    assert_eq!(lang_of(&unsaid), "en");
    // Signed out, too (the login page).
    let login = page_in(&app, &app.anonymous(), "/login", "de").await;
    assert_eq!(lang_of(&login), "de");

    // Her choice beats her browser's, on every page, until she clears it.
    assert!(choose(&alice, "en").await.status().is_success());
    let page = page_in(&app, &alice, "/notifications", "de").await;
    assert_eq!(lang_of(&page), "en");
    assert!(page.contains("Mark all read"));
    assert_eq!(chosen(&alice).await, "en");
    assert!(choose(&alice, "de").await.status().is_success());
    assert_eq!(
        lang_of(&page_in(&app, &alice, "/settings", "en").await),
        "de"
    );
    assert_eq!(lang_of(&page_in(&app, &alice, "/", "en").await), "de");

    // Hers alone: bob's pages still follow his browser.
    let bob = app.login("bob").await;
    assert_eq!(
        lang_of(&page_in(&app, &bob, "/notifications", "en").await),
        "en"
    );

    // Cleared: the browser's again.
    assert!(choose(&alice, "").await.status().is_success());
    assert_eq!(
        lang_of(&page_in(&app, &alice, "/notifications", "en").await),
        "en"
    );
    assert_eq!(chosen(&alice).await, Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_language_herald_does_not_speak_is_refused_by_name_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let alice = app.login("alice").await;
    assert!(choose(&alice, "de").await.status().is_success());
    for bad in ["fr", "DE", "de-AT", "english"] {
        let res = choose(&alice, bad).await;
        assert_eq!(res.status(), 422, "{bad}");
        assert_eq!(
            res.json::<Value>().await.unwrap()["Invalid"][0]["field"],
            "locale"
        );
    }
    assert_eq!(
        lang_of(&page_in(&app, &alice, "/notifications", "en").await),
        "de"
    );
    // Choosing needs a signed-in user.
    let res = choose(&app.anonymous(), "de").await;
    assert_eq!(res.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_written_outside_the_app_speak_the_readers_language_too() {
    let app = TestApp::spawn().await;
    app.notify("bob", "<b>Invoice</b> due", "").await;
    let bob = app.login("bob").await;
    let id = app
        .state
        .store
        .page(app.user_id("bob").await, herald::InboxView::All, None, 1)
        .await
        .unwrap()[0]
        .id;
    let from_elsewhere = async |accept_language: &str| {
        let res = bob
            .http
            .get(app.url(&format!("/notifications/{id}/open")))
            .header("accept", "text/html")
            .header("sec-fetch-site", "cross-site")
            .header("accept-language", accept_language)
            .send()
            .await
            .unwrap();
        res.text().await.unwrap()
    };

    // A link to it from another site asks first, in the browser's language;
    // the title is the sender's, as text.
    let german = from_elsewhere("de").await;
    assert_eq!(lang_of(&german), "de");
    assert!(
        german.contains("Diese Benachrichtigung öffnen?"),
        "{german}"
    );
    assert!(german.contains("&lt;b&gt;Invoice&lt;/b&gt; due"));
    let english = from_elsewhere("en").await;
    assert_eq!(lang_of(&english), "en");
    assert!(english.contains("Open this notification?"));

    // A member is refused the admin console in their language.
    let refused = bob
        .http
        .get(app.url("/admin"))
        .header("accept", "text/html")
        .header("accept-language", "de")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let refused = refused.text().await.unwrap();
    assert_eq!(lang_of(&refused), "de");
    assert!(refused.contains("Nur Administratoren können diese Seite öffnen."));

    // Their own choice beats the browser's here as on the app's pages.
    assert!(choose(&bob, "de").await.status().is_success());
    let chosen = from_elsewhere("en").await;
    assert_eq!(lang_of(&chosen), "de");
}
