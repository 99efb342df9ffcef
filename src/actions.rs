//! Buttons on a notification: at most two, each opening a link or telling
//! the integrator's backend (a webhook Herald POSTs to, signed). Clicking
//! one records when the recipient interacted.

use serde::{Deserialize, Serialize};

use crate::FieldErrors;
use crate::validate::check_link;

pub const MAX_ACTIONS: usize = 2;
pub const LABEL_MAX_CHARS: usize = 40;

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

/// Checks `specs` (trimmed), naming each bad field `actions[i].…`; the
/// actions to store if all pass.
pub fn check_actions(specs: Vec<ActionSpec>, errors: &mut FieldErrors) -> Vec<ActionSpec> {
    if specs.len() > MAX_ACTIONS {
        errors.push("actions", format!("At most {MAX_ACTIONS} actions."));
        return Vec::new();
    }
    specs
        .into_iter()
        .enumerate()
        .map(|(i, spec)| {
            let label = spec.label.trim().to_owned();
            let url = spec.url.map(|u| u.trim().to_owned());
            let webhook = spec.webhook.map(|w| w.trim().to_owned());
            let chars = label.chars().count();
            if chars == 0 || chars > LABEL_MAX_CHARS {
                errors.push(
                    &format!("actions[{i}].label"),
                    format!("Must be 1 to {LABEL_MAX_CHARS} characters."),
                );
            }
            match (&url, &webhook) {
                (Some(url), None) => {
                    if let Err(message) = check_link(url) {
                        errors.push(&format!("actions[{i}].url"), message);
                    }
                }
                (None, Some(hook)) => {
                    if !(hook.starts_with("https://") || hook.starts_with("http://"))
                        || check_link(hook).is_err()
                    {
                        errors.push(
                            &format!("actions[{i}].webhook"),
                            "Must be an absolute http(s) URL.",
                        );
                    }
                }
                _ => errors.push(
                    &format!("actions[{i}]"),
                    "Give exactly one of url and webhook.",
                ),
            }
            ActionSpec {
                label,
                url,
                webhook,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(label: &str, url: Option<&str>, webhook: Option<&str>) -> ActionSpec {
        ActionSpec {
            label: label.into(),
            url: url.map(Into::into),
            webhook: webhook.map(Into::into),
        }
    }

    #[test]
    fn good_actions_pass_trimmed() {
        let mut errors = FieldErrors::default();
        let checked = check_actions(
            vec![
                spec(
                    " Approve ",
                    None,
                    Some("https://shop.example/hooks/approve"),
                ),
                spec("View", Some("/orders/7"), None),
            ],
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(checked[0].label, "Approve");
        assert_eq!(
            Action::from(&checked[0]).url,
            None,
            "the webhook stays on the server"
        );
    }

    #[test]
    fn each_bad_field_is_named() {
        let mut errors = FieldErrors::default();
        check_actions(
            vec![
                spec("", Some("javascript:alert(1)"), None),
                spec("Both", Some("/a"), Some("https://x.example")),
            ],
            &mut errors,
        );
        assert!(errors.get("actions[0].label").is_some());
        assert!(errors.get("actions[0].url").is_some());
        assert!(errors.get("actions[1]").is_some());
        let mut errors = FieldErrors::default();
        check_actions(vec![spec("Hook", None, Some("/relative"))], &mut errors);
        assert!(errors.get("actions[0].webhook").is_some());
        let mut errors = FieldErrors::default();
        check_actions(vec![spec("a", Some("/a"), None); 3], &mut errors);
        assert!(errors.get("actions").is_some());
    }
}
