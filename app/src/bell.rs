//! The bell in the header and the live state behind it.

use herald::{Notification, ServerMessage, badge_text};
use leptos::prelude::*;

use crate::auth::Me;

/// How many live notifications the page keeps for its lists.
const RECENT_KEPT: usize = 50;

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

/// The page's live view of the user's notifications: the unread count, the
/// sequence number it is valid at (also the resume cursor), and the
/// notifications that arrived since the page loaded. Provided by [`App`].
///
/// [`App`]: crate::App
#[derive(Clone, Copy)]
pub struct LiveCount {
    pub unread: RwSignal<i64>,
    pub seq: RwSignal<i64>,
    pub link: RwSignal<Link>,
    /// Arrived since the page loaded, newest first, each once.
    pub recent: RwSignal<Vec<Notification>>,
    /// Bumped when the server says to refetch everything.
    pub resyncs: RwSignal<u32>,
}

impl Default for LiveCount {
    fn default() -> Self {
        LiveCount {
            unread: RwSignal::new(0),
            seq: RwSignal::new(0),
            link: RwSignal::new(Link::Connecting),
            recent: RwSignal::new(Vec::new()),
            resyncs: RwSignal::new(0),
        }
    }
}

impl LiveCount {
    /// Applies one server message. Counts older than the one shown are
    /// ignored, and a notification already applied is never applied twice,
    /// whatever order or how often messages arrive.
    pub fn apply(&self, message: ServerMessage) {
        let seq = self.seq.get_untracked();
        match message {
            ServerMessage::Missed { notification } if notification.seq > seq => {
                self.seq.set(notification.seq);
                self.remember(notification);
            }
            ServerMessage::Created {
                notification,
                unread,
            } if notification.seq > seq => {
                self.seq.set(notification.seq);
                self.unread.set(unread);
                self.remember(notification);
            }
            ServerMessage::Hello {
                unread, seq: at, ..
            } if at >= seq => {
                self.seq.set(at);
                self.unread.set(unread);
            }
            // The server could not replay: take its state as it is, even if
            // older, and have the lists refetch.
            ServerMessage::Resync {
                unread, seq: at, ..
            } => {
                self.seq.set(at);
                self.unread.set(unread);
                self.recent.set(Vec::new());
                self.resyncs.update(|n| *n += 1);
            }
            _ => {}
        }
    }

    fn remember(&self, notification: Notification) {
        self.recent.update(|recent| {
            recent.insert(0, notification);
            recent.truncate(RECENT_KEPT);
        });
    }
}

#[component]
pub fn Bell(me: Me) -> impl IntoView {
    let live = expect_context::<LiveCount>();
    live.unread.set(me.unread);
    live.seq.set(me.seq);

    // Effects run only in the browser: one connection per page, closed when
    // the bell goes away (on logout).
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let connection = crate::live::connect(live, me.transport);
        on_cleanup(move || connection.close());
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = me.transport;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn note(seq: i64) -> Notification {
        Notification {
            id: seq,
            seq,
            title: format!("n{seq}"),
            body: String::new(),
            link: None,
            created_at: 0,
            read_at: None,
        }
    }

    fn created(seq: i64, unread: i64) -> ServerMessage {
        ServerMessage::Created {
            notification: note(seq),
            unread,
        }
    }

    #[test]
    fn counts_never_go_back_and_duplicates_apply_once() {
        let owner = Owner::new();
        owner.with(|| {
            let live = LiveCount::default();
            live.apply(created(2, 2));
            live.apply(created(1, 1)); // late and older: ignored
            live.apply(created(2, 2)); // duplicate: ignored
            assert_eq!(
                (live.unread.get_untracked(), live.seq.get_untracked()),
                (2, 2)
            );
            assert_eq!(live.recent.get_untracked().len(), 1);

            // A replay advances the cursor; the greeting after it sets the count.
            live.apply(ServerMessage::Missed {
                notification: note(3),
            });
            live.apply(ServerMessage::Hello {
                unread: 3,
                seq: 3,
                heartbeat_ms: 1,
            });
            assert_eq!(
                (live.unread.get_untracked(), live.seq.get_untracked()),
                (3, 3)
            );
            let seqs: Vec<_> = live.recent.get_untracked().iter().map(|n| n.seq).collect();
            assert_eq!(seqs, [3, 2]);

            // A stale greeting changes nothing; a resync is taken as it is.
            live.apply(ServerMessage::Hello {
                unread: 9,
                seq: 1,
                heartbeat_ms: 1,
            });
            assert_eq!(live.unread.get_untracked(), 3);
            live.apply(ServerMessage::Resync {
                unread: 0,
                seq: 0,
                heartbeat_ms: 1,
            });
            assert_eq!(
                (live.unread.get_untracked(), live.seq.get_untracked()),
                (0, 0)
            );
            assert!(live.recent.get_untracked().is_empty());
            assert_eq!(live.resyncs.get_untracked(), 1);
        });
    }
}
