//! What a notification is, who receives it, and how its count is shown.

use serde::{Deserialize, Serialize};

use crate::UserId;
use crate::i18n::Locale;
use crate::t;

/// What kind of news a notification is; shown as its icon.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    #[default]
    Info,
    Success,
    Warning,
    Mention,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Info,
        Category::Success,
        Category::Warning,
        Category::Mention,
    ];

    /// The name stored in the database and used in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Info => "info",
            Category::Success => "success",
            Category::Warning => "warning",
            Category::Mention => "mention",
        }
    }

    /// Parses the stored name; anything unknown is `None`, never a guess.
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// A human label, for forms and screen readers.
    pub fn label(self, locale: Locale) -> String {
        match self {
            Category::Info => t!(locale, "category-info"),
            Category::Success => t!(locale, "category-success"),
            Category::Warning => t!(locale, "category-warning"),
            Category::Mention => t!(locale, "category-mention"),
        }
    }
}

/// One notification as its recipient sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    /// Where its creation stands in the recipient's own event sequence:
    /// strictly increasing per user, the order of the inbox.
    pub seq: i64,
    /// The recipient's sequence number of its latest change (creation, read,
    /// unread, archive…), so a client keeps the newest state it has seen.
    pub version: i64,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub category: Category,
    /// Who caused it, if anyone in particular.
    pub actor: Option<String>,
    /// Unix times in milliseconds.
    pub created_at: i64,
    /// When it was first shown in the bell's panel.
    pub seen_at: Option<i64>,
    pub read_at: Option<i64>,
    pub archived_at: Option<i64>,
    /// Set when the sender withdrew it: it then belongs to no view.
    #[serde(default)]
    pub retracted_at: Option<i64>,
    /// Set while the user has snoozed it: out of every view and the count
    /// until then.
    #[serde(default)]
    pub snoozed_until: Option<i64>,
    /// Its category was muted in the recipient's preferences when it
    /// arrived: listed, but never counted and never announced with a toast.
    #[serde(default)]
    pub muted: bool,
    /// Its buttons (at most two).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<crate::Action>,
    /// When the recipient first clicked one of its actions.
    #[serde(default)]
    pub interacted_at: Option<i64>,
    /// The webhook action the recipient chose (its index): webhook actions
    /// are one choice, made once; link actions stay open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen_action: Option<usize>,
    /// The sender's grouping key, if any: unread copies with the same key
    /// show as one row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_key: Option<String>,
    /// Which row of its key it belongs to: the `seq` of the copy that
    /// started it. A copy joins the row of its key that still counts as
    /// unread, else starts one; so once a row is read, the next copy
    /// starts a new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<i64>,
}

impl Notification {
    /// Whether it is unread in the inbox: not archived, snoozed or withdrawn.
    pub fn is_unread(&self) -> bool {
        self.read_at.is_none()
            && self.archived_at.is_none()
            && self.retracted_at.is_none()
            && self.snoozed_until.is_none()
    }

    /// Whether it counts towards the badge: unread and not muted. The one
    /// rule every change of the stored counter follows.
    pub fn counts_as_unread(&self) -> bool {
        self.is_unread() && !self.muted
    }

    /// Whether it belongs in `view`.
    pub fn is_in(&self, view: InboxView) -> bool {
        if self.retracted_at.is_some() {
            return false;
        }
        let snoozed = self.snoozed_until.is_some();
        match view {
            InboxView::Unread => self.is_unread(),
            InboxView::All => self.archived_at.is_none() && !snoozed,
            InboxView::Snoozed => self.archived_at.is_none() && snoozed,
            InboxView::Archived => self.archived_at.is_some(),
        }
    }
}

/// The inbox's tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InboxView {
    #[default]
    Unread,
    All,
    /// Snoozed and not archived: back in the others at their time.
    Snoozed,
    Archived,
}

impl InboxView {
    pub const ALL: [InboxView; 4] = [
        InboxView::Unread,
        InboxView::All,
        InboxView::Snoozed,
        InboxView::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InboxView::Unread => "unread",
            InboxView::All => "all",
            InboxView::Snoozed => "snoozed",
            InboxView::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<InboxView> {
        InboxView::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self, locale: Locale) -> String {
        match self {
            InboxView::Unread => t!(locale, "view-unread"),
            InboxView::All => t!(locale, "view-all"),
            InboxView::Snoozed => t!(locale, "view-snoozed"),
            InboxView::Archived => t!(locale, "view-archived"),
        }
    }
}

/// Who a notification is sent to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Audience {
    User {
        id: UserId,
    },
    Users {
        ids: Vec<UserId>,
    },
    /// Every active user with this role.
    Role {
        role: crate::Role,
    },
    Everyone,
    /// The subscribers of these topics (`crate::topics`) and these users,
    /// each once, except the excluded ones (the actor who caused it).
    Topics {
        topics: Vec<String>,
        users: Vec<UserId>,
        exclude: Vec<UserId>,
    },
}

