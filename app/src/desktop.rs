//! Desktop notifications while Herald is in the background: only after the
//! user opts in, remembered per browser.

use leptos::either::EitherOf4;
use leptos::prelude::*;

use crate::i18n::{t, use_locale};

/// Where the opt-in is remembered.
#[cfg(feature = "hydrate")]
const DESKTOP_KEY: &str = "herald.desktop";

/// The inbox's switch for desktop notifications. Rendered only in the
/// browser, where permission can be known and asked for.
#[component]
pub fn DesktopOptIn() -> impl IntoView {
    let l = use_locale();
    // "" until hydrated: the server cannot know the browser's permission.
    let state = RwSignal::new(String::new());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| state.set(desktop_state()));
    let enable = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            if let Ok(promise) = web_sys::Notification::request_permission() {
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            }
            set_desktop(
                web_sys::Notification::permission() == web_sys::NotificationPermission::Granted,
            );
            state.set(desktop_state());
        });
    };
    let disable = move |_| {
        #[cfg(feature = "hydrate")]
        {
            set_desktop(false);
            state.set(desktop_state());
        }
    };
    move || match state.get().as_str() {
        "on" => EitherOf4::A(view! {
            <p class="desktop muted">
                {t!(l, "desktop-on") + " "}
                <button type="button" class="link" on:click=disable>{t!(l, "desktop-turn-off")}</button>
            </p>
        }),
        "off" => EitherOf4::B(view! {
            <p class="desktop">
                <button type="button" class="link" on:click=enable>
                    {t!(l, "desktop-enable")}
                </button>
            </p>
        }),
        "blocked" => EitherOf4::C(view! {
            <p class="desktop muted">{t!(l, "desktop-blocked")}</p>
        }),
        _ => EitherOf4::D(()),
    }
}

#[cfg(feature = "hydrate")]
fn desktop_state() -> String {
    use web_sys::NotificationPermission as P;
    match web_sys::Notification::permission() {
        P::Granted if desktop_enabled() => "on",
        P::Denied => "blocked",
        _ => "off",
    }
    .to_owned()
}

#[cfg(feature = "hydrate")]
pub(crate) fn desktop_enabled() -> bool {
    web_sys::Notification::permission() == web_sys::NotificationPermission::Granted
        && window()
            .local_storage()
            .ok()
            .flatten()
            .and_then(|s| s.get_item(DESKTOP_KEY).ok().flatten())
            .is_some_and(|v| v == "on")
}

#[cfg(feature = "hydrate")]
fn set_desktop(on: bool) {
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = storage.set_item(DESKTOP_KEY, if on { "on" } else { "off" });
    }
}
