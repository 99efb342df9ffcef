//! Logging and metrics. Logging: `tracing` with a filter from `RUST_LOG`.
//! Metrics: the few things the core records, named here once, so the
//! notifier and the live connections report without knowing about
//! `/metrics` (`http::health` renders them).

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,herald=debug,server=debug,app=debug"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
}

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

/// A batch of `sends` the writer stored in one transaction, in `took`.
pub fn wrote_batch(sends: usize, took: Duration) {
    metrics::histogram!("herald_write_batch_sends").record(sends as f64);
    metrics::histogram!("herald_write_batch_seconds").record(took.as_secs_f64());
}

/// Every metric recorded so far, in Prometheus's text format.
pub fn render_metrics() -> String {
    recorder().render()
}
