//! The integration API under `/api/v1`, for applications that create
//! notifications (the way a Django `post_save` signal would), authenticated
//! by `Authorization: Bearer <api key>`. Errors are RFC 9457
//! `application/problem+json`.

mod keys;
mod notifications;
mod problem;

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

pub use keys::Caller;
pub use problem::Problem;

use crate::AppState;

/// The largest request body the API reads.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Requests per key: a burst, then a steady rate per second.
pub type Limiter = Arc<DefaultKeyedRateLimiter<i64>>;

pub fn limiter(per_second: u32, burst: u32) -> Limiter {
    let rate = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Arc::new(RateLimiter::keyed(
        Quota::per_second(rate).allow_burst(burst),
    ))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/notifications", post(notifications::create))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}
