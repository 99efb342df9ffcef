//! What the admin console and the server exchange: reports, list rows.
//! Shared, so the page module and the server's backend both use them
//! without importing each other.

use serde::{Deserialize, Serialize};

use crate::i18n::Locale;
use crate::t;

/// What happened to a sent notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendReport {
    /// The title as stored (trimmed).
    pub title: String,
    /// How many users it was stored for (or, `queued`, is being stored for).
    pub recipients: usize,
    /// How many of them had a live connection when it was published.
    pub online: usize,
    /// A send to everyone or a role: accepted, and being written out to
    /// its recipients in the background (the Sent list shows how far).
    pub queued: bool,
    /// A scheduled send's time (Unix ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_at: Option<i64>,
}

impl SendReport {
    /// What the console says about it, in `locale`.
    pub fn summary(&self, locale: Locale) -> String {
        let title = self.title.as_str();
        let count = self.recipients;
        if self.send_at.is_some() {
            t!(
                locale,
                "admin-scheduled-summary",
                title = title,
                count = count
            )
        } else if self.queued {
            t!(
                locale,
                "admin-sending-summary",
                title = title,
                count = count
            )
        } else {
            t!(
                locale,
                "admin-sent-summary",
                title = title,
                count = count,
                online = self.online
            )
        }
    }
}

/// An integration API key as the admin console lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    pub id: i64,
    pub name: String,
    /// The public start of the key, to tell keys apart.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// One send in the admin console's list, with how far it got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendSummary {
    pub id: i64,
    pub title: String,
    pub audience: String,
    pub sender: String,
    pub recipients: i64,
    /// Recipients with a live connection when it went out.
    pub delivered: i64,
    pub seen: i64,
    pub read: i64,
    /// Recipients who clicked one of its actions.
    #[serde(default)]
    pub interacted: i64,
    pub created_at: i64,
    pub retracted: bool,
    /// When it leaves its recipients' inboxes (Unix ms), if it expires.
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// Still being written out to its recipients (a send to everyone or a role).
    pub sending: bool,
    /// A scheduled send's time (Unix ms): before then it is waiting.
    #[serde(default)]
    pub send_at: Option<i64>,
}

impl SendSummary {
    /// Whether it is waiting for its time at `now` (and not cancelled).
    pub fn scheduled(&self, now: i64) -> bool {
        !self.retracted && self.send_at.is_some_and(|at| at > now)
    }

    /// Whether it was cancelled before it went out: retracted, scheduled,
    /// and nobody got it.
    pub fn cancelled(&self) -> bool {
        self.retracted && self.send_at.is_some() && self.recipients == 0
    }
}

/// A user as the admin console lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub role: crate::Role,
    pub unread: i64,
    pub online: bool,
    pub active: bool,
}

/// One entry of the audit log as the console lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditInfo {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(recipients: usize, queued: bool, send_at: Option<i64>) -> SendReport {
        SendReport {
            title: "Export ready".into(),
            recipients,
            online: 1,
            queued,
            send_at,
        }
    }

    #[test]
    fn the_english_summary_reads_as_before() {
        assert_eq!(
            report(1, false, None).summary(Locale::En),
            "Sent “Export ready” to 1 recipient; 1 online now."
        );
        assert_eq!(
            report(3, true, None).summary(Locale::En),
            "Sending “Export ready” to 3 recipients; the Sent list shows how far it got."
        );
        assert_eq!(
            report(0, false, Some(1)).summary(Locale::En),
            "Scheduled “Export ready” for 0 recipients; the Sent list shows when, and cancels it until then."
        );
        assert_eq!(
            report(2, false, None).summary(Locale::De),
            "„Export ready“ an 2 Empfänger gesendet; 1 jetzt online."
        );
    }
}
