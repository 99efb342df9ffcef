//! A send as the admin console and the integration API submit it: one set
//! of rules for both. Each front end first turns its own way of naming
//! recipients into an audience (and reports what it could not resolve);
//! what is left is checked here.

use crate::i18n::Locale;
use crate::t;
use crate::{Category, FieldErrors, NewNotification};

/// The most recipients one send may name (everyone and roles are not named).
pub const MAX_RECIPIENTS: usize = 1000;
/// The longest actor ("who did it", shown with the notification).
pub const ACTOR_MAX_CHARS: usize = 200;
/// How far ahead a notification may be set to expire or wake: a year.
pub const MAX_EXPIRY_MS: i64 = 366 * 24 * 3600 * 1000;

/// What a sender submitted, before validation. Missing text is empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Draft {
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    /// A category's name; empty or `None` is `info`.
    pub category: Option<String>,
    pub actor: Option<String>,
    /// When it expires (Unix ms), if ever.
    pub expires_at: Option<i64>,
    /// At most two buttons (`crate::actions`).
    pub actions: Vec<crate::ActionSpec>,
    /// When to deliver it (Unix ms); `None`: at once.
    pub send_at: Option<i64>,
    /// Unread copies with the same key show as one row.
    pub group_key: Option<String>,
}

/// A send's checked content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Content {
    pub notification: NewNotification,
    pub actor: Option<String>,
    /// A scheduled send's time (Unix ms); `None`: at once.
    pub send_at: Option<i64>,
}

impl Draft {
    /// Checks every field (trimmed), adding each problem to `errors` under
    /// its field's name; the content only if all of them pass.
    /// `now` is the time an expiry must come after.
    pub fn check(self, now: i64, errors: &mut FieldErrors) -> Option<Content> {
        let category = match self.category.as_deref().map(str::trim) {
            None | Some("") => Some(Category::Info),
            Some(name) => Category::parse(name),
        };
        let notification = NewNotification {
            title: self.title,
            body: self.body,
            link: self.link,
            category: category.unwrap_or_default(),
            expires_at: self.expires_at,
            actions: self.actions,
            group_key: self.group_key,
        }
        .validate()
        .map_err(|bad| errors.0.extend(bad.0))
        .ok();
        if category.is_none() {
            errors.push("category", "Must be info, success, warning or mention.");
        }
        check_future(self.send_at, now, "send_at", errors);
        check_future(self.expires_at, now, "expires_at", errors);
        if let (Some(send_at), Some(expires_at)) = (self.send_at, self.expires_at)
            && expires_at <= send_at
        {
            errors.push("expires_at", "Must be after send_at.");
        }
        let actor = self
            .actor
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty());
        if actor
            .as_ref()
            .is_some_and(|a| a.chars().count() > ACTOR_MAX_CHARS)
        {
            errors.push(
                "actor",
                format!("Must be at most {ACTOR_MAX_CHARS} characters."),
            );
        }
        let notification = notification.filter(|_| errors.is_empty())?;
        Some(Content {
            notification,
            actor,
            send_at: self.send_at,
        })
    }
}

/// The expiries the admin console offers, as a time from the send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpiresIn {
    Never,
    Hour,
    Day,
    Week,
}

impl ExpiresIn {
    pub const ALL: [ExpiresIn; 4] = [
        ExpiresIn::Never,
        ExpiresIn::Hour,
        ExpiresIn::Day,
        ExpiresIn::Week,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExpiresIn::Never => "never",
            ExpiresIn::Hour => "hour",
            ExpiresIn::Day => "day",
            ExpiresIn::Week => "week",
        }
    }

    /// The form's value; empty is never.
    pub fn parse(s: &str) -> Option<ExpiresIn> {
        match s.trim() {
            "" => Some(ExpiresIn::Never),
            s => ExpiresIn::ALL.into_iter().find(|e| e.as_str() == s),
        }
    }

    /// What the console's expiry choice says, in `locale`.
    pub fn label(self, locale: Locale) -> String {
        match self {
            ExpiresIn::Never => t!(locale, "admin-expires-never"),
            ExpiresIn::Hour => t!(locale, "admin-expires-in-an-hour"),
            ExpiresIn::Day => t!(locale, "admin-expires-in-a-day"),
            ExpiresIn::Week => t!(locale, "admin-expires-in-a-week"),
        }
    }

    /// When a send made at `now` (Unix ms) expires.
    pub fn at(self, now: i64) -> Option<i64> {
        const HOUR_MS: i64 = 3_600_000;
        match self {
            ExpiresIn::Never => None,
            ExpiresIn::Hour => Some(now + HOUR_MS),
            ExpiresIn::Day => Some(now + 24 * HOUR_MS),
            ExpiresIn::Week => Some(now + 7 * 24 * HOUR_MS),
        }
    }
}

