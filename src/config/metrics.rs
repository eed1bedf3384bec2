//! `[metrics]`, `[metrics.prometheus]`, `[[metrics.signals]]` and `[analysis]`: where each
//! color's signals come from, what is measured, and how the live color is judged after a
//! switch.

use serde::{Deserialize, Serialize};

use super::validate::Problem;

/// Where signals come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Scrape every ready pod's metrics path through the probes' transport.
    #[default]
    Scrape,
    /// Ask a Prometheus server (PromQL templates).
    Prometheus,
    /// No signals.
    None,
}

/// `[metrics]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// Where signals come from.
    pub source: Source,
    /// Seconds between samples (each sample of the live color is judged).
    pub interval_secs: f64,
    /// Seconds one scrape (or query) may take.
    pub timeout_secs: f64,
    /// Scrape: the pods' metrics path.
    pub path: String,
    /// Scrape: pods scraped at once per color.
    pub concurrency: usize,
    /// Scrape: the request counter (labelled `code`).
    pub requests_metric: String,
    /// Scrape: the latency histogram (seconds).
    pub latency_metric: String,
    /// Samples kept per color (the sparkline and the explanation).
    pub history: usize,
    /// The Prometheus source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<PrometheusConfig>,
    /// Custom signals.
    pub signals: Vec<SignalConfig>,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            source: Source::Scrape,
            interval_secs: 5.0,
            timeout_secs: 2.0,
            path: "/metrics".into(),
            concurrency: 16,
            requests_metric: "http_requests_total".into(),
            latency_metric: "http_request_duration_seconds".into(),
            history: 120,
            prometheus: None,
            signals: Vec::new(),
        }
    }
}

/// The default PromQL templates (placeholders: `{namespace}`, `{selector}`, `{color}`,
/// `{window}`).
pub mod templates {
    /// 5xx share of requests.
    pub const ERROR_RATE: &str = "sum(rate(http_requests_total{namespace=\"{namespace}\",code=~\"5..\"}[{window}])) / sum(rate(http_requests_total{namespace=\"{namespace}\"}[{window}]))";
    /// p99 latency in seconds.
    pub const P99: &str = "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace=\"{namespace}\"}[{window}])))";
    /// Requests per second.
    pub const REQUEST_RATE: &str =
        "sum(rate(http_requests_total{namespace=\"{namespace}\"}[{window}]))";
}

/// `[metrics.prometheus]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PrometheusConfig {
    /// Base URL (`https://prometheus.example.com`).
    pub url: String,
    /// A file holding a bearer token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_token_file: Option<std::path::PathBuf>,
    /// A PEM file of the CA that signed the server's certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<std::path::PathBuf>,
    /// The `{window}` of the templates (`1m`, `30s`).
    #[serde(default = "default_window")]
    pub window: String,
    /// Minutes of history read with `query_range` at start.
    #[serde(default = "default_backfill")]
    pub backfill_minutes: f64,
    /// PromQL of the 5xx share (0–1).
    #[serde(default = "error_rate_template")]
    pub error_rate: String,
    /// PromQL of the p99 latency in seconds.
    #[serde(default = "p99_template")]
    pub p99: String,
    /// PromQL of the requests per second.
    #[serde(default = "request_rate_template")]
    pub request_rate: String,
}

fn default_window() -> String {
    "1m".into()
}
fn default_backfill() -> f64 {
    10.0
}
fn error_rate_template() -> String {
    templates::ERROR_RATE.into()
}
fn p99_template() -> String {
    templates::P99.into()
}
fn request_rate_template() -> String {
    templates::REQUEST_RATE.into()
}

impl PrometheusConfig {
    /// A server at `url` with the default templates.
    pub fn at(url: &str) -> PrometheusConfig {
        PrometheusConfig {
            url: url.into(),
            bearer_token_file: None,
            ca_file: None,
            window: default_window(),
            backfill_minutes: default_backfill(),
            error_rate: error_rate_template(),
            p99: p99_template(),
            request_rate: request_rate_template(),
        }
    }

    /// The `{window}` in seconds.
    pub fn window_secs(&self) -> Option<f64> {
        promql_duration(&self.window)
    }
}

/// When a signal's value is a breach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Above the threshold.
    #[default]
    Above,
    /// Below the threshold.
    Below,
}