/// The text of the unread bubble: hidden at zero, capped at "99+".
pub fn badge_text(unread: i64) -> Option<String> {
    match unread {
        n if n <= 0 => None,
        n if n > 99 => Some("99+".to_owned()),
        n => Some(n.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badge_is_hidden_at_zero_and_capped_above_99() {
        assert_eq!(badge_text(0), None);
        assert_eq!(badge_text(1).as_deref(), Some("1"));
        assert_eq!(badge_text(99).as_deref(), Some("99"));
        assert_eq!(badge_text(100).as_deref(), Some("99+"));
    }

    #[test]
    fn a_muted_notification_is_listed_as_unread_but_never_counted() {
        let mut n = Notification {
            id: 1,
            seq: 1,
            version: 1,
            title: "t".into(),
            body: String::new(),
            link: None,
            category: Category::Info,
            actor: None,
            created_at: 0,
            seen_at: None,
            read_at: None,
            archived_at: None,
            retracted_at: None,
            snoozed_until: None,
            muted: true,
            actions: Vec::new(),
            interacted_at: None,
            chosen_action: None,
            group_key: None,
            group: None,
        };
        assert!(n.is_in(InboxView::Unread) && n.is_in(InboxView::All));
        assert!(!n.counts_as_unread());
        n.muted = false;
        assert!(n.counts_as_unread());
    }

    #[test]
    fn names_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
        }
        for v in InboxView::ALL {
            assert_eq!(InboxView::parse(v.as_str()), Some(v));
        }
        assert_eq!(Category::parse("<script>"), None);
    }
}

/// A user's unread count and the sequence number it is valid at: what
/// every count the server sends carries, so an older one is never shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub unread: i64,
    pub seq: i64,
}

/// One change a user makes to one of their notifications, the same from
/// the inbox, the API and `<herald-bell>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// Read (`true`) or unread again.
    Read(bool),
    /// Archived (`true`) or back in the inbox.
    Archived(bool),
    /// Out of sight until then (Unix ms); `None` brings it back now.
    Snoozed(Option<i64>),
}

impl Change {
    /// What this change makes of `n` at `now`, or `None` when it does not
    /// apply: already so, withdrawn, or (a snooze) archived. The one rule
    /// for every way in.
    pub fn apply(self, n: &Notification, now: i64) -> Option<Notification> {
        if n.retracted_at.is_some() {
            return None;
        }
        let mut after = n.clone();
        match self {
            Change::Read(read) if n.read_at.is_none() == read => {
                after.read_at = read.then_some(now);
            }
            Change::Archived(archived) if n.archived_at.is_none() == archived => {
                after.archived_at = archived.then_some(now);
            }
            // Out of every view and the count till then; archived ones stay put.
            Change::Snoozed(until)
                if n.archived_at.is_none() && n.snoozed_until.is_none() == until.is_some() =>
            {
                after.snoozed_until = until;
            }
            _ => return None,
        }
        Some(after)
    }
}

#[cfg(test)]
mod change_tests {
    use super::*;

    fn fresh() -> Notification {
        serde_json::from_value(serde_json::json!({
            "id": 1, "seq": 1, "version": 1, "title": "t", "body": "", "link": null,
            "category": "info", "actor": null, "created_at": 0, "seen_at": null,
            "read_at": null, "archived_at": null,
        }))
        .unwrap()
    }

    #[test]
    fn a_change_applies_only_where_it_changes_something() {
        let n = fresh();
        let read = Change::Read(true).apply(&n, 5).unwrap();
        assert_eq!(read.read_at, Some(5));
        assert_eq!(Change::Read(true).apply(&read, 6), None, "already read");
        assert_eq!(Change::Read(false).apply(&read, 6).unwrap().read_at, None);
        let archived = Change::Archived(true).apply(&n, 5).unwrap();
        assert_eq!(
            Change::Snoozed(Some(9)).apply(&archived, 5),
            None,
            "archived stay put"
        );
        let snoozed = Change::Snoozed(Some(9)).apply(&n, 5).unwrap();
        assert_eq!(snoozed.snoozed_until, Some(9));
        assert_eq!(Change::Snoozed(Some(10)).apply(&snoozed, 5), None);
        assert_eq!(
            Change::Snoozed(None)
                .apply(&snoozed, 5)
                .unwrap()
                .snoozed_until,
            None
        );
        let mut gone = n.clone();
        gone.retracted_at = Some(1);
        assert_eq!(Change::Read(true).apply(&gone, 5), None, "withdrawn");
    }
}