/// When the admin console delivers a send, as a time from now: the API
/// takes any time, the form offers these (no time zone to get wrong).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendIn {
    Now,
    FiveMinutes,
    Hour,
    Day,
    Week,
}

impl SendIn {
    pub const ALL: [SendIn; 5] = [
        SendIn::Now,
        SendIn::FiveMinutes,
        SendIn::Hour,
        SendIn::Day,
        SendIn::Week,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SendIn::Now => "now",
            SendIn::FiveMinutes => "5min",
            SendIn::Hour => "hour",
            SendIn::Day => "day",
            SendIn::Week => "week",
        }
    }

    /// The form's value; empty is now.
    pub fn parse(s: &str) -> Option<SendIn> {
        match s.trim() {
            "" => Some(SendIn::Now),
            s => SendIn::ALL.into_iter().find(|e| e.as_str() == s),
        }
    }

    /// What the console's send-time choice says, in `locale`.
    pub fn label(self, locale: Locale) -> String {
        match self {
            SendIn::Now => t!(locale, "admin-send-now"),
            SendIn::FiveMinutes => t!(locale, "admin-send-in-five-minutes"),
            SendIn::Hour => t!(locale, "admin-send-in-an-hour"),
            SendIn::Day => t!(locale, "admin-send-in-a-day"),
            SendIn::Week => t!(locale, "admin-send-in-a-week"),
        }
    }

    /// When a send composed at `now` goes out; `None`: at once.
    pub fn at(self, now: i64) -> Option<i64> {
        const MINUTE_MS: i64 = 60_000;
        match self {
            SendIn::Now => None,
            SendIn::FiveMinutes => Some(now + 5 * MINUTE_MS),
            SendIn::Hour => Some(now + 60 * MINUTE_MS),
            SendIn::Day => Some(now + 24 * 60 * MINUTE_MS),
            SendIn::Week => Some(now + 7 * 24 * 60 * MINUTE_MS),
        }
    }
}

/// Checks a time a notification changes at (an expiry, a snooze's end),
/// under `field`: after `now` and at most [`MAX_EXPIRY_MS`] ahead.
pub fn check_future(at: Option<i64>, now: i64, field: &str, errors: &mut FieldErrors) {
    match at {
        Some(at) if at <= now => errors.push(field, "Must be in the future (Unix milliseconds)."),
        Some(at) if at - now > MAX_EXPIRY_MS => errors.push(field, "Must be at most a year ahead."),
        _ => {}
    }
}

/// Checks how many recipients a send names, under `field` (how the form
/// or request calls them): at least one, at most [`MAX_RECIPIENTS`].
pub fn check_recipient_count(count: usize, field: &str, errors: &mut FieldErrors) {
    if count == 0 {
        errors.push(field, "Name at least one recipient.");
    } else if count > MAX_RECIPIENTS {
        errors.push(
            field,
            format!("At most {MAX_RECIPIENTS} recipients per send."),
        );
    }
}

/// The console's recipient value meaning "every user".
pub const EVERYONE: &str = "everyone";
/// The console's recipient value meaning "the users named in `usernames`".
pub const SEVERAL: &str = "several";
/// The console's recipient value meaning "the subscribers of `topic`".
pub const TOPIC: &str = "topic";

/// Who a console send is for, as its form says it: an audience, or users
/// named by username still to be looked up (by the store, by name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recipients {
    Audience(crate::Audience),
    /// Normalised usernames, each once, in the order given.
    Named(Vec<String>),
}

