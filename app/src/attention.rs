//! Getting the user's attention, politely: the count in the tab title, a
//! toast in the visible tab, desktop notifications in a hidden one (only
//! after the user opts in), and the focus handling of the bell's panel.

use leptos::prelude::*;

use crate::state::{Live, Toast};

/// How long a toast stays.
#[cfg(feature = "hydrate")]
const TOAST_MS: u64 = 6_000;
/// Where the desktop opt-in is remembered.
#[cfg(feature = "hydrate")]
const DESKTOP_KEY: &str = "herald.desktop";

/// Shows `text` as an error toast.
pub fn toast_error(live: Live, text: &str) {
    push(live, text.to_owned(), true);
}

fn push(live: Live, text: String, error: bool) {
    let id = live
        .toasts
        .with_untracked(|t| t.last().map_or(0, |t| t.id + 1));
    live.toasts.update(|t| t.push(Toast { id, text, error }));
    #[cfg(feature = "hydrate")]
    set_timeout(
        move || live.toasts.update(|t| t.retain(|t| t.id != id)),
        std::time::Duration::from_millis(TOAST_MS),
    );
}

/// The toasts, and what raises them: a notification arriving live shows a
/// toast if this tab is visible, or a desktop notification if it is hidden,
/// the user opted in on this device and their settings allow it for its
/// category. A muted one raises neither.
#[component]
pub fn Toaster() -> impl IntoView {
    let live = expect_context::<Live>();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let Some(n) = live.arrived.get() else { return };
        if n.muted {
            return;
        }
        if document().visibility_state() == web_sys::VisibilityState::Visible {
            push(live, n.title.clone(), false);
        } else if desktop_enabled() {
            leptos::task::spawn_local(async move {
                // Read when needed, so a change made in another tab counts.
                let allowed = crate::settings::get_preferences().await.is_ok_and(|all| {
                    all.iter()
                        .any(|p| p.category == n.category && p.alerts_desktop())
                });
                if allowed {
                    let options = web_sys::NotificationOptions::new();
                    options.set_body(&n.body);
                    options.set_tag(&format!("herald-{}", n.id));
                    let _ = web_sys::Notification::new_with_options(&n.title, &options);
                }
            });
        }
    });
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || live.toasts.get() key=|t| t.id let:toast>
                <div class="toast" class:toast-error=toast.error>{toast.text}</div>
            </For>
        </div>
    }
}

/// The inbox's switch for desktop notifications. Rendered only in the
/// browser, where permission can be known and asked for.
#[component]
pub fn DesktopOptIn() -> impl IntoView {
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
    move || {
        match state.get().as_str() {
        "on" => view! {
            <p class="desktop muted">
                "Desktop notifications are on while Herald is in the background. "
                <button type="button" class="link" on:click=disable>"Turn off"</button>
            </p>
        }
        .into_any(),
        "off" => view! {
            <p class="desktop">
                <button type="button" class="link" on:click=enable>
                    "Show desktop notifications while Herald is in the background"
                </button>
            </p>
        }
        .into_any(),
        "blocked" => view! {
            <p class="desktop muted">"Desktop notifications are blocked in this browser's settings."</p>
        }
        .into_any(),
        _ => ().into_any(),
    }
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
fn desktop_enabled() -> bool {
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

#[cfg(feature = "hydrate")]
fn focusables(panel: &web_sys::HtmlElement) -> Vec<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    let Ok(list) =
        panel.query_selector_all("a[href], button:not([disabled]), input:not([type=hidden])")
    else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

/// Moves focus to the first focusable element in `panel`.
#[cfg(feature = "hydrate")]
pub fn focus_first(panel: &web_sys::HtmlElement) {
    if let Some(first) = focusables(panel).first() {
        let _ = first.focus();
    }
}

/// Keeps Tab and Shift+Tab cycling inside `panel`.
#[cfg(feature = "hydrate")]
pub fn trap_tab(panel: &web_sys::HtmlElement, ev: &web_sys::KeyboardEvent) {
    let items = focusables(panel);
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return;
    };
    let active = document().active_element();
    let is = |el: &web_sys::HtmlElement| active.as_ref().is_some_and(|a| a == el.as_ref());
    let inside = items.iter().any(is);
    if ev.shift_key() && (is(first) || !inside) {
        ev.prevent_default();
        let _ = last.focus();
    } else if !ev.shift_key() && (is(last) || !inside) {
        ev.prevent_default();
        let _ = first.focus();
    }
}

/// While the panel is open: Esc closes it (focus back on the bell), and Tab
/// stays inside it. On the window, so it works wherever focus has gone
/// (say, after the focused button was re-rendered away).
#[cfg(feature = "hydrate")]
pub fn watch_keys(
    open: RwSignal<bool>,
    bell: NodeRef<leptos::html::A>,
    panel: NodeRef<leptos::html::Div>,
) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if !open.get_untracked() {
            return;
        }
        match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                open.set(false);
                if let Some(bell) = bell.get_untracked() {
                    let _ = bell.focus();
                }
            }
            "Tab" => {
                if let Some(panel) = panel.get_untracked() {
                    trap_tab(&panel, &ev);
                }
            }
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
}

/// Closes the panel on a click anywhere outside the bell and the panel.
#[cfg(feature = "hydrate")]
pub fn watch_clicks_outside(
    open: RwSignal<bool>,
    bell: NodeRef<leptos::html::A>,
    panel: NodeRef<leptos::html::Div>,
) {
    use wasm_bindgen::JsCast;
    let handle = window_event_listener(leptos::ev::click, move |ev| {
        if !open.get_untracked() {
            return;
        }
        let target = ev.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        let inside = |el: Option<web_sys::Node>| el.is_some_and(|el| el.contains(target.as_ref()));
        let in_bell = inside(bell.get_untracked().map(Into::into));
        let in_panel = inside(panel.get_untracked().map(Into::into));
        if !in_bell && !in_panel {
            open.set(false);
        }
    });
    on_cleanup(move || handle.remove());
}
