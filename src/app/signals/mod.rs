//! What the core knows about each color's signals: the recent samples with their verdicts,
//! what each signal measures (for the explanation), and the monitoring window that judges the
//! live color after a switch. Pure data and pure judgement; `update` drives it through
//! `app::analysis`.

pub mod judge;

pub use judge::{judge, Breach, Verdict};

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use crate::config::metrics::{AnalysisConfig, Direction, Source};
use crate::config::schema::Config;
use crate::metrics::promql::{expand, Vars};
use crate::metrics::Sample;
use crate::model::Color;

/// A signal as defined: what it is called, how it is measured, and when it breaches.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    /// "5xx", "p99", "rps", or a custom signal's name.
    pub name: String,
    /// "%" (a 0–1 ratio shown as a percentage), "ms", "rps", or free text.
    pub unit: String,
    /// The breaching value, in the signal's own scale.
    pub threshold: Option<f64>,
    /// Whether above or below is the breach.
    pub direction: Direction,
    /// The query or scrape expression of each color, blue first (for the explanation).
    pub how: [String; 2],
}

/// A sample and what the analysis made of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    /// What was measured.
    pub sample: Sample,
    /// Its verdict.
    pub verdict: Verdict,
}

/// One color's recent samples, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColorSignals {
    /// Recent samples (bounded by `[metrics] history`).
    pub samples: VecDeque<Judged>,
}

impl ColorSignals {
    /// The newest sample.
    pub fn last(&self) -> Option<&Judged> {
        self.samples.back()
    }
}

/// Why a monitoring window was opened, which decides whether it may roll back on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// This cockpit switched.
    OwnSwitch,
    /// `cutover watch` watches the live color.
    Watch,
    /// Someone else switched, or a rollback happened: judged and alarmed, never rolled back.
    Other,
}

/// The judgement of the live color after a switch.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// The switch id (or "watch").
    pub key: String,
    /// The color judged.
    pub color: Color,
    /// Why it was opened.
    pub opened_by: Opened,
    /// When it opened.
    pub opened: DateTime<Utc>,
    /// When it closes.
    pub until: DateTime<Utc>,
    /// It may roll back on its own.
    pub armed: bool,
    /// Samples that counted (enough requests).
    pub counted: u32,
    /// Breaching samples counted.
    pub failures: u32,
    /// Breaching samples in a row.
    pub streak: u32,
    /// Samples without data or with too few requests.
    pub not_counted: u32,
    /// The newest sample counted (a sample is never counted twice).
    pub last_at: Option<DateTime<Utc>>,
    /// The budget was exhausted: why, in the journal's words.
    pub exhausted: Option<String>,
    /// When it was exhausted.
    pub exhausted_at: Option<DateTime<Utc>>,
    /// The automatic rollback started: its switch id.
    pub rollback: Option<String>,
    /// Why it did not (or could not) roll back on its own.
    pub alarm: Option<String>,
}

impl Window {
    /// Still judging at `now`.
    pub fn open(&self, now: DateTime<Utc>) -> bool {
        now < self.until
    }
}

/// A `cutover watch` in progress.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Watch {
    /// When it ends healthy.
    pub until: DateTime<Utc>,
    /// Roll back when the budget is exhausted.
    pub auto_rollback: bool,
}

/// Every color's signals and the analysis of the live one.
#[derive(Debug, Clone, PartialEq)]
pub struct Signals {
    /// Where the samples come from.
    pub source: Source,
    /// Seconds between samples.
    pub interval_secs: f64,
    /// Samples kept per color.
    pub history: usize,
    /// The judgement's settings.
    pub analysis: AnalysisConfig,
    /// The error rate, p99, request rate, then the custom signals.
    pub definitions: Vec<Definition>,
    /// Blue then green.
    pub colors: [ColorSignals; 2],
    /// The current (or last) monitoring window.
    pub window: Option<Window>,
    /// The window before it (a rollback opens a new one; the old one still says why).
    pub previous: Option<Window>,
    /// The automatic rollback or breach alarm the header shows, until the next switch.
    pub banner: Option<String>,
    /// A `cutover watch` in progress.
    pub watch: Option<Watch>,
    /// This cockpit rolls back on its own (config, and not read-only).
    pub armed: bool,
}

/// Indexes of the built-in signals in [`Signals::definitions`].
pub const ERROR_RATE: usize = 0;
/// p99 latency.
pub const P99: usize = 1;
/// Requests per second.
pub const RPS: usize = 2;
/// The first custom signal.
pub const CUSTOM: usize = 3;