impl Recipients {
    /// Reads the form's `recipient` (`everyone`, `role:…`, a user id,
    /// `several` or `topic`) and, for several, `usernames` (separated by
    /// commas, spaces or lines), for a topic, `topic`, naming each field
    /// that is wrong.
    pub fn parse(
        recipient: &str,
        usernames: &str,
        topic: &str,
        errors: &mut FieldErrors,
    ) -> Option<Recipients> {
        use crate::{Audience, Role};
        let parsed = match recipient.trim() {
            EVERYONE => Some(Recipients::Audience(Audience::Everyone)),
            "role:admin" => Some(Recipients::Audience(Audience::Role { role: Role::Admin })),
            "role:member" => Some(Recipients::Audience(Audience::Role { role: Role::Member })),
            SEVERAL => {
                let mut names: Vec<String> = Vec::new();
                for name in usernames
                    .split([',', ' ', '\n'])
                    .map(crate::normalise_username)
                {
                    if !name.is_empty() && !names.contains(&name) {
                        names.push(name);
                    }
                }
                check_recipient_count(names.len(), "usernames", errors);
                Some(Recipients::Named(names))
            }
            TOPIC => {
                let topic = topic.trim();
                crate::topics::check_topic_key(topic, "topic", errors);
                Some(Recipients::Audience(Audience::Topics {
                    topics: vec![topic.to_owned()],
                    users: Vec::new(),
                    exclude: Vec::new(),
                }))
            }
            id => id
                .parse()
                .ok()
                .map(|id| Recipients::Audience(Audience::User { id })),
        };
        if parsed.is_none() {
            errors.push("recipient", "Choose a recipient.");
        }
        parsed
    }

    /// Whether it reaches everyone or a whole role: such sends are confirmed.
    pub fn is_broad(&self) -> bool {
        matches!(
            self,
            Recipients::Audience(crate::Audience::Everyone | crate::Audience::Role { .. })
        )
    }
}

