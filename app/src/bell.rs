//! The bell in the header: the live unread bubble, and the panel it opens
//! with the newest notifications. Keyboard and screen-reader friendly:
//! `aria-expanded`, focus kept inside while open, Esc closes, and the count
//! announced through a live region.

use herald::{InboxView, badge_text};
use leptos::html;
use leptos::prelude::*;

use crate::auth::Me;
use crate::i18n::{t, use_locale};
use crate::inbox::{MarkAllReadButton, NotificationList};
use crate::state::Link;

/// How many notifications the panel shows.
const PANEL_SIZE: i64 = 8;

/// The page's title: "(3) Herald" while anything is unread.
pub fn page_title(unread: i64) -> String {
    match unread {
        0 => "Herald".to_owned(),
        n => format!("({n}) Herald"),
    }
}

/// An island: hydrated in the browser on every page of a signed-in user,
/// with the live connection the rest of the page's islands share.
#[island]
pub fn Bell(me: Me) -> impl IntoView {
    let live = crate::state::use_page_state();
    let l = use_locale();
    live.unread.set(me.unread);
    live.seq.set(me.seq);
    let open = RwSignal::new(false);
    // Rebuilds the panel only when it opens or closes, as `<Show>` did.
    let shown = Memo::new(move |_| open.get());
    let bell = NodeRef::<html::A>::new();
    let panel = NodeRef::<html::Div>::new();

    // Effects run only in the browser: one connection per page, closed when
    // the bell goes away (on logout).
    #[cfg(feature = "hydrate")]
    {
        Effect::new(move |_| {
            let connection = crate::live::connect(live, me.transport);
            on_cleanup(move || connection.close());
        });
        // The server wrote the title; the count moves on here.
        Effect::new(move |_| document().set_title(&page_title(live.unread.get())));
        // This browser's push subscription (if it has one) is claimed for
        // this sign-in: a previous user's is forgotten at once.
        leptos::task::spawn_local(crate::settings::claim_this_device());
        crate::focus::watch_open_panel(open, bell, panel);
        // Opening the panel moves focus into it.
        Effect::new(move |_| {
            if let (true, Some(panel)) = (open.get(), panel.get()) {
                crate::focus::focus_first(&panel);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = me.transport;

    let label = move || t!(l, "bell-label", count = live.unread.get());
    let title = move || match live.link.get() {
        Link::Reconnecting => t!(l, "bell-reconnecting"),
        _ => t!(l, "bell-title"),
    };
    view! {
        <div class="bell-wrap">
            // Without WASM this is a plain link to the inbox.
            <a
                class="bell"
                href="/notifications"
                role="button"
                node_ref=bell
                aria-haspopup="dialog"
                aria-controls="bell-panel"
                aria-expanded=move || open.get().to_string()
                data-link=move || live.link.get().as_str()
                aria-label=label
                title=title
                on:click=move |ev| {
                    ev.prevent_default();
                    open.update(|o| *o = !*o);
                }
            >
                <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
                    <path
                        fill="currentColor"
                        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
                    />
                </svg>
                {move || {
                    badge_text(live.unread.get())
                        .map(|text| view! { <span class="bubble" data-testid="unread-bubble">{text}</span> })
                }}
            </a>
            <span class="sr-only" aria-live="polite" aria-atomic="true">
                {move || t!(l, "bell-announce", count = live.unread.get())}
            </span>
            // Typed, not `<Show>`: its children are an `AnyView`, which carries
            // a second (async) hydration path for the whole panel.
            {move || shown.get().then(|| view! {
                <div id="bell-panel" class="panel" role="dialog" aria-label=t!(l, "bell-title") node_ref=panel>
                    <div class="panel-head">
                        <h2>{t!(l, "bell-title")}</h2>
                        <MarkAllReadButton/>
                    </div>
                    <NotificationList view=InboxView::All page_size=PANEL_SIZE paged=false marks_seen=true/>
                    <div class="panel-foot">
                        <a href="/notifications" on:click=move |_| open.set(false)>{t!(l, "bell-see-all")}</a>
                    </div>
                </div>
            })}
        </div>
    }
}
