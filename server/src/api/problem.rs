//! RFC 9457 problem details: the API's one error type.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use herald::FieldErrors;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::Refusal;

/// An API error, answered as `application/problem+json` (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Each invalid field by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<InvalidField>)]
    pub errors: Vec<herald::FieldError>,
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

/// One invalid field and what is wrong with it.
#[derive(ToSchema)]
#[allow(dead_code)] // Describes herald::FieldError in the OpenAPI document.
pub struct InvalidField {
    field: String,
    message: String,
}

impl Problem {
    fn new(status: StatusCode, title: &'static str) -> Problem {
        Problem {
            kind: "about:blank",
            title,
            status: status.as_u16(),
            detail: None,
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn unauthorized() -> Problem {
        Problem {
            detail: Some("Send a valid API key as `Authorization: Bearer <key>`.".into()),
            ..Problem::new(StatusCode::UNAUTHORIZED, "Unauthorized")
        }
    }

    pub fn token_refused() -> Problem {
        Problem {
            detail: Some(
                "Send a valid, unexpired connection token as `Authorization: Bearer <token>`."
                    .into(),
            ),
            ..Problem::new(StatusCode::UNAUTHORIZED, "Unauthorized")
        }
    }

    pub fn invalid(errors: FieldErrors) -> Problem {
        Problem {
            errors: errors.0,
            ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Invalid request")
        }
    }

    pub fn bad_request(detail: String) -> Problem {
        Problem {
            detail: Some(detail),
            ..Problem::new(StatusCode::BAD_REQUEST, "Bad request")
        }
    }

    pub fn too_large() -> Problem {
        Problem {
            detail: Some(format!(
                "Request bodies are limited to {} bytes.",
                crate::http::BODY_LIMIT
            )),
            ..Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "Request too large")
        }
    }

    /// Past the rate limit of `whom` ("this API key", "this user").
    pub fn rate_limited(retry_after: u64, whom: &str) -> Problem {
        Problem {
            detail: Some(format!("Too many requests for {whom}; retry later.")),
            retry_after: Some(retry_after),
            ..Problem::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests")
        }
    }

    /// More requests at once than the server takes (`http::overload`).
    pub fn busy(retry_after: u64) -> Problem {
        Problem {
            detail: Some("Herald is busy; retry in a moment.".into()),
            retry_after: Some(retry_after),
            ..Problem::new(StatusCode::SERVICE_UNAVAILABLE, "Service unavailable")
        }
    }

    pub fn not_found() -> Problem {
        Problem::from(crate::store::StoreError::NotFound)
    }

    pub fn no_such_user() -> Problem {
        Problem {
            detail: Some("No such user.".into()),
            ..Problem::new(StatusCode::NOT_FOUND, "Not found")
        }
    }

    pub fn conflict(detail: &str) -> Problem {
        Problem {
            detail: Some(detail.into()),
            ..Problem::new(StatusCode::CONFLICT, "Conflict")
        }
    }

    pub fn unsupported_media_type() -> Problem {
        Problem {
            detail: Some("Send JSON with `Content-Type: application/json`.".into()),
            ..Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unsupported media type")
        }
    }

    /// A failure on our side: logged here, never described to the caller.
    pub fn internal(error: impl std::fmt::Display) -> Problem {
        tracing::error!(%error, "API request failed");
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl Problem {
    /// A refusal as the API reports it; `error` is logged if internal.
    fn refused(refusal: Refusal, error: &dyn std::fmt::Display) -> Problem {
        let status = refusal.status();
        match refusal {
            Refusal::NotFound(detail) => Problem {
                detail: Some(detail.into()),
                ..Problem::new(status, "Not found")
            },
            Refusal::Conflict(detail) => Problem::conflict(detail),
            Refusal::UnknownUser(_) => {
                let mut errors = FieldErrors::default();
                errors.push("recipients", refusal.to_string());
                Problem::invalid(errors)
            }
            Refusal::Invalid { field, message } => {
                let mut errors = FieldErrors::default();
                errors.push(field, message);
                Problem::invalid(errors)
            }
            Refusal::Unavailable => {
                tracing::warn!(%error, "API request refused: busy");
                Problem {
                    detail: Some(refusal.to_string()),
                    retry_after: Some(1),
                    ..Problem::new(status, "Service unavailable")
                }
            }
            Refusal::Internal => Problem::internal(error),
        }
    }
}

impl From<crate::store::StoreError> for Problem {
    fn from(error: crate::store::StoreError) -> Problem {
        Problem::refused(error.refusal(), &error)
    }
}
