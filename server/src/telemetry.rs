//! Logging: `tracing` with a filter from `RUST_LOG`.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,herald=debug,server=debug,app=debug"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
}
