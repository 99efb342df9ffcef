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
            Error::Store(StoreError::NotFound) => StatusCode::NOT_FOUND,
            Error::Store(_) | Error::Session(_) | Error::Internal => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() && !matches!(self, Error::Draining) {
            // The detail is for the log only; the client learns nothing from it.
            tracing::error!(error = %self, "request failed");
            return (status, "internal server error").into_response();
        }
        (status, self.to_string()).into_response()
    }
}

/// The notifier's refusals, as server functions report them.
impl From<crate::notifier::NotifyError> for app::error::AppError {
    fn from(error: crate::notifier::NotifyError) -> Self {
        use crate::notifier::NotifyError;
        match error {
            NotifyError::UnknownUser(_) => {
                app::error::AppError::invalid("recipient", "No such user.")
            }
            NotifyError::NotFound => app::error::AppError::NotFound,
            NotifyError::IdempotencyKeyUsed => {
                app::error::AppError::Conflict("This Idempotency-Key is already used.".into())
            }
            NotifyError::Store(other) => app::backend::internal(other),
        }
    }
}

/// Store failures reach server functions as the app's opaque `Internal`,
/// except those that are the caller's fault.
impl From<StoreError> for app::error::AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::UnknownUser(_) => {
                app::error::AppError::invalid("recipient", "No such user.")
            }
            StoreError::NotFound => app::error::AppError::NotFound,
            StoreError::LastAdmin => {
                app::error::AppError::Conflict("Herald needs at least one active admin.".into())
            }
            StoreError::IdempotencyKeyUsed => {
                app::error::AppError::Conflict("This Idempotency-Key is already used.".into())
            }
            other => app::backend::internal(other),
        }
    }
}
