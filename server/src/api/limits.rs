//! How fast the API may be called: requests per key (an API
//! key, or a user with a connection token) before a 429.

use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::problem::Problem;

/// Requests per key: a burst, then a steady rate per second.
pub type Limiter = Arc<DefaultKeyedRateLimiter<i64>>;

/// Counts a request by `key` against `limiter`; past the limit, a 429
/// saying how long to wait, naming `whom` it is for.
pub(super) fn check_limit(limiter: &Limiter, key: i64, whom: &str) -> Result<(), Problem> {
    limiter.check_key(&key).map_err(|not_until| {
        let wait = not_until.wait_time_from(limiter.clock().now());
        Problem::rate_limited(wait.as_secs().max(1), whom)
    })
}

pub fn limiter(per_second: u32, burst: u32) -> Limiter {
    let rate = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Arc::new(RateLimiter::keyed(
        Quota::per_second(rate).allow_burst(burst),
    ))
}
