//! Counter deltas per pod, summed across pods: what happened in one scrape round.
//!
//! Each pod's previous scrape is kept; a counter that went down restarted (the pod or its
//! process restarted), so its delta is its new value. A pod seen for the first time is a
//! baseline (its lifetime is not this interval); a pod that disappears is dropped; a pod
//! whose scrape failed keeps its last snapshot, and its next scrape covers the longer gap
//! (its per-second rate divides by the time it really covers).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::parse::{Exposition, Kind};

/// One series summed over the pods of a round.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// Metric name.
    pub name: String,
    /// Labels (sorted by name).
    pub labels: Vec<(String, String)>,
    /// Sum of the counter increases over the interval, across pods with a previous scrape.
    pub delta: f64,
    /// Sum of per-pod increases per second.
    pub rate: f64,
    /// Sum of the current values (for gauges).
    pub value: f64,
    /// Pods that had this series with a previous scrape (so a delta).
    pub pods_with_delta: u32,
}

impl Series {
    /// The value of label `name`.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What one round of scrapes added up to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Round {
    /// Series by canonical key (`name{a="1",b="2"}`).
    pub series: HashMap<String, Series>,
    /// Pods scraped this round.
    pub scraped: u32,
    /// Pods of them with a previous scrape (their deltas count).
    pub with_delta: u32,
    /// Counter resets seen (a pod or process restarted).
    pub resets: u32,
    /// Longest interval a pod's delta covers, in seconds.
    pub covers_secs: f64,
}

impl Round {
    /// Series of metric `name`.
    pub fn of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Series> + 'a {
        self.series.values().filter(move |s| s.name == name)
    }
}

/// One pod's last scrape.
#[derive(Debug, Clone)]
struct Snapshot {
    at: DateTime<Utc>,
    values: HashMap<String, f64>,
}

/// Each pod's last scrape, and the round being summed.
#[derive(Debug, Default)]
pub struct Tracker {
    pods: HashMap<String, Snapshot>,
    round: Round,
}

impl Tracker {
    /// A tracker with no pod seen.
    pub fn new() -> Tracker {
        Tracker::default()
    }

    /// Pods with a snapshot.
    pub fn pods(&self) -> usize {
        self.pods.len()
    }

    /// Fold one pod's scrape at `at` into the current round.
    pub fn observe(&mut self, pod: &str, at: DateTime<Utc>, exposition: &Exposition) {
        let prev = self.pods.remove(pod);
        let secs = prev
            .as_ref()
            .map(|p| (at - p.at).num_milliseconds() as f64 / 1000.0)
            .filter(|s| *s > 0.0);
        let mut values = HashMap::with_capacity(exposition.samples.len());
        let round = &mut self.round;
        round.scraped += 1;
        if secs.is_some() {
            round.with_delta += 1;
            round.covers_secs = round.covers_secs.max(secs.unwrap_or(0.0));
        }
        for s in &exposition.samples {
            if !s.value.is_finite() {
                continue;
            }
            let mut labels = s.labels.clone();
            labels.sort();
            let key = key(&s.name, &labels);
            let counter = is_counter(exposition, &s.name);
            let delta = match (secs, prev.as_ref().and_then(|p| p.values.get(&key))) {
                (Some(_), Some(old)) if counter && s.value < *old => {
                    round.resets += 1;
                    Some(s.value)
                }
                (Some(_), Some(old)) if counter => Some(s.value - old),
                // A series new in a known pod started at 0 within the interval.
                (Some(_), None) if counter => Some(s.value),
                _ => None,
            };
            let entry = round.series.entry(key.clone()).or_insert_with(|| Series {
                name: s.name.clone(),
                labels,
                ..Series::default()
            });
            entry.value += s.value;
            if let (Some(d), Some(secs)) = (delta, secs) {
                entry.delta += d;
                entry.rate += d / secs;
                entry.pods_with_delta += 1;
            }
            values.insert(key, s.value);
        }
        self.pods.insert(pod.to_string(), Snapshot { at, values });
    }

    /// End the round: forget pods no longer `listed` (kept ones whose scrape failed keep
    /// their snapshot), and hand back what the round added up to.
    pub fn finish<'a>(&mut self, listed: impl IntoIterator<Item = &'a str>) -> Round {
        let listed: std::collections::HashSet<&str> = listed.into_iter().collect();
        self.pods.retain(|name, _| listed.contains(name.as_str()));
        std::mem::take(&mut self.round)
    }
}

/// Counters, and the cumulative parts of histograms and summaries.
fn is_counter(e: &Exposition, name: &str) -> bool {
    if let Some(kind) = e.kinds.get(name) {
        return *kind == Kind::Counter;
    }
    let family = ["_bucket", "_count", "_sum", "_total"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix));
    match family.and_then(|f| e.kinds.get(f)) {
        Some(Kind::Histogram) => true,
        Some(Kind::Summary) => !name.ends_with("_bucket"),
        Some(Kind::Counter) => true,
        Some(_) => false,
        // Undeclared: the naming conventions say what is cumulative.
        None => family.is_some(),
    }
}

