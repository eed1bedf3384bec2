use chrono::{Duration, TimeZone, Utc};

use super::*;
use crate::app::sample;
use crate::metrics::Health;

fn signals() -> Signals {
    let mut config = sample::config();
    config.metrics.signals = crate::config::demo::demo_metrics().signals;
    Signals::new(&config, false)
}

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000, 0).unwrap() + Duration::seconds(secs)
}

fn measured(secs: i64, requests: f64, errors: f64) -> Sample {
    Sample {
        at: at(secs),
        secs: 5.0,
        requests: Some(requests),
        errors: Some(errors),
        error_rate: (requests > 0.0).then(|| errors / requests),
        p99_ms: Some(12.0),
        rps: Some(requests / 5.0),
        custom: vec![Some(0.2), Some(0.85)],
        health: Health {
            ok: 3,
            asked: 3,
            ..Health::default()
        },
    }
}

fn window() -> Window {
    Window {
        key: "k".into(),
        color: Color::Green,
        opened_by: Opened::OwnSwitch,
        opened: at(0),
        until: at(900),
        armed: true,
        counted: 0,
        failures: 0,
        streak: 0,
        not_counted: 0,
        last_at: Some(at(0)),
        exhausted: None,
        exhausted_at: None,
        rollback: None,
        alarm: None,
    }
}

#[test]
fn values_are_shown_in_their_units() {
    assert_eq!(judge::show(0.0231, "%"), "2.31 %");
    assert_eq!(judge::show(0.001, "%"), "0.10 %");
    assert_eq!(judge::show(340.4, "ms"), "340 ms");
    assert_eq!(judge::show(4.25, "ms"), "4.2 ms");
    assert_eq!(judge::show(48.0, "rps"), "48.0 rps");
    assert_eq!(judge::show(3.0, "conns"), "3.00 conns");
}

#[test]
fn a_sample_counts_only_with_enough_requests() {
    let s = signals();
    // 1 error of 50 is 2 %, but 50 requests are too few to say so.
    assert_eq!(
        judge(&s, &measured(5, 50.0, 1.0)),
        Verdict::TooSmall { requests: 50.0 }
    );
    assert_eq!(judge(&s, &measured(5, 200.0, 0.0)), Verdict::Healthy);
    let Verdict::Breach(b) = judge(&s, &measured(5, 260.0, 6.0)) else {
        panic!("a breach");
    };
    assert_eq!(b[0].words, "5xx 2.31 % > 0.10 %");
    assert!((b[0].factor - 23.08).abs() < 0.01, "{}", b[0].factor);
}

#[test]
fn no_data_is_its_own_verdict_never_healthy() {
    let s = signals();
    let mut x = measured(5, 0.0, 0.0);
    assert_eq!(judge(&s, &x), Verdict::NoData("no requests".into()));
    x.requests = None;
    x.health = Health {
        ok: 0,
        asked: 3,
        errors: vec!["p1: timeout after 2 s".into()],
        resets: 0,
    };
    assert_eq!(
        judge(&s, &x),
        Verdict::NoData("source down: p1: timeout after 2 s".into())
    );
    x.health = Health::default();
    assert_eq!(
        judge(&s, &x),
        Verdict::NoData("no ready pod to scrape".into())
    );
    x.health.asked = 2;
    x.health.ok = 2;
    assert!(matches!(judge(&s, &x), Verdict::NoData(w) if w.contains("baseline")));
}

#[test]
fn custom_signals_breach_in_their_direction() {
    let s = signals();
    let mut x = measured(5, 300.0, 0.0);
    x.custom = vec![Some(0.95), Some(0.4)];
    let Verdict::Breach(b) = judge(&s, &x) else {
        panic!("breach");
    };
    let words: Vec<&str> = b.iter().map(|b| b.words.as_str()).collect();
    assert_eq!(
        words,
        ["db pool 95.00 % > 90.00 %", "cache hit 40.00 % < 50.00 %"]
    );
}

#[test]
fn consecutive_breaches_exhaust_the_budget_and_a_healthy_sample_resets_it() {
    let s = signals();
    let mut w = window();
    let feed = |w: &mut Window, secs, n, e| {
        let x = measured(secs, n, e);
        w.count(&s, &x, &judge(&s, &x))
    };
    assert!(!feed(&mut w, 5, 250.0, 5.0));
    assert!(!feed(&mut w, 10, 250.0, 5.0));
    assert_eq!(w.budget_left(&s), 1);
    assert!(!feed(&mut w, 15, 250.0, 0.0), "healthy resets the streak");
    assert_eq!(w.budget_left(&s), 3);
    assert!(!feed(&mut w, 20, 250.0, 5.0));
    assert!(
        !feed(&mut w, 25, 50.0, 5.0),
        "too small: neither breach nor reset"
    );
    assert!(!feed(&mut w, 30, 250.0, 5.0));
    assert!(feed(&mut w, 35, 250.0, 6.0));
    assert_eq!(
        w.exhausted.as_deref(),
        Some("5xx 2.40 % > 0.10 % in 3 consecutive samples of ≥ 200 requests")
    );
    assert_eq!((w.counted, w.failures, w.not_counted), (6, 5, 1));
    // Exhausted once: later samples change nothing.
    assert!(!feed(&mut w, 40, 250.0, 9.0));
    assert_eq!(w.failures, 5);
}

#[test]
fn without_consecutive_every_breach_in_the_window_counts() {
    let mut s = signals();
    s.analysis.consecutive = false;
    let mut w = window();
    for (secs, e) in [(5, 5.0), (10, 0.0), (15, 5.0), (20, 0.0)] {
        let x = measured(secs, 250.0, e);
        assert!(!w.count(&s, &x, &judge(&s, &x)));
    }
    let x = measured(25, 250.0, 5.0);
    assert!(w.count(&s, &x, &judge(&s, &x)));
    assert_eq!(
        w.exhausted.as_deref(),
        Some("5xx 2.00 % > 0.10 % in 3 of 5 samples of ≥ 200 requests")
    );
}

#[test]
fn a_sample_is_never_counted_twice_nor_before_the_window() {
    let s = signals();
    let mut w = window();
    let x = measured(0, 250.0, 5.0);
    w.count(&s, &x, &judge(&s, &x));
    assert_eq!(w.counted, 0, "taken before the switch");
    let x = measured(5, 250.0, 5.0);
    w.count(&s, &x, &judge(&s, &x));
    w.count(&s, &x, &judge(&s, &x));
    assert_eq!(w.counted, 1);
}

#[test]
fn history_is_bounded_and_in_time_order() {
    let mut s = signals();
    s.history = 3;
    for secs in [5, 10, 15, 20, 12, 15] {
        let x = measured(secs, 1.0, 0.0);
        let verdict = judge(&s, &x);
        s.push(Color::Blue, Judged { sample: x, verdict });
    }
    let times: Vec<_> = s
        .color(Color::Blue)
        .samples
        .iter()
        .map(|j| j.sample.at)
        .collect();
    assert_eq!(times, [at(12), at(15), at(20)]);
}

#[test]
fn the_detection_delay_is_interval_times_failures_allowed_plus_one() {
    let s = signals();
    assert_eq!(s.detection_secs(), 15.0);
    let line = s.detection_line().unwrap();
    assert!(line.contains("detection delay 15 s"), "{line}");
    assert!(line.contains("alarm (auto-rollback off)"), "{line}");
}
