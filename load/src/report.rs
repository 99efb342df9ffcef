//! The figures of one run, as JSON and as a Markdown table row.

use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub scenario: String,
    pub engine: String,
    pub connections: usize,
    pub users: usize,
    pub notifications: u64,
    pub deliveries_expected: u64,
    pub deliveries: u64,
    pub duplicates: u64,
    pub send_errors: u64,
    /// Create → receive, milliseconds.
    pub latency_ms: Percentiles,
    /// The API's answer to each create, milliseconds.
    pub api_ms: Percentiles,
    pub deliveries_per_second: f64,
    pub connect_seconds: f64,
    pub rss_before_connections_kib: u64,
    pub rss_connected_kib: u64,
    pub rss_after_kib: u64,
    pub kib_per_connection: f64,
    pub server_cpu_us_per_notification: f64,
    pub exactly_once: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl Percentiles {
    /// From microsecond samples.
    pub fn of(mut samples: Vec<u64>) -> Percentiles {
        if samples.is_empty() {
            return Percentiles::default();
        }
        samples.sort_unstable();
        let at = |q: f64| {
            let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
            samples[i] as f64 / 1000.0
        };
        Percentiles {
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            max: at(1.0),
        }
    }
}

impl Report {
    pub const HEADER: &'static str = "| scenario | engine | connections | notifications | delivered | p50 / p90 / p99 / max ms | deliveries/s | connect s | KiB per connection | server CPU µs per notification | exactly once |\n|---|---|---|---|---|---|---|---|---|---|---|";

    pub fn row(&self) -> String {
        let l = &self.latency_ms;
        format!(
            "| {} | {} | {} | {} | {} | {:.2} / {:.2} / {:.2} / {:.2} | {:.0} | {:.2} | {:.1} | {:.0} | {} |",
            self.scenario,
            self.engine,
            self.connections,
            self.notifications,
            self.deliveries,
            l.p50,
            l.p90,
            l.p99,
            l.max,
            self.deliveries_per_second,
            self.connect_seconds,
            self.kib_per_connection,
            self.server_cpu_us_per_notification,
            if self.exactly_once { "yes" } else { "**no**" },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let p = Percentiles::of((1..=100).map(|n| n * 1000).collect());
        assert_eq!((p.p50, p.p90, p.p99, p.max), (50.0, 90.0, 99.0, 100.0));
        assert_eq!(Percentiles::of(Vec::new()).max, 0.0);
    }
}
