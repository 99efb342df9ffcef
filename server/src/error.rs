//! The HTTP layer's error: what a plain axum handler can fail with.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use thiserror::Error;

use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum Error {
    #[error("authentication required")]
    Unauthorized,
    #[error("this origin may not connect")]
    ForbiddenOrigin,
    #[error("forbidden")]
    Forbidden,
    #[error("too many open connections for this user")]
    TooManyConnections,
    /// The instance is shutting down: connect to another.
    #[error("this instance is shutting down; try again")]
    Draining,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("session store: {0}")]
    Session(#[from] tower_sessions::session::Error),
    /// A failure already logged where it happened.
    #[error("internal error")]
    Internal,
}

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::ForbiddenOrigin | Error::Forbidden => StatusCode::FORBIDDEN,
            Error::TooManyConnections => StatusCode::TOO_MANY_REQUESTS,
            Error::Draining => StatusCode::SERVICE_UNAVAILABLE,
            Error::Store(error) => error.refusal().status(),
            Error::Session(_) | Error::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        // A 503 (draining, busy) says so; anything else of ours is hidden.
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            // The detail is for the log only; the client learns nothing from it.
            tracing::error!(error = %self, "request failed");
            return (status, "internal server error").into_response();
        }
        let text = match &self {
            Error::Store(error) => error.refusal().to_string(),
            other => other.to_string(),
        };
        (status, text).into_response()
    }
}

/// What kind of failure a store error is (the notifier's too), whichever output it
/// reaches: the API's problems, plain handlers and server functions all
/// answer from this one classification, so a not-found or a conflict is
/// never a 500 on one route and a 404 on another.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum Refusal {
    /// Not found, or not the caller's: the two look the same.
    #[error("{0}")]
    NotFound(&'static str),
    /// A fine request that conflicts with the current state.
    #[error("{0}")]
    Conflict(&'static str),
    /// A named recipient does not exist.
    #[error("No user with id {0}.")]
    UnknownUser(herald::UserId),
    /// One field's value cannot be taken.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: &'static str,
    },
    /// Too busy right now (every database connection taken): retry soon.
    #[error("Herald is busy; try again in a moment.")]
    Unavailable,
    /// Our fault: logged where it is answered, never described.
    #[error("internal error")]
    Internal,
}

impl Refusal {
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::NotFound(_) => StatusCode::NOT_FOUND,
            Refusal::Conflict(_) => StatusCode::CONFLICT,
            Refusal::UnknownUser(_) | Refusal::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Refusal::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Refusal::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl StoreError {
    pub fn refusal(&self) -> Refusal {
        match self {
            StoreError::NotFound => Refusal::NotFound("No such notification."),
            StoreError::UnknownUser(id) => Refusal::UnknownUser(*id),
            StoreError::UsernameTaken(_) => Refusal::Invalid {
                field: "username",
                message: "That username is taken.",
            },
            StoreError::LastAdmin => Refusal::Conflict("Herald needs at least one active admin."),
            StoreError::IdempotencyKeyUsed => {
                Refusal::Conflict("This Idempotency-Key is already used.")
            }
            StoreError::Database(sqlx::Error::PoolTimedOut) => Refusal::Unavailable,
            StoreError::Open(_)
            | StoreError::Migrate(_)
            | StoreError::Corrupt(_)
            | StoreError::Database(_) => Refusal::Internal,
        }
    }
}

/// A refusal as server functions report it; `error` is logged if internal.
fn app_error(refusal: Refusal, error: &dyn std::fmt::Display) -> app::error::AppError {
    use app::error::AppError;
    match refusal {
        Refusal::NotFound(_) => AppError::NotFound,
        Refusal::Conflict(message) => AppError::Conflict(message.into()),
        // The console names its one recipient field in the singular.
        Refusal::UnknownUser(_) => AppError::invalid("recipient", "No such user."),
        Refusal::Invalid { field, message } => AppError::invalid(field, message),
        Refusal::Unavailable => {
            tracing::warn!(%error, "server function refused: busy");
            AppError::Busy
        }
        Refusal::Internal => app::backend::internal(error),
    }
}

impl From<StoreError> for app::error::AppError {
    fn from(error: StoreError) -> Self {
        app_error(error.refusal(), &error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::problem::Problem;

    /// One of each variant. The match makes a new variant fail to compile
    /// here until it is added to the list and so walked by the test below.
    fn every_store_error() -> Vec<StoreError> {
        let all = vec![
            StoreError::Open("x".into()),
            StoreError::Migrate(sqlx::migrate::MigrateError::VersionMissing(1)),
            StoreError::UnknownUser(7),
            StoreError::NotFound,
            StoreError::UsernameTaken("alice".into()),
            StoreError::LastAdmin,
            StoreError::IdempotencyKeyUsed,
            StoreError::Corrupt("x".into()),
            StoreError::Database(sqlx::Error::RowNotFound),
            StoreError::Database(sqlx::Error::PoolTimedOut),
        ];
        for error in &all {
            match error {
                StoreError::Open(_)
                | StoreError::Migrate(_)
                | StoreError::UnknownUser(_)
                | StoreError::NotFound
                | StoreError::UsernameTaken(_)
                | StoreError::LastAdmin
                | StoreError::IdempotencyKeyUsed
                | StoreError::Corrupt(_)
                | StoreError::Database(_) => {}
            }
        }
        all
    }

    fn expected(refusal: &Refusal) -> u16 {
        match refusal {
            Refusal::NotFound(_) => 404,
            Refusal::Conflict(_) => 409,
            Refusal::UnknownUser(_) | Refusal::Invalid { .. } => 422,
            Refusal::Unavailable => 503,
            Refusal::Internal => 500,
        }
    }

    #[test]
    fn every_error_is_answered_alike_by_every_output() {
        let caller_faults = [
            StoreError::NotFound,
            StoreError::LastAdmin,
            StoreError::IdempotencyKeyUsed,
            StoreError::UsernameTaken("alice".into()),
            StoreError::UnknownUser(7),
        ];
        for error in &caller_faults {
            assert_ne!(error.refusal(), Refusal::Internal, "{error:?}");
        }
        for error in every_store_error() {
            let want = expected(&error.refusal());
            let name = format!("{error:?}");
            let plain = Error::Store(error).status().as_u16();
            assert_eq!(plain, want, "plain handler, {name}");
        }
        for error in every_store_error() {
            let want = expected(&error.refusal());
            let name = format!("{error:?}");
            assert_eq!(Problem::from(error).status, want, "API, {name}");
        }
        for error in every_store_error() {
            let want = expected(&error.refusal());
            let name = format!("{error:?}");
            let app = app::error::AppError::from(error).status();
            assert_eq!(app, want, "server function, {name}");
        }
    }

    #[test]
    fn the_last_admin_and_a_missing_notification_are_never_500() {
        assert_eq!(Error::Store(StoreError::LastAdmin).status(), 409);
        assert_eq!(Problem::from(StoreError::LastAdmin).status, 409);
        assert_eq!(Problem::from(StoreError::NotFound).status, 404);
        assert_eq!(
            app::error::AppError::from(StoreError::NotFound).status(),
            404
        );
    }

    #[test]
    fn a_busy_database_is_a_503_to_retry_everywhere() {
        let busy = || StoreError::Database(sqlx::Error::PoolTimedOut);
        assert_eq!(Error::Store(busy()).status(), 503);
        let problem = Problem::from(busy());
        assert_eq!((problem.status, problem.retry_after), (503, Some(1)));
        let app = app::error::AppError::from(busy());
        assert_eq!((app.status(), app.retry_after()), (503, Some(1)));
    }
}