/// `[[metrics.signals]]`: a custom signal.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SignalConfig {
    /// Short name shown on screen ("db pool").
    pub name: String,
    /// Scrape source: an expression over the scraped series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// Prometheus source: a PromQL template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Unit: "%" shows a 0–1 ratio as a percentage; anything else is written after the value.
    #[serde(default)]
    pub unit: String,
    /// The value at which it breaches (in the signal's own scale: 0.9 for 90 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// Whether above or below the threshold is the breach.
    #[serde(default)]
    pub direction: Direction,
}

/// `[analysis]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnalysisConfig {
    /// Minutes the live color is judged after a switch (absent: the monitoring window,
    /// `[release] monitor_minutes`, so the judgement and the kept-warm color end together).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_minutes: Option<f64>,
    /// A sample counts only with at least this many requests.
    pub min_requests: u64,
    /// Breaching samples allowed; one more exhausts the budget.
    pub failures_allowed: u32,
    /// Only consecutive breaching samples count (a healthy sample resets the count).
    pub consecutive: bool,
    /// The 5xx share that breaches, in percent.
    pub max_error_percent: f64,
    /// The p99 latency that breaches, in milliseconds (absent: shown, not judged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_p99_ms: Option<f64>,
    /// Roll back on its own when the budget is exhausted (this cockpit's switches only).
    pub auto_rollback: bool,
}

impl AnalysisConfig {
    /// The judgement window in minutes: its own, else the monitoring window's.
    pub fn window(&self, monitor_minutes: f64) -> f64 {
        self.window_minutes.unwrap_or(monitor_minutes)
    }
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        Self {
            window_minutes: None,
            min_requests: 200,
            failures_allowed: 2,
            consecutive: true,
            max_error_percent: 0.1,
            max_p99_ms: None,
            auto_rollback: false,
        }
    }
}

