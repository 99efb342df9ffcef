//! The refusals many endpoints share, described once for the OpenAPI
//! document: who may call (an API key, or a user's connection token), how
//! often, and what a JSON body must be.

use utoipa::IntoResponses;

use super::problem::Problem;

/// Refusals of a call with an API key.
#[derive(IntoResponses)]
#[allow(dead_code)] // Describes responses; never built.
pub enum KeyRefusals {
    #[response(
        status = 401,
        description = "Missing, unknown or revoked API key",
        content_type = "application/problem+json"
    )]
    Unauthorized(Problem),
    #[response(
        status = 429,
        description = "Rate limit for this key; see Retry-After",
        content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait"))
    )]
    RateLimited(Problem),
}

/// Refusals of a call with a user's connection token.
#[derive(IntoResponses)]
#[allow(dead_code)] // Describes responses; never built.
pub enum ViewerRefusals {
    #[response(
        status = 401,
        description = "Missing, invalid or expired connection token, revoked key or deactivated user",
        content_type = "application/problem+json"
    )]
    Unauthorized(Problem),
    #[response(
        status = 429,
        description = "Rate limit for this user; see Retry-After",
        content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait"))
    )]
    RateLimited(Problem),
}

/// Refusals of a JSON body ([`super::body::JsonBody`]).
#[derive(IntoResponses)]
#[allow(dead_code)] // Describes responses; never built.
pub enum BodyRefusals {
    #[response(
        status = 400,
        description = "Malformed JSON",
        content_type = "application/problem+json"
    )]
    Malformed(Problem),
    #[response(
        status = 413,
        description = "Body over 64 KiB",
        content_type = "application/problem+json"
    )]
    TooLarge(Problem),
    #[response(
        status = 415,
        description = "Not JSON",
        content_type = "application/problem+json"
    )]
    NotJson(Problem),
}

/// A refusal of query parameters or a path value: each field named.
#[derive(IntoResponses)]
#[allow(dead_code)] // Describes responses; never built.
pub enum InvalidParams {
    #[response(
        status = 422,
        description = "Invalid parameters, each named",
        content_type = "application/problem+json"
    )]
    Invalid(Problem),
}

/// The user a request names does not exist.
#[derive(IntoResponses)]
#[allow(dead_code)] // Describes responses; never built.
pub enum NoSuchUser {
    #[response(
        status = 404,
        description = "No such user",
        content_type = "application/problem+json"
    )]
    NotFound(Problem),
}
