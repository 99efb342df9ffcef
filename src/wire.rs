//! The real-time protocol: JSON messages on the WebSocket (and, one per
//! event, on the server-sent-events fallback), defined once for both ends.
//!
//! Every change to a user's notifications (a creation, a read, an archive…)
//! takes the next number of that user's sequence. A connection goes: the
//! client sends [`ClientMessage::Resume`] with the last sequence number it
//! applied; the server replays what changed since as
//! [`ServerMessage::Missed`] in order (or says [`ServerMessage::Resync`] when
//! the gap is too large), then sends [`ServerMessage::Hello`] with the count,
//! then live events, each exactly once.

use serde::{Deserialize, Serialize};

use crate::Notification;

/// The most notifications replayed on reconnect; a larger gap is a resync.
pub const REPLAY_LIMIT: i64 = 500;

/// The largest frame a client may send; nothing it needs to say is bigger.
pub const MAX_CLIENT_FRAME: usize = 4 * 1024;

/// Close codes the server ends a live connection with (4000–4999 are for
/// applications). Each tells the client what to do next.
pub mod close {
    /// The user signed out, was deactivated, or the session ended: stop and
    /// go to the login page (or ask the integrating site for a new token).
    pub const SIGNED_OUT: u16 = 4001;
    /// The connection token expired: fetch a fresh one and resume.
    pub const TOKEN_EXPIRED: u16 = 4002;
    /// The user already has as many open connections as allowed.
    pub const TOO_MANY_CONNECTIONS: u16 = 4029;
}

/// A message from the server to one of a user's connections.
///
/// Every count carries the sequence number it is valid at (`seq`), so a client
/// can ignore a count older than the one it already shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "Envelope")]
pub enum ServerMessage {
    /// A notification created or changed while this client was away, in
    /// its latest state, replayed from the database in sequence order.
    /// Carries no count: the `Hello` after the replay does.
    Missed { notification: Notification },
    /// The replay is done and the connection is live: the count as of `seq`.
    /// `heartbeat_ms` tells the client how often to expect a sign of life.
    Hello {
        unread: i64,
        seq: i64,
        heartbeat_ms: u64,
    },
    /// The gap was too large to replay: refetch state, then continue at `seq`.
    Resync {
        unread: i64,
        seq: i64,
        heartbeat_ms: u64,
    },
    /// A notification was created for this user; `unread` is the count
    /// right after it, valid at `notification.seq`.
    Created {
        notification: Notification,
        unread: i64,
    },
    /// A notification was read, unread, archived or unarchived (in some tab
    /// or device of this user); `unread` is valid at `notification.version`.
    Updated {
        notification: Notification,
        unread: i64,
    },
    /// Every notification up to `up_to` (by `seq`) was marked read at
    /// `read_at`; `unread` is valid at `seq`.
    AllRead {
        up_to: i64,
        read_at: i64,
        seq: i64,
        unread: i64,
    },
    /// Sent when nothing else was, so the client can tell a quiet connection
    /// from a dead one.
    Heartbeat,
}

impl ServerMessage {
    /// The sequence number this message is about, if any.
    pub fn seq(&self) -> Option<i64> {
        match self {
            ServerMessage::Missed { notification }
            | ServerMessage::Created { notification, .. }
            | ServerMessage::Updated { notification, .. } => Some(notification.version),
            ServerMessage::Hello { seq, .. }
            | ServerMessage::Resync { seq, .. }
            | ServerMessage::AllRead { seq, .. } => Some(*seq),
            ServerMessage::Heartbeat => None,
        }
    }

    /// Whether this is a live change, each of which takes exactly the next
    /// number of the user's sequence: a gap between two of them means one
    /// was missed, and the client must resume to fetch it.
    pub fn is_live_change(&self) -> bool {
        matches!(
            self,
            ServerMessage::Created { .. }
                | ServerMessage::Updated { .. }
                | ServerMessage::AllRead { .. }
        )
    }

    /// The unread count this message carries, if any.
    pub fn unread(&self) -> Option<i64> {
        match self {
            ServerMessage::Hello { unread, .. }
            | ServerMessage::Resync { unread, .. }
            | ServerMessage::Created { unread, .. }
            | ServerMessage::Updated { unread, .. }
            | ServerMessage::AllRead { unread, .. } => Some(*unread),
            ServerMessage::Missed { .. } | ServerMessage::Heartbeat => None,
        }
    }
}

/// A [`ServerMessage`] as it is read: one flat struct, turned into the
/// variant its `type` names. Serde's own reader for internally tagged enums
/// buffers every message into a generic document first and decodes
/// [`Notification`] a second time from it, which is most of what the
/// protocol costs in the browser's WASM; this reads each field once.
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: Kind,
    notification: Option<Notification>,
    unread: Option<i64>,
    seq: Option<i64>,
    heartbeat_ms: Option<u64>,
    up_to: Option<i64>,
    read_at: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Missed,
    Hello,
    Resync,
    Created,
    Updated,
    AllRead,
    Heartbeat,
}

