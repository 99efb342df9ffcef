//! Topics: named audiences an integrator subscribes its users to
//! (`project:42`, `post:7:comments`) and sends to, and a user can leave.

use serde::{Deserialize, Serialize};

use crate::FieldErrors;

/// The longest topic key.
pub const TOPIC_MAX_CHARS: usize = 100;
/// The most topics one send names.
pub const MAX_TOPICS_PER_SEND: usize = 20;

/// Checks a topic key under `field`: 1 to [`TOPIC_MAX_CHARS`] of letters,
/// digits and `: _ . -`, so a key reads the same in a URL path, a log line
/// and a form.
pub fn check_topic_key(key: &str, field: &str, errors: &mut FieldErrors) {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '.' | '-');
    if key.is_empty() || key.chars().count() > TOPIC_MAX_CHARS || !key.chars().all(allowed) {
        errors.push(
            field,
            format!(
                "Must be 1 to {TOPIC_MAX_CHARS} letters, digits, ':', '_', '.' or '-' (like project:42)."
            ),
        );
    }
}

/// One of a user's topics, as Settings lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub topic: String,
    /// When they were subscribed (Unix ms).
    pub since: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_topic_key_is_short_and_plain() {
        for (key, ok) in [
            ("project:42", true),
            ("post:7:comments", true),
            ("team_a.deploys-eu", true),
            ("", false),
            ("has space", false),
            ("slash/inside", false),
            ("ünïcode", false),
            (&"k".repeat(TOPIC_MAX_CHARS), true),
            (&"k".repeat(TOPIC_MAX_CHARS + 1), false),
        ] {
            let mut errors = FieldErrors::default();
            check_topic_key(key, "topic", &mut errors);
            assert_eq!(errors.is_empty(), ok, "{key}");
        }
    }
}
