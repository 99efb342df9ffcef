//! What each user wants to hear about, per category: shown in the bell (or
//! muted: stored and listed, never counted or toasted), desktop
//! notifications, web push, and an email digest of what the bell did not
//! show in time. An admin may make a category required, which nobody can
//! mute, and chooses whether it is emailed by default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Category, FieldErrors};

/// A user's choices for one category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preference {
    pub category: Category,
    /// Counted in the bell and toasted; `false` is muted.
    pub bell: bool,
    /// Desktop notifications while Herald's tab is hidden.
    pub desktop: bool,
    /// Web push while no tab is open.
    pub push: bool,
    /// In an email digest when no tab showed it in time (off unless the
    /// user or the admin's default turns it on).
    #[serde(default)]
    pub email: bool,
    /// An admin made this category required: it cannot be muted.
    pub required: bool,
}

impl Preference {
    /// What a user who never chose gets: everything on.
    pub fn default_for(category: Category) -> Preference {
        Preference {
            category,
            bell: true,
            desktop: true,
            push: true,
            email: false,
            required: false,
        }
    }

    /// Whether a notification of this category may raise a desktop
    /// notification: never when muted.
    pub fn alerts_desktop(&self) -> bool {
        self.desktop && (self.bell || self.required)
    }
}

/// A change to some of one category's choices; what is left out stays.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreferenceChange {
    pub bell: Option<bool>,
    pub desktop: Option<bool>,
    pub push: Option<bool>,
    #[serde(default)]
    pub email: Option<bool>,
}

/// Every category's preference, in [`Category::ALL`]'s order, from what is
/// stored (`chosen`, any order; the store fills a user's unset email
/// choice from the admin's default) and which categories are `required`.
/// Categories in `emailed` are emailed by default.
pub fn resolve(
    chosen: &[Preference],
    required: &[Category],
    emailed: &[Category],
) -> Vec<Preference> {
    Category::ALL
        .into_iter()
        .map(|category| {
            let mut preference = chosen
                .iter()
                .find(|p| p.category == category)
                .copied()
                .unwrap_or_else(|| Preference {
                    email: emailed.contains(&category),
                    ..Preference::default_for(category)
                });
            preference.required = required.contains(&category);
            preference
        })
        .collect()
}

/// Applies `changes` (keyed by category name) to `current`: the preferences
/// to store, or every refused field named (`categories.<name>[.bell]`).
pub fn apply(
    current: &[Preference],
    changes: &BTreeMap<String, PreferenceChange>,
) -> Result<Vec<Preference>, FieldErrors> {
    let mut next = current.to_vec();
    let mut errors = FieldErrors::default();
    for (name, change) in changes {
        let Some(category) = Category::parse(name) else {
            errors.push(
                &format!("categories.{name}"),
                "Unknown category: must be info, success, warning or mention.",
            );
            continue;
        };
        let Some(preference) = next.iter_mut().find(|p| p.category == category) else {
            continue;
        };
        if change.bell == Some(false) && preference.required {
            errors.push(
                &format!("categories.{name}.bell"),
                "Required by the administrator: it cannot be muted.",
            );
        }
        preference.bell = change.bell.unwrap_or(preference.bell);
        preference.desktop = change.desktop.unwrap_or(preference.desktop);
        preference.push = change.push.unwrap_or(preference.push);
        preference.email = change.email.unwrap_or(preference.email);
    }
    if errors.is_empty() {
        Ok(next)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(bell: Option<bool>) -> PreferenceChange {
        PreferenceChange {
            bell,
            ..Default::default()
        }
    }

    #[test]
    fn unchosen_categories_get_the_defaults_and_required_is_marked() {
        let mut muted = Preference::default_for(Category::Mention);
        muted.bell = false;
        let all = resolve(&[muted], &[Category::Warning], &[Category::Info]);
        assert_eq!(all.len(), 4);
        assert!(all[0].bell && all[0].desktop && all[0].push && !all[0].required);
        assert!(
            all[0].email && !all[1].email,
            "emailed by the admin's default only"
        );
        assert!(all[2].required);
        assert!(!all[3].bell);
    }

    #[test]
    fn a_change_keeps_what_it_leaves_out() {
        let current = resolve(&[], &[], &[]);
        let changes = BTreeMap::from([(
            "info".to_owned(),
            PreferenceChange {
                desktop: Some(false),
                ..Default::default()
            },
        )]);
        let next = apply(&current, &changes).unwrap();
        assert!(next[0].bell && !next[0].desktop && next[0].push);
        assert_eq!(next[1..], current[1..]);
    }

    #[test]
    fn required_categories_and_unknown_names_are_refused_by_field() {
        let current = resolve(&[], &[Category::Warning], &[]);
        let changes = BTreeMap::from([
            ("warning".to_owned(), change(Some(false))),
            ("nonsense".to_owned(), change(None)),
            ("info".to_owned(), change(Some(false))),
        ]);
        let errors = apply(&current, &changes).unwrap_err();
        assert!(errors.get("categories.warning.bell").is_some());
        assert!(errors.get("categories.nonsense").is_some());
        assert_eq!(errors.0.len(), 2);
        let unmute = BTreeMap::from([("warning".to_owned(), change(Some(true)))]);
        assert!(apply(&current, &unmute).is_ok(), "turning it on is fine");
    }

    #[test]
    fn a_muted_category_raises_no_desktop_notification_unless_required() {
        let mut p = Preference::default_for(Category::Info);
        assert!(p.alerts_desktop());
        p.bell = false;
        assert!(!p.alerts_desktop());
        p.required = true;
        assert!(p.alerts_desktop());
        p.desktop = false;
        assert!(!p.alerts_desktop());
    }
}
