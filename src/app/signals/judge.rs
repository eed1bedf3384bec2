//! Verdicts: a sample against the thresholds (with its sample size), and a monitoring
//! window's budget of breaching samples.

use super::{Signals, Window};
use crate::config::metrics::Direction;
use crate::metrics::Sample;

/// One signal over its threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Breach {
    /// Index into the definitions.
    pub signal: usize,
    /// "5xx 2.31 % > 0.10 %".
    pub words: String,
    /// How far past: value ÷ threshold (above) or threshold ÷ value (below).
    pub factor: f64,
}

/// What a sample says about a color.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Nothing to judge: why (source down, no traffic, first scrape).
    NoData(String),
    /// Too few requests to count (at 50 req/s one 5xx in a 5 s sample is 0.4 %).
    TooSmall {
        /// Requests in the sample.
        requests: f64,
    },
    /// Every judged signal within its threshold.
    Healthy,
    /// At least one signal past its threshold.
    Breach(Vec<Breach>),
}

impl Verdict {
    /// The sample counts toward the budget.
    pub fn counts(&self) -> bool {
        matches!(self, Verdict::Healthy | Verdict::Breach(_))
    }
}

/// "2.31 %", "340 ms", "48 rps", "0.85 x".
pub fn show(value: f64, unit: &str) -> String {
    match unit {
        "%" => format!("{:.2} %", value * 100.0),
        "ms" if value >= 10.0 => format!("{value:.0} ms"),
        "ms" => format!("{value:.1} ms"),
        "rps" => format!("{value:.1} rps"),
        "" => format!("{value:.3}"),
        u => format!("{value:.2} {u}"),
    }
}

/// Judge a sample of a color against the signals' thresholds.
pub fn judge(signals: &Signals, sample: &Sample) -> Verdict {
    let Some(requests) = sample.requests else {
        let why = if sample.health.down() {
            match sample.health.errors.first() {
                Some(e) => format!("source down: {e}"),
                None => "source down".into(),
            }
        } else if sample.health.asked == 0 {
            "no ready pod to scrape".into()
        } else {
            "no request counter yet (first scrape is the baseline)".into()
        };
        return Verdict::NoData(why);
    };
    if requests < 1.0 {
        return Verdict::NoData("no requests".into());
    }
    if requests < signals.analysis.min_requests as f64 {
        return Verdict::TooSmall { requests };
    }
    let mut breaches = Vec::new();
    for (i, d) in signals.definitions.iter().enumerate() {
        let (Some(t), Some(v)) = (d.threshold, signals.value(sample, i)) else {
            continue;
        };
        let (over, sign, factor) = match d.direction {
            Direction::Above => (v > t, ">", if t > 0.0 { v / t } else { f64::INFINITY }),
            Direction::Below => (v < t, "<", if v > 0.0 { t / v } else { f64::INFINITY }),
        };
        if over {
            breaches.push(Breach {
                signal: i,
                words: format!(
                    "{} {} {sign} {}",
                    d.name,
                    show(v, &d.unit),
                    show(t, &d.unit)
                ),
                factor,
            });
        }
    }
    if breaches.is_empty() {
        Verdict::Healthy
    } else {
        Verdict::Breach(breaches)
    }
}

impl Window {
    /// Count a judged sample; returns true when this sample exhausted the budget.
    pub fn count(&mut self, signals: &Signals, sample: &Sample, verdict: &Verdict) -> bool {
        if self.last_at.is_some_and(|t| sample.at <= t) || self.exhausted.is_some() {
            return false;
        }
        self.last_at = Some(sample.at);
        let a = &signals.analysis;
        match verdict {
            Verdict::NoData(_) | Verdict::TooSmall { .. } => {
                self.not_counted += 1;
                return false;
            }
            Verdict::Healthy => {
                self.counted += 1;
                self.streak = 0;
                return false;
            }
            Verdict::Breach(_) => {
                self.counted += 1;
                self.failures += 1;
                self.streak += 1;
            }
        }
        let spent = if a.consecutive {
            self.streak
        } else {
            self.failures
        };
        if spent <= a.failures_allowed {
            return false;
        }
        let Verdict::Breach(b) = verdict else {
            return false;
        };
        let how = if a.consecutive {
            format!("{spent} consecutive samples")
        } else {
            format!("{spent} of {} samples", self.counted)
        };
        self.exhausted = Some(format!(
            "{} in {how} of ≥ {} requests",
            b[0].words, a.min_requests
        ));
        self.exhausted_at = Some(sample.at);
        true
    }

    /// Breaching samples still allowed before the budget is exhausted.
    pub fn budget_left(&self, signals: &Signals) -> u32 {
        let spent = if signals.analysis.consecutive {
            self.streak
        } else {
            self.failures
        };
        (signals.analysis.failures_allowed + 1).saturating_sub(spent)
    }
}
