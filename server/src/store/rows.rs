//! Notifications as stored and as the rest of Herald gets them: the row
//! and its columns, and what a write returns (a recipient's copy, a
//! change, all read, a queued broadcast).

use herald::{Action, ActionSpec, Category, Notification, ServerMessage, UserId};
use sqlx::FromRow;

use super::{Announcement, StoreError};

/// The columns of a [`Notification`], in [`NotificationRow`]'s order, as a
/// literal, so whole queries can be `&'static str` (`concat!`).
macro_rules! notification_columns {
    () => {
        "id, seq, version, title, body, link, category, actor, created_at, seen_at, read_at, \
         archived_at, retracted_at, snoozed_until, muted, actions, interacted_at, chosen_action, \
         group_key, group_seq"
    };
}
pub(super) use notification_columns;

/// [`notification_columns!`] for queries built at run time.
pub(super) const COLUMNS: &str = notification_columns!();

/// A notification as stored for one recipient, with their unread count
/// right after it: exactly what that recipient's connections are sent.
#[derive(Clone, Debug)]
pub struct Delivered {
    pub user_id: UserId,
    pub notification: Notification,
    pub unread: i64,
}

/// `ids` as a JSON array, the way queries take a list.
pub(super) fn json_array<T: serde::Serialize>(items: &[T]) -> Result<String, StoreError> {
    serde_json::to_string(items).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Delivered {
    /// What the recipient's connections are told.
    pub fn announcement(&self) -> Announcement {
        Announcement {
            user: self.user_id,
            message: ServerMessage::Created {
                notification: self.notification.clone(),
                unread: self.unread,
            },
        }
    }
}

/// One notification after a change, with the owner's count at its version.
#[derive(Clone, Debug)]
pub struct Changed {
    pub user: UserId,
    pub notification: Notification,
    pub unread: i64,
    /// False when it already was in the asked-for state: not announced.
    pub changed: bool,
    /// The other copies of its row (grouped) the same change made, before
    /// it, each with the owner's count at its version.
    pub also: Vec<(Notification, i64)>,
}

impl Changed {
    /// What the owner's connections are told, in order: the rest of its
    /// row, then it if it changed.
    pub fn announcements(&self) -> Vec<Announcement> {
        let made = self.also.iter().map(|(n, unread)| (n, *unread));
        let this = self.changed.then_some((&self.notification, self.unread));
        made.chain(this)
            .map(|(notification, unread)| Announcement {
                user: self.user,
                message: ServerMessage::Updated {
                    notification: notification.clone(),
                    unread,
                },
            })
            .collect()
    }
}

/// The outcome of "mark all read".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllRead {
    pub user: UserId,
    pub up_to: i64,
    pub read_at: i64,
    /// The sequence number of this change (unchanged when nothing was unread).
    pub seq: i64,
    pub unread: i64,
    /// How many notifications it marked.
    pub marked: u64,
}

impl AllRead {
    /// What the user's connections are told, if anything was marked.
    pub fn announcement(&self) -> Option<Announcement> {
        (self.marked > 0).then_some(Announcement {
            user: self.user,
            message: ServerMessage::AllRead {
                up_to: self.up_to,
                read_at: self.read_at,
                seq: self.seq,
                unread: self.unread,
            },
        })
    }
}

#[derive(FromRow)]
pub(super) struct NotificationRow {
    id: i64,
    seq: i64,
    version: i64,
    title: String,
    body: String,
    link: Option<String>,
    category: String,
    actor: Option<String>,
    created_at: i64,
    seen_at: Option<i64>,
    read_at: Option<i64>,
    archived_at: Option<i64>,
    retracted_at: Option<i64>,
    snoozed_until: Option<i64>,
    /// 0 or 1: both engines store flags as integers.
    muted: i64,
    /// JSON, as [`actions_json`] writes it.
    actions: Option<String>,
    interacted_at: Option<i64>,
    chosen_action: Option<i64>,
    group_key: Option<String>,
    group_seq: Option<i64>,
}

/// Rows as notifications, in the order read.
pub(super) fn notifications(rows: Vec<NotificationRow>) -> Vec<Notification> {
    rows.into_iter().map(Notification::from).collect()
}

impl From<NotificationRow> for Notification {
    fn from(row: NotificationRow) -> Notification {
        Notification {
            id: row.id,
            seq: row.seq,
            version: row.version,
            title: row.title,
            body: row.body,
            link: row.link,
            // The CHECK constraint admits only known names.
            category: Category::parse(&row.category).unwrap_or_default(),
            actor: row.actor,
            created_at: row.created_at,
            seen_at: row.seen_at,
            read_at: row.read_at,
            archived_at: row.archived_at,
            retracted_at: row.retracted_at,
            snoozed_until: row.snoozed_until,
            muted: row.muted != 0,
            actions: parse_actions(row.actions.as_deref())
                .iter()
                .map(Action::from)
                .collect(),
            interacted_at: row.interacted_at,
            chosen_action: row.chosen_action.and_then(|i| usize::try_from(i).ok()),
            group_key: row.group_key,
            group: row.group_seq,
        }
    }
}

/// A send's actions as stored: JSON, or NULL for none.
pub(super) fn actions_json(actions: &[ActionSpec]) -> Result<Option<String>, StoreError> {
    if actions.is_empty() {
        return Ok(None);
    }
    serde_json::to_string(actions)
        .map(Some)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The actions [`actions_json`] stored (none if unreadable: they were
/// checked before they were written).
pub(super) fn parse_actions(json: Option<&str>) -> Vec<ActionSpec> {
    json.and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

/// A row with its owner, as writes to several users return them.
#[derive(FromRow)]
pub(super) struct OwnedRow {
    pub owner: UserId,
    #[sqlx(flatten)]
    pub row: NotificationRow,
}

/// A send accepted for background fan-out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queued {
    pub send: i64,
    /// The active users it is for, counted when it was accepted.
    pub recipients: i64,
    /// A scheduled send's time; `None`: under way at once.
    pub send_at: Option<i64>,
}