/// The audience of users `names`, given the active users the store found by
/// those names: every name must be one of them, or the field says which
/// are not.
pub fn named_audience(
    names: &[String],
    found: &[crate::User],
    errors: &mut FieldErrors,
) -> crate::Audience {
    let mut ids = Vec::with_capacity(names.len());
    let mut unknown = Vec::new();
    for name in names {
        match found
            .iter()
            .find(|u| crate::normalise_username(&u.username) == *name)
        {
            Some(user) => ids.push(user.id),
            None => unknown.push(name.as_str()),
        }
    }
    if !unknown.is_empty() {
        errors.push(
            "usernames",
            format!("No such user: {}.", unknown.join(", ")),
        );
    }
    crate::Audience::Users { ids }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000_000;

    fn draft(title: &str, category: Option<&str>, actor: Option<&str>) -> Draft {
        Draft {
            title: title.into(),
            category: category.map(Into::into),
            actor: actor.map(Into::into),
            ..Draft::default()
        }
    }

    #[test]
    fn good_content_is_trimmed_and_defaults_to_info() {
        let mut errors = FieldErrors::default();
        let content = draft(" Hi ", Some(" "), Some("  "))
            .check(NOW, &mut errors)
            .unwrap();
        assert_eq!(content.notification.title, "Hi");
        assert_eq!(content.notification.category, Category::Info);
        assert_eq!(content.actor, None);
        assert!(errors.is_empty());
    }

    #[test]
    fn every_bad_field_is_named_and_nothing_passes() {
        let mut errors = FieldErrors::default();
        errors.push("recipients", "found earlier");
        let long_actor = "a".repeat(ACTOR_MAX_CHARS + 1);
        assert_eq!(
            draft("", Some("urgent"), Some(&long_actor)).check(NOW, &mut errors),
            None
        );
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["recipients", "title", "category", "actor"]);
        // An earlier problem alone still stops the send.
        let mut errors = FieldErrors::default();
        errors.push("usernames", "No such user: x.");
        assert_eq!(draft("Fine", None, None).check(NOW, &mut errors), None);
    }

    #[test]
    fn an_expiry_is_in_the_future_and_at_most_a_year_ahead() {
        for (at, ok) in [
            (NOW - 1, false),
            (NOW, false),
            (NOW + 1, true),
            (NOW + MAX_EXPIRY_MS, true),
            (NOW + MAX_EXPIRY_MS + 1, false),
        ] {
            let mut errors = FieldErrors::default();
            let content = Draft {
                expires_at: Some(at),
                ..draft("Sale ends", None, None)
            }
            .check(NOW, &mut errors);
            assert_eq!(content.is_some(), ok, "{at}");
            assert_eq!(
                content.map(|c| c.notification.expires_at),
                ok.then_some(Some(at))
            );
            if !ok {
                assert_eq!(errors.0[0].field, "expires_at");
            }
        }
    }

    #[test]
    fn a_scheduled_send_is_in_the_future_within_a_year_and_expires_after_it() {
        for (send_at, expires_at, bad) in [
            (NOW, None, Some("send_at")),
            (NOW + MAX_EXPIRY_MS + 1, None, Some("send_at")),
            (NOW + 1000, Some(NOW + 1000), Some("expires_at")),
            (NOW + 1000, Some(NOW + 500), Some("expires_at")),
            (NOW + 1000, Some(NOW + 1001), None),
            (NOW + MAX_EXPIRY_MS, None, None),
        ] {
            let mut errors = FieldErrors::default();
            let content = Draft {
                send_at: Some(send_at),
                expires_at,
                ..draft("Later", None, None)
            }
            .check(NOW, &mut errors);
            assert_eq!(
                content.as_ref().and_then(|c| c.send_at),
                bad.is_none().then_some(send_at)
            );
            assert_eq!(
                errors.0.first().map(|e| e.field.as_str()),
                bad,
                "{send_at} {expires_at:?}"
            );
        }
        for choice in SendIn::ALL {
            assert_eq!(SendIn::parse(choice.as_str()), Some(choice));
            assert!(
                choice
                    .at(NOW)
                    .is_none_or(|at| at > NOW && at - NOW <= MAX_EXPIRY_MS)
            );
        }
        assert_eq!(SendIn::parse(""), Some(SendIn::Now));
        assert_eq!(SendIn::parse("tomorrow"), None);
    }

    #[test]
    fn a_send_names_one_to_a_thousand_recipients() {
        for (count, ok) in [
            (0, false),
            (1, true),
            (MAX_RECIPIENTS, true),
            (MAX_RECIPIENTS + 1, false),
        ] {
            let mut errors = FieldErrors::default();
            check_recipient_count(count, "recipients", &mut errors);
            assert_eq!(errors.is_empty(), ok, "{count}");
        }
    }

    #[test]
    fn console_recipients_are_read_and_named_users_resolved() {
        use crate::{Audience, Role, User};
        let mut errors = FieldErrors::default();
        let named = Recipients::parse(SEVERAL, "Ana, bo\nana  ", "", &mut errors);
        assert_eq!(
            named,
            Some(Recipients::Named(vec!["ana".into(), "bo".into()]))
        );
        assert!(errors.is_empty());
        let found = [User {
            id: 4,
            username: "Ana".into(),
            role: Role::Member,
        }];
        let audience = named_audience(&["ana".into(), "bo".into()], &found, &mut errors);
        assert_eq!(audience, Audience::Users { ids: vec![4] });
        assert_eq!(errors.get("usernames"), Some("No such user: bo."));

        let mut errors = FieldErrors::default();
        assert_eq!(
            Recipients::parse(SEVERAL, " , ", "", &mut errors),
            Some(Recipients::Named(vec![]))
        );
        assert!(errors.get("usernames").is_some(), "nobody named");
        let broad = Recipients::parse("role:admin", "", "", &mut errors).unwrap();
        assert!(broad.is_broad());
        assert!(
            !Recipients::parse("7", "", "", &mut errors)
                .unwrap()
                .is_broad()
        );
        assert_eq!(Recipients::parse("nobody", "", "", &mut errors), None);
        assert!(errors.get("recipient").is_some());

        let mut errors = FieldErrors::default();
        let topic = Recipients::parse(TOPIC, "", " project:42 ", &mut errors);
        assert_eq!(
            topic,
            Some(Recipients::Audience(Audience::Topics {
                topics: vec!["project:42".into()],
                users: vec![],
                exclude: vec![],
            }))
        );
        assert!(errors.is_empty());
        Recipients::parse(TOPIC, "", "no spaces", &mut errors);
        assert!(errors.get("topic").is_some());
    }

    #[test]
    fn the_consoles_choices_read_as_before_in_english() {
        let sends: Vec<String> = SendIn::ALL
            .into_iter()
            .map(|e| e.label(Locale::En))
            .collect();
        assert_eq!(
            sends,
            ["Now", "In 5 minutes", "In an hour", "In a day", "In a week"]
        );
        let expiries: Vec<String> = ExpiresIn::ALL
            .into_iter()
            .map(|e| e.label(Locale::En))
            .collect();
        assert_eq!(expiries, ["Never", "In an hour", "In a day", "In a week"]);
        assert_eq!(SendIn::FiveMinutes.label(Locale::De), "In 5 Minuten");
    }
}
