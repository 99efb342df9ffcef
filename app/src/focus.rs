//! Keyboard focus for the bell's panel: first item focused on open, Tab
//! kept inside, Esc and a click outside close it.

use leptos::prelude::*;

/// What Tab can reach in `panel`, in order: every kind of control a row
/// may hold (a group's `summary` too), leaving out hidden ones, which the
/// browser skips (the panel hides snoozing).
#[cfg(feature = "hydrate")]
fn focusables(panel: &web_sys::HtmlElement) -> Vec<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    let Ok(list) = panel.query_selector_all(
        "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), \
         select:not([disabled]), textarea:not([disabled]), summary",
    ) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|el| el.get_client_rects().length() > 0)
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

/// While the panel is open: Esc closes it (focus back on the bell), Tab
/// stays inside it, and a click outside the bell and the panel closes it.
/// On the window, so keys work wherever focus has gone (say, after the
/// focused button was re-rendered away).
#[cfg(feature = "hydrate")]
pub fn watch_open_panel(
    open: RwSignal<bool>,
    bell: NodeRef<leptos::html::A>,
    panel: NodeRef<leptos::html::Div>,
) {
    use wasm_bindgen::JsCast;
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
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
    let clicks = window_event_listener(leptos::ev::click, move |ev| {
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
    on_cleanup(move || {
        keys.remove();
        clicks.remove();
    });
}
