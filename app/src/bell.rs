//! The bell in the header and the live unread count behind it.

use herald::{ServerMessage, badge_text};
use leptos::prelude::*;

use crate::auth::Me;

/// The state of the live connection, shown discreetly on the bell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// Rendered on the server, or the first connection is still opening.
    Connecting,
    Live,
    /// The connection dropped; the client is trying again.
    Reconnecting,
}

impl Link {
    fn as_str(self) -> &'static str {
        match self {
            Link::Connecting => "connecting",
            Link::Live => "live",
            Link::Reconnecting => "reconnecting",
        }
    }
}

/// The user's live unread count, and the sequence number it is valid at.
#[derive(Clone, Copy)]
pub struct LiveCount {
    pub unread: RwSignal<i64>,
    pub seq: RwSignal<i64>,
    pub link: RwSignal<Link>,
}

impl LiveCount {
    pub fn new(unread: i64, seq: i64) -> Self {
        LiveCount {
            unread: RwSignal::new(unread),
            seq: RwSignal::new(seq),
            link: RwSignal::new(Link::Connecting),
        }
    }

    /// Applies a count from the server unless it is older than the one shown,
    /// so reordered messages never move the badge backwards.
    pub fn apply(&self, message: &ServerMessage) {
        if message.seq() >= self.seq.get_untracked() {
            self.seq.set(message.seq());
            self.unread.set(message.unread());
        }
    }
}

#[component]
pub fn Bell(me: Me) -> impl IntoView {
    let live = LiveCount::new(me.unread, me.seq);
    provide_context(live);

    // Effects run only in the browser: one connection per page, closed when
    // the bell goes away (on logout).
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let connection = crate::live::connect(live);
        on_cleanup(move || connection.close());
    });

    let label = move || match live.unread.get() {
        0 => "Notifications, none unread".to_owned(),
        n => format!("Notifications, {n} unread"),
    };
    let title = move || match live.link.get() {
        Link::Reconnecting => "Reconnecting…",
        _ => "Notifications",
    };
    view! {
        <a
            class="bell"
            href="/"
            data-link=move || live.link.get().as_str()
            aria-label=label
            title=title
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
    }
}
