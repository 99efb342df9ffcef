#![recursion_limit = "256"]
//! Herald's user interface: pages, components and the server functions they
//! call. Built twice: with `ssr` into the server, with `hydrate` into wasm.

pub mod admin;
pub mod auth;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod bell;
mod codec;
mod contact;
mod desktop;
#[cfg(feature = "hydrate")]
mod device_push;
pub mod error;
#[cfg(feature = "hydrate")]
mod focus;
mod forms;
mod group_rest;
pub mod home;
pub mod i18n;
mod icons;
pub mod inbox;
pub mod language;
#[cfg(feature = "hydrate")]
mod live;
#[cfg(feature = "ssr")]
pub mod server_fn_checks;
pub mod settings;
pub mod state;
mod toasts;
pub mod topics;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::SsrMode;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::admin::AdminPage;
use crate::auth::{AccountPage, LoginPage, Logout, MeResource, get_me};
use crate::bell::Bell;
use crate::home::HomePage;
use crate::i18n::{t, use_locale};
use crate::inbox::InboxPage;
use crate::settings::SettingsPage;
use crate::state::PageState;
use crate::toasts::Toaster;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let locale = crate::i18n::page_locale();
    view! {
        <!DOCTYPE html>
        <html lang=locale.tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // Release builds name the files after their contents
                // (`hash-files`), so they can be cached for good.
                <HashedStylesheet options=options.clone() id="leptos"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The whole page, rendered on the server. Only its islands (the bell, the
/// lists and their actions, the forms, the admin console) hydrate in the
/// browser; the rest is plain HTML and links are full page loads.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let logout = crate::forms::FormAction::<Logout>::new();
    let live = PageState::default();
    provide_context(live);
    let l = live.locale;
    provide_context(l);
    // Resolved before the page is sent, so the count is right without any
    // WASM.
    let me = Resource::new(|| (), |_| get_me());
    provide_context(MeResource(me));
    // leptos_meta may render the title after the page's owner and arena are
    // gone (streaming SSR, seen under load): an arena signal then panics even
    // in `try_get`, so the title reads a reference-counted one. The bell
    // keeps it current in the browser.
    let unread = ArcRwSignal::from(live.unread);
    let title = move || crate::bell::page_title(unread.get());
    view! {
        <Title text=title/>
        <Router>
            <header class="topbar">
                <A href="/" attr:class="brand">"Herald"</A>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match me.await {
                            Ok(Some(me)) => {
                                let is_admin = me.user.is_admin();
                                let name = me.user.username.clone();
                                view! {
                                    <nav class="account">
                                        {is_admin.then(|| view! { <A href="/admin">{t!(l, "nav-admin")}</A> })}
                                        <Bell me/>
                                        <A href="/settings" attr:class="settings-link" attr:title=t!(l, "nav-settings-title")>{t!(l, "nav-settings")}</A>
                                        <A href="/account" attr:class="username" attr:title=t!(l, "nav-account-title")>{name}</A>
                                        <crate::forms::ServerForm action=logout>
                                            <button type="submit" class="link">{t!(l, "nav-log-out")}</button>
                                        </crate::forms::ServerForm>
                                    </nav>
                                }
                                .into_any()
                            }
                            _ => view! {
                                <nav class="account"><A href="/login">{t!(l, "nav-log-in")}</A></nav>
                            }
                            .into_any(),
                        }
                    })}
                </Suspense>
            </header>
            <main>
                <FormError/>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/notifications") view=InboxPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async/>
                </Routes>
            </main>
            <Toaster/>
        </Router>
    }
}

/// A plain form's error (a browser without WASM), which the server put in
/// the address when it sent the browser back to the page: shown on top.
#[component]
fn FormError() -> impl IntoView {
    use base64::Engine;
    let l = use_locale();
    let query = leptos_router::hooks::use_query_map();
    let message = move || {
        let encoded = query.read().get("__err")?;
        let json = base64::engine::general_purpose::URL_SAFE
            .decode(encoded)
            .ok()?;
        let error: crate::error::AppError = serde_json::from_slice(&json).ok()?;
        Some(match error {
            crate::error::AppError::Invalid(errors) | crate::error::AppError::Malformed(errors) => {
                let each: Vec<String> = errors
                    .0
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect();
                t!(l, "form-did-not-work", details = each.join(" "))
            }
            other => other.message(l),
        })
    };
    move || {
        message().map(|message| view! { <p class="error form-error" role="alert">{message}</p> })
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let l = use_locale();
    view! {
        <section class="card">
            <h1>{t!(l, "not-found-title")}</h1>
            <p>{t!(l, "not-found-text")}</p>
        </section>
    }
}
