//! Validation of what people type, shared so the server enforces exactly the
//! rules the form shows.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::Category;
use crate::actions::ActionSpec;

pub const TITLE_MAX_CHARS: usize = 200;
pub const BODY_MAX_CHARS: usize = 2000;
pub const LINK_MAX_CHARS: usize = 2000;
pub const MAX_ACTIONS: usize = 2;
pub const LABEL_MAX_CHARS: usize = 40;

/// One problem with one field, named so the UI can show it beside that field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Every problem found in one submission.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Error)]
#[error("invalid input: {}", self.details())]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// Each problem as "field: message", joined by "; ".
    pub fn details(&self) -> String {
        let each: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        each.join("; ")
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// The message for `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A notification's content as submitted, before validation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewNotification {
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    #[serde(default)]
    pub category: Category,
    /// When it is withdrawn from the inbox and the count (Unix ms), if ever.
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// At most two buttons.
    #[serde(default)]
    pub actions: Vec<ActionSpec>,
    /// Unread copies with the same key show as one row (`post:42:comments`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_key: Option<String>,
}

impl NewNotification {
    /// Trims the fields and checks them all, reporting every bad field at once.
    pub fn validate(self) -> Result<NewNotification, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = self.title.trim().to_owned();
        let body = self.body.trim().to_owned();
        let link = self
            .link
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty());

        let title_len = title.chars().count();
        if title_len == 0 {
            errors.push("title", "Title is required.");
        } else if title_len > TITLE_MAX_CHARS {
            errors.push(
                "title",
                format!("Title must be at most {TITLE_MAX_CHARS} characters."),
            );
        }
        if body.chars().count() > BODY_MAX_CHARS {
            errors.push(
                "body",
                format!("Body must be at most {BODY_MAX_CHARS} characters."),
            );
        }
        if let Some(Err(message)) = link.as_deref().map(check_link) {
            errors.push("link", message);
        }
        let actions = check_actions(self.actions, &mut errors);
        let group_key = self
            .group_key
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty());
        if let Some(key) = &group_key {
            crate::topics::check_topic_key(key, "group_key", &mut errors);
        }

        if errors.is_empty() {
            Ok(NewNotification {
                title,
                body,
                link,
                category: self.category,
                expires_at: self.expires_at,
                actions,
                group_key,
            })
        } else {
            Err(errors)
        }
    }
}

/// A link is an absolute http(s) URL or a path on this site; nothing else
/// (no `javascript:`, no protocol-relative `//host`).
pub fn check_link(link: &str) -> Result<(), &'static str> {
    if link.chars().count() > LINK_MAX_CHARS {
        return Err("Link is too long.");
    }
    if link.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("Link must not contain spaces.");
    }
    let lower = link.to_ascii_lowercase();
    let host = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match host {
        Some(rest)
            if rest
                .split(['/', '?', '#'])
                .next()
                .is_some_and(|h| !h.is_empty()) =>
        {
            Ok(())
        }
        Some(_) => Err("Link needs a host after http(s)://."),
        None if link.starts_with('/') && !link.starts_with("//") && !link.starts_with("/\\") => {
            Ok(())
        }
        None => Err("Link must start with http://, https:// or /."),
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
    use crate::actions::Action;

    fn new(title: &str, body: &str, link: Option<&str>) -> NewNotification {
        NewNotification {
            title: title.into(),
            body: body.into(),
            link: link.map(Into::into),
            category: Category::Info,
            expires_at: None,
            actions: Vec::new(),
            group_key: None,
        }
    }

    #[test]
    fn valid_input_is_trimmed_and_empty_link_dropped() {
        let ok = new("  Hi ", " there ", Some("  ")).validate().unwrap();
        assert_eq!(ok, new("Hi", "there", None));
    }

    #[test]
    fn title_is_required_and_bounded_in_characters() {
        assert_eq!(
            new(" ", "", None).validate().unwrap_err().get("title"),
            Some("Title is required.")
        );
        assert!(new(&"é".repeat(200), "", None).validate().is_ok());
        assert!(
            new(&"é".repeat(201), "", None)
                .validate()
                .unwrap_err()
                .get("title")
                .is_some()
        );
    }

    #[test]
    fn body_is_bounded() {
        assert!(new("t", &"b".repeat(2000), None).validate().is_ok());
        let err = new("t", &"b".repeat(2001), None).validate().unwrap_err();
        assert!(err.get("body").is_some());
        assert!(err.get("title").is_none());
    }

    #[test]
    fn links_must_be_http_or_same_site_paths() {
        for ok in [
            "https://example.com/x",
            "http://a.b",
            "/inbox?x=1",
            "HTTPS://EX.COM",
        ] {
            assert_eq!(check_link(ok), Ok(()), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,x",
            "//evil.example",
            "/\\evil.example",
            "https://",
            "ftp://x",
            "inbox",
            "/a b",
        ] {
            assert!(check_link(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let err = new("", &"b".repeat(2001), Some("javascript:x"))
            .validate()
            .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "body", "link"]);
    }

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
