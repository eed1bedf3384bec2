//! Per-instance request counters and their Prometheus text rendering.

use std::collections::BTreeMap;
use std::fmt::Write;

/// Upper bounds (seconds) of the request duration histogram buckets.
pub const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Size of the simulated database connection pool.
pub const DB_POOL_MAX: u32 = 20;

/// A cumulative histogram for one (method, path).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram {
    /// Count per bucket of `BUCKETS` (not cumulative; rendered cumulatively).
    pub buckets: [u64; BUCKETS.len()],
    /// Observations above the last bucket.
    pub overflow: u64,
    /// Sum of observed seconds.
    pub sum: f64,
    /// Number of observations.
    pub count: u64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        match BUCKETS.iter().position(|b| secs <= *b) {
            Some(i) => self.buckets[i] += 1,
            None => self.overflow += 1,
        }
        self.sum += secs;
        self.count += 1;
    }
}

/// Everything one app instance counts.
#[derive(Debug, Clone, Default)]
pub struct Counters {
    /// http_requests_total by (code, method, path).
    pub requests: BTreeMap<(u16, String, String), u64>,
    /// http_request_duration_seconds by (method, path).
    pub durations: BTreeMap<(String, String), Histogram>,
    /// cache_hits_total.
    pub cache_hits: u64,
    /// cache_misses_total.
    pub cache_misses: u64,
    /// db_pool_connections_active (a gauge following recent load).
    pub db_active: u32,
}

impl Counters {
    /// Count one served request.
    pub fn record(&mut self, code: u16, method: &str, path: &str, secs: f64) {
        *self
            .requests
            .entry((code, method.to_string(), path.to_string()))
            .or_default() += 1;
        self.durations
            .entry((method.to_string(), path.to_string()))
            .or_default()
            .observe(secs);
    }

    /// Total requests and 5xx answers.
    pub fn totals(&self) -> (u64, u64) {
        self.requests
            .iter()
            .fold((0, 0), |(all, errs), ((code, _, _), n)| {
                (all + n, if *code >= 500 { errs + n } else { errs })
            })
    }

    /// Prometheus text exposition (version 0.0.4) of these counters.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(2048);
        out.push_str("# HELP http_requests_total Total HTTP requests.\n");
        out.push_str("# TYPE http_requests_total counter\n");
        for ((code, method, path), n) in &self.requests {
            let _ = writeln!(
                out,
                "http_requests_total{{code=\"{code}\",method=\"{}\",path=\"{}\"}} {n}",
                escape(method),
                escape(path)
            );
        }
        out.push_str("# HELP http_request_duration_seconds HTTP request duration.\n");
        out.push_str("# TYPE http_request_duration_seconds histogram\n");
        for ((method, path), h) in &self.durations {
            let labels = format!("method=\"{}\",path=\"{}\"", escape(method), escape(path));
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(h.buckets.iter()) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_sum{{{labels}}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
        gauge(
            &mut out,
            "db_pool_connections_active",
            "Active DB connections.",
            self.db_active,
        );
        gauge(
            &mut out,
            "db_pool_connections_max",
            "DB pool size.",
            DB_POOL_MAX,
        );
        counter(&mut out, "cache_hits_total", "Cache hits.", self.cache_hits);
        counter(
            &mut out,
            "cache_misses_total",
            "Cache misses.",
            self.cache_misses,
        );
        out
    }
}

fn gauge(out: &mut String, name: &str, help: &str, v: u32) {
    let _ = write!(
        out,
        "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}\n"
    );
}

fn counter(out: &mut String, name: &str, help: &str, v: u64) {
    let _ = write!(
        out,
        "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}\n"
    );
}

/// Escape a label value per the exposition format.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_histogram() {
        let mut c = Counters::default();
        c.record(200, "GET", "/api/workouts", 0.004);
        c.record(200, "GET", "/api/workouts", 0.03);
        c.record(500, "GET", "/api/workouts", 20.0);
        c.cache_hits = 7;
        assert_eq!(c.totals(), (3, 1));
        let text = c.render();
        assert!(text.contains(
            "http_requests_total{code=\"200\",method=\"GET\",path=\"/api/workouts\"} 2\n"
        ));
        assert!(text.contains(
            "http_requests_total{code=\"500\",method=\"GET\",path=\"/api/workouts\"} 1\n"
        ));
        let l = "method=\"GET\",path=\"/api/workouts\"";
        assert!(text.contains(&format!("_bucket{{{l},le=\"0.005\"}} 1\n")));
        assert!(text.contains(&format!("_bucket{{{l},le=\"0.05\"}} 2\n")));
        assert!(text.contains(&format!("_bucket{{{l},le=\"10\"}} 2\n")));
        assert!(text.contains(&format!("_bucket{{{l},le=\"+Inf\"}} 3\n")));
        assert!(text.contains(&format!("_count{{{l}}} 3\n")));
        assert!(text.contains("cache_hits_total 7\n"));
        assert!(text.contains("db_pool_connections_max 20\n"));
    }

    #[test]
    fn escapes_label_values() {
        let mut c = Counters::default();
        c.record(404, "GET", "/a\"b\\", 0.001);
        assert!(c.render().contains("path=\"/a\\\"b\\\\\""));
    }
}
