//! The page's live view of the user's notifications, shared by the bell,
//! its panel, the inbox and the home page. Server messages, page loads and
//! optimistic edits all land here; versions decide which state wins.

use std::collections::BTreeMap;

use herald::{InboxView, Notification, ServerMessage};
use leptos::prelude::*;

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
    pub fn as_str(self) -> &'static str {
        match self {
            Link::Connecting => "connecting",
            Link::Live => "live",
            Link::Reconnecting => "reconnecting",
        }
    }
}

/// What the page knows of the user's notifications: counts, items, the
/// link's state, the clock and toasts. Provided once by [`App`](crate::App).
#[derive(Clone, Copy)]
pub struct PageState {
    pub unread: RwSignal<i64>,
    /// The sequence number `unread` is valid at; also the resume cursor.
    pub seq: RwSignal<i64>,
    pub link: RwSignal<Link>,
    /// Every notification the page knows, by `seq`, each in the newest
    /// state seen.
    pub items: RwSignal<BTreeMap<i64, Notification>>,
    /// The newest notification that arrived live, for the toast.
    pub arrived: RwSignal<Option<Notification>>,
    /// Bumped when the server says to refetch everything.
    pub resyncs: RwSignal<u32>,
    /// The current time (Unix ms), ticking so relative times stay fresh.
    pub now: RwSignal<i64>,
    pub toasts: RwSignal<Vec<Toast>>,
    /// The page's language, for what is said outside a component (toasts,
    /// rolled-back edits).
    pub locale: crate::i18n::Locale,
}

/// A short message in the corner of the page.
#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    pub id: u64,
    pub text: String,
    pub error: bool,
    /// The grouped row it announces: the row's next replaces it.
    pub row: Option<i64>,
}

impl Default for PageState {
    fn default() -> Self {
        PageState {
            unread: RwSignal::new(0),
            seq: RwSignal::new(0),
            link: RwSignal::new(Link::Connecting),
            items: RwSignal::new(BTreeMap::new()),
            arrived: RwSignal::new(None),
            resyncs: RwSignal::new(0),
            now: RwSignal::new(now_ms()),
            toasts: RwSignal::new(Vec::new()),
            locale: crate::i18n::page_locale(),
        }
    }
}

/// The page's live state. On the server, the one [`App`](crate::App)
/// provides for the request. In the browser, one for the whole page,
/// shared by every island (the bell, the lists, the toasts): islands are
/// hydrated apart and see no context from the app around them.
pub fn use_page_state() -> PageState {
    if let Some(state) = use_context::<PageState>() {
        return state;
    }
    #[cfg(feature = "hydrate")]
    {
        thread_local! {
            static SHARED: PageState = {
                // Lives as long as the page: islands are never disposed.
                let owner = Owner::new();
                let state = owner.with(PageState::default);
                std::mem::forget(owner);
                // Relative times ("2 min ago") stay fresh.
                let tick = move || state.now.set(now_ms());
                let _ = set_interval_with_handle(tick, std::time::Duration::from_secs(30));
                state
            };
        }
        SHARED.with(|s| *s)
    }
    #[cfg(not(feature = "hydrate"))]
    PageState::default()
}

impl PageState {
    /// Applies one server message. Counts older than the one shown are
    /// ignored, and a change already applied is never applied twice,
    /// whatever order or how often messages arrive.
    pub fn apply(&self, message: ServerMessage) {
        let seq = self.seq.get_untracked();
        let new = matches!(message, ServerMessage::Created { .. });
        match message {
            ServerMessage::Missed { notification } => {
                if notification.version > seq {
                    self.seq.set(notification.version);
                }
                self.upsert(notification);
            }
            // A late copy still fills its place in the lists; only its
            // count is too old to show. Only a new one is toasted.
            ServerMessage::Created {
                notification,
                unread,
            }
            | ServerMessage::Updated {
                notification,
                unread,
            } => {
                if notification.version > seq {
                    self.seq.set(notification.version);
                    self.unread.set(unread);
                    if new {
                        self.arrived.set(Some(notification.clone()));
                    }
                }
                self.upsert(notification);
            }
            ServerMessage::AllRead {
                up_to,
                read_at,
                seq: at,
                unread,
            } if at > seq => {
                self.seq.set(at);
                self.unread.set(unread);
                self.items.update(|items| {
                    for n in items.range_mut(..=up_to).map(|(_, n)| n) {
                        if n.read_at.is_none() && n.version < at {
                            n.read_at = Some(read_at);
                            n.version = at;
                        }
                    }
                });
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
                self.items.set(BTreeMap::new());
                self.resyncs.update(|n| *n += 1);
            }
            _ => {}
        }
    }

