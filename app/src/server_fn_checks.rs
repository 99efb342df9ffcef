//! Server functions' arguments, checked before the function runs: what
//! server_fn would fail to decode (a missing field, a number that is not
//! one, an unknown choice) is answered 400 (422 for an unknown choice)
//! naming the field, instead of its generic 500. Decoded exactly as
//! server_fn's `PostUrl` does (serde_qs), through serde_path_to_error.

use herald::FieldErrors;
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;

use crate::admin::{
    ApiKeys, AuditLog, CreateApiKey, CreateUser, DeactivateUser, ReactivateUser, Recipients,
    RequiredCategories, RetractSend, RevokeApiKey, SendNotification, SentList, SetEmailed,
    SetRequired, SetRole, UserList,
};
use crate::auth::{ChangePassword, GetMe, Login, Logout};
use crate::contact::{AccountEmail, SetAccountEmail};
use crate::inbox::{Act, InboxPage, MarkAllRead, MarkSeen, SetArchived, SetRead, Snooze, Unsnooze};
use crate::language::{ChosenLanguage, SetLanguage};
use crate::settings::{
    GetPreferences, PushDeviceHeld, PushDeviceKnown, PushKey, SetPreference, SubscribePush,
    UnsubscribePush,
};
use crate::topics::{LeaveTopic, MyTopics};

/// Checks one server function's encoded arguments.
pub type Check = fn(&[u8]) -> Result<(), Malformed>;

/// Arguments that do not decode, with every field named.
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed {
    pub errors: FieldErrors,
    /// Every field was there and of the right type, but one names a choice
    /// that does not exist: 422 rather than 400.
    pub unknown_choice: bool,
}

/// The check for the server function at `path`, if there is one.
pub fn check_for(path: &str) -> Option<Check> {
    CHECKS
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, check)| *check)
}

/// Every server function whose arguments are checked (all of them; the
/// test of malformed input fails for one missing here).
const CHECKS: &[(&str, Check)] = &[
    (Act::PATH, check::<Act>),
    (ApiKeys::PATH, check::<ApiKeys>),
    (AuditLog::PATH, check::<AuditLog>),
    (RequiredCategories::PATH, check::<RequiredCategories>),
    (ChangePassword::PATH, check::<ChangePassword>),
    (CreateApiKey::PATH, check::<CreateApiKey>),
    (CreateUser::PATH, check::<CreateUser>),
    (DeactivateUser::PATH, check::<DeactivateUser>),
    (GetMe::PATH, check::<GetMe>),
    (GetPreferences::PATH, check::<GetPreferences>),
    (PushKey::PATH, check::<PushKey>),
    (SubscribePush::PATH, check::<SubscribePush>),
    (UnsubscribePush::PATH, check::<UnsubscribePush>),
    (PushDeviceKnown::PATH, check::<PushDeviceKnown>),
    (PushDeviceHeld::PATH, check::<PushDeviceHeld>),
    (InboxPage::PATH, check::<InboxPage>),
    (Login::PATH, check::<Login>),
    (Logout::PATH, check::<Logout>),
    (MarkAllRead::PATH, check::<MarkAllRead>),
    (MarkSeen::PATH, check::<MarkSeen>),
    (ReactivateUser::PATH, check::<ReactivateUser>),
    (Recipients::PATH, check::<Recipients>),
    (RetractSend::PATH, check::<RetractSend>),
    (RevokeApiKey::PATH, check::<RevokeApiKey>),
    (SendNotification::PATH, check::<SendNotification>),
    (SentList::PATH, check::<SentList>),
    (SetArchived::PATH, check::<SetArchived>),
    (SetPreference::PATH, check::<SetPreference>),
    (SetRequired::PATH, check::<SetRequired>),
    (SetEmailed::PATH, check::<SetEmailed>),
    (SetRead::PATH, check::<SetRead>),
    (Snooze::PATH, check::<Snooze>),
    (Unsnooze::PATH, check::<Unsnooze>),
    (SetRole::PATH, check::<SetRole>),
    (UserList::PATH, check::<UserList>),
    (MyTopics::PATH, check::<MyTopics>),
    (LeaveTopic::PATH, check::<LeaveTopic>),
    (AccountEmail::PATH, check::<AccountEmail>),
    (SetAccountEmail::PATH, check::<SetAccountEmail>),
    (ChosenLanguage::PATH, check::<ChosenLanguage>),
    (SetLanguage::PATH, check::<SetLanguage>),
];

fn check<T: DeserializeOwned>(body: &[u8]) -> Result<(), Malformed> {
    // server_fn's own settings for `PostUrl`.
    let config = serde_qs::Config::new(5, false);
    let malformed = |field: &str, message: String, unknown_choice| {
        let mut errors = FieldErrors::default();
        errors.push(field, message);
        Malformed {
            errors,
            unknown_choice,
        }
    };
    let decoder = serde_qs::Deserializer::with_config(&config, body)
        .map_err(|e| malformed("body", format!("Not a form: {e}"), false))?;
    match serde_path_to_error::deserialize::<_, T>(decoder) {
        Ok(_) => Ok(()),
        Err(error) => {
            let message = error.inner().to_string();
            let path = error.path().to_string();
            // A missing field is reported at the level that misses it.
            let field = match message.strip_prefix("missing field `") {
                Some(rest) => rest.trim_end_matches('`').to_owned(),
                None if path == "." || path.is_empty() => "body".to_owned(),
                None => path,
            };
            let unknown_choice = message.starts_with("unknown variant");
            Err(malformed(&field, describe(&message), unknown_choice))
        }
    }
}

/// A person-readable reason from serde's wording.
fn describe(message: &str) -> String {
    if message.starts_with("missing field") {
        "This field is required.".to_owned()
    } else if let Some(rest) = message.strip_prefix("unknown variant ") {
        let expected = rest.split_once("expected ").map_or("", |(_, e)| e);
        format!("Must be {expected}.").replace('`', "")
    } else if message.contains("invalid digit") || message.contains("parse integer") {
        "Must be a whole number.".to_owned()
    } else if message.contains("provided string was not `true` or `false`")
        || message.contains("invalid type")
    {
        format!("Has the wrong type ({message}).")
    } else {
        format!("Cannot be read: {message}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(path: &str, body: &str) -> Result<(), (String, String, bool)> {
        check_for(path).expect("a check")(body.as_bytes()).map_err(|m| {
            let e = &m.errors.0[0];
            (e.field.clone(), e.message.clone(), m.unknown_choice)
        })
    }

    #[test]
    fn each_bad_argument_is_named() {
        let page = InboxPage::PATH;
        assert_eq!(field(page, "view=unread&limit=20"), Ok(()));
        assert_eq!(
            field(page, "view=unread").unwrap_err().0,
            "limit",
            "missing"
        );
        let (name, _, choice) = field(page, "view=nonsense&limit=20").unwrap_err();
        assert_eq!((name.as_str(), choice), ("view", true));
        let (name, message, choice) = field(page, "view=all&limit=20&before=x").unwrap_err();
        assert_eq!(
            (name.as_str(), message.as_str(), choice),
            ("before", "Must be a whole number.", false)
        );
        assert_eq!(
            field(SetRead::PATH, "id=abc&read=true").unwrap_err().0,
            "id"
        );
    }
}
