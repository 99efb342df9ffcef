//! The one error type of server functions, shared by server and browser.

use herald::FieldErrors;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::i18n::{Locale, t};

/// What a server function can fail with. Internal failures reach the client
/// only as `Internal`: their detail is logged on the server, never sent.
#[derive(Clone, Debug, Error, PartialEq, Serialize, Deserialize)]
pub enum AppError {
    #[error("Please log in.")]
    Unauthorized,
    #[error("Wrong username or password.")]
    BadCredentials,
    #[error("You are not allowed to do that.")]
    Forbidden,
    #[error("Not found.")]
    NotFound,
    #[error("{0}")]
    Invalid(FieldErrors),
    /// Arguments that could not be decoded (missing, or of the wrong type),
    /// each named.
    #[error("{0}")]
    Malformed(FieldErrors),
    #[error("Bad request: {0}")]
    BadRequest(String),
    /// The request is fine but conflicts with the current state (such as
    /// deactivating the last admin).
    #[error("{0}")]
    Conflict(String),
    /// Too many failed attempts: try again in this many seconds.
    #[error("Too many attempts. Try again in {0} s.")]
    RateLimited(u64),
    /// Herald is too busy to take this now: try again in a moment.
    #[error("Herald is busy. Please try again in a moment.")]
    Busy,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request never got a proper answer (network down, server restarting).
    #[error("Could not reach Herald: {0}")]
    Unreachable(String),
}

impl AppError {
    /// An invalid-input error on one field.
    pub fn invalid(field: &str, message: &str) -> AppError {
        let mut errors = FieldErrors::default();
        errors.push(field, message);
        AppError::Invalid(errors)
    }

    /// The message for `field` if this is a validation error about it.
    pub fn field(&self, field: &str) -> Option<String> {
        match self {
            AppError::Invalid(errors) | AppError::Malformed(errors) => {
                errors.get(field).map(str::to_owned)
            }
            _ => None,
        }
    }

    /// Seconds the client should wait before trying again, if it should.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::RateLimited(seconds) => Some(*seconds),
            AppError::Busy => Some(1),
            _ => None,
        }
    }

    /// What to tell the user, in `locale`. The `#[error]` texts stay English
    /// (logs and the API use them); these are their translations. Text an
    /// error carries (field messages, conflicts, transport detail) is shown
    /// as it came, after a translated prefix where there is one. In English
    /// this is exactly `to_string()` (`tests::english_messages_are_the_error_texts`).
    pub fn message(&self, locale: Locale) -> String {
        let l = locale;
        match self {
            AppError::Unauthorized => t!(l, "error-unauthorized"),
            AppError::BadCredentials => t!(l, "error-bad-credentials"),
            AppError::Forbidden => t!(l, "error-forbidden"),
            AppError::NotFound => t!(l, "error-not-found"),
            AppError::Invalid(errors) | AppError::Malformed(errors) => {
                t!(l, "error-invalid-input", details = errors.details())
            }
            AppError::BadRequest(detail) => t!(l, "error-bad-request", detail = detail.clone()),
            AppError::Conflict(detail) => detail.clone(),
            AppError::RateLimited(seconds) => t!(l, "error-rate-limited", seconds = *seconds),
            AppError::Busy => t!(l, "error-busy"),
            AppError::Internal => t!(l, "error-internal"),
            AppError::Unreachable(detail) => t!(l, "error-unreachable", detail = detail.clone()),
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthorized | AppError::BadCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Invalid(_) => 422,
            AppError::BadRequest(_) | AppError::Malformed(_) => 400,
            AppError::Conflict(_) => 409,
            AppError::RateLimited(_) => 429,
            AppError::Internal => 500,
            AppError::Busy | AppError::Unreachable(_) => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = crate::codec::JsonText;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => AppError::BadRequest(m),
            ServerFnErrorErr::Request(m) | ServerFnErrorErr::Deserialization(m) => {
                AppError::Unreachable(m)
            }
            _ => AppError::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_carry_no_detail() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::ServerError(
            "password=hunter2 in query".into(),
        ));
        assert_eq!(e, AppError::Internal);
        assert!(!e.to_string().contains("hunter2"));
        assert_eq!(e.status(), 500);
    }

    #[test]
    fn validation_errors_name_their_field() {
        let e = AppError::invalid("title", "Title is required.");
        assert_eq!(e.field("title").as_deref(), Some("Title is required."));
        assert_eq!(e.field("body"), None);
        assert_eq!(e.status(), 422);
    }

    fn every_kind() -> Vec<AppError> {
        let mut two = FieldErrors::default();
        two.push("title", "Title is required.");
        two.push("link", "Links start with https://.");
        vec![
            AppError::Unauthorized,
            AppError::BadCredentials,
            AppError::Forbidden,
            AppError::NotFound,
            AppError::invalid("title", "Title is required."),
            AppError::Invalid(two.clone()),
            AppError::Invalid(FieldErrors::default()),
            AppError::Malformed(two),
            AppError::BadRequest("missing argument `page`".into()),
            AppError::Conflict("That is the last admin.".into()),
            AppError::RateLimited(1),
            AppError::RateLimited(3600),
            AppError::Busy,
            AppError::Internal,
            AppError::Unreachable("NetworkError when attempting to fetch resource.".into()),
        ]
    }

    #[test]
    fn english_messages_are_the_error_texts() {
        for e in every_kind() {
            assert_eq!(e.message(Locale::En), e.to_string(), "{e:?}");
        }
    }

    #[test]
    fn german_messages_are_translated_and_keep_their_detail() {
        assert_eq!(
            AppError::BadCredentials.message(Locale::De),
            "Falscher Benutzername oder falsches Passwort."
        );
        assert_eq!(
            AppError::RateLimited(30).message(Locale::De),
            "Zu viele Versuche. Versuchen Sie es in 30 s erneut."
        );
        assert_eq!(
            AppError::Unreachable("offline".into()).message(Locale::De),
            "Herald ist nicht erreichbar: offline"
        );
        for e in every_kind() {
            let german = e.message(Locale::De);
            assert!(!german.contains("error-"), "{e:?}: {german}");
        }
    }
}
