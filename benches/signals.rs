//! Signals benchmark (scenario `load`: 200 pods per color, 400 in all): one interval's
//! scrape bodies parsed, folded into counter deltas and reduced to each color's sample —
//! everything but the network. Target: under 5 % of one core at a 5 s interval, i.e. one
//! interval under 250 ms. The added RSS of the trackers' snapshots is printed once.

use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use cutover::config::demo::demo_metrics;
use cutover::metrics::rates::Tracker;
use cutover::metrics::{expr, parse, reduce, Health, Spec};
use kube_sim::apps::metrics::Counters;

const PODS: usize = 400;

/// The simulator's own exposition of a pod that served `n` requests per path.
fn body(pod: usize, n: u64) -> String {
    let mut c = Counters::default();
    let paths = [
        "/api/workouts",
        "/api/users/me",
        "/api/stats",
        "/health/ready",
    ];
    for (i, path) in paths.iter().enumerate() {
        for k in 0..n {
            let code = if (k + pod as u64) % 200 == 0 {
                503
            } else {
                200
            };
            c.record(code, "GET", path, 0.002 * (1 + (k % 40) + i as u64) as f64);
        }
        c.record(201, "POST", path, 0.02);
    }
    c.cache_hits = n * 9;
    c.cache_misses = n;
    c.db_active = (pod % 20) as u32;
    c.render()
}

fn spec() -> Spec {
    Spec {
        custom: demo_metrics()
            .signals
            .iter()
            .map(|s| s.expression.as_deref().and_then(|e| expr::compile(e).ok()))
            .collect(),
        ..Spec::standard()
    }
}

/// Resident set size in bytes (Linux).
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// One interval: parse every pod's body, fold it, reduce each color's round.
fn interval(
    trackers: &mut [Tracker; 2],
    bodies: &[String],
    at: chrono::DateTime<Utc>,
    spec: &Spec,
) {
    let names: Vec<String> = (0..PODS).map(|i| format!("fittrack-{i:05}")).collect();
    for (i, text) in bodies.iter().enumerate() {
        let e = parse::parse(text).expect("the simulator's exposition parses");
        trackers[i % 2].observe(&names[i], at, &e);
    }
    for (c, t) in trackers.iter_mut().enumerate() {
        let listed = names.iter().skip(c).step_by(2).map(String::as_str);
        let round = t.finish(listed);
        black_box(reduce(&round, spec, at, Health::default()));
    }
}

fn signals(c: &mut Criterion) {
    let spec = spec();
    let before: Vec<String> = (0..PODS).map(|p| body(p, 50)).collect();
    let after: Vec<String> = (0..PODS).map(|p| body(p, 60)).collect();
    let lines: usize = before.iter().map(|b| b.lines().count()).sum();
    let bytes: usize = before.iter().map(String::len).sum();
    let t0 = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
    let base = rss();
    let mut trackers = [Tracker::new(), Tracker::new()];
    interval(&mut trackers, &before, t0, &spec);
    interval(&mut trackers, &after, t0 + Duration::seconds(5), &spec);
    eprintln!(
        "signals: {PODS} pods, {lines} lines / {} KiB of exposition per interval; trackers added {} KiB RSS",
        bytes / 1024,
        rss().saturating_sub(base) / 1024
    );
    let mut n = 2;
    c.bench_function("scrape round: parse + deltas + reduce, 400 pods", |b| {
        b.iter(|| {
            n += 1;
            let bodies = if n % 2 == 0 { &before } else { &after };
            interval(&mut trackers, bodies, t0 + Duration::seconds(5 * n), &spec);
        })
    });
}

criterion_group!(benches, signals);
criterion_main!(benches);
