//! What the admin console and the server exchange: reports, list rows.
//! Shared, so the page module and the server's backend both use them
//! without importing each other.

use serde::{Deserialize, Serialize};

use crate::i18n::Locale;
use crate::{Audience, Role, t};

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

/// Who a send was for, as the Sent list keeps it. Stored as English text
/// (the API's `audience`: "Everyone", "Every admin", "3 users", "Topic
/// project:42"), written by [`SentTo::label`] only and read back by
/// [`SentTo::parse`], so the console can say it in its reader's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SentTo {
    Everyone,
    Role(Role),
    /// Users named one by one: how many.
    Users(usize),
    /// Topics' subscribers: the topics as listed, and how many there are.
    Topics(String, usize),
}

impl SentTo {
    /// `audience`, which reached `users` users (counted for named users).
    pub fn of(audience: &Audience, users: usize) -> SentTo {
        match audience {
            Audience::Everyone => SentTo::Everyone,
            Audience::Role { role } => SentTo::Role(*role),
            Audience::Topics { topics, .. } => SentTo::Topics(topics.join(", "), topics.len()),
            Audience::User { .. } | Audience::Users { .. } => SentTo::Users(users),
        }
    }

    /// As stored, and as the API says it.
    pub fn label(&self) -> String {
        match self {
            SentTo::Everyone => "Everyone".to_owned(),
            SentTo::Role(role) => format!("Every {}", role.as_str()),
            SentTo::Users(1) => "1 user".to_owned(),
            SentTo::Users(n) => format!("{n} users"),
            SentTo::Topics(topics, 1) => format!("Topic {topics}"),
            SentTo::Topics(topics, _) => format!("Topics {topics}"),
        }
    }

    /// What [`label`](Self::label) wrote; `None` for anything else.
    pub fn parse(label: &str) -> Option<SentTo> {
        if label == "Everyone" {
            return Some(SentTo::Everyone);
        }
        if let Some(role) = label.strip_prefix("Every ") {
            return Role::parse(role).map(SentTo::Role);
        }
        if let Some(topic) = label.strip_prefix("Topic ") {
            return Some(SentTo::Topics(topic.to_owned(), 1));
        }
        if let Some(topics) = label.strip_prefix("Topics ") {
            return Some(SentTo::Topics(
                topics.to_owned(),
                topics.split(", ").count(),
            ));
        }
        let n = label
            .strip_suffix(" users")
            .or_else(|| label.strip_suffix(" user"))?;
        n.parse().ok().map(SentTo::Users)
    }

    /// In `locale`.
    pub fn say(&self, locale: Locale) -> String {
        match self {
            SentTo::Everyone => t!(locale, "admin-sent-to-everyone"),
            SentTo::Role(role) => t!(locale, "admin-sent-to-role", role = role.as_str()),
            SentTo::Users(n) => t!(locale, "admin-sent-to-users", count = *n as i64),
            SentTo::Topics(topics, n) => {
                t!(
                    locale,
                    "admin-sent-to-topics",
                    count = *n as i64,
                    topics = topics.as_str()
                )
            }
        }
    }

    /// A stored label in `locale`; one this version did not write, as stored.
    pub fn say_label(label: &str, locale: Locale) -> String {
        SentTo::parse(label).map_or_else(|| label.to_owned(), |to| to.say(locale))
    }
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

    #[test]
    fn who_a_send_was_for_reads_back_as_it_was_stored_and_is_said_in_either_language() {
        let everyone = SentTo::of(&Audience::Everyone, 9);
        let admins = SentTo::of(&Audience::Role { role: Role::Admin }, 2);
        let one = SentTo::of(&Audience::User { id: 4 }, 1);
        let three = SentTo::of(&Audience::Users { ids: vec![1, 2, 3] }, 3);
        let topic = |names: &[&str]| {
            SentTo::of(
                &Audience::Topics {
                    topics: names.iter().map(|t| (*t).to_owned()).collect(),
                    users: vec![],
                    exclude: vec![],
                },
                0,
            )
        };
        let (post, both) = (topic(&["post:1"]), topic(&["post:1", "team:ops"]));
        let all = [&everyone, &admins, &one, &three, &post, &both];
        let stored: Vec<String> = all.iter().map(|to| to.label()).collect();
        // The API's words, as before.
        assert_eq!(
            stored,
            [
                "Everyone",
                "Every admin",
                "1 user",
                "3 users",
                "Topic post:1",
                "Topics post:1, team:ops"
            ]
        );
        for (to, label) in all.iter().zip(&stored) {
            assert_eq!(SentTo::parse(label).as_ref(), Some(*to), "{label}");
        }
        let said =
            |l: Locale| -> Vec<String> { stored.iter().map(|s| SentTo::say_label(s, l)).collect() };
        // English says what is stored.
        assert_eq!(said(Locale::En), stored);
        assert_eq!(
            said(Locale::De),
            [
                "Alle",
                "Alle Administratoren",
                "1 Benutzer",
                "3 Benutzer",
                "Thema post:1",
                "Themen post:1, team:ops"
            ]
        );
        // Not one of ours: shown as stored.
        assert_eq!(SentTo::say_label("Every robot", Locale::De), "Every robot");
        assert_eq!(SentTo::say_label("some users", Locale::De), "some users");
    }
}
