//! A ceiling on requests handled at once. Past it a request is refused at
//! once with 503 and `Retry-After`, a problem document as every API error
//! is (a proxy or client retries elsewhere or later) rather than queued: a queue only adds latency to every request
//! once the server cannot keep up. Live connections are not counted; they
//! are held for hours and have limits of their own.

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::response::{IntoResponse, Response};
use tower::BoxError;
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;

use crate::api::problem::Problem;
use tower::load_shed::LoadShedLayer;

/// Seconds a refused client is asked to wait.
const RETRY_AFTER: u64 = 1;

/// `router` handling at most `max` requests at once.
pub fn limit<S: Clone + Send + Sync + 'static>(router: Router<S>, max: usize) -> Router<S> {
    router.layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(|_: BoxError| async { busy() }))
            .layer(LoadShedLayer::new())
            // Global: axum layers each route on its own, and one semaphore
            // per route would be no ceiling at all.
            .layer(GlobalConcurrencyLimitLayer::new(max.max(1))),
    )
}

fn busy() -> Response {
    metrics::counter!("herald_requests_shed_total").increment(1);
    Problem::busy(RETRY_AFTER).into_response()
}
