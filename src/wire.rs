//! The real-time protocol: JSON messages on the WebSocket, defined once for
//! both ends.

use serde::{Deserialize, Serialize};

use crate::Notification;

/// A message from the server to one of a user's connections.
///
/// Every count carries the sequence number it is valid at (`seq`), so a client
/// can ignore a count older than the one it already shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// First message on every connection: the state as of `seq`.
    Hello { unread: i64, seq: i64 },
    /// A notification was created for this user; `unread` is the count
    /// right after it, valid at `notification.seq`.
    Created {
        notification: Notification,
        unread: i64,
    },
}

impl ServerMessage {
    /// The sequence number this message's count is valid at.
    pub fn seq(&self) -> i64 {
        match self {
            ServerMessage::Hello { seq, .. } => *seq,
            ServerMessage::Created { notification, .. } => notification.seq,
        }
    }

    /// The unread count this message carries.
    pub fn unread(&self) -> i64 {
        match self {
            ServerMessage::Hello { unread, .. } | ServerMessage::Created { unread, .. } => *unread,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_tagged_json() {
        let json = serde_json::to_string(&ServerMessage::Hello { unread: 3, seq: 7 }).unwrap();
        assert_eq!(json, r#"{"type":"hello","unread":3,"seq":7}"#);
        let back: ServerMessage = serde_json::from_str(&json).unwrap();
        assert_eq!(back.seq(), 7);
        assert_eq!(back.unread(), 3);
    }
}