impl Signals {
    /// The signals a configuration defines; nothing measured yet.
    pub fn new(config: &Config, read_only: bool) -> Signals {
        let m = &config.metrics;
        let a = &config.analysis;
        let how = |scrape: String, promql: &dyn Fn() -> Option<String>| -> [String; 2] {
            Color::BOTH.map(|c| match m.source {
                Source::Scrape => format!("scrape {} of ready pods: {scrape}", m.path),
                Source::Prometheus => {
                    let (Some(p), Some(t)) = (&m.prometheus, promql()) else {
                        return "no query".into();
                    };
                    let cc = config.colors.of(c);
                    let vars = Vars {
                        namespace: cc.namespace.clone(),
                        selector: crate::config::metrics::promql_selector(&cc.selector),
                        color: c.name().into(),
                        window: p.window.clone(),
                    };
                    format!("{}: {}", p.url, expand(&t, &vars))
                }
                Source::None => "no metrics source".into(),
            })
        };
        let prom = m.prometheus.as_ref();
        let req = &m.requests_metric;
        let mut definitions = vec![
            Definition {
                name: "5xx".into(),
                unit: "%".into(),
                threshold: Some(a.max_error_percent / 100.0),
                direction: Direction::Above,
                how: how(
                    format!("increase({req}{{code=~\"5..\"}}) / increase({req})"),
                    &|| prom.map(|p| p.error_rate.clone()),
                ),
            },
            Definition {
                name: "p99".into(),
                unit: "ms".into(),
                threshold: a.max_p99_ms,
                direction: Direction::Above,
                how: how(
                    format!("99th percentile of {}_bucket increases", m.latency_metric),
                    &|| prom.map(|p| p.p99.clone()),
                ),
            },
            Definition {
                name: "rps".into(),
                unit: "rps".into(),
                threshold: None,
                direction: Direction::Above,
                how: how(format!("rate({req})"), &|| {
                    prom.map(|p| p.request_rate.clone())
                }),
            },
        ];
        for s in &m.signals {
            definitions.push(Definition {
                name: s.name.clone(),
                unit: s.unit.clone(),
                threshold: s.threshold,
                direction: s.direction,
                how: how(s.expression.clone().unwrap_or_default(), &|| {
                    s.query.clone()
                }),
            });
        }
        Signals {
            source: m.source,
            interval_secs: m.interval_secs,
            history: m.history.max(2),
            // The judgement window resolved once: its own, else the monitoring window.
            analysis: AnalysisConfig {
                window_minutes: Some(a.window(config.release.monitor_minutes)),
                ..a.clone()
            },
            definitions,
            colors: Default::default(),
            window: None,
            previous: None,
            banner: None,
            watch: None,
            armed: a.auto_rollback && !read_only && m.source != Source::None,
        }
    }

    /// One color's signals.
    pub fn color(&self, c: Color) -> &ColorSignals {
        &self.colors[c as usize]
    }

    /// The detection delay: how long a steady breach takes to exhaust the budget.
    pub fn detection_secs(&self) -> f64 {
        self.interval_secs * f64::from(self.analysis.failures_allowed + 1)
    }

    /// What a switch's confirmation says about the judgement after it: the detection delay
    /// (interval × (failures allowed + 1)), and whether it rolls back on its own.
    pub fn detection_line(&self) -> Option<String> {
        if self.source == Source::None {
            return Some("  signals: no metrics source — a bad version is not detected".into());
        }
        let a = &self.analysis;
        let then = if self.armed {
            "auto-rollback"
        } else {
            "alarm (auto-rollback off)"
        };
        Some(format!(
            "  judged {} min: 5xx > {:.2} % in {} {}samples of ≥ {} requests → {then}; detection delay {} s",
            a.window(0.0),
            a.max_error_percent,
            a.failures_allowed + 1,
            if a.consecutive { "consecutive " } else { "" },
            a.min_requests,
            self.detection_secs()
        ))
    }

    /// Keep a judged sample (bounded).
    pub fn push(&mut self, c: Color, judged: Judged) {
        let history = self.history;
        let samples = &mut self.colors[c as usize].samples;
        // Backfilled and live samples may arrive in any order: keep time order, one per instant.
        let at = judged.sample.at;
        match samples.iter().rposition(|j| j.sample.at <= at) {
            Some(i) if samples[i].sample.at == at => samples[i] = judged,
            Some(i) => samples.insert(i + 1, judged),
            None => samples.push_front(judged),
        }
        while samples.len() > history {
            samples.pop_front();
        }
    }

    /// The newest window about `c` (the current one, else the one before).
    pub fn window_of(&self, c: Color) -> Option<&Window> {
        [&self.window, &self.previous]
            .into_iter()
            .flatten()
            .find(|w| w.color == c)
    }

    /// The window judging `c` now, if one is open.
    pub fn open_window(&self, c: Color, now: DateTime<Utc>) -> Option<&Window> {
        self.window.as_ref().filter(|w| w.color == c && w.open(now))
    }

    /// What a sample's value of a signal is, by index into the definitions.
    pub fn value(&self, sample: &Sample, i: usize) -> Option<f64> {
        match i {
            ERROR_RATE => sample.error_rate,
            P99 => sample.p99_ms,
            RPS => sample.rps,
            n => sample.custom.get(n - CUSTOM).copied().flatten(),
        }
    }
}

#[cfg(test)]
mod tests;
