//! Signals math, free of I/O: the Prometheus text-format parser, counter deltas across
//! pods and restarts, histogram quantiles, expressions over scraped series, and the
//! reduction of one scrape round to a color's [`Sample`]. The bus scrapes and calls this;
//! tests and benches call it directly.

pub mod expr;
pub mod parse;
pub mod promql;
pub mod quantile;
pub mod rates;
pub mod sample;

pub use sample::{Health, Sample};

use rates::Round;

/// What a scrape round is reduced to: the built-in signals' metric names and the custom
/// signals' compiled expressions.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The request counter, labelled with `code` (`http_requests_total`).
    pub requests: String,
    /// The latency histogram's family name, in seconds (`http_request_duration_seconds`).
    pub latency: String,
    /// Custom signals, in configuration order (None: the signal has no scrape expression).
    pub custom: Vec<Option<expr::Expr>>,
}

impl Spec {
    /// The FitTrack metrics with no custom signal.
    pub fn standard() -> Spec {
        Spec {
            requests: "http_requests_total".into(),
            latency: "http_request_duration_seconds".into(),
            custom: Vec::new(),
        }
    }
}

/// The signals of one round. `at` and `health` are the caller's.
pub fn reduce(
    round: &Round,
    spec: &Spec,
    at: chrono::DateTime<chrono::Utc>,
    health: Health,
) -> Sample {
    let counted = |s: &&rates::Series| s.pods_with_delta > 0;
    let requests: Vec<_> = round.of(&spec.requests).filter(counted).collect();
    let known = !requests.is_empty();
    // Folded from +0.0: f64's `sum` of nothing is -0.0, which reads as "-0.00 %" and
    // serializes as -0.0.
    let add = |a: f64, b: f64| a + b;
    let total = requests.iter().map(|s| s.delta).fold(0.0, add);
    let errors = requests
        .iter()
        .filter(|s| s.label("code").is_some_and(|c| c.starts_with('5')))
        .map(|s| s.delta)
        .fold(0.0, add);
    let rps = requests.iter().map(|s| s.rate).fold(0.0, add);
    let bucket = format!("{}_bucket", spec.latency);
    let mut by_le: Vec<(f64, f64)> = Vec::new();
    for s in round.of(&bucket).filter(counted) {
        let Some(le) = s.label("le").and_then(|l| l.parse::<f64>().ok()) else {
            continue;
        };
        match by_le.iter_mut().find(|(b, _)| *b == le) {
            Some((_, n)) => *n += s.delta,
            None => by_le.push((le, s.delta)),
        }
    }
    Sample {
        at,
        secs: round.covers_secs,
        requests: known.then_some(total),
        errors: known.then_some(errors),
        error_rate: (known && total > 0.0).then(|| errors / total),
        p99_ms: quantile::quantile(0.99, &by_le).map(|s| s * 1000.0),
        rps: known.then_some(rps),
        custom: spec
            .custom
            .iter()
            .map(|e| e.as_ref().and_then(|e| e.eval(round)))
            .collect(),
        health: Health {
            resets: round.resets,
            ..health
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};

    fn body(ok: u64, err: u64, fast: u64) -> parse::Exposition {
        let slow = ok + err - fast;
        parse::parse(&format!(
            "# TYPE http_requests_total counter\n\
             http_requests_total{{code=\"200\",method=\"GET\",path=\"/a\"}} {ok}\n\
             http_requests_total{{code=\"503\",method=\"GET\",path=\"/a\"}} {err}\n\
             # TYPE http_request_duration_seconds histogram\n\
             http_request_duration_seconds_bucket{{le=\"0.1\"}} {fast}\n\
             http_request_duration_seconds_bucket{{le=\"1\"}} {}\n\
             http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n",
            fast + slow,
            fast + slow
        ))
        .unwrap()
    }

    #[test]
    fn error_rate_p99_and_rps_of_a_round() {
        let t0 = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let mut tr = rates::Tracker::new();
        tr.observe("a", t0, &body(0, 0, 0));
        let first = reduce(&tr.finish(["a"]), &Spec::standard(), t0, Health::default());
        assert_eq!(
            (first.requests, first.error_rate),
            (None, None),
            "a baseline"
        );
        tr.observe("a", t0 + Duration::seconds(5), &body(990, 10, 900));
        let s = reduce(
            &tr.finish(["a"]),
            &Spec::standard(),
            t0 + Duration::seconds(5),
            Health::default(),
        );
        assert_eq!(s.requests, Some(1000.0));
        assert_eq!(s.errors, Some(10.0));
        assert_eq!(s.error_rate, Some(0.01));
        assert_eq!(s.rps, Some(200.0));
        // rank 990 of 1000: 90 of the 100 between 0.1 s and 1 s.
        assert!((s.p99_ms.unwrap() - 910.0).abs() < 1e-9, "{:?}", s.p99_ms);
        assert_eq!(s.secs, 5.0);
    }

    #[test]
    fn no_requests_is_zero_requests_not_zero_errors() {
        let t0 = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let mut tr = rates::Tracker::new();
        tr.observe("a", t0, &body(5, 0, 5));
        tr.finish(["a"]);
        tr.observe("a", t0 + Duration::seconds(5), &body(5, 0, 5));
        let s = reduce(&tr.finish(["a"]), &Spec::standard(), t0, Health::default());
        assert_eq!(s.requests, Some(0.0));
        assert_eq!(s.error_rate, None);
        assert_eq!(s.p99_ms, None);
    }

    #[test]
    fn no_5xx_series_is_zero_errors_without_a_sign() {
        let t0 = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let ok_only = |n: u64| {
            parse::parse(&format!(
                "# TYPE http_requests_total counter\n\
                 http_requests_total{{code=\"200\",method=\"GET\",path=\"/a\"}} {n}\n"
            ))
            .unwrap()
        };
        let mut tr = rates::Tracker::new();
        tr.observe("a", t0, &ok_only(5));
        tr.finish(["a"]);
        tr.observe("a", t0 + Duration::seconds(5), &ok_only(105));
        let s = reduce(&tr.finish(["a"]), &Spec::standard(), t0, Health::default());
        let errors = s.errors.unwrap();
        assert!(errors == 0.0 && errors.is_sign_positive(), "{errors:?}");
        assert!(s.error_rate.unwrap().is_sign_positive());
    }
}
