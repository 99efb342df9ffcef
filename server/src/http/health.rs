//! What operators and load balancers ask of an instance: `/healthz` (the
//! process answers), `/readyz` (it can serve: database reachable, listener
//! up, not draining) and Prometheus `/metrics`.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Serialize;

use crate::state::AppState;

pub async fn healthz() -> &'static str {
    "ok"
}

#[derive(Serialize)]
pub struct Readiness {
    pub ready: bool,
    pub instance: String,
    pub database: bool,
    pub listener: bool,
    pub draining: bool,
}

pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let database = matches!(
        tokio::time::timeout(Duration::from_secs(2), state.store.ping()).await,
        Ok(Ok(()))
    );
    let listener = state.broker.is_listening();
    let draining = state.draining.is_cancelled();
    let ready = database && listener && !draining;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let readiness = Readiness {
        ready,
        instance: state.instance.to_string(),
        database,
        listener,
        draining,
    };
    (status, Json(readiness))
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    metrics::gauge!("herald_database_connections_in_use")
        .set(f64::from(state.store.connections_in_use()));
    metrics::gauge!("herald_listener_up").set(if state.broker.is_listening() {
        1.0
    } else {
        0.0
    });
    (
        [("content-type", "text/plain; version=0.0.4")],
        crate::telemetry::render_metrics(),
    )
}
