//! Buttons on a notification: at most two, each opening a link or telling
//! the integrator's backend (a webhook Herald POSTs to, signed). Clicking
//! one records when the recipient interacted. Their rules are in
//! `validate` with every other rule about what senders write.

use serde::{Deserialize, Serialize};

/// An action as a sender gives it: exactly one of `url` and `webhook`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionSpec {
    pub label: String,
    /// Opened when clicked: an http(s) URL or a path on this site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// POSTed to when clicked (an absolute http(s) URL), signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
}

/// An action as its recipient sees it: the webhook's address stays on the
/// server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub label: String,
    /// Where clicking takes the user, for a link action.
    #[serde(default)]
    pub url: Option<String>,
}

impl From<&ActionSpec> for Action {
    fn from(spec: &ActionSpec) -> Action {
        Action {
            label: spec.label.clone(),
            url: spec.url.clone(),
        }
    }
}
