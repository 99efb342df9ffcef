//! What a notification is, who receives it, and how its count is shown.

use serde::{Deserialize, Serialize};

use crate::UserId;

/// One notification as its recipient sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    /// The recipient's own sequence number: strictly increasing per user,
    /// so a client can tell what it has already applied.
    pub seq: i64,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    /// Unix time in milliseconds.
    pub created_at: i64,
    /// Unix time in milliseconds; `None` while unread.
    pub read_at: Option<i64>,
}

/// Who a notification is sent to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Audience {
    User { id: UserId },
    Everyone,
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
}
