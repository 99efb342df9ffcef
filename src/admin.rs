//! What the admin console and the server exchange: reports, list rows.
//! Shared, so the page module and the server's backend both use them
//! without importing each other.

use serde::{Deserialize, Serialize};

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
    /// What the console says about it.
    pub fn summary(&self) -> String {
        let plural = if self.recipients == 1 { "" } else { "s" };
        if self.send_at.is_some() {
            format!(
                "Scheduled “{}” for {} recipient{plural}; the Sent list shows when, and cancels it until then.",
                self.title, self.recipients
            )
        } else if self.queued {
            format!(
                "Sending “{}” to {} recipient{plural}; the Sent list shows how far it got.",
                self.title, self.recipients
            )
        } else {
            format!(
                "Sent “{}” to {} recipient{plural}; {} online now.",
                self.title, self.recipients, self.online
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