/// A color's pod selector (kubectl syntax) as PromQL label matchers:
/// `app=fittrack,tier in (a,b)` → `app="fittrack",tier=~"a|b"`.
pub fn promql_selector(selector: &str) -> String {
    use crate::metrics::promql::{label_name, quote};
    use kube::core::Expression as E;
    let Ok(sel) = super::labels::parse_selector(selector) else {
        return String::new();
    };
    let alternatives = |values: &std::collections::BTreeSet<String>| {
        let joined: Vec<String> = values.iter().map(|v| regex::escape(v)).collect();
        quote(&joined.join("|"))
    };
    sel.into_iter()
        .map(|e| match e {
            E::Equal(k, v) => format!("{}={}", label_name(&k), quote(&v)),
            E::NotEqual(k, v) => format!("{}!={}", label_name(&k), quote(&v)),
            E::In(k, vs) => format!("{}=~{}", label_name(&k), alternatives(&vs)),
            E::NotIn(k, vs) => format!("{}!~{}", label_name(&k), alternatives(&vs)),
            E::Exists(k) => format!("{}!=\"\"", label_name(&k)),
            E::DoesNotExist(k) => format!("{}=\"\"", label_name(&k)),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A PromQL duration (`30s`, `1m`, `1h30m`, `500ms`) in seconds.
pub fn promql_duration(text: &str) -> Option<f64> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let n: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit = ["ms", "s", "m", "h", "d", "w", "y"]
            .into_iter()
            .find(|u| rest.starts_with(u))?;
        rest = &rest[unit.len()..];
        total += n * match unit {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86_400.0,
            "w" => 604_800.0,
            _ => 31_536_000.0,
        };
    }
    (total > 0.0).then_some(total)
}

/// Problems of `[metrics]` and `[analysis]`.
pub fn problems(m: &MetricsConfig, a: &AnalysisConfig) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut add = |key: &str, message: String| {
        out.push(Problem {
            key: key.into(),
            message,
        })
    };
    for (key, secs) in [
        ("metrics.interval_secs", m.interval_secs),
        ("metrics.timeout_secs", m.timeout_secs),
    ] {
        if !(secs.is_finite() && (0.1..=3600.0).contains(&secs)) {
            add(
                key,
                format!("{secs} is not a number of seconds between 0.1 and 3600"),
            );
        }
    }
    if !m.path.starts_with('/') {
        add("metrics.path", format!("`{}` must start with '/'", m.path));
    }
    if m.concurrency == 0 {
        add("metrics.concurrency", "must be at least 1".into());
    }
    if m.history < 2 {
        add(
            "metrics.history",
            format!("must be at least 2 (got {})", m.history),
        );
    }
    match (&m.source, &m.prometheus) {
        (Source::Prometheus, None) => add(
            "metrics.source",
            "source = \"prometheus\" needs a [metrics.prometheus] table with its `url`".into(),
        ),
        (_, Some(p)) => {
            if let Err(e) = reqwest::Url::parse(&p.url)
                .map_err(|e| e.to_string())
                .and_then(|u| match u.scheme() {
                    "http" | "https" => Ok(()),
                    s => Err(format!("scheme {s} (http or https expected)")),
                })
            {
                add(
                    "metrics.prometheus.url",
                    format!("`{}` is not a usable URL: {e}", p.url),
                );
            }
            if p.window_secs().is_none() {
                add(
                    "metrics.prometheus.window",
                    format!(
                        "`{}` is not a PromQL duration like 30s, 1m or 2m30s",
                        p.window
                    ),
                );
            }
            if !(p.backfill_minutes.is_finite() && p.backfill_minutes >= 0.0) {
                add(
                    "metrics.prometheus.backfill_minutes",
                    "must be 0 or more".into(),
                );
            }
        }
        _ => {}
    }
    for (i, s) in m.signals.iter().enumerate() {
        let key = |field: &str| format!("metrics.signals[{i}].{field}");
        if s.name.trim().is_empty() || s.name.chars().count() > 16 {
            add(
                &key("name"),
                "a signal needs a name of 1 to 16 characters".into(),
            );
        }
        let (field, text) = match m.source {
            Source::Prometheus => ("query", &s.query),
            _ => ("expression", &s.expression),
        };
        match text {
            None if m.source != Source::None => add(
                &key(field),
                format!(
                    "signal `{}` has no `{field}`, which the {} source reads",
                    s.name,
                    if field == "query" {
                        "prometheus"
                    } else {
                        "scrape"
                    }
                ),
            ),
            Some(e) if field == "expression" => {
                if let Err(why) = crate::metrics::expr::compile(e) {
                    add(&key("expression"), format!("cannot read `{e}`: {why}"));
                }
            }
            _ => {}
        }
        if s.threshold.is_some_and(|t| !t.is_finite()) {
            add(&key("threshold"), "must be a finite number".into());
        }
    }
    if a.window_minutes
        .is_some_and(|w| !(w.is_finite() && w > 0.0 && w <= 1440.0))
    {
        add(
            "analysis.window_minutes",
            "must be between 0 and 1440 minutes".into(),
        );
    }
    if !(a.max_error_percent.is_finite()
        && a.max_error_percent > 0.0
        && a.max_error_percent <= 100.0)
    {
        add(
            "analysis.max_error_percent",
            "must be a percentage above 0, at most 100".into(),
        );
    }
    if a.max_p99_ms.is_some_and(|v| !(v.is_finite() && v > 0.0)) {
        add(
            "analysis.max_p99_ms",
            "must be a positive number of milliseconds".into(),
        );
    }
    if a.auto_rollback && m.source == Source::None {
        add(
            "analysis.auto_rollback",
            "automatic rollback needs signals: set [metrics] source".into(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_become_promql_matchers() {
        assert_eq!(
            promql_selector("app=fittrack,deployment!=blue,tier in (a,b.c),x,!y"),
            "app=\"fittrack\",deployment!=\"blue\",tier=~\"a|b\\\\.c\",x!=\"\",y=\"\""
        );
    }

    #[test]
    fn promql_durations() {
        assert_eq!(promql_duration("1m"), Some(60.0));
        assert_eq!(promql_duration("1h30m"), Some(5400.0));
        assert_eq!(promql_duration("500ms"), Some(0.5));
        assert_eq!(promql_duration("5"), None);
        assert_eq!(promql_duration("1x"), None);
        assert_eq!(promql_duration(""), None);
    }

    #[test]
    fn the_judgement_window_follows_the_monitoring_window_unless_set() {
        let a = AnalysisConfig::default();
        assert_eq!(a.window(30.0), 30.0);
        let own = AnalysisConfig {
            window_minutes: Some(10.0),
            ..AnalysisConfig::default()
        };
        assert_eq!(own.window(30.0), 10.0);
        let parsed: crate::config::schema::Config = toml::from_str(
            r#"
            [router]
            kind = "httproute"
            namespace = "fittrack"
            name = "fittrack"
            [colors.blue]
            namespace = "fittrack-blue"
            selector = "app=fittrack"
            route_value = "fittrack-blue"
            [colors.green]
            namespace = "fittrack-green"
            selector = "app=fittrack"
            route_value = "fittrack-green"
            [release]
            monitor_minutes = 30.0
            "#,
        )
        .expect("config");
        let signals = crate::app::signals::Signals::new(&parsed, false);
        assert_eq!(signals.analysis.window_minutes, Some(30.0));
    }
}
