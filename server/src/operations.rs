//! What operators and load balancers ask of an instance: `/healthz` (the
//! process answers), `/readyz` (it can serve: database reachable, listener
//! up, not draining) and Prometheus `/metrics`.

use std::sync::OnceLock;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use serde::Serialize;

use crate::AppState;

/// The process-wide metrics recorder, installed on first use.
fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let lag = [
            0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
            1.0,
        ];
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full("herald_delivery_lag_seconds".into()), &lag)
            .expect("bucket bounds are not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder (a test harness's, say) keeps its place.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Installs the recorder, so metrics recorded from now on are kept, and
/// shows every counter from the start (at zero).
pub fn init_metrics() {
    recorder();
    metrics::counter!("herald_notifications_created_total").increment(0);
    metrics::counter!("herald_events_delivered_total").increment(0);
    metrics::counter!("herald_listener_reconnects_total").increment(0);
}

/// One live connection, counted in `herald_connections` while it lives.
pub struct OpenConnection(&'static str);

impl OpenConnection {
    pub fn new(transport: &'static str) -> OpenConnection {
        metrics::gauge!("herald_connections", "transport" => transport).increment(1.0);
        OpenConnection(transport)
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        metrics::gauge!("herald_connections", "transport" => self.0).decrement(1.0);
    }
}

/// An event written to a live connection `lag` after it reached the hub.
pub fn delivered(lag: Duration) {
    metrics::counter!("herald_events_delivered_total").increment(1);
    metrics::histogram!("herald_delivery_lag_seconds").record(lag.as_secs_f64());
}

/// Notifications stored.
pub fn created(count: usize) {
    metrics::counter!("herald_notifications_created_total").increment(count as u64);
}

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
        recorder().render(),
    )
}
