//! The refusals many endpoints share, described once for the OpenAPI
//! document: who may call (an API key, or a user's connection token), how
//! often, what a JSON body must be, and what a bad parameter gets.

use utoipa::IntoResponses;

use super::problem::Problem;

/// Declares a set of problem responses, each `Variant = status,
/// "description"`; those after `@retry` also document Retry-After.
macro_rules! refusals {
    (
        $(#[$doc:meta])* $name:ident {
            $($variant:ident = $status:literal, $text:literal;)*
            $(@retry $($limited:ident = $lstatus:literal, $ltext:literal;)+)?
        }
    ) => {
        $(#[$doc])*
        #[derive(IntoResponses)]
        #[allow(dead_code)] // Describes responses; never built.
        pub enum $name {
            $(
                #[response(status = $status, description = $text, content_type = "application/problem+json")]
                $variant(Problem),
            )*
            $($(
                #[response(
                    status = $lstatus,
                    description = $ltext,
                    content_type = "application/problem+json",
                    headers(("Retry-After" = u64, description = "Seconds to wait"))
                )]
                $limited(Problem),
            )+)?
        }
    };
}

refusals!(
    /// Refusals of a call with an API key.
    KeyRefusals {
        Unauthorized = 401, "Missing, unknown or revoked API key";
        @retry RateLimited = 429, "Rate limit for this key; see Retry-After";
        Busy = 503, "More requests at once than Herald takes; see Retry-After";
    }
);

refusals!(
    /// Refusals of a call with a user's connection token.
    ViewerRefusals {
        Unauthorized = 401, "Missing, invalid or expired connection token, revoked key or deactivated user";
        @retry RateLimited = 429, "Rate limit for this user; see Retry-After";
        Busy = 503, "More requests at once than Herald takes; see Retry-After";
    }
);

refusals!(
    /// Refusals of a JSON body ([`super::body::JsonBody`]).
    BodyRefusals {
        Malformed = 400, "Malformed JSON";
        TooLarge = 413, "Body over 64 KiB";
        NotJson = 415, "Not JSON";
    }
);

refusals!(
    /// A refusal of query parameters or a path value: each field named.
    InvalidParams {
        Invalid = 422, "Invalid parameters, each named";
    }
);

refusals!(
    /// The user a request names does not exist.
    NoSuchUser {
        NotFound = 404, "No such user";
    }
);