    /// Keeps `notification` unless a newer state of it is already known.
    pub fn upsert(&self, notification: Notification) {
        let known = self.items.with_untracked(|items| {
            items
                .get(&notification.seq)
                .is_some_and(|old| old.version >= notification.version)
        });
        if !known {
            self.items.update(|items| {
                items.insert(notification.seq, notification);
            });
        }
    }

    /// Replaces a notification whatever its version: for optimistic edits
    /// and their rollback.
    pub fn force(&self, notification: Notification) {
        self.items.update(|items| {
            items.insert(notification.seq, notification);
        });
    }

    /// The known notifications in `view` with `seq >= floor`, newest first.
    pub fn view(&self, view: InboxView, floor: i64) -> Vec<Notification> {
        self.items.with(|items| {
            items
                .range(floor..)
                .rev()
                .map(|(_, n)| n)
                .filter(|n| n.is_in(view))
                .cloned()
                .collect()
        })
    }

    /// [`PageState::view`] as the rows it shows (grouped notifications
    /// as one), newest first.
    pub fn rows(&self, view: InboxView, floor: i64) -> Vec<herald::group::Row> {
        herald::group::rows(self.view(view, floor))
    }

    /// The newest `seq` the page has shown: what "mark all read" covers.
    pub fn newest_seq(&self) -> i64 {
        self.items
            .with_untracked(|items| items.keys().next_back().copied())
            .unwrap_or_default()
    }
}

/// The current time in Unix milliseconds, on either side.
/// The browser's local time minus UTC, in minutes (0 on the server).
pub fn local_offset_minutes() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        -(js_sys::Date::new_0().get_timezone_offset() as i64)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}

pub fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(seq: i64, version: i64) -> Notification {
        Notification {
            id: seq,
            seq,
            version,
            title: format!("n{seq}"),
            body: String::new(),
            link: None,
            category: Default::default(),
            actor: None,
            created_at: 0,
            seen_at: None,
            read_at: None,
            archived_at: None,
            retracted_at: None,
            snoozed_until: None,
            muted: false,
            actions: Vec::new(),
            interacted_at: None,
            chosen_action: None,
            group_key: None,
            group: None,
        }
    }

    fn created(seq: i64, unread: i64) -> ServerMessage {
        ServerMessage::Created {
            notification: note(seq, seq),
            unread,
        }
    }

    #[test]
    fn counts_never_go_back_and_duplicates_apply_once() {
        Owner::new().with(|| {
            let live = PageState::default();
            live.apply(created(2, 2));
            live.apply(created(1, 1)); // late and older: count ignored
            live.apply(created(2, 2)); // duplicate: ignored
            assert_eq!(
                (live.unread.get_untracked(), live.seq.get_untracked()),
                (2, 2)
            );

            // A replay advances the cursor; the greeting after it sets the count.
            live.apply(ServerMessage::Missed {
                notification: note(3, 3),
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
            let seqs: Vec<_> = live.view(InboxView::All, 0).iter().map(|n| n.seq).collect();
            assert_eq!(seqs, [3, 2, 1]);

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
            assert!(live.view(InboxView::All, 0).is_empty());
            assert_eq!(live.resyncs.get_untracked(), 1);
        });
    }

    #[test]
    fn newer_states_win_and_mark_all_read_stops_at_its_bound() {
        Owner::new().with(|| {
            let live = PageState::default();
            for seq in 1..=3 {
                live.apply(created(seq, seq));
            }
            let mut read = note(2, 4);
            read.read_at = Some(10);
            live.apply(ServerMessage::Updated {
                notification: read,
                unread: 2,
            });
            live.upsert(note(2, 2)); // an older copy from a slow page load
            assert!(live.view(InboxView::Unread, 0).iter().all(|n| n.seq != 2));

            live.apply(ServerMessage::AllRead {
                up_to: 1,
                read_at: 20,
                seq: 5,
                unread: 1,
            });
            let unread: Vec<_> = live
                .view(InboxView::Unread, 0)
                .iter()
                .map(|n| n.seq)
                .collect();
            assert_eq!(unread, [3], "only what was seen is marked");
            assert_eq!(live.unread.get_untracked(), 1);
        });
    }
}
