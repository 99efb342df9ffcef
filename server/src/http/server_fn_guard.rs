//! Server functions' arguments are checked before the function runs
//! (`app::server_fn_checks`): a client's mistake is a 400 (422 for an unknown
//! choice) naming the field, in the error type the page understands, and
//! never the 500 (and ERROR log line) server_fn answers an undecodable
//! argument with. A plain HTML form gets it the way server_fn reports any
//! form error: redirected back, the error in the URL for the page to show.

use app::error::AppError;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::server_fn::error::ServerFnUrlError;

pub async fn check_server_fn_arguments(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let Some(check) = app::server_fn_checks::check_for(&path) else {
        return next.run(request).await;
    };
    let html_form = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let referer = request
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (parts, body) = request.into_parts();
    let (error, status) = match to_bytes(body, super::BODY_LIMIT).await {
        Ok(bytes) => match check(&bytes) {
            Ok(()) => {
                return next
                    .run(Request::from_parts(parts, Body::from(bytes)))
                    .await;
            }
            Err(bad) => {
                let status = if bad.unknown_choice {
                    StatusCode::UNPROCESSABLE_ENTITY
                } else {
                    StatusCode::BAD_REQUEST
                };
                (AppError::Malformed(bad.errors), status)
            }
        },
        Err(_) => (
            AppError::invalid("body", "The request is too large."),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    };
    tracing::debug!(path, %error, "malformed server function arguments");
    if html_form {
        // As server_fn does for a form's error: back where it came from.
        let back = referer.as_deref().unwrap_or("/");
        let to = ServerFnUrlError::new(path, error)
            .to_url(back)
            .map(|url| url.to_string())
            .unwrap_or_else(|_| "/".to_owned());
        let mut response = StatusCode::SEE_OTHER.into_response();
        if let Ok(location) = HeaderValue::from_str(&to) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        return response;
    }
    let body = serde_json::to_string(&error).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
