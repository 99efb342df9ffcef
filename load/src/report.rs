//! The figures of one run, as JSON and as a Markdown table row.

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Serialize, Deserialize)]
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
    /// How many load processes held the sockets.
    pub processes: usize,
    /// How many Herald instances served (one database).
    pub instances: usize,
    /// burst: the highest step rate that was clean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highest_clean_rate: Option<u64>,
    /// reconnect-storm: from all resuming at once to the last caught up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catch_up_seconds: Option<f64>,
    /// burst: each step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
}

/// One step of a burst.
#[derive(Debug, Serialize, Deserialize)]
pub struct Step {
    /// Notifications per second asked for.
    pub rate: u64,
    pub notifications: u64,
    pub send_errors: u64,
    pub latency_ms: Percentiles,
    pub api_ms: Percentiles,
    pub server_cpu_us_per_notification: f64,
    /// Sends per second achieved, until the step's deliveries landed.
    pub achieved_per_second: f64,
    pub clean: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
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
    pub const HEADER: &'static str = "| scenario | engine | connections | notifications | delivered | p50 / p90 / p99 / max ms | deliveries/s | connect s | KiB per connection | server CPU µs per notification | exactly once | also |\n|---|---|---|---|---|---|---|---|---|---|---|---|";

    /// What only some scenarios measure.
    fn also(&self) -> String {
        let mut also = Vec::new();
        if let Some(rate) = self.highest_clean_rate {
            also.push(format!("highest clean rate {rate}/s"));
        } else if !self.steps.is_empty() {
            also.push("no clean step".to_owned());
        }
        if self.processes > 1 {
            also.push(format!("sockets held by {} processes", self.processes));
        }
        if self.instances > 1 {
            also.push(format!("{} Herald instances, one database", self.instances));
        }
        if let Some(seconds) = self.catch_up_seconds {
            also.push(format!("all resumed and caught up in {seconds:.2} s"));
        }
        also.join("; ")
    }

    /// A burst's steps as a Markdown table.
    pub fn steps_table(&self) -> String {
        let mut table = String::from(
            "| rate /s | achieved /s | p50 / p90 / p99 / max ms | API p50 / p99 ms | server CPU µs per notification | errors | clean |\n|---|---|---|---|---|---|---|",
        );
        for s in &self.steps {
            let l = &s.latency_ms;
            table.push_str(&format!(
                "\n| {} | {:.0} | {:.2} / {:.2} / {:.2} / {:.2} | {:.2} / {:.2} | {:.0} | {} | {} |",
                s.rate,
                s.achieved_per_second,
                l.p50,
                l.p90,
                l.p99,
                l.max,
                s.api_ms.p50,
                s.api_ms.p99,
                s.server_cpu_us_per_notification,
                s.send_errors,
                if s.clean { "yes" } else { "no" },
            ));
        }
        table
    }

    pub fn row(&self) -> String {
        let l = &self.latency_ms;
        format!(
            "| {} | {} | {} | {} | {} | {:.2} / {:.2} / {:.2} / {:.2} | {:.0} | {:.2} | {:.1} | {:.0} | {} | {} |",
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
            self.also(),
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
