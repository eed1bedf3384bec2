//! One sample of a color's signals: what the bus measured over one interval, whichever
//! source it came from.

use chrono::{DateTime, Utc};

/// How the source fared this interval.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Health {
    /// Targets answered (pods scraped, or queries answered).
    pub ok: u32,
    /// Targets asked.
    pub asked: u32,
    /// Why some or all failed (the first few reasons, sanitized).
    pub errors: Vec<String>,
    /// Counter resets seen (pod restarts), scrape source only.
    pub resets: u32,
}

impl Health {
    /// Nothing answered.
    pub fn down(&self) -> bool {
        self.asked > 0 && self.ok == 0 || self.asked == 0 && !self.errors.is_empty()
    }
}

/// One interval's signals of one color. `None` values are "no data", never zero.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    /// When it was taken.
    pub at: DateTime<Utc>,
    /// Seconds it covers.
    pub secs: f64,
    /// Requests served in the interval (the sample size).
    pub requests: Option<f64>,
    /// 5xx answers in the interval.
    pub errors: Option<f64>,
    /// 5xx share of the requests (0–1).
    pub error_rate: Option<f64>,
    /// p99 latency in milliseconds.
    pub p99_ms: Option<f64>,
    /// Requests per second.
    pub rps: Option<f64>,
    /// Custom signals, in `[[metrics.signals]]` order.
    pub custom: Vec<Option<f64>>,
    /// The source's health.
    pub health: Health,
}