/// A field a message of its type must carry.
#[derive(Debug, thiserror::Error)]
#[error("a {kind} message needs `{field}`")]
pub struct MissingField {
    kind: &'static str,
    field: &'static str,
}

impl TryFrom<Envelope> for ServerMessage {
    type Error = MissingField;

    fn try_from(e: Envelope) -> Result<Self, MissingField> {
        fn need<T>(
            value: Option<T>,
            kind: &'static str,
            field: &'static str,
        ) -> Result<T, MissingField> {
            value.ok_or(MissingField { kind, field })
        }
        Ok(match e.kind {
            Kind::Missed => ServerMessage::Missed {
                notification: need(e.notification, "missed", "notification")?,
            },
            Kind::Hello => ServerMessage::Hello {
                unread: need(e.unread, "hello", "unread")?,
                seq: need(e.seq, "hello", "seq")?,
                heartbeat_ms: need(e.heartbeat_ms, "hello", "heartbeat_ms")?,
            },
            Kind::Resync => ServerMessage::Resync {
                unread: need(e.unread, "resync", "unread")?,
                seq: need(e.seq, "resync", "seq")?,
                heartbeat_ms: need(e.heartbeat_ms, "resync", "heartbeat_ms")?,
            },
            Kind::Created => ServerMessage::Created {
                notification: need(e.notification, "created", "notification")?,
                unread: need(e.unread, "created", "unread")?,
            },
            Kind::Updated => ServerMessage::Updated {
                notification: need(e.notification, "updated", "notification")?,
                unread: need(e.unread, "updated", "unread")?,
            },
            Kind::AllRead => ServerMessage::AllRead {
                up_to: need(e.up_to, "all_read", "up_to")?,
                read_at: need(e.read_at, "all_read", "read_at")?,
                seq: need(e.seq, "all_read", "seq")?,
                unread: need(e.unread, "all_read", "unread")?,
            },
            Kind::Heartbeat => ServerMessage::Heartbeat,
        })
    }
}

/// How the browser keeps its live connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    /// The WebSocket, falling back to server-sent events when it cannot connect.
    #[default]
    Auto,
    /// Server-sent events only.
    Sse,
}

/// A message from the browser to the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    /// The first message on every connection: the last sequence number the
    /// client applied (0 when it has seen nothing).
    Resume { after: i64 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_tagged_json() {
        let hello = ServerMessage::Hello {
            unread: 3,
            seq: 7,
            heartbeat_ms: 25_000,
        };
        let json = serde_json::to_string(&hello).unwrap();
        assert_eq!(
            json,
            r#"{"type":"hello","unread":3,"seq":7,"heartbeat_ms":25000}"#
        );
        let back: ServerMessage = serde_json::from_str(&json).unwrap();
        assert_eq!((back.seq(), back.unread()), (Some(7), Some(3)));
        assert_eq!(
            serde_json::to_string(&ServerMessage::Heartbeat).unwrap(),
            r#"{"type":"heartbeat"}"#
        );
    }

    #[test]
    fn every_message_reads_back_as_it_was_written_and_a_missing_field_is_refused() {
        let notification: crate::Notification = serde_json::from_value(serde_json::json!({
            "id": 1, "seq": 2, "version": 3, "title": "t", "body": "b", "link": null,
            "category": "info", "actor": null, "created_at": 4, "seen_at": null,
            "read_at": null, "archived_at": null,
        }))
        .unwrap();
        let all = [
            ServerMessage::Missed {
                notification: notification.clone(),
            },
            ServerMessage::Hello {
                unread: 1,
                seq: 2,
                heartbeat_ms: 3,
            },
            ServerMessage::Resync {
                unread: 1,
                seq: 2,
                heartbeat_ms: 3,
            },
            ServerMessage::Created {
                notification: notification.clone(),
                unread: 4,
            },
            ServerMessage::Updated {
                notification,
                unread: 5,
            },
            ServerMessage::AllRead {
                up_to: 1,
                read_at: 2,
                seq: 3,
                unread: 0,
            },
            ServerMessage::Heartbeat,
        ];
        for message in all {
            let json = serde_json::to_string(&message).unwrap();
            assert_eq!(
                serde_json::from_str::<ServerMessage>(&json).unwrap(),
                message,
                "{json}"
            );
        }
        for bad in [
            r#"{"type":"hello","unread":1,"seq":2}"#,
            r#"{"type":"created","unread":1}"#,
            r#"{"type":"all_read","up_to":1,"read_at":2,"seq":3}"#,
            r#"{"type":"gone"}"#,
            r#"{"unread":1}"#,
        ] {
            assert!(serde_json::from_str::<ServerMessage>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn resume_parses_and_anything_else_is_refused() {
        let resume: ClientMessage =
            serde_json::from_str(r#"{"type":"resume","after":12}"#).unwrap();
        assert_eq!(resume, ClientMessage::Resume { after: 12 });
        for bad in [
            r#"{"type":"resume"}"#,
            r#"{"type":"drop_tables"}"#,
            "not json",
            r#"{"type":"resume","after":"x"}"#,
        ] {
            assert!(serde_json::from_str::<ClientMessage>(bad).is_err(), "{bad}");
        }
    }
}