/// `name{a="1",b="2"}` with labels sorted.
fn key(name: &str, labels: &[(String, String)]) -> String {
    let mut k = String::with_capacity(name.len() + labels.len() * 16);
    k.push_str(name);
    k.push('{');
    for (i, (n, v)) in labels.iter().enumerate() {
        if i > 0 {
            k.push(',');
        }
        k.push_str(n);
        k.push_str("=\"");
        k.push_str(&v.replace('\\', "\\\\").replace('"', "\\\""));
        k.push('"');
    }
    k.push('}');
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::parse::parse;
    use chrono::{Duration, TimeZone};

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000, 0).unwrap() + Duration::seconds(secs)
    }

    fn body(ok: u64, err: u64) -> Exposition {
        parse(&format!(
            "# TYPE http_requests_total counter\n\
             http_requests_total{{code=\"200\"}} {ok}\n\
             http_requests_total{{code=\"500\"}} {err}\n\
             # TYPE pool gauge\npool 4\n"
        ))
        .unwrap()
    }

    fn total(r: &Round, code: &str) -> f64 {
        r.of("http_requests_total")
            .filter(|s| s.label("code") == Some(code))
            .map(|s| s.delta)
            .sum()
    }

    #[test]
    fn first_scrape_is_a_baseline_then_deltas_and_rates() {
        let mut tr = Tracker::new();
        tr.observe("a", t(0), &body(100, 1));
        let r = tr.finish(["a"]);
        assert_eq!((r.scraped, r.with_delta), (1, 0));
        assert_eq!(total(&r, "200"), 0.0);
        tr.observe("a", t(5), &body(150, 3));
        let r = tr.finish(["a"]);
        assert_eq!((total(&r, "200"), total(&r, "500")), (50.0, 2.0));
        let rate: f64 = r.of("http_requests_total").map(|s| s.rate).sum();
        assert_eq!(rate, 52.0 / 5.0);
        assert_eq!(r.of("pool").map(|s| s.value).sum::<f64>(), 4.0);
    }

    #[test]
    fn a_counter_reset_counts_from_zero() {
        let mut tr = Tracker::new();
        tr.observe("a", t(0), &body(1000, 10));
        tr.finish(["a"]);
        // The pod restarted: its counters start again from 0.
        tr.observe("a", t(5), &body(40, 2));
        let r = tr.finish(["a"]);
        assert_eq!((total(&r, "200"), total(&r, "500")), (40.0, 2.0));
        assert_eq!(r.resets, 2);
    }

    #[test]
    fn pods_come_and_go() {
        let mut tr = Tracker::new();
        tr.observe("a", t(0), &body(100, 0));
        tr.observe("b", t(0), &body(100, 0));
        tr.finish(["a", "b"]);
        // b is gone, c is new (a baseline), a moved on.
        tr.observe("a", t(5), &body(110, 0));
        tr.observe("c", t(5), &body(5000, 50));
        let r = tr.finish(["a", "c"]);
        assert_eq!((total(&r, "200"), total(&r, "500")), (10.0, 0.0));
        assert_eq!(tr.pods(), 2);
        tr.observe("a", t(10), &body(120, 0));
        tr.observe("c", t(10), &body(5010, 51));
        let r = tr.finish(["a", "c"]);
        assert_eq!((total(&r, "200"), total(&r, "500")), (20.0, 1.0));
    }

    #[test]
    fn a_missed_scrape_keeps_the_snapshot_and_the_next_covers_the_gap() {
        let mut tr = Tracker::new();
        tr.observe("a", t(0), &body(0, 0));
        tr.observe("b", t(0), &body(0, 0));
        tr.finish(["a", "b"]);
        // b timed out this round: still listed, not observed.
        tr.observe("a", t(5), &body(50, 0));
        let r = tr.finish(["a", "b"]);
        assert_eq!(total(&r, "200"), 50.0);
        tr.observe("a", t(10), &body(100, 0));
        tr.observe("b", t(10), &body(100, 0));
        let r = tr.finish(["a", "b"]);
        // b's 100 requests over 10 s, a's 50 over 5 s: both 10 req/s.
        assert_eq!(total(&r, "200"), 150.0);
        let rate: f64 = r.of("http_requests_total").map(|s| s.rate).sum();
        assert_eq!(rate, 20.0);
        assert_eq!(r.covers_secs, 10.0);
    }

    #[test]
    fn histogram_parts_are_counters_without_a_type_line_for_them() {
        let e = parse("# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_count 3\nh_sum 1.5\n").unwrap();
        assert!(is_counter(&e, "h_bucket") && is_counter(&e, "h_count") && is_counter(&e, "h_sum"));
        let untyped = parse("x_total 3\ny 1\n").unwrap();
        assert!(is_counter(&untyped, "x_total") && !is_counter(&untyped, "y"));
        let gauge = parse("# TYPE g_count gauge\ng_count 1\n").unwrap();
        assert!(!is_counter(&gauge, "g_count"));
    }

    #[test]
    fn keys_are_canonical() {
        let l = vec![
            ("a".to_string(), "x\"y".to_string()),
            ("b".into(), "2".into()),
        ];
        assert_eq!(key("m", &l), "m{a=\"x\\\"y\",b=\"2\"}");
    }
}
